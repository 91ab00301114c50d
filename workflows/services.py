"""Writes to workflows: create, edit drafts, publish, clone; confirm a year's calendar."""

import copy
import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from common.audit import ADDITION, CHANGE, audit_log
from common.constants import VersionState
from common.versioning import next_version_number
from procedures.models import Agency, Procedure

from .constants import COMPETENT_AGENCY
from .engine import validate_definition
from .exceptions import CalendarLetterRequired, InvalidWorkflow, PublishedVersionImmutable
from .models import CalendarOverride, CalendarYear, Workflow, WorkflowVersion
from .selectors import calendar_cache_clear


def _check(definition: dict[str, Any]) -> None:
    errors = validate_definition(definition)
    if not errors:
        wanted = {s.get("agency") for s in definition["steps"]} - {COMPETENT_AGENCY, None}
        known = set(Agency.objects.filter(code__in=wanted).values_list("code", flat=True))
        errors = [f"Cơ quan có mã “{code}” không tồn tại." for code in sorted(wanted - known)]
    if errors:
        raise InvalidWorkflow(errors)


@transaction.atomic
def workflow_draft_save(
    *, procedure: Procedure, definition: dict[str, Any], name: str = "", actor: User | None = None
) -> WorkflowVersion:
    """Save the procedure's draft version (creating the workflow and the draft if needed).

    The definition must be valid (InvalidWorkflow lists every problem, nothing is saved).
    A published version is never touched: the draft is a new version number.
    """
    _check(definition)
    workflow, _created = Workflow.objects.get_or_create(
        procedure=procedure, defaults={"name": name or f"Quy trình {procedure.name}"[:255]}
    )
    draft = workflow.versions.select_for_update().filter(state=VersionState.DRAFT).first()
    if draft is None:
        number = next_version_number(workflow.versions.all())
        draft = WorkflowVersion.objects.create(workflow=workflow, number=number, definition=definition)
        audit_log(actor=actor, obj=draft, action_flag=ADDITION, message=f"Tạo bản nháp quy trình v{number}")
        return draft
    draft.definition = definition
    draft.save(update_fields=["definition"])
    audit_log(actor=actor, obj=draft, action_flag=CHANGE, message=f"Sửa bản nháp quy trình v{draft.number}")
    return draft


@transaction.atomic
def workflow_version_publish(*, version: WorkflowVersion, actor: User | None = None) -> WorkflowVersion:
    """Publish a draft: it becomes immutable and the one new dossiers start with. Idempotent."""
    version = WorkflowVersion.objects.select_for_update().get(pk=version.pk)
    if version.state == VersionState.PUBLISHED:
        return version
    _check(version.definition)
    version.state = VersionState.PUBLISHED
    version.published_at = timezone.now()
    version.save(update_fields=["state", "published_at"])
    audit_log(actor=actor, obj=version, action_flag=CHANGE, message=f"Ban hành quy trình v{version.number}")
    return version


@transaction.atomic
def workflow_version_clone(*, version: WorkflowVersion, actor: User | None = None) -> WorkflowVersion:
    """A new draft copied from any version (the way to change a published workflow)."""
    if version.workflow.versions.filter(state=VersionState.DRAFT).exists():
        raise PublishedVersionImmutable("Quy trình đã có một bản nháp; hãy sửa bản nháp đó.")
    number = next_version_number(version.workflow.versions.all())
    draft = WorkflowVersion.objects.create(
        workflow=version.workflow, number=number, definition=copy.deepcopy(version.definition)
    )
    audit_log(
        actor=actor, obj=draft, action_flag=ADDITION, message=f"Sao chép v{version.number} thành bản nháp v{number}"
    )
    return draft


@transaction.atomic
def calendar_year_confirm(
    *, year: int, letter_number: str, letter_date: dt.date | None = None, note: str = "", actor: User | None = None
) -> CalendarYear:
    """Confirm a year's calendar by its official letter (e.g. 12729/VPCP-KGVX); edit the letter if confirmed.

    Precondition: the admin has entered the letter's swaps as overrides. From then on the year
    counts as decreed (no warning), and a year the `holidays` package does not know can be
    counted with the overrides alone. Clears this process's calendar once committed; other
    processes see the row through `working_calendar()`'s version check. Idempotent.
    """
    letter_number = letter_number.strip()
    if not letter_number:
        raise CalendarLetterRequired()
    confirmation, created = CalendarYear.objects.update_or_create(
        year=year,
        defaults={
            "letter_number": letter_number,
            "letter_date": letter_date,
            "note": note.strip(),
            "confirmed_by": actor,
        },
    )
    audit_log(
        actor=actor, obj=confirmation, action_flag=ADDITION if created else CHANGE,
        message=f"Xác nhận lịch năm {year} theo văn bản số {letter_number}",
    )  # fmt: skip
    transaction.on_commit(calendar_cache_clear)
    return confirmation


@transaction.atomic
def calendar_year_unconfirm(*, year: int, actor: User | None = None) -> None:
    """Withdraw a year's confirmation (a letter entered by mistake): the year is an estimate again."""
    confirmation = CalendarYear.objects.filter(year=year).first()
    if confirmation is None:
        return
    audit_log(actor=actor, obj=confirmation, action_flag=CHANGE, message=f"Bỏ xác nhận lịch năm {year}")
    confirmation.delete()
    transaction.on_commit(calendar_cache_clear)


@transaction.atomic
def calendar_override_set(*, day: dt.date, kind: str, reason: str, actor: User | None = None) -> CalendarOverride:
    """Make `day` a day off or a working day for the province (one row per date; a second call replaces it).

    Refused without a reason (the letter or decision behind it). Clears the calendar once committed.
    """
    reason = reason.strip()
    if not reason:
        raise CalendarLetterRequired(_("Vui lòng ghi lý do, căn cứ (số văn bản) của ngày nghỉ, làm bù."))
    override, created = CalendarOverride.objects.update_or_create(date=day, defaults={"kind": kind, "reason": reason})
    audit_log(
        actor=actor, obj=override, action_flag=ADDITION if created else CHANGE,
        message=f"{override.get_kind_display()} {day:%d/%m/%Y}: {reason}",
    )  # fmt: skip
    transaction.on_commit(calendar_cache_clear)
    return override


@transaction.atomic
def calendar_override_remove(*, day: dt.date, actor: User | None = None) -> None:
    """Give `day` back to the national calendar. Idempotent."""
    override = CalendarOverride.objects.filter(date=day).first()
    if override is None:
        return
    audit_log(actor=actor, obj=override, action_flag=CHANGE, message=f"Bỏ ngày {day:%d/%m/%Y} khỏi lịch của tỉnh")
    override.delete()
    transaction.on_commit(calendar_cache_clear)
