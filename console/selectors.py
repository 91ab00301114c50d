"""Reads of the province admin console: procedures with their setup state, progress figures, history."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from common.constants import VersionState
from eforms.models import FormVersion
from eforms.selectors import form_draft_get, form_version_current
from procedures.constants import Channel, OnlineLevel
from procedures.models import Agency, DossierComponent, Fee, Procedure
from procedures.selectors import ProcedureFilters, procedure_list
from workflows.models import WorkflowVersion
from workflows.selectors import workflow_version_current

from .constants import ConfigState, ResultDelivery, SetupState
from .models import ProvinceTarget, ServiceChange, ServiceConfig
from .readiness import Problem, readiness_problems

CENT = Decimal("0.01")
FEE_KEYS = ("name", "amount", "unit", "online_discount_percent", "note", "optional", "quantity_field")
COMPONENT_KEYS = (
    "name", "required", "original_copies", "copies", "template_name", "template_file", "reusable",
    "allowed_types", "max_size_mb", "replaced_by_id",
)  # fmt: skip


def fee_snapshot(fee: Fee) -> dict[str, Any]:
    return {"id": fee.pk, **{key: getattr(fee, key) for key in FEE_KEYS}}


def component_snapshot(component: DossierComponent) -> dict[str, Any]:
    item: dict[str, Any] = {"id": component.pk}
    for key in COMPONENT_KEYS:
        value = getattr(component, key)
        item[key] = value.name if key == "template_file" else value
    return item


def config_initial(procedure: Procedure) -> dict[str, Any]:
    """What a first draft starts with, read from the catalogue (nothing is saved).

    A procedure already online keeps what it offers (online payment, the result sent
    electronically and by post when post is a channel); one not yet online starts with the
    result at the desk and no online payment, for the admin to decide.
    """
    online = procedure.is_published and procedure.online_level != OnlineLevel.INFORMATION
    channels = list(procedure.channels or [])
    if Channel.ONLINE not in channels:
        channels.insert(0, Channel.ONLINE)
    if procedure.result_delivery:
        delivery = list(procedure.result_delivery)
    elif online:
        delivery = [ResultDelivery.ELECTRONIC] + ([ResultDelivery.POST] if Channel.POST in channels else [])
    else:
        delivery = [ResultDelivery.DESK]
    form_version = form_draft_get(procedure=procedure) or form_version_current(procedure=procedure)
    workflow = WorkflowVersion.objects.filter(
        workflow__procedure=procedure, state=VersionState.DRAFT
    ).first() or workflow_version_current(procedure=procedure)
    return {
        "online_level": procedure.online_level if online else OnlineLevel.FULL,
        "partial_reason": procedure.partial_reason,
        "channels": channels,
        "paper_accepted": Channel.DIRECT in channels,
        "online_payment": online and procedure.online_payment,
        "result_delivery": [str(d) for d in delivery],
        "online_time_limit_value": procedure.online_time_limit_value,
        "fees": [fee_snapshot(f) for f in procedure.fees.order_by("order", "id")],
        "components": [component_snapshot(c) for c in procedure.components.order_by("order", "id")],
        "form_version": form_version,
        "workflow_version": workflow,
    }


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class OnlineShares:
    """Published procedures by online level: the province's progress toward "every procedure fully online"."""

    total: int
    full: int
    partial: int
    not_online: int
    target: ProvinceTarget | None = None

    @property
    def full_percent(self) -> Decimal | None:
        return _percent(self.full, self.total)

    @property
    def partial_percent(self) -> Decimal | None:
        return _percent(self.partial, self.total)

    @property
    def not_online_percent(self) -> Decimal | None:
        return _percent(self.not_online, self.total)

    @property
    def online_percent(self) -> Decimal | None:
        """Full and partial together: indicator "procedures provided online" of Decision 766."""
        return _percent(self.full + self.partial, self.total)

    @property
    def target_gap(self) -> Decimal | None:
        """Percentage points still missing to the target (0 when reached), None without target."""
        if self.target is None or self.full_percent is None:
            return None
        return max(Decimal(0), self.target.full_online_percent - self.full_percent)


def online_shares(*, filters: ProcedureFilters | None = None, year: int | None = None) -> OnlineShares:
    """Counts over the public catalogue (procedures.selectors.procedure_list, as the catalogue API
    lists them) by online level, in one query, with the province's target for `year`."""
    rows = dict(
        procedure_list(filters=filters).values_list("online_level").annotate(n=Count("id", distinct=True)).order_by()
    )
    year = year or timezone.localdate().year
    return OnlineShares(
        total=sum(rows.values()),
        full=rows.get(OnlineLevel.FULL, 0),
        partial=rows.get(OnlineLevel.PARTIAL, 0),
        not_online=rows.get(OnlineLevel.INFORMATION, 0),
        target=ProvinceTarget.objects.filter(year=year).first(),
    )


@dataclass(frozen=True)
class SetupRow:
    procedure: Procedure
    state: SetupState
    draft: ServiceConfig | None
    published: ServiceConfig | None

    @property
    def agencies(self) -> list[Agency]:
        return list(self.procedure.implementing_agencies.all())


def setup_state(*, procedure: Procedure, draft: ServiceConfig | None, published: ServiceConfig | None) -> SetupState:
    """A draft: ready when it passes the readiness check, else in progress. Without a draft:
    published when a configuration is in force, or when the procedure was put online in the
    catalogue before the console existed; otherwise not started."""
    if draft is not None:
        return SetupState.IN_PROGRESS if readiness_problems(draft) else SetupState.READY
    if published is not None:
        return SetupState.PUBLISHED
    if procedure.is_published and procedure.online_level != OnlineLevel.INFORMATION:
        return SetupState.PUBLISHED
    return SetupState.NOT_STARTED


def procedure_setup_list(*, filters: ProcedureFilters | None = None, state: str = "") -> list[SetupRow]:
    """Every procedure of the province (published or not) with its setup state, filtered."""
    qs = procedure_list(filters=filters, published_only=False).distinct().order_by("code")
    qs = qs.prefetch_related(
        Prefetch("implementing_agencies", queryset=Agency.objects.order_by("name")),
        Prefetch(
            "service_configs",
            queryset=ServiceConfig.objects.exclude(state=ConfigState.RETIRED).select_related(
                "form_version", "workflow_version"
            ),
        ),
        "components",
    )
    rows = []
    for procedure in qs:
        configs = list(procedure.service_configs.all())  # type: ignore[attr-defined]
        draft = next((c for c in configs if c.state == ConfigState.DRAFT), None)
        published = next((c for c in configs if c.state == ConfigState.PUBLISHED), None)
        if draft is not None:
            draft.procedure = procedure
        row_state = setup_state(procedure=procedure, draft=draft, published=published)
        if state and row_state != state:
            continue
        rows.append(SetupRow(procedure=procedure, state=row_state, draft=draft, published=published))
    return rows


def procedure_get_for_console(*, code: str) -> Procedure:
    """One procedure (published or not) with what the steps show; Procedure.DoesNotExist if none."""
    return (
        Procedure.objects.select_related("sector")
        .prefetch_related(Prefetch("implementing_agencies", queryset=Agency.objects.order_by("name")), "components")
        .get(code=code)
    )


def config_draft(*, procedure: Procedure) -> ServiceConfig | None:
    draft = (
        ServiceConfig.objects.filter(procedure=procedure, state=ConfigState.DRAFT)
        .select_related("form_version", "workflow_version")
        .first()
    )
    if draft is not None:
        draft.procedure = procedure
    return draft


def config_published(*, procedure: Procedure) -> ServiceConfig | None:
    published = (
        ServiceConfig.objects.filter(procedure=procedure, state=ConfigState.PUBLISHED)
        .select_related("form_version", "workflow_version")
        .first()
    )
    if published is not None:
        published.procedure = procedure
    return published


def config_for_display(*, procedure: Procedure) -> ServiceConfig:
    """What the steps show: the draft, else the configuration in force, else an unsaved one read
    from the catalogue (saving any step then starts the draft)."""
    config = config_draft(procedure=procedure) or config_published(procedure=procedure)
    if config is None:
        config = ServiceConfig(procedure=procedure, number=0, **config_initial(procedure))
    return config


def config_readiness(*, config: ServiceConfig) -> list[Problem]:
    return readiness_problems(config)


def form_version_choices(*, procedure: Procedure) -> list[FormVersion]:
    """What step 3 offers: the version in force and the draft, newest first."""
    versions = list(FormVersion.objects.filter(definition__procedure=procedure).order_by("-number"))
    draft = [v for v in versions if v.state == VersionState.DRAFT]
    published = [v for v in versions if v.state == VersionState.PUBLISHED][:1]
    return draft + published


def workflow_version_choices(*, procedure: Procedure) -> list[WorkflowVersion]:
    """What step 4 offers: the draft and the version in force, newest first."""
    versions = list(WorkflowVersion.objects.filter(workflow__procedure=procedure).order_by("-number"))
    draft = [v for v in versions if v.state == VersionState.DRAFT]
    published = [v for v in versions if v.state == VersionState.PUBLISHED][:1]
    return draft + published


def service_change_list(*, procedure: Procedure, limit: int = 100) -> QuerySet[ServiceChange]:
    return (
        ServiceChange.objects.filter(procedure=procedure)
        .select_related("actor", "config")
        .order_by("-at", "-id")[:limit]
    )


def fee_lines_preview(*, config: ServiceConfig) -> list[dict[str, Any]]:
    """The fees as a citizen paying online would see them (discount applied)."""
    lines = []
    for fee in config.fees:
        amount = int(fee.get("amount") or 0)
        discount = int(fee.get("online_discount_percent") or 0)
        lines.append({**fee, "online_amount": amount * (100 - discount) // 100})
    return lines
