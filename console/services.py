"""Writes of the province admin console: draft a procedure's online service step by step, publish it.

Every save goes to the procedure's one draft configuration (started on the first save, copied
from the configuration in force, or from the catalogue when there is none), writes one change
log row per changed field and an audit entry. Publishing runs the readiness check under a lock
and applies the configuration to the catalogue, all or nothing.
"""

import copy
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from common.audit import ADDITION, CHANGE, audit_log
from common.constants import VersionState
from common.errors import DomainError, DomainErrors
from common.versioning import next_version_number
from eforms.models import FormVersion
from eforms.services import form_draft_start, form_version_publish
from procedures.constants import AgencyLevel, Channel, OnlineLevel, ResultDelivery
from procedures.models import DossierComponent, Fee, Procedure
from workflows.defaults import department_definition, ward_definition
from workflows.models import WorkflowVersion
from workflows.services import workflow_draft_save, workflow_version_publish

from .constants import ConfigState
from .models import ProvinceTarget, ServiceChange, ServiceConfig
from .readiness import Problem, readiness_problems
from .selectors import COMPONENT_KEYS, FEE_KEYS, config_initial

SERVICE_FIELDS = (
    "online_level", "partial_reason", "channels", "paper_accepted", "online_payment", "result_delivery",
    "online_time_limit_value", "fees",
)  # fmt: skip


class ConfigNotDraft(DomainError):
    code = "config_not_draft"
    message = _("Cấu hình này đã công bố, không sửa được; mọi thay đổi đi vào bản nháp mới.")
    http_status = 409


class ServiceNotReady(DomainErrors):
    code = "service_not_ready"
    message = _("Chưa công bố được dịch vụ:")
    http_status = 409

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__([p.message for p in problems])


class NotOnline(DomainError):
    code = "service_not_online"
    message = _("Thủ tục này hiện không cung cấp dịch vụ trực tuyến.")
    http_status = 409


class WithdrawReasonRequired(DomainError):
    code = "withdraw_reason_required"
    message = _("Vui lòng nêu lý do ngừng cung cấp dịch vụ trực tuyến.")


class NothingToPublish(DomainError):
    code = "nothing_to_publish"
    message = _("Không có bản nháp nào để công bố.")
    http_status = 409


class WrongVersion(DomainError):
    code = "wrong_version"
    message = _("Phiên bản đã chọn không thuộc thủ tục này hoặc không còn dùng được.")


# ---------------------------------------------------------------- drafts


def _copy_of(config: ServiceConfig) -> dict[str, Any]:
    return {
        **{name: copy.deepcopy(getattr(config, name)) for name in SERVICE_FIELDS},
        "components": copy.deepcopy(config.components),
        "form_version": config.form_version,
        "workflow_version": config.workflow_version,
    }


def _lock_procedure(procedure: Procedure) -> Procedure:
    return Procedure.objects.select_for_update().get(pk=procedure.pk)


def _draft_for(*, procedure: Procedure, actor: User | None) -> ServiceConfig:
    """The procedure's draft (under the procedure's row lock), started if there is none."""
    _lock_procedure(procedure)
    draft = ServiceConfig.objects.filter(procedure=procedure, state=ConfigState.DRAFT).first()
    if draft is not None:
        return draft
    published = ServiceConfig.objects.filter(procedure=procedure, state=ConfigState.PUBLISHED).first()
    values = _copy_of(published) if published else config_initial(procedure)
    number = next_version_number(ServiceConfig.objects.filter(procedure=procedure))
    draft = ServiceConfig.objects.create(procedure=procedure, number=number, created_by=actor, **values)
    source = _("phiên bản %(n)s đang áp dụng") % {"n": published.number} if published else _("danh mục thủ tục")
    _log(
        draft,
        actor,
        "",
        _("Bản nháp"),
        "",
        _("Tạo bản nháp phiên bản %(n)s từ %(source)s") % {"n": number, "source": source},
    )
    audit_log(actor=actor, obj=draft, action_flag=ADDITION, message=f"Tạo bản nháp cấu hình dịch vụ v{number}")
    return draft


@transaction.atomic
def service_config_draft_start(*, procedure: Procedure, actor: User | None = None) -> ServiceConfig:
    """The procedure's draft configuration, started if needed. Idempotent.

    A new draft copies the published configuration (editing a published service never
    touches it) or, the first time, the catalogue's current values.
    """
    return _draft_for(procedure=procedure, actor=actor)


# ---------------------------------------------------------------- change log


# The catalogue's coded choices, shown in the change log by their labels ("desk" → "Nhận trực
# tiếp tại bộ phận một cửa"), never as codes.
_CHOICE_LABELS: dict[str, Any] = {**dict(Channel.choices), **dict(ResultDelivery.choices), **dict(OnlineLevel.choices)}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str) and value in _CHOICE_LABELS:
        return str(_CHOICE_LABELS[value])
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if isinstance(value, Decimal):
        return f"{value.normalize():f}".replace(".", ",")
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_text(v)}" for k, v in value.items() if k != "id")
    if isinstance(value, FormVersion | WorkflowVersion):
        return _("phiên bản %(n)s") % {"n": value.number}
    return str(value)


def _log(
    config: ServiceConfig | None,
    actor: User | None,
    step: str,
    field: str,
    before: str,
    after: str,
    *,
    procedure: Procedure | None = None,
) -> None:
    ServiceChange.objects.create(
        procedure_id=config.procedure_id if config is not None else procedure.pk,  # type: ignore[union-attr]
        config=config,
        actor=actor,
        step=step,
        field=str(field)[:255],
        before=before,
        after=after,
    )


def _items_diff(label: str, before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """Field-level changes of an ordered list of items (fees, components), matched by id then by name."""
    changes: list[tuple[str, str, str]] = []
    old_by_id = {item["id"]: item for item in before if item.get("id")}
    matched: set[int] = set()
    for position, item in enumerate(after, start=1):
        old = old_by_id.get(item.get("id")) if item.get("id") else None
        name = item.get("name", "")
        if old is None:
            changes.append((f"{label} “{name}”", "", _("thêm mới (thứ %(n)s)") % {"n": position}))
            continue
        matched.add(item["id"])
        old_position = before.index(old) + 1
        if old_position != position:
            changes.append((f"{label} “{name}” – {_('thứ tự')}", str(old_position), str(position)))
        for key, value in item.items():
            if key != "id" and old.get(key) != value:
                changes.append((f"{label} “{name}” – {key}", _text(old.get(key)), _text(value)))
    for item in before:
        if item.get("id") and item["id"] not in matched:
            changes.append((f"{label} “{item.get('name', '')}”", _text(item), _("bỏ")))
    return changes


def _record(config: ServiceConfig, actor: User | None, step: str, new: dict[str, Any]) -> list[str]:
    """Apply `new` to the draft's attributes and log each change; returns the changed attribute names."""
    labels = {f.name: str(f.verbose_name) for f in ServiceConfig._meta.get_fields() if hasattr(f, "verbose_name")}
    changed = []
    for name, value in new.items():
        old = getattr(config, name)
        if old == value:
            continue
        changed.append(name)
        if name in ("fees", "components"):
            for field, before, after in _items_diff(labels[name].capitalize(), old, value):
                _log(config, actor, step, field, before, after)
        else:
            _log(config, actor, step, labels[name].capitalize(), _text(old), _text(value))
        setattr(config, name, value)
    return changed


def _save_step(*, procedure: Procedure, actor: User | None, step: str, values: dict[str, Any]) -> ServiceConfig:
    config = _draft_for(procedure=procedure, actor=actor)
    changed = _record(config, actor, step, values)
    if changed:
        config.save(update_fields=changed)
        audit_log(
            actor=actor,
            obj=config,
            action_flag=CHANGE,
            message=f"Sửa bản nháp cấu hình dịch vụ v{config.number} ({step}): {', '.join(changed)}",
        )
    return config


# ---------------------------------------------------------------- the steps


@transaction.atomic
def service_config_save_service(
    *,
    procedure: Procedure,
    online_level: str,
    partial_reason: str,
    channels: list[str],
    paper_accepted: bool,
    online_payment: bool,
    result_delivery: list[str],
    online_time_limit_value: Decimal | None,
    fees: list[dict[str, Any]],
    actor: User | None = None,
) -> ServiceConfig:
    """Step 1: the online service's level, channels, desk paper, payment, delivery, time limit and fees.

    Fees keep the id of the catalogue row they change (absent for a new fee); the order given
    is the order published. Values are checked by the step's form; the readiness check says
    what still stops publication.
    """
    if online_level == OnlineLevel.FULL:
        partial_reason = ""
    known = {f["id"] for f in _draft_or_initial(procedure)["fees"] if f.get("id")}
    values = {
        "online_level": online_level,
        "partial_reason": partial_reason.strip(),
        "channels": list(channels),
        "paper_accepted": paper_accepted,
        "online_payment": online_payment,
        "result_delivery": list(result_delivery),
        "online_time_limit_value": online_time_limit_value,
        "fees": [_clean_item(f, FEE_KEYS, known) for f in fees],
    }
    return _save_step(procedure=procedure, actor=actor, step="dich-vu", values=values)


@transaction.atomic
def service_config_save_components(
    *, procedure: Procedure, components: list[dict[str, Any]], actor: User | None = None
) -> ServiceConfig:
    """Step 2: the dossier components, in order (ids as for fees; a dropped id is removed on publish)."""
    known = {c["id"] for c in _draft_or_initial(procedure)["components"] if c.get("id")}
    values = {"components": [_clean_item(c, COMPONENT_KEYS, known) for c in components]}
    return _save_step(procedure=procedure, actor=actor, step="thanh-phan", values=values)


def _draft_or_initial(procedure: Procedure) -> dict[str, Any]:
    draft = ServiceConfig.objects.filter(procedure=procedure, state=ConfigState.DRAFT).first()
    if draft is not None:
        return {"fees": draft.fees, "components": draft.components}
    published = ServiceConfig.objects.filter(procedure=procedure, state=ConfigState.PUBLISHED).first()
    if published is not None:
        return {"fees": published.fees, "components": published.components}
    return config_initial(procedure)


def _clean_item(item: dict[str, Any], keys: tuple[str, ...], known_ids: set[int]) -> dict[str, Any]:
    """Only the known keys; an id not already in the configuration is dropped (the row is new)."""
    item_id = item.get("id")
    clean: dict[str, Any] = {"id": item_id if item_id in known_ids else None}
    clean.update({key: item[key] for key in keys if key in item})
    return clean


def _own_version(procedure: Procedure, version: FormVersion | WorkflowVersion) -> None:
    owner = version.definition.procedure_id if isinstance(version, FormVersion) else version.workflow.procedure_id
    if owner != procedure.pk:
        raise WrongVersion()


@transaction.atomic
def service_config_choose_form(
    *, procedure: Procedure, form_version: FormVersion, actor: User | None = None
) -> ServiceConfig:
    """Step 3: the e-form version the service uses (the one in force, or a draft published with it)."""
    _own_version(procedure, form_version)
    return _save_step(procedure=procedure, actor=actor, step="bieu-mau", values={"form_version": form_version})


@transaction.atomic
def service_config_form_draft_open(*, procedure: Procedure, actor: User | None = None) -> ServiceConfig:
    """Step 3: start (or reuse) the form's draft in the builder and choose it for the service."""
    draft = form_draft_start(procedure=procedure, actor=actor)
    return _save_step(procedure=procedure, actor=actor, step="bieu-mau", values={"form_version": draft})


@transaction.atomic
def service_config_choose_workflow(
    *, procedure: Procedure, workflow_version: WorkflowVersion, actor: User | None = None
) -> ServiceConfig:
    """Step 4: the workflow version the service uses (the one in force, or a draft published with it)."""
    _own_version(procedure, workflow_version)
    return _save_step(procedure=procedure, actor=actor, step="quy-trinh", values={"workflow_version": workflow_version})


def default_workflow_kind(procedure: Procedure) -> str:
    """ "ward" when every implementing agency is a ward, else "department" (as the demo does)."""
    agencies = list(procedure.implementing_agencies.all())
    return "ward" if agencies and all(a.level == AgencyLevel.WARD for a in agencies) else "department"


@transaction.atomic
def service_config_workflow_from_default(
    *, procedure: Procedure, kind: str, actor: User | None = None
) -> ServiceConfig:
    """Step 4: write a default workflow ("ward" or "department") into the workflow's draft and choose it."""
    definition = ward_definition() if kind == "ward" else department_definition()
    draft = workflow_draft_save(procedure=procedure, definition=definition, actor=actor)
    return _save_step(procedure=procedure, actor=actor, step="quy-trinh", values={"workflow_version": draft})


# ---------------------------------------------------------------- publish


def _apply_items(
    *,
    model: type[Fee] | type[DossierComponent],
    procedure: Procedure,
    items: list[dict[str, Any]],
    keys: tuple[str, ...],
) -> list[dict[str, Any]]:
    """Update rows by id, create new ones, delete dropped ones; returns the items with their ids."""
    existing = {row.pk: row for row in model.objects.filter(procedure=procedure)}  # type: ignore[attr-defined]
    result = []
    for order, item in enumerate(items):
        values = {key: item[key] for key in keys if key in item}
        row = existing.pop(item["id"], None) if item.get("id") else None
        if row is None:
            row = model.objects.create(procedure=procedure, order=order, **values)  # type: ignore[attr-defined]
        else:
            for key, value in values.items():
                if key == "template_file" and isinstance(row, DossierComponent):
                    row.template_file.name = value
                else:
                    setattr(row, key, value)
            row.order = order
            row.full_clean(exclude=["procedure", "template_file"])
            row.save()
        result.append({**item, "id": row.pk})
    if existing:
        model.objects.filter(pk__in=list(existing)).delete()  # type: ignore[attr-defined]
    return result


@transaction.atomic
def service_config_publish(*, procedure: Procedure, actor: User | None = None) -> ServiceConfig:
    """Publish the procedure's draft configuration, or refuse and change nothing.

    Under the procedure's row lock: runs every readiness rule (ServiceNotReady lists each
    problem), then writes the level, reason, channels and online time limit to the
    procedure (and puts it in the public catalogue), updates fees and components by id
    (creating new ones, deleting dropped ones that no file points to), publishes the chosen
    form and workflow drafts through their own services, retires the previous configuration
    and logs the change. Dossiers already filed keep their form and workflow versions.
    """
    locked = _lock_procedure(procedure)
    config = (
        ServiceConfig.objects.select_for_update(of=("self",))
        .filter(procedure=locked, state=ConfigState.DRAFT)
        .select_related("form_version", "workflow_version")
        .first()
    )
    if config is None:
        raise NothingToPublish()
    config.procedure = locked
    problems = readiness_problems(config)
    if problems:
        raise ServiceNotReady(problems)
    locked.online_level = config.online_level
    locked.partial_reason = config.partial_reason if config.online_level == OnlineLevel.PARTIAL else ""
    # Paper at the desk is the "direct" channel: an online-only pilot takes it away (the desk
    # intake then refuses the procedure, dossiers.services.dossier_submit).
    channels = [c for c in config.channels if c != Channel.DIRECT]
    locked.channels = [*channels, Channel.DIRECT] if config.paper_accepted else channels
    locked.online_time_limit_value = config.online_time_limit_value
    locked.online_payment = config.online_payment
    locked.result_delivery = list(config.result_delivery)
    locked.is_published = True
    locked.save(
        update_fields=[
            "online_level",
            "partial_reason",
            "channels",
            "online_time_limit_value",
            "online_payment",
            "result_delivery",
            "is_published",
            "updated_at",
        ]
    )
    config.fees = _apply_items(model=Fee, procedure=locked, items=config.fees, keys=FEE_KEYS)
    config.components = _apply_items(
        model=DossierComponent, procedure=locked, items=config.components, keys=COMPONENT_KEYS
    )
    if config.form_version is not None and config.form_version.state == VersionState.DRAFT:
        config.form_version = form_version_publish(version=config.form_version, actor=actor)
    if config.workflow_version is not None and config.workflow_version.state == VersionState.DRAFT:
        config.workflow_version = workflow_version_publish(version=config.workflow_version, actor=actor)
    previous = ServiceConfig.objects.filter(procedure=locked, state=ConfigState.PUBLISHED).first()
    if previous is not None:
        previous.state = ConfigState.RETIRED
        previous.save(update_fields=["state"])
    config.state = ConfigState.PUBLISHED
    config.published_at = timezone.now()
    config.published_by = actor
    config.save(update_fields=["fees", "components", "state", "published_at", "published_by"])
    _log(
        config,
        actor,
        "cong-bo",
        _("Công bố"),
        _("phiên bản %(n)s") % {"n": previous.number} if previous else "",
        _("phiên bản %(n)s") % {"n": config.number},
    )
    audit_log(
        actor=actor,
        obj=locked,
        action_flag=CHANGE,
        message=f"Công bố cấu hình dịch vụ trực tuyến v{config.number} ({config.get_online_level_display()})",
    )
    return config


@transaction.atomic
def service_online_withdraw(*, procedure: Procedure, reason: str, actor: User | None = None) -> Procedure:
    """Take a procedure's online service back to information only, or refuse and change nothing.

    Under the procedure's row lock: the level becomes "information only" and the online
    channel goes (paper at the desk stays, or becomes the only channel), so the catalogue stops
    offering "Nộp hồ sơ" and a citizen's unsent draft can no longer be submitted (its last step
    says why). Dossiers already filed go on with their form and workflow versions. The
    configuration in force is retired; a draft in progress stays, to be published again later.
    The reason goes into the change log and the audit trail.
    """
    reason = " ".join(reason.split())
    if not reason:
        raise WithdrawReasonRequired()
    locked = _lock_procedure(procedure)
    if not (locked.is_published and locked.is_online):
        raise NotOnline()
    before = str(locked.get_online_level_display())
    locked.online_level = OnlineLevel.INFORMATION
    locked.partial_reason = ""
    locked.channels = [c for c in locked.channels if c != Channel.ONLINE] or [Channel.DIRECT]
    locked.save(update_fields=["online_level", "partial_reason", "channels", "updated_at"])
    in_force = ServiceConfig.objects.select_for_update().filter(procedure=locked, state=ConfigState.PUBLISHED).first()
    if in_force is not None:
        in_force.state = ConfigState.RETIRED
        in_force.save(update_fields=["state"])
    after = str(locked.get_online_level_display())
    field = _("Ngừng cung cấp trực tuyến: %(reason)s") % {"reason": reason}
    _log(in_force, actor, "ngung", field, before, after, procedure=locked)
    audit_log(
        actor=actor,
        obj=locked,
        action_flag=CHANGE,
        message=f"Ngừng cung cấp dịch vụ trực tuyến ({before} → {after}): {reason}",
    )
    return locked


@transaction.atomic
def province_target_set(*, year: int, full_online_percent: Decimal, actor: User | None = None) -> ProvinceTarget:
    """The province's target share of procedures fully online for `year` (created or changed)."""
    target, created = ProvinceTarget.objects.update_or_create(
        year=year, defaults={"full_online_percent": full_online_percent}
    )
    audit_log(
        actor=actor,
        obj=target,
        action_flag=ADDITION if created else CHANGE,
        message=f"Chỉ tiêu năm {year}: {full_online_percent}% thủ tục trực tuyến toàn trình",
    )
    return target
