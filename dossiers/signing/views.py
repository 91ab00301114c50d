"""Xác thực văn bản điện tử: anyone checks a signed result or form, by its code (the QR code
printed in the signature stamp) or by uploading the PDF. Nothing uploaded is stored, and the
page shows only what the document itself shows: its title, signer, agency, time and hash."""

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from common.errors import DomainError

from .config import signing_config
from .exceptions import PdfTooLarge
from .pki import CRL_FILE
from .services import (
    VerificationAnswer,
    signature_get_by_code,
    signature_verify_record,
    signature_verify_upload,
)


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Mã xác thực (in dưới mã QR của văn bản)"), max_length=16)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Tệp PDF cần xác thực"), widget=forms.ClearableFileInput(attrs={"accept": ".pdf"}))


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    from django.conf import settings

    code_form = CodeForm(request.GET or None)
    if code_form.is_bound and code_form.is_valid():
        return redirect("verification:by_code", code=code_form.cleaned_data["code"].strip().upper())
    upload_form = UploadForm(request.POST or None, request.FILES or None)
    answer: VerificationAnswer | None = None
    error = ""
    status = 200
    if request.method == "POST" and upload_form.is_valid():
        upload = upload_form.cleaned_data["file"]
        try:
            # Refused by its size before a byte is read into memory; Django's temporary upload
            # file is deleted with the request: nothing uploaded is kept.
            if upload.size > settings.SIGNING_VERIFY_MAX_BYTES:
                raise PdfTooLarge(limit=settings.SIGNING_VERIFY_MAX_BYTES // (1024 * 1024))
            answer = signature_verify_upload(data=upload.read())
        except DomainError as exc:
            error, status = str(exc), 400
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "signing/verify.html",
        {"code_form": code_form if code_form.is_bound else CodeForm(), "upload_form": upload_form,
         "answer": answer, "error": error, "max_mb": settings.SIGNING_VERIFY_MAX_BYTES // (1024 * 1024)},
        status=status,
    )  # fmt: skip


def verify_code(request: HttpRequest, code: str) -> HttpResponse:
    signature = signature_get_by_code(code=code)
    if signature is None:
        return render(
            request, "signing/verify.html",
            {"code_form": CodeForm(initial={"code": code}), "upload_form": UploadForm(), "not_found": code},
            status=404,
        )  # fmt: skip
    return render(
        request,
        "signing/verify.html",
        {"answer": signature_verify_record(signature=signature), "code_form": CodeForm(), "upload_form": UploadForm()},
    )


def demo_crl(request: HttpRequest) -> HttpResponse:
    """The demo CA's revocation list (named in the demo certificates); a real CA publishes its own."""
    path = signing_config().directory / CRL_FILE
    if not path.exists():
        raise Http404()
    return HttpResponse(path.read_bytes(), content_type="application/pkix-crl")
