"""Reads about e-forms: which version a new dossier is filled with, one version by id."""

from django.db.models import Prefetch

from common.constants import VersionState
from procedures.models import Procedure

from .exceptions import FormVersionNotFound
from .models import FormDefinition, FormVersion


def form_version_current(*, procedure: Procedure) -> FormVersion | None:
    """The version new dossiers of `procedure` are filled with: its highest-numbered published one, or None."""
    return (
        FormVersion.objects.filter(definition__procedure=procedure, state=VersionState.PUBLISHED)
        .select_related("definition")
        .order_by("-number")
        .first()
    )


def form_version_get(*, pk: int) -> FormVersion:
    """One version by id (a dossier's pinned version, an editor's draft); FormVersionNotFound (404) if none."""
    try:
        return FormVersion.objects.select_related("definition__procedure").get(pk=pk)
    except FormVersion.DoesNotExist:
        raise FormVersionNotFound() from None


def form_draft_get(*, procedure: Procedure) -> FormVersion | None:
    """The draft an editor works on, or None."""
    return FormVersion.objects.filter(definition__procedure=procedure, state=VersionState.DRAFT).first()


def form_versions_of(*, procedure: Procedure) -> list[FormVersion]:
    """Every version of the procedure's form, newest first (the builder's list)."""
    return list(FormVersion.objects.filter(definition__procedure=procedure).order_by("-number"))


def procedures_with_forms() -> list[Procedure]:
    """Every procedure with its form versions prefetched (`versions_newest_first`), by code."""
    versions = Prefetch("versions", queryset=FormVersion.objects.order_by("-number"))
    definitions = Prefetch(
        "form_definitions", queryset=FormDefinition.objects.prefetch_related(versions), to_attr="eform_definitions"
    )
    return list(Procedure.objects.select_related("sector").prefetch_related(definitions).order_by("code"))
