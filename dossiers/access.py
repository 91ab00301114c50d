"""Who may see or act on what: the one access policy for dossiers, their files and forms,
drafts, the document store, complaints and consultations, used by views, the API, services
and replays alike.

The rules:
- A citizen sees and acts on their own dossiers, drafts and stored documents, nobody else's.
- An officer sees and acts on the dossiers of their agencies and the sub-agencies below them
  (`agency_scope`); a province admin (or superuser) on every agency's. The agency is the
  dossier's competent agency.
- Receipt regardless of administrative boundary (Decree 118/2025): the one-stop desk where a
  dossier was handed in (its receiving agency) sees it for its whole life, and acts on it while
  it is at a desk step (receiving it, returning the result), never on the competent agency's
  processing steps. Desk steps of such a dossier are queued at the receiving desk.
- An officer of an agency asked for its opinion (lấy ý kiến) may read that dossier, its files
  except the results, and its forms, and answer the consultation; never act on the dossier.
- Complaints are answered by officers who may act on the dossier; consultations by officers of
  the consulted agency.
Outside the rules the answer is "not found" (a 404), never "forbidden": a code that exists and
one that does not look the same. Each rule is one function: a `*_filter` (a Q for querysets)
where rows are listed or fetched, a `may_*` predicate where the object is already loaded; where
both exist, they are built from the same parts.
"""

from django.db.models import Exists, OuterRef, Q

from accounts.constants import Role
from accounts.models import User
from accounts.selectors import user_agency_scope

from .constants import AttachmentRole, DocumentKind
from .exceptions import DossierNotFound
from .models import Attachment, Complaint, Consultation, Dossier, DossierDraft, StoredDocument

_SCOPE_ATTRIBUTE = "_dossiers_agency_scope"
# Matches no row (and compiles to no SQL at all inside an OR).
_NOTHING = Q(pk__in=[])


def agency_scope(user: User) -> set[int] | None:
    """Agency ids whose dossiers the user may act on (None: every agency), computed once per
    user object (once per request): a page asks several times, the database answers once."""
    cached = user.__dict__.get(_SCOPE_ATTRIBUTE, ...)
    if cached is ...:
        cached = user_agency_scope(user=user)
        user.__dict__[_SCOPE_ATTRIBUTE] = cached
    return cached


def _is_officer(user: User) -> bool:
    return bool(user.is_authenticated and user.is_officer)


def _is_applicant(user: User, dossier: Dossier) -> bool:
    return bool(user.is_authenticated and dossier.applicant_id == user.pk)


# --- dossiers ---------------------------------------------------------------------------------


# The desk steps: where the one-stop desk works a dossier (receives it, returns the result).
DESK_ROLE = Role.RECEPTION_OFFICER


def dossiers_actionable_filter(user: User) -> Q:
    """Dossiers the user may act on: a citizen's own; those of an officer's agencies and below,
    and those handed in at them while at a desk step; all for a province admin. An empty scope
    (an officer without an agency) matches nothing."""
    if not user.is_authenticated:
        return _NOTHING
    if user.role == Role.CITIZEN:
        return Q(applicant_id=user.pk)
    scope = agency_scope(user)
    if scope is None:
        return Q()
    return Q(agency_id__in=scope) | Q(receiving_agency_id__in=scope, step_role=DESK_ROLE)


def may_act_on_dossier(user: User, dossier: Dossier) -> bool:
    """`dossiers_actionable_filter` for one loaded dossier."""
    if not user.is_authenticated:
        return False
    if user.role == Role.CITIZEN:
        return dossier.applicant_id == user.pk
    scope = agency_scope(user)
    if scope is None or dossier.agency_id in scope:
        return True
    return dossier.receiving_agency_id in scope and dossier.step_role == DESK_ROLE


def dossiers_received_filter(user: User) -> Q:
    """Dossiers handed in at one of the officer's desks (read for their whole life)."""
    if not _is_officer(user):
        return _NOTHING
    scope = agency_scope(user)
    return Q() if scope is None else Q(receiving_agency_id__in=scope)


def dossiers_listed_filter(user: User) -> Q:
    """What an officer's lists and queues show: the dossiers they may act on and those handed in
    at their desks (to follow them and return the result); a citizen's own."""
    actionable = dossiers_actionable_filter(user)
    if not actionable or not _is_officer(user):
        return actionable
    return actionable | dossiers_received_filter(user)


def dossiers_at_my_step_filter(user: User) -> Q:
    """Queue placement: dossiers waiting for this officer's role. A desk step of a dossier is
    queued at the desk it was handed in at (its receiving agency; the competent agency's own
    when none is recorded); every other step at the competent agency."""
    if not _is_officer(user):
        return _NOTHING
    scope = agency_scope(user)
    mine = Q(step_role=user.role)
    if scope is None:
        return mine
    if user.role != DESK_ROLE:
        return mine & Q(agency_id__in=scope)
    return mine & (Q(receiving_agency_id__in=scope) | Q(receiving_agency__isnull=True, agency_id__in=scope))


def require_act_on_dossier(user: User, dossier: Dossier) -> None:
    """DossierNotFound unless `user` may act on `dossier`."""
    if not may_act_on_dossier(user, dossier):
        raise DossierNotFound()


def dossiers_consulted_filter(user: User) -> Q:
    """Dossiers on which one of the officer's agencies was asked for its opinion (read only)."""
    if not _is_officer(user):
        return _NOTHING
    asked = Consultation.objects.filter(consultations_answerable_filter(user), dossier_id=OuterRef("pk"))
    return Q(Exists(asked))


def may_read_as_consulted(user: User, dossier: Dossier) -> bool:
    """`dossiers_consulted_filter` for one loaded dossier (one query, for officers only)."""
    if not _is_officer(user):
        return False
    return Consultation.objects.filter(consultations_answerable_filter(user), dossier_id=dossier.pk).exists()


def dossiers_visible_filter(user: User) -> Q:
    """Dossiers the user may read: those listed for them (acted on, handed in at their desk), and
    those they were consulted on."""
    listed = dossiers_listed_filter(user)
    if not listed:  # Q(): every dossier already (and Q() | x would narrow it to x)
        return listed
    return listed | dossiers_consulted_filter(user)


def may_see_dossier(user: User, dossier: Dossier) -> bool:
    """`dossiers_visible_filter` for one loaded dossier."""
    return (
        may_act_on_dossier(user, dossier) or may_read_as_received(user, dossier) or may_read_as_consulted(user, dossier)
    )


def may_read_as_received(user: User, dossier: Dossier) -> bool:
    """`dossiers_received_filter` for one loaded dossier."""
    if not _is_officer(user) or dossier.receiving_agency_id is None:
        return False
    scope = agency_scope(user)
    return scope is None or dossier.receiving_agency_id in scope


def may_rate_dossier(user: User, dossier: Dossier) -> bool:
    """The applicant rates their own dossier's service; nobody else."""
    return _is_applicant(user, dossier)


def may_download_document(user: User, dossier: Dossier, kind: str) -> bool:
    """The forms issued for a dossier go to whoever may see it, except the control sheet (06):
    the agency's own record of who handled what, for officers, not for the applicant."""
    if kind == DocumentKind.CONTROL_SHEET and user.is_authenticated and user.role == Role.CITIZEN:
        return False
    return may_see_dossier(user, dossier)


# --- drafts, the document store, files ---------------------------------------------------------


def drafts_usable_filter(user: User) -> Q:
    """Drafts the user may see and change: only those they started."""
    return Q(owner_id=user.pk) if user.is_authenticated else _NOTHING


def may_use_draft(user: User, draft: DossierDraft) -> bool:
    """`drafts_usable_filter` for one loaded draft."""
    return bool(user.is_authenticated and draft.owner_id == user.pk)


def stored_documents_usable_filter(user: User) -> Q:
    """Documents of the store the user may see, download and reuse: only their own."""
    return Q(owner_id=user.pk) if user.is_authenticated else _NOTHING


def may_use_stored_document(user: User, document: StoredDocument) -> bool:
    """`stored_documents_usable_filter` for one loaded document."""
    return bool(user.is_authenticated and document.owner_id == user.pk)


def attachments_visible_filter(user: User) -> Q:
    """Files the user may see and download: every file of a dossier they may act on or that was
    handed in at their desk; those of a dossier they were consulted on except its results; those
    of their own unsubmitted draft."""
    actionable = Dossier.objects.filter(dossiers_listed_filter(user)).values("pk")
    consulted = Dossier.objects.filter(dossiers_consulted_filter(user)).values("pk")
    drafts = DossierDraft.objects.filter(drafts_usable_filter(user)).values("pk")
    return (
        Q(dossier__in=actionable)
        | (Q(dossier__in=consulted) & ~Q(role=AttachmentRole.RESULT))
        | Q(dossier__isnull=True, draft__in=drafts)
    )


def may_add_to_dossier(user: User, dossier: Dossier, *, role: str, digitised: bool) -> bool:
    """Files join a submitted dossier from two hands: its applicant, uploading what a supplement
    request asks for (their own files, never desk scans), and an officer who may act on it (desk
    scans, results), never as a supplement."""
    if not may_act_on_dossier(user, dossier):
        return False
    if user.role == Role.CITIZEN:
        return role == AttachmentRole.SUPPLEMENT and not digitised
    return user.is_officer and role != AttachmentRole.SUPPLEMENT


def may_change_attachment(user: User, attachment: Attachment) -> bool:
    """Changing a file is for whoever may act on what holds it: the draft's owner, or who may act
    on the dossier (a consulted agency reads files, never changes them). Whether the file can
    still change at all is the attachments service's rule."""
    if attachment.dossier is not None:
        return may_act_on_dossier(user, attachment.dossier)
    return attachment.draft is not None and may_use_draft(user, attachment.draft)


# --- consultations, complaints ----------------------------------------------------------------


def consultations_answerable_filter(user: User) -> Q:
    """Requests for an opinion the officer may read and answer: those addressed to their agencies
    (or the agencies below them)."""
    if not _is_officer(user):
        return _NOTHING
    scope = agency_scope(user)
    return Q() if scope is None else Q(agency_id__in=scope)


def may_answer_consultation(user: User, consultation: Consultation) -> bool:
    """`consultations_answerable_filter` for one loaded consultation."""
    if not _is_officer(user):
        return False
    scope = agency_scope(user)
    return scope is None or consultation.agency_id in scope


def may_file_complaint(user: User, dossier: Dossier) -> bool:
    """The applicant, about their own dossier."""
    return _is_applicant(user, dossier)


def complaints_answerable_filter(user: User) -> Q:
    """Complaints an officer may read and answer: those about dossiers they may act on."""
    if not _is_officer(user):
        return _NOTHING
    scope = agency_scope(user)
    return Q() if scope is None else Q(dossier__agency_id__in=scope)


def may_answer_complaint(user: User, complaint: Complaint) -> bool:
    """`complaints_answerable_filter` for one loaded complaint."""
    return _is_officer(user) and may_act_on_dossier(user, complaint.dossier)


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
