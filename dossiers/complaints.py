"""Phản ánh, kiến nghị (PAKN): an applicant complains about their dossier; an officer of the
dossier's agency answers once. Both are audited; the applicant reads the answer on the dossier's
page and by e-mail. The complaint rate feeds Decision 766 indicator 5.4 (indicators.selectors).
"""

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import user_agency_scope
from common.audit import ADDITION, CHANGE, audit_log

from .exceptions import ComplaintClosed, ComplaintEmpty, ComplaintOpen, DossierNotFound
from .models import Complaint, Dossier

CONTENT_MAX = 2000
ANSWER_MAX = 4000


def complaint_file(*, dossier: Dossier, citizen: User, content: str) -> Complaint:
    """The applicant's complaint about their dossier; one open at a time (ComplaintOpen)."""
    if dossier.applicant_id != citizen.pk:
        raise DossierNotFound()
    text = content.strip()[:CONTENT_MAX]
    if not text:
        raise ComplaintEmpty()
    try:
        with transaction.atomic():
            complaint = Complaint.objects.create(dossier=dossier, author=citizen, content=text)
    except IntegrityError:  # complaint_one_open_per_dossier: a double submit, or one already waiting
        raise ComplaintOpen() from None
    audit_log(actor=citizen, obj=complaint, action_flag=ADDITION, message=f"Phản ánh về hồ sơ {dossier.code}")
    return complaint


@transaction.atomic
def complaint_answer(*, complaint_id: int, actor: User, answer: str) -> Complaint:
    """An officer whose scope covers the dossier's agency answers, once (two officers at once: the
    second gets ComplaintClosed). The applicant is told by e-mail after the commit."""
    try:
        complaint = Complaint.objects.select_for_update().select_related("dossier").get(pk=complaint_id)
    except Complaint.DoesNotExist:
        raise DossierNotFound() from None
    scope = user_agency_scope(user=actor)
    if not actor.is_officer or (scope is not None and complaint.dossier.agency_id not in scope):
        raise DossierNotFound()
    if complaint.answered_at is not None:
        raise ComplaintClosed()
    text = answer.strip()[:ANSWER_MAX]
    if not text:
        raise ComplaintEmpty()
    complaint.answer, complaint.answered_by, complaint.answered_at = text, actor, timezone.now()
    complaint.save(update_fields=["answer", "answered_by", "answered_at"])
    audit_log(
        actor=actor, obj=complaint, action_flag=CHANGE, message=f"Trả lời phản ánh về hồ sơ {complaint.dossier.code}"
    )
    transaction.on_commit(lambda: _tell_applicant(complaint))
    return complaint


def _tell_applicant(complaint: Complaint) -> None:
    dossier = complaint.dossier
    if not dossier.applicant_email:
        return
    send_mail(
        subject=_("Trả lời phản ánh về hồ sơ %(code)s") % {"code": dossier.code},
        message=_("Cơ quan giải quyết đã trả lời phản ánh của bạn về hồ sơ %(code)s:\n\n%(answer)s")
        % {"code": dossier.code, "answer": complaint.answer},
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[dossier.applicant_email],
        fail_silently=True,
    )


def complaints_open_for_user(*, user: User) -> QuerySet[Complaint]:
    """Unanswered complaints about dossiers of the officer's agencies, oldest first."""
    rows = Complaint.objects.filter(answered_at__isnull=True).select_related("dossier__procedure", "author")
    scope = user_agency_scope(user=user)
    if not user.is_officer:
        return rows.none()
    if scope is not None:
        rows = rows.filter(dossier__agency_id__in=scope)
    return rows.order_by("created_at", "id")
