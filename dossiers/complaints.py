"""Phản ánh, kiến nghị (PAKN): an applicant complains about their dossier; an officer of the
dossier's agency answers once. Both are audited; the applicant reads the answer on the dossier's
page and by e-mail. The complaint rate feeds Decision 766 indicator 5.4 (indicators.selectors).
"""

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from accounts.models import User
from common.audit import ADDITION, CHANGE, audit_log

from . import access
from .answers import answer_once
from .events import ComplaintAnswered, publish, use_case
from .exceptions import ComplaintClosed, ComplaintEmpty, ComplaintOpen, DossierNotFound
from .models import Complaint, Dossier

CONTENT_MAX = 2000
ANSWER_MAX = 4000


def complaint_file(*, dossier: Dossier, citizen: User, content: str) -> Complaint:
    """The applicant's complaint about their dossier; one open at a time (ComplaintOpen)."""
    if not access.may_file_complaint(citizen, dossier):
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


@use_case
def complaint_answer(*, complaint_id: int, actor: User, answer: str) -> Complaint:
    """An officer whose scope covers the dossier's agency answers, once (two officers at once: the
    second gets ComplaintClosed). ComplaintAnswered: the applicant is told by e-mail after the commit."""
    try:
        complaint = Complaint.objects.select_for_update().select_related("dossier").get(pk=complaint_id)
    except Complaint.DoesNotExist:
        raise DossierNotFound() from None
    if not access.may_answer_complaint(actor, complaint):
        raise DossierNotFound()
    answered_at = answer_once(
        complaint, text=answer.strip()[:ANSWER_MAX], actor=actor, closed=ComplaintClosed(), empty=ComplaintEmpty()
    )
    audit_log(
        actor=actor, obj=complaint, action_flag=CHANGE, message=f"Trả lời phản ánh về hồ sơ {complaint.dossier.code}"
    )
    publish(
        ComplaintAnswered(at=answered_at, actor_id=actor.pk, complaint_id=complaint.pk, dossier_id=complaint.dossier_id)
    )
    return complaint


def complaints_open_for_user(*, user: User) -> QuerySet[Complaint]:
    """Unanswered complaints about dossiers of the officer's agencies, oldest first."""
    rows = Complaint.objects.filter(answered_at__isnull=True).select_related("dossier__procedure", "author")
    return rows.filter(access.complaints_answerable_filter(user)).order_by("created_at", "id")


def complaint_get_for_user(*, user: User, pk: int) -> Complaint:
    """One complaint the officer may answer (answered or not); DossierNotFound (a 404) otherwise."""
    try:
        return Complaint.objects.select_related("dossier").filter(access.complaints_answerable_filter(user)).get(pk=pk)
    except Complaint.DoesNotExist:
        raise DossierNotFound() from None
