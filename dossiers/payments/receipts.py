"""The electronic receipt (biên lai điện tử) of a paid payment: rendered to PDF once, by a
Celery task enqueued after commit (or on demand by the receipt page), kept in `Payment.receipt`."""

from typing import Any

from django.core.files.base import ContentFile
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from dossiers.constants import PaymentStatus
from dossiers.documents.rendering import heading, long_datetime, pdf_from_html, portal_url, qr_data_uri
from dossiers.models import Payment


def receipt_url(payment: Payment) -> str:
    """Where the receipt can be downloaded (printed and QR-encoded on the receipt)."""
    return portal_url(reverse("dossiers:payment_receipt", args=[payment.ref]))


def payment_receipt_html(*, payment: Payment) -> str:
    if payment.status != PaymentStatus.PAID or payment.paid_at is None:
        raise ValueError(f"giao dịch {payment.ref} chưa được thanh toán")
    procedure = payment.dossier.procedure if payment.dossier is not None else None
    if procedure is None and payment.draft is not None:
        procedure = payment.draft.procedure
    agency = payment.dossier.agency if payment.dossier is not None else None
    if agency is None and payment.draft is not None:
        agency = payment.draft.agency
    if agency is None and procedure is not None:
        agency = procedure.implementing_agencies.order_by("pk").first()
    url = receipt_url(payment)
    context: dict[str, Any] = {
        **(
            heading(agency, form_number="", title="Biên lai thu phí, lệ phí điện tử", issued_at=payment.paid_at)
            if agency is not None
            else {"title": "Biên lai thu phí, lệ phí điện tử", "form_number": "", "issued_on": "", "issuer_name": ""}
        ),
        "payment": payment,
        "payer": payment.payer,
        "procedure": procedure,
        "receipt_dossier": payment.dossier,
        "lines": payment.items,
        "paid_at": long_datetime(payment.paid_at),
        "receipt_url": url,
        "receipt_qr": qr_data_uri(url),
        "subtitle": "(Thu qua Nền tảng thanh toán trực tuyến của Cổng Dịch vụ công quốc gia)",
        "body": "dossiers/payments/receipt_pdf.html",
    }
    with translation.override("vi"):
        return render_to_string("documents/base.html", context)


def payment_receipt_issue(*, payment_id: int) -> Payment:
    """Render the paid payment's receipt once and store it in `Payment.receipt`.

    Idempotent: an existing receipt is kept; when two workers render at once, the second
    to store loses a conditional update, deletes its own file and returns the winner's.
    Call outside a transaction (from the task): nothing is locked while rendering. Raises
    ValueError for a payment that is not paid.
    """
    payment = Payment.objects.select_related(
        "payer", "dossier__procedure", "dossier__agency__parent", "draft__procedure", "draft__agency__parent"
    ).get(pk=payment_id)
    if payment.receipt:
        return payment
    pdf = pdf_from_html(payment_receipt_html(payment=payment))
    payment.receipt.save(f"bien-lai-{payment.ref}.pdf", ContentFile(pdf), save=False)
    stored = Payment.objects.filter(Q(receipt="") | Q(receipt__isnull=True), pk=payment.pk).update(
        receipt=payment.receipt.name
    )
    if not stored:
        payment.receipt.delete(save=False)
        payment.refresh_from_db()
    return payment
