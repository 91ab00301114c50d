"""Telling people: the applicant hears of every change of their dossier (an e-mail and a text
message), of the answer to their complaint; officers hear of dossiers about to fall due.

A subscriber (handlers.py) enqueues one task per event after the commit; the task sends what
is not yet recorded as sent (Notification rows, one per event and channel); a beat sweep
(tasks.notifications_resend_task) finds what a lost message never sent.
E-mail goes through Django's mail backend; text messages through `settings.SMS_BACKEND`,
an interface a province fills with its telecom's brandname gateway (the default prints to
the log).
"""

import datetime as dt
import logging
import unicodedata
from typing import Protocol

from django.conf import settings
from django.core.cache import caches
from django.core.mail import EmailMessage, send_mail
from django.db import IntegrityError
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from accounts.constants import Role
from accounts.models import User
from dossiers.constants import Channel, DocumentKind, EventKind
from dossiers.models import Complaint, Dossier, DossierEvent, Notification
from dossiers.selectors import dossiers_due_within_one_working_day
from procedures.models import Agency
from workflows.constants import Status
from workflows.selectors import working_calendar

logger = logging.getLogger(__name__)

# Events whose reason the applicant must read in the message itself.
WITH_REASON = frozenset(
    {
        EventKind.REQUEST_SUPPLEMENT,
        EventKind.REFUSE,
        EventKind.STOP,
        EventKind.SEND_BACK,
        EventKind.APOLOGISE,
        EventKind.WITHDRAW,
        EventKind.REQUEST_PAYMENT,
    }
)


def _amount(value: object) -> str:
    """1250000 -> "1.250.000" (Vietnamese thousands separator)."""
    return f"{int(value):,}".replace(",", ".")  # type: ignore[call-overload]


class SmsBackend(Protocol):
    def send(self, *, phone: str, text: str) -> None: ...


class ConsoleSmsBackend:
    """Writes the message to the log: the embedded default and development."""

    def send(self, *, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", phone, text)


class MemorySmsBackend:
    """Keeps the messages in memory (tests read `MemorySmsBackend.outbox`)."""

    outbox: list[tuple[str, str]] = []

    def send(self, *, phone: str, text: str) -> None:
        type(self).outbox.append((phone, text))


def sms_backend() -> SmsBackend:
    backend: SmsBackend = import_string(settings.SMS_BACKEND)()
    return backend


def should_notify(*, kind: str, from_status: int | None, to_status: int) -> bool:
    """Every status change, the submission, and an apology with its new date."""
    return kind in (EventKind.SUBMIT, EventKind.APOLOGISE) or from_status != to_status


def _notifiable() -> Q:
    """`should_notify` in SQL: the submission, an apology, or any change of status."""
    return (
        Q(action__in=(EventKind.SUBMIT, EventKind.APOLOGISE))
        | Q(from_status__isnull=True)
        | ~Q(from_status=F("to_status"))
    )


def events_missing_notifications(*, now: dt.datetime | None = None) -> QuerySet[DossierEvent]:
    """Events the applicant should have heard about but has not, oldest first.

    Those with an e-mail address (or a phone number) on the dossier and no e-mail (or text)
    recorded as sent: the broker was down when the change committed, or the task gave up.
    Only events older than NOTIFICATION_RESEND_AFTER_MINUTES (the normal path's time) and
    younger than NOTIFICATION_RESEND_HOURS (news that late helps nobody).
    """
    now = now or timezone.now()
    sent = Notification.objects.filter(event=OuterRef("pk"))
    email_missing = ~Q(dossier__applicant_email="") & ~Exists(sent.filter(channel=Notification.Channel.EMAIL))
    sms_missing = ~Q(dossier__applicant_phone="") & ~Exists(sent.filter(channel=Notification.Channel.SMS))
    return (
        DossierEvent.objects.filter(
            at__gte=now - dt.timedelta(hours=settings.NOTIFICATION_RESEND_HOURS),
            at__lte=now - dt.timedelta(minutes=settings.NOTIFICATION_RESEND_AFTER_MINUTES),
        )
        .filter(_notifiable())
        .filter(email_missing | sms_missing)
        .order_by("at", "pk")
    )


def _when(moment: object) -> str:
    return timezone.localtime(moment).strftime("%H:%M %d/%m/%Y") if moment else "—"  # type: ignore[arg-type]


def message_subject(event: DossierEvent) -> str:
    return _("Hồ sơ %(code)s: %(status)s") % {"code": event.dossier.code, "status": Status(event.to_status).label}


def message_body(event: DossierEvent) -> str:
    """The e-mail, in the active language (notify_applicant: the dossier's)."""
    dossier = event.dossier
    lines = [
        _("Kính gửi %(name)s,") % {"name": dossier.applicant_name},
        "",
        _("Hồ sơ %(code)s (%(procedure)s) tại %(agency)s:")
        % {"code": dossier.code, "procedure": dossier.procedure.name, "agency": dossier.agency.name},
        _("%(action)s lúc %(at)s. Trạng thái: %(status)s.")
        % {"action": event.action_label, "at": _when(event.at), "status": Status(event.to_status).label},
    ]
    if event.action in WITH_REASON and event.comment:
        lines += ["", _("Nội dung: %(comment)s") % {"comment": event.comment}]
    if event.action == EventKind.REQUEST_PAYMENT and event.data.get("amount"):
        lines.append(
            _("Số tiền phải nộp: %(amount)s đồng. Nơi nộp: %(place)s.")
            % {"amount": _amount(event.data["amount"]), "place": event.data.get("pay_at", "")}
        )
        if event.data.get("online"):
            lines.append(_("Có thể thanh toán trực tuyến tại trang theo dõi hồ sơ dưới đây."))
    if event.action == EventKind.APOLOGISE and event.data.get("new_due_at"):
        lines.append(
            _("Ngày hẹn trả mới: %(at)s.") % {"at": _when(dt.datetime.fromisoformat(event.data["new_due_at"]))}
        )
    elif dossier.due_at and event.to_status in (Status.NEW, Status.RECEIVED, Status.PROCESSING):
        lines.append(_("Hẹn trả kết quả: %(at)s.") % {"at": _when(dossier.due_at)})
    base = settings.PORTAL_BASE_URL.rstrip("/")
    lines += [
        "",
        _("Theo dõi hồ sơ: %(url)s") % {"url": f"{base}/ho-so-cua-toi/{dossier.code}/"},
        "",
        settings.PORTAL_NAME,
    ]
    return "\n".join(lines)


def message_sms(event: DossierEvent) -> str:
    """Short and without diacritics: brandname SMS gateways bill 160 plain characters per part."""
    dossier = event.dossier
    text = _("%(portal)s: Hồ sơ %(code)s %(status)s.") % {
        "portal": settings.PORTAL_NAME,
        "code": dossier.code,
        "status": Status(event.to_status).label,
    }
    if event.to_status == Status.SUPPLEMENT_REQUESTED:
        text += " " + _("Vui lòng bổ sung hồ sơ trên Cổng DVC.")
    if event.action == EventKind.REQUEST_PAYMENT and event.data.get("amount"):
        text += " " + _("Số tiền %(amount)s đồng, nộp tại %(place)s.") % {
            "amount": _amount(event.data["amount"]),
            "place": event.data.get("pay_at", ""),
        }
    return _plain(text)


def _plain(text: str) -> str:
    """ "Hồ sơ Đã xử lý" -> "Ho so Da xu ly": letters kept, case kept, marks dropped."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _record(event: DossierEvent, channel: str, recipient: str, text: str) -> None:
    try:
        Notification.objects.create(dossier=event.dossier, event=event, channel=channel, recipient=recipient, text=text)
    except IntegrityError:  # another worker sent it meanwhile: at least once, never lost
        logger.info("notification %s for event %s already recorded", channel, event.pk)


def _receipt_pdf(dossier: Dossier, event: DossierEvent) -> bytes | None:
    if event.action != EventKind.SUBMIT or dossier.channel != Channel.ONLINE:
        return None
    from dossiers.documents.services import document_issue  # weasyprint: import where needed

    # Filed online, not yet received: the acknowledgement, never form 01 (issued only at a receipt).
    # A legal paper: Vietnamese, whatever language the mail around it is in.
    with translation.override(settings.LANGUAGE_CODE):
        document = document_issue(dossier=dossier, kind=DocumentKind.SUBMISSION_ACK, event=event)
    with document.file.open("rb") as file:
        return file.read()


def notify_applicant(*, event_id: int) -> list[str]:
    """Send the applicant the e-mail and the text message about one event; returns the channels sent.

    Idempotent: a channel recorded as sent for this event is skipped. Sent before it is
    recorded, so a crash between the two may repeat a message but never loses one. The
    online submission's e-mail carries the submission acknowledgement as a PDF (form 01 comes at the receipt).
    """
    event = DossierEvent.objects.select_related("dossier__procedure", "dossier__agency").get(pk=event_id)
    dossier = event.dossier
    done = set(Notification.objects.filter(event=event).values_list("channel", flat=True))
    # In the language the applicant filed in (Dossier.language), whatever the worker's.
    with translation.override(dossier.language or settings.LANGUAGE_CODE):
        return _notify(event, dossier, done)


def _notify(event: DossierEvent, dossier: Dossier, done: set[str]) -> list[str]:
    sent = []
    if dossier.applicant_email and Notification.Channel.EMAIL not in done:
        body = message_body(event)
        mail = EmailMessage(message_subject(event), body, settings.DEFAULT_FROM_EMAIL, [dossier.applicant_email])
        if (pdf := _receipt_pdf(dossier, event)) is not None:
            mail.attach(f"{dossier.code}-xac-nhan-nop.pdf", pdf, "application/pdf")
        mail.send()
        _record(event, Notification.Channel.EMAIL, dossier.applicant_email, body)
        sent.append(Notification.Channel.EMAIL.value)
    if dossier.applicant_phone and Notification.Channel.SMS not in done:
        text = message_sms(event)
        sms_backend().send(phone=dossier.applicant_phone, text=text)
        _record(event, Notification.Channel.SMS, dossier.applicant_phone, text)
        sent.append(Notification.Channel.SMS.value)
    return sent


def resend_allowed(event_id: int) -> bool:
    """At most NOTIFICATION_RESEND_ATTEMPTS sweeps per event: an address the mail server always
    refuses must not be retried every few minutes for a day (counted in the cache, Redis in
    production). A store that cannot count (its Redis is down) allows the sweep: a message late is
    better than none."""
    key = f"notification-resend:{event_id}"
    limits = caches["limits"]
    limits.add(key, 0, timeout=settings.NOTIFICATION_RESEND_HOURS * 3600)
    count = limits.incr(key)
    return count is None or count <= settings.NOTIFICATION_RESEND_ATTEMPTS


def complaint_answer_tell_applicant(*, complaint_id: int) -> bool:
    """E-mail the applicant the officer's answer to their complaint; True if sent."""
    complaint = Complaint.objects.select_related("dossier").get(pk=complaint_id)
    dossier = complaint.dossier
    if not dossier.applicant_email:
        return False
    with translation.override(dossier.language or settings.LANGUAGE_CODE):
        _complaint_mail(complaint, dossier)
    return True


def _complaint_mail(complaint: Complaint, dossier: Dossier) -> None:
    send_mail(
        subject=_("Trả lời phản ánh về hồ sơ %(code)s") % {"code": dossier.code},
        message=_("Cơ quan giải quyết đã trả lời phản ánh của bạn về hồ sơ %(code)s:\n\n%(answer)s")
        % {"code": dossier.code, "answer": complaint.answer},
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[dossier.applicant_email],
    )


def apology_reminders_send(*, today: dt.date) -> dict[str, int]:
    """Tell every agency's reception officers and leaders which running dossiers fall due within
    one working day with no apology letter (form 04) yet, so they can issue it before the
    deadline (DOMAIN.md: one working day before, in practice).

    Idempotent per day: a second call the same day finds the day's key taken and sends nothing.
    Returns {agency code: dossiers listed}.
    """
    if not working_calendar().is_working_day(today):
        return {}
    # False: taken today already. None: the store is down; the reminders go (twice at worst).
    if caches["limits"].add(f"dossiers:apology-reminders:{today.isoformat()}", 1, timeout=36 * 3600) is False:
        return {}
    by_agency: dict[Agency, list[Dossier]] = {}
    for dossier in dossiers_due_within_one_working_day():
        by_agency.setdefault(dossier.agency, []).append(dossier)
    sent = {}
    for agency, due in by_agency.items():
        recipients = list(
            User.objects.filter(
                memberships__agency=agency, role__in=(Role.RECEPTION_OFFICER, Role.LEADER), is_active=True
            )
            .exclude(email="")
            .values_list("email", flat=True)
        )
        if not recipients:
            continue
        lines = [
            f"- {d.code} ({d.procedure.name}): hẹn trả {timezone.localtime(d.due_at):%H:%M %d/%m/%Y}"  # type: ignore[arg-type]
            for d in due
        ]
        body = "\n".join(
            [
                f"Các hồ sơ của {agency.name} đến hạn trong vòng một ngày làm việc, chưa có phiếu xin lỗi (mẫu 04):",
                "",
                *lines,
                "",
                "Nếu hồ sơ không kịp trả đúng hẹn, vui lòng lập phiếu xin lỗi và hẹn lại ngày trả kết quả.",
                f"{settings.PORTAL_BASE_URL.rstrip('/')}/can-bo/ho-so/?hang=sap-den-han",
            ]
        )
        send_mail(
            f"{len(due)} hồ sơ sắp đến hạn cần xem xét xin lỗi",
            body,
            settings.DEFAULT_FROM_EMAIL,
            recipients,
        )
        sent[agency.code] = len(due)
    return sent
