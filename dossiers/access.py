"""Who may see or act on what: the one access policy for dossiers, their files, drafts,
complaints and consultations, used by views, the API, services and replays alike.

The rules:
- A citizen sees and acts on their own dossiers and drafts (they filed them), nobody else's.
- An officer sees and acts on the dossiers of their agencies and the sub-agencies below them
  (`agency_scope`); a province admin (or superuser) on every agency's.
- An officer of an agency asked for its opinion (lấy ý kiến) may read that dossier and answer
  the consultation, never act on the dossier.
- Complaints are answered by officers who may act on the dossier; consultations by officers of
  the consulted agency.
Outside the rules the answer is "not found" (DossierNotFound, a 404), never "forbidden": a code
that exists and one that does not look the same.
"""

from django.db.models import Q

from accounts.constants import Role
from accounts.models import User
from accounts.selectors import user_agency_scope

from .exceptions import DossierNotFound
from .models import Complaint, Consultation, Dossier, DossierDraft

_SCOPE_ATTRIBUTE = "_dossiers_agency_scope"


def agency_scope(user: User) -> set[int] | None:
    """Agency ids whose dossiers the user may act on (None: every agency), computed once per
    user object (once per request): a page asks several times, the database answers once."""
    cached = user.__dict__.get(_SCOPE_ATTRIBUTE, ...)
    if cached is ...:
        cached = user_agency_scope(user=user)
        user.__dict__[_SCOPE_ATTRIBUTE] = cached
    return cached


def dossiers_actionable_filter(user: User) -> Q:
    """`Dossier` rows the user may act on, as a filter (an empty scope matches nothing)."""
    if user.role == Role.CITIZEN:
        return Q(applicant_id=user.pk)
    scope = agency_scope(user)
    return Q() if scope is None else Q(agency_id__in=scope)


def may_act_on_dossier(user: User, dossier: Dossier) -> bool:
    """The applicant (a citizen's own dossier) or an officer whose scope covers its agency."""
    if not user.is_authenticated:
        return False
    if user.role == Role.CITIZEN:
        return dossier.applicant_id == user.pk
    scope = agency_scope(user)
    return scope is None or dossier.agency_id in scope


def may_read_as_consulted(user: User, dossier: Dossier) -> bool:
    """An officer of an agency asked for its opinion on the dossier (read and answer only)."""
    if not user.is_authenticated or not user.is_officer:
        return False
    scope = agency_scope(user)
    consulted = Consultation.objects.filter(dossier_id=dossier.pk)
    return consulted.exists() if scope is None else consulted.filter(agency_id__in=scope).exists()


def require_act_on_dossier(user: User, dossier: Dossier) -> None:
    """DossierNotFound unless `user` may act on `dossier`."""
    if not may_act_on_dossier(user, dossier):
        raise DossierNotFound()


def may_use_draft(user: User, draft: DossierDraft) -> bool:
    """Only the citizen who started a draft sees or changes it."""
    return user.is_authenticated and draft.owner_id == user.pk


def may_answer_consultation(user: User, consultation: Consultation) -> bool:
    """Officers of the consulted agency (or above it)."""
    if not user.is_authenticated or not user.is_officer:
        return False
    scope = agency_scope(user)
    return scope is None or consultation.agency_id in scope


def consultations_answerable_filter(user: User) -> Q:
    if not user.is_authenticated or not (user.is_officer or user.is_province_admin):
        return Q(pk__in=[])
    scope = agency_scope(user)
    return Q() if scope is None else Q(agency_id__in=scope)


def may_file_complaint(user: User, dossier: Dossier) -> bool:
    """The applicant, about their own dossier."""
    return user.is_authenticated and dossier.applicant_id == user.pk


def may_answer_complaint(user: User, complaint: Complaint) -> bool:
    """Officers who may act on the dossier the complaint is about."""
    return user.is_authenticated and user.is_officer and may_act_on_dossier(user, complaint.dossier)


def complaints_answerable_filter(user: User) -> Q:
    if not user.is_authenticated or not user.is_officer:
        return Q(pk__in=[])
    scope = agency_scope(user)
    return Q() if scope is None else Q(dossier__agency_id__in=scope)


def payments_visible_filter(user: User) -> Q:
    """`Payment` rows the user may see (the receipt among them), as a filter: the payer's own;
    an officer's or province admin's once the payment belongs to a dossier whose agency is in
    their scope (a draft's payment is the payer's business only)."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    own = Q(payer_id=user.pk)
    if not (user.is_officer or user.is_province_admin):
        return own
    scope = agency_scope(user)
    of_dossiers = Q(dossier__isnull=False) if scope is None else Q(dossier__agency_id__in=scope)
    return own | of_dossiers
