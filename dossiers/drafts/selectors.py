"""Reads of a citizen's drafts, scoped by access.drafts_usable_filter: only the owner's."""

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from accounts.models import User
from dossiers import access
from dossiers.exceptions import DossierNotFound
from dossiers.models import DossierDraft
from procedures.models import Procedure


def draft_get_for_owner(*, owner: User, token: str) -> DossierDraft:
    """The owner's draft (submitted or not); DossierNotFound for anyone else's or a malformed token."""
    try:
        return (
            DossierDraft.objects.select_related("procedure", "agency", "form_version", "dossier")
            .filter(access.drafts_usable_filter(owner))
            .get(token=token)
        )
    except (DossierDraft.DoesNotExist, ValueError, TypeError, ValidationError):
        raise DossierNotFound() from None


def draft_list_open(*, owner: User, procedure: Procedure | None = None) -> QuerySet[DossierDraft]:
    """The owner's drafts not yet submitted (of one procedure, if given), last touched first."""
    drafts = DossierDraft.objects.filter(access.drafts_usable_filter(owner), dossier__isnull=True)
    return drafts if procedure is None else drafts.filter(procedure=procedure)
