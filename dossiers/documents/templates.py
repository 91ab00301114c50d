"""Which template prints a paper on a given day: versions with effective dates, as data.

Two sources, one rule. The legal texts' own versions ship as TOML files in `catalogue/` (one
file per circular, see its README); a province admin adds later versions as `FormTemplate`
rows (draft, then published) without a release. The version in force on a day is the one with
the latest `effective_from` on or before it; on the same date a database row wins over a
file, and a higher version number over a lower one. Papers already issued keep the file they
were printed with (DossierDocument stores the PDF and `template_version`).
"""

import datetime as dt
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from django.db import transaction
from django.template import Template, engines
from django.utils import timezone

from common.constants import VersionState
from common.errors import DomainError
from common.versioning import next_version_number
from dossiers.constants import FormKind
from dossiers.models import FormTemplate

CATALOGUE = Path(__file__).resolve().parent / "catalogue"
_FIELDS = (
    "kind", "number", "form_number", "title", "legal_basis", "effective_from", "reference", "body", "closing",
    "signatures", "recipients", "copies", "landscape",
)  # fmt: skip
SIGNERS = frozenset({"officer", "applicant", "head", "blank"})


class FormTemplateMissing(DomainError):
    """No template of this paper is in force on that day (a date before the first version)."""

    code = "form_template_missing"
    http_status = 409


@cache
def built_in_templates() -> tuple[FormTemplate, ...]:
    """The versions shipped in catalogue/*.toml, as unsaved published FormTemplate objects."""
    versions = []
    for path in sorted(CATALOGUE.glob("*.toml")):
        with path.open("rb") as file:
            for entry in tomllib.load(file)["form"]:
                versions.append(_from_entry(entry, source=path.name))
    return tuple(versions)


def _from_entry(entry: dict[str, Any], *, source: str) -> FormTemplate:
    unknown = set(entry) - set(_FIELDS)
    if unknown:
        raise ValueError(f"{source}: trường không dùng được {sorted(unknown)}")
    FormKind(entry["kind"])  # ValueError for a kind the portal does not print
    template = FormTemplate(**{name: entry[name] for name in _FIELDS if name in entry}, state=VersionState.PUBLISHED)
    validate_signatures(template.signatures, source=source)
    return template


def validate_signatures(signatures: list[dict[str, Any]], *, source: str = "") -> None:
    for block in signatures:
        if block.get("signer") not in SIGNERS:
            raise ValueError(f"{source}: người ký “{block.get('signer')}” không thuộc {sorted(SIGNERS)}")


def form_template_in_force(*, kind: str, on: dt.date) -> FormTemplate:
    """The version of paper `kind` in force on day `on`. Raises FormTemplateMissing when none."""
    stored = FormTemplate.objects.filter(kind=kind, state=VersionState.PUBLISHED, effective_from__lte=on)
    candidates = [(t.effective_from, 1, t.number, t) for t in stored.order_by("-effective_from", "-number")[:1]]
    candidates += [
        (t.effective_from, 0, t.number, t) for t in built_in_templates() if t.kind == kind and t.effective_from <= on
    ]
    if not candidates:
        raise FormTemplateMissing(f"Chưa có mẫu “{FormKind(kind).label}” áp dụng cho ngày {on:%d/%m/%Y}.")
    return max(candidates, key=lambda c: c[:3])[3]


def compiled(source: str) -> Template:
    """Template text of a version, compiled by the project's Django engine (its includes and filters)."""
    return _compile(source)


@cache
def _compile(source: str) -> Template:
    return engines["django"].from_string(source).template  # type: ignore[attr-defined]


@transaction.atomic
def form_template_draft(*, kind: str, effective_from: dt.date, legal_basis: str) -> FormTemplate:
    """A new draft version of paper `kind`, a copy of the one in force on `effective_from` (or the
    latest shipped one when none is yet), to be edited for the new legal text and published.
    Side effect: one FormTemplate row (state draft)."""
    try:
        base = form_template_in_force(kind=kind, on=effective_from)
    except FormTemplateMissing:
        base = max((t for t in built_in_templates() if t.kind == kind), key=lambda t: t.effective_from)
    shipped = max((t.number for t in built_in_templates() if t.kind == kind), default=0)
    number = max(next_version_number(FormTemplate.objects.filter(kind=kind)), shipped + 1)
    fields = {name: getattr(base, name) for name in _FIELDS if name not in ("kind", "number", "effective_from")}
    fields["legal_basis"] = legal_basis
    return FormTemplate.objects.create(
        kind=kind, number=number, effective_from=effective_from, state=VersionState.DRAFT, **fields
    )


@transaction.atomic
def form_template_publish(*, template: FormTemplate) -> FormTemplate:
    """Publish a draft version: from its effective date on, papers of its kind print with it.
    Checks that its text compiles and its signers are known (ValueError otherwise). Idempotent
    for a version already published. A published version is never changed again."""
    locked = FormTemplate.objects.select_for_update().get(pk=template.pk)
    if locked.state == VersionState.PUBLISHED:
        return locked
    validate_signatures(locked.signatures)
    for source in (locked.body, locked.closing):
        compiled(source)  # raises TemplateSyntaxError for broken text
    locked.state, locked.published_at = VersionState.PUBLISHED, timezone.now()
    locked.save(update_fields=["state", "published_at"])
    return locked
