"""Attachments: upload, reuse from the document store, remove, download for those who may see them.

Every upload endpoint answers a plain form POST (redirect to a safe local `next`, message
shown there) and, when the request says `Accept: application/json`, a JSON body for the
progressive upload in static/js/uploads.js. Files only leave through the download views below, after the
scope check (dossiers.downloads: a short-lived signed address, a stream or nginx's X-Accel-Redirect).
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST
from django_ratelimit import ALL
from django_ratelimit.core import is_ratelimited

from accounts.models import User
from common.errors import DomainError

from .attachments import attachment_add, attachment_remove, attachment_reuse, size_text
from .attachments.selectors import (
    attachment_get_for_user,
    component_get,
    draft_get_for_files,
    stored_document_get_for_user,
    stored_document_list_for_user,
    uploaded_bytes_today,
)
from .constants import AccessKind, AttachmentRole, ScanState
from .downloads import stored_file_response
from .exceptions import AttachmentNotFound, DossierNotFound, StoredDocumentNotFound
from .file_forms import OfficerUploadForm, RemoveForm, ReuseForm, UploadForm
from .models import Attachment, Dossier, StoredDocument
from .selectors import dossier_get_for_user
from .trail import dossier_access_record

MB = 1024 * 1024
View = Callable[..., HttpResponse]


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - login_required ran first
    return user


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _safe_next(request: HttpRequest, default: str) -> str:
    """`next` if it is a path on this site ("/..."), else `default`: no open redirect."""
    target = str(request.POST.get("next") or request.GET.get("next") or "")
    local = target.startswith("/") and not target.startswith("//") and "\\" not in target
    if local and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def upload_endpoint(view: View) -> View:
    """Refuse a request body over UPLOAD_MAX_REQUEST_MB before anything reads it (CSRF
    checking would parse, and spool to disk, the whole multipart body first), then check
    CSRF and login as usual.
    """
    inner = csrf_protect(login_required(require_POST(view)))

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = int(getattr(settings, "UPLOAD_MAX_REQUEST_MB", 60))
        if length > limit * MB:
            message = _("Dữ liệu gửi lên (%(size)s) vượt quá %(limit)s MB cho phép trong một lần tải.") % {
                "size": size_text(length),
                "limit": limit,
            }
            if _wants_json(request):
                return JsonResponse({"error": message}, status=413)
            return render(request, "dossiers/files/too_large.html", {"message": message}, status=413)
        return inner(request, *args, **kwargs)

    return csrf_exempt(wrapper)


def _over_limit(request: HttpRequest, text: str, back: str) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"error": text}, status=429)
    return render(request, "429.html", {"message": text, "back": back}, status=429)


def citizen_upload_limits(view: View) -> View:
    """A citizen's uploads: at most UPLOAD_RATE_PER_USER requests (e.g. "60/10m", counted in
    the cache) and UPLOAD_DAILY_QUOTA_MB per calendar day (counted from the stored files, the
    request's size included). Refused with 429 and a message saying which limit was met.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = _user(request)
        back = _safe_next(request, reverse("dossiers:my_dossiers"))
        if is_ratelimited(
            request, group="dossiers.upload", key="user", rate=settings.UPLOAD_RATE_PER_USER, method=ALL, increment=True
        ):
            text = _("Bạn đã tải lên quá nhiều tệp trong thời gian ngắn. Vui lòng chờ ít phút rồi thử lại.")
            return _over_limit(request, text, back)
        quota = settings.UPLOAD_DAILY_QUOTA_MB * MB
        used = uploaded_bytes_today(user=user)
        try:
            incoming = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            incoming = 0
        if used + incoming > quota:
            text = _(
                "Mỗi tài khoản được tải lên tối đa %(limit)s MB mỗi ngày; hôm nay bạn đã tải lên %(used)s. "
                "Vui lòng tiếp tục vào ngày mai, hoặc dùng lại giấy tờ đã có trong kho dữ liệu."
            ) % {"limit": settings.UPLOAD_DAILY_QUOTA_MB, "used": size_text(used)}
            return _over_limit(request, text, back)
        return view(request, *args, **kwargs)

    return wrapper


def _attachment_json(request: HttpRequest, attachment: Attachment) -> dict[str, Any]:
    return {
        "uuid": str(attachment.uuid),
        "name": attachment.name,
        "size": attachment.size,
        "size_text": size_text(attachment.size),
        "content_type": attachment.content_type,
        "reused": attachment.reused,
        "digitised": attachment.digitised,
        "scan_state": attachment.scan_state,
        "download_url": reverse("dossiers:attachment_download", args=[attachment.uuid]),
        "remove_url": reverse("dossiers:attachment_remove", args=[attachment.uuid]),
        "html": render_to_string(
            "dossiers/files/_attachment.html", {"attachment": attachment, "removable": True}, request=request
        ),
    }


def _done(
    request: HttpRequest, attachment: Attachment | None, message: str, next_url: str, status: int = 0
) -> HttpResponse:
    if _wants_json(request):
        body: dict[str, Any] = {"message": message}
        if attachment is not None:
            body["attachment"] = _attachment_json(request, attachment)
        return JsonResponse(body, status=status or (201 if attachment is not None else 200))
    if status == 202:
        messages.info(request, message)
        return redirect(next_url)
    messages.success(request, message)
    return redirect(next_url)


def _refused(request: HttpRequest, error: DomainError | str, next_url: str, status: int = 400) -> HttpResponse:
    text = str(error)
    status = error.http_status if isinstance(error, DomainError) else status
    if _wants_json(request):
        return JsonResponse({"error": text}, status=status)
    if status == 404:
        raise Http404(text)
    messages.error(request, text)
    return redirect(next_url)


def _form_problem(form: UploadForm | ReuseForm | RemoveForm | OfficerUploadForm) -> str:
    if "file" in form.errors:
        return _("Vui lòng chọn một tệp để tải lên.")
    return _("Yêu cầu không hợp lệ. Vui lòng tải lại trang và thử lại.")


def _uploaded(form: UploadForm | OfficerUploadForm) -> UploadedFile:
    upload = form.cleaned_data["file"]
    assert isinstance(upload, UploadedFile)  # noqa: S101 - a FileField's clean value
    return upload


@upload_endpoint
@citizen_upload_limits
def draft_upload(request: HttpRequest, token: str) -> HttpResponse:
    """A citizen adds a file to one component of their draft."""
    user = _user(request)
    next_url = _safe_next(request, reverse("home"))
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _refused(request, _form_problem(form), next_url)
    try:
        draft = draft_get_for_files(user=user, token=token)
        component = component_get(procedure_id=draft.procedure_id, pk=form.cleaned_data["component"])
        attachment = attachment_add(owner_user=user, draft=draft, component=component, upload=_uploaded(form))
    except DomainError as error:
        return _refused(request, error, next_url)
    if attachment.scan_state == ScanState.WAITING:
        message = _(
            "Tệp “%(name)s” đã được nhận và đang kiểm tra an toàn tệp (hệ thống quét mã độc đang tạm gián đoạn). "
            "Bạn có thể tiếp tục chuẩn bị hồ sơ; hồ sơ nộp được khi tệp đã kiểm tra xong."
        ) % {"name": attachment.name}
        return _done(request, attachment, message, next_url, status=202)
    return _done(request, attachment, _("Đã tải lên tệp “%(name)s”.") % {"name": attachment.name}, next_url)


@upload_endpoint
def draft_reuse(request: HttpRequest, token: str) -> HttpResponse:
    """One click: a document of the citizen's store fills a component of their draft."""
    user = _user(request)
    next_url = _safe_next(request, reverse("home"))
    form = ReuseForm(request.POST)
    if not form.is_valid():
        return _refused(request, _form_problem(form), next_url)
    try:
        draft = draft_get_for_files(user=user, token=token)
        component = component_get(procedure_id=draft.procedure_id, pk=form.cleaned_data["component"])
        document = stored_document_get_for_user(user=user, uuid=form.cleaned_data["document"])
        assert component is not None  # noqa: S101 - the form requires it
        attachment = attachment_reuse(owner_user=user, draft=draft, component=component, stored_document=document)
    except DomainError as error:
        return _refused(request, error, next_url)
    message = _("Đã lấy “%(name)s” từ kho dữ liệu cho “%(component)s”.") % {
        "name": attachment.name,
        "component": component.name,
    }
    return _done(request, attachment, message, next_url)


@upload_endpoint
@citizen_upload_limits
def supplement_upload(request: HttpRequest, code: str) -> HttpResponse:
    """The applicant uploads a document asked for by the open supplement request."""
    user = _user(request)
    next_url = _safe_next(request, reverse("home"))
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _refused(request, _form_problem(form), next_url)
    try:
        dossier = dossier_get_for_user(user=user, code=code)
        component = component_get(procedure_id=dossier.procedure_id, pk=form.cleaned_data["component"])
        attachment = attachment_add(
            owner_user=user,
            dossier=dossier,
            component=component,
            upload=_uploaded(form),
            role=AttachmentRole.SUPPLEMENT,
        )
    except DomainError as error:
        return _refused(request, error, next_url)
    return _done(request, attachment, _("Đã tải lên tệp “%(name)s”.") % {"name": attachment.name}, next_url)


@upload_endpoint
def officer_upload(request: HttpRequest, code: str) -> HttpResponse:
    """An officer in scope adds a desk scan (digitised) or a result file to a dossier."""
    user = _user(request)
    if not user.is_officer:
        raise Http404(_("Không tìm thấy hồ sơ."))
    try:
        dossier = dossier_get_for_user(user=user, code=code)
    except DossierNotFound:
        raise Http404(_("Không tìm thấy hồ sơ.")) from None
    next_url = reverse("dossiers:detail", args=[dossier.code]) + "#files-title"
    form = OfficerUploadForm(request.POST, request.FILES, components=_component_choices(dossier))
    if not form.is_valid():
        return _refused(request, _form_problem(form), next_url)
    result = form.cleaned_data["kind"] == OfficerUploadForm.KIND_RESULT
    try:
        component = component_get(procedure_id=dossier.procedure_id, pk=form.cleaned_data["component"])
        attachment = attachment_add(
            owner_user=user,
            dossier=dossier,
            component=component,
            upload=_uploaded(form),
            role=AttachmentRole.RESULT if result else AttachmentRole.FILED,
            digitised=not result,
        )
    except DomainError as error:
        return _refused(request, error, next_url)
    return _done(request, attachment, _("Đã tải lên tệp “%(name)s”.") % {"name": attachment.name}, next_url)


def _component_choices(dossier: Dossier) -> list[tuple[int, str]]:
    return [(c.pk, c.name) for c in dossier.procedure.components.order_by("order", "id")]


@upload_endpoint
def attachment_remove_view(request: HttpRequest, uuid: str) -> HttpResponse:
    user = _user(request)
    next_url = _safe_next(request, reverse("home"))
    form = RemoveForm(request.POST)
    form.is_valid()
    try:
        attachment = attachment_get_for_user(user=user, uuid=uuid)
        attachment_remove(user=user, attachment=attachment)
    except DomainError as error:
        return _refused(request, error, next_url)
    return _done(request, None, _("Đã xóa tệp “%(name)s”.") % {"name": attachment.name}, next_url)


@login_required
def attachment_download(request: HttpRequest, uuid: str) -> HttpResponseBase:
    """A file to whoever may see it; an officer's download of a dossier's file joins its trail."""
    user = _user(request)
    try:
        attachment = attachment_get_for_user(user=user, uuid=uuid)
    except AttachmentNotFound:
        raise Http404(_("Không tìm thấy tệp.")) from None
    if attachment.scan_state != ScanState.CLEAN:
        # Unscanned (waiting for the virus scanner) or refused by it: nobody opens it.
        raise Http404(_("Tệp chưa qua kiểm tra an toàn nên chưa mở được."))
    response = stored_file_response(
        request, attachment.file, name=attachment.name, content_type=attachment.content_type
    )
    if attachment.dossier is not None:
        dossier_access_record(user=user, dossier=attachment.dossier, kind=AccessKind.FILE, attachment=attachment)
    return response


@login_required
def stored_document_download(request: HttpRequest, uuid: str) -> HttpResponseBase:
    try:
        document: StoredDocument = stored_document_get_for_user(user=_user(request), uuid=uuid)
    except StoredDocumentNotFound:
        raise Http404(_("Không tìm thấy giấy tờ.")) from None
    return stored_file_response(request, document.file, name=document.name, content_type=document.content_type)


@login_required
def stored_document_list(request: HttpRequest) -> HttpResponse:
    """Kho dữ liệu của tôi: every document the citizen gave before and every electronic result."""
    documents = list(stored_document_list_for_user(user=_user(request)).select_related("source_dossier"))
    return render(request, "dossiers/files/store.html", {"documents": documents})


urlpatterns = [
    path("kho-du-lieu/", stored_document_list, name="stored_document_list"),
    path("tep-dinh-kem/ho-so-nhap/<uuid:token>/tai-len/", draft_upload, name="draft_upload"),
    path("tep-dinh-kem/ho-so-nhap/<uuid:token>/lay-tu-kho/", draft_reuse, name="draft_reuse"),
    path("tep-dinh-kem/ho-so/<str:code>/bo-sung/", supplement_upload, name="supplement_upload"),
    path("tep-dinh-kem/can-bo/ho-so/<str:code>/", officer_upload, name="officer_upload"),
    path("tep-dinh-kem/<uuid:uuid>/", attachment_download, name="attachment_download"),
    path("tep-dinh-kem/<uuid:uuid>/xoa/", attachment_remove_view, name="attachment_remove"),
    path("kho-du-lieu/<uuid:uuid>/", stored_document_download, name="stored_document_download"),
]
