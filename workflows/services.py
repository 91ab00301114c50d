"""Writes to workflows: create, edit drafts, publish, clone."""

import copy
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from common.audit import ADDITION, CHANGE, audit_log
from common.constants import VersionState
from common.versioning import next_version_number
from procedures.models import Agency, Procedure

from .constants import COMPETENT_AGENCY
from .engine import validate_definition
from .exceptions import InvalidWorkflow, PublishedVersionImmutable
from .models import Workflow, WorkflowVersion


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
