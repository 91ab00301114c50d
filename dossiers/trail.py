"""Who looked at my file: every officer's view or download of a dossier's personal data and files,
recorded and shown to the applicant (Law 91/2025 on personal data protection: a log of who
processed the data subject's data, and the subject's right to know it).

Cheap by construction: recording is one INSERT, the officer's unit and title read by subqueries
inside that same statement (no query before it); reading a dossier's trail is one query.
The applicant's own looks are not recorded: the trail is about others.
"""

from django.db.models import Case, IntegerField, Subquery, Value, When
from django.db.models.functions import Coalesce

from accounts.models import AgencyMembership, User

from .constants import AccessKind
from .models import Attachment, Dossier, DossierAccess

# The citizen's page shows the latest looks; the personal-data download holds them all.
TRAIL_SHOWN = 100


def _recorded(user: User, dossier: Dossier) -> bool:
    """Officers, province admins and staff looking at someone else's dossier."""
    if not user.is_authenticated or user.pk == dossier.applicant_id:
        return False
    return bool(user.is_officer or user.is_province_admin or user.is_staff or user.is_superuser)


def dossier_access_record(
    *, user: User, dossier: Dossier, kind: AccessKind, attachment: Attachment | None = None, name: str = ""
) -> bool:
    """Record that `user` opened `dossier` (kind DOSSIER or API), one of its files (FILE, with
    `attachment`) or one of its forms (DOCUMENT, `name` saying which). Call it after the scope
    check passed, once per view. The unit is the officer's membership in the dossier's agency if
    there is one, else their first (consulted agencies, parent departments); the title is that
    membership's. Returns whether a row was written (never for the applicant, never for citizens).
    Not idempotent on purpose: two looks are two rows.
    """
    if not _recorded(user, dossier):
        return False
    memberships = AgencyMembership.objects.filter(user_id=user.pk).order_by(
        Case(When(agency_id=dossier.agency_id, then=Value(0)), default=Value(1), output_field=IntegerField()),
        "agency_id",
    )
    DossierAccess.objects.create(
        dossier=dossier,
        officer=user,
        role=user.role,
        agency_id=Subquery(memberships.values("agency_id")[:1]),
        position=Coalesce(Subquery(memberships.values("position")[:1]), Value("")),
        kind=kind,
        attachment=attachment,
        name=(name or (attachment.name if attachment is not None else ""))[:255],
    )
    return True


def dossier_access_list(*, dossier: Dossier, limit: int | None = TRAIL_SHOWN) -> list[DossierAccess]:
    """The dossier's trail, newest first (at most `limit` rows; None: all). One query. The caller
    has checked the reader may see the dossier (its applicant, or an officer in scope)."""
    rows = DossierAccess.objects.filter(dossier=dossier).select_related("officer", "agency").order_by("-at", "-id")
    return list(rows if limit is None else rows[:limit])
