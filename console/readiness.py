"""The readiness check run before a service configuration is published.

Each rule is a small function of the configuration returning its problems: a code, the exact
Vietnamese message an admin reads, and the step (with an anchor) where it is fixed. Publishing
is refused while any rule finds a problem (console.services.service_config_publish).

How "every required dossier component has an upload field or a reuse source" is read here:
in this portal the citizen uploads files in the wizard's "Giấy tờ" step, which shows one
upload slot per dossier component, and offers the citizen's stored documents for components
marked reusable. So a required component can be provided online when it accepts at least one
known file type with a size limit of at least 1 MB (its upload slot takes files), or when it
may be taken from the citizen's document store. Besides, every file field of the e-form must
name a component of this configuration (by its position or its name), or the wizard would
ask for a file that belongs to nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.constants import Role
from accounts.models import User
from common.constants import VersionState
from dossiers.attachments.content import KINDS
from dossiers.selectors import attachment_count_by_component
from eforms.constants import FieldType
from eforms.prefill import prefill_errors
from eforms.schema import validate_schema
from eforms.selectors import form_version_current
from procedures.constants import Channel, OnlineLevel, TimeLimitUnit
from procedures.models import Agency
from procedures.selectors import procedure_completeness
from workflows.engine import steps_of, validate_definition
from workflows.selectors import workflow_version_current

from .constants import HOURS_PER_WORKING_DAY, MINIMUM_STEP_MINUTES, ResultDelivery
from .models import ServiceConfig


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    step: str  # a step slug of console.constants.STEPS, or "" for the catalogue record
    anchor: str = ""
    procedure_code: str = ""
    procedure_id: int = 0
    link: str = ""  # where to fix it, when that is not a step of the console

    @property
    def url(self) -> str:
        if self.link:
            return self.link
        if not self.step:
            return reverse("admin:procedures_procedure_change", args=[self.procedure_id])
        base = reverse("console:step", kwargs={"code": self.procedure_code, "step": self.step})
        return f"{base}#{self.anchor}" if self.anchor else base


Rule = Callable[[ServiceConfig], list[Problem]]


def _problem(config: ServiceConfig, code: str, message: str, step: str, anchor: str = "") -> Problem:
    procedure = config.procedure
    return Problem(
        code=code,
        message=message,
        step=step,
        anchor=anchor,
        procedure_code=procedure.code,
        procedure_id=procedure.pk,
    )


def accepted_types(component: dict[str, Any]) -> list[str]:
    """The known file types a component snapshot accepts (no default: an empty choice is empty)."""
    words = [w.strip().lower() for w in str(component.get("allowed_types") or "").split(",")]
    return [w for w in dict.fromkeys("jpeg" if w == "jpg" else w for w in words) if w in KINDS]


# ---------------------------------------------------------------- rules

# Items of procedures.selectors.procedure_completeness that this configuration sets itself,
# and where: the others belong to the catalogue record (Django admin).
_CONFIGURED_ITEMS = {
    "channels": ("Cách thức thực hiện", "dich-vu", "id_channels"),
    "components": ("Thành phần, số lượng hồ sơ", "thanh-phan", ""),
}


def check_published_components(config: ServiceConfig) -> list[Problem]:
    """The seven published components of Decree 63/2010 Art. 8(2), with this configuration's
    channels and components in place of the catalogue's."""
    overrides = {
        _(label): (bool(getattr(config, attr)), step, anchor)
        for attr, (label, step, anchor) in _CONFIGURED_ITEMS.items()
    }
    problems = []
    for item in procedure_completeness(config.procedure):
        present, step, anchor = overrides.get(item.label, (item.present, "", ""))
        if not present:
            problems.append(
                _problem(
                    config,
                    "published_components",
                    _("Thủ tục chưa đủ bảy nội dung phải công bố (Nghị định 63/2010/NĐ-CP): thiếu “%(label)s”.")
                    % {"label": item.label},
                    step,
                    anchor,
                )
            )
    return problems


def check_components_provided(config: ServiceConfig) -> list[Problem]:
    """Every required component can be uploaded or reused; every file field of the form names a component."""
    problems = []
    for index, component in enumerate(config.components, start=1):
        if not component.get("required") or component.get("reusable") or component.get("replaced_by_id"):
            continue  # (replaced by a database: the applicant is not asked for it, Resolution 66.7/2025)
        if not accepted_types(component) or int(component.get("max_size_mb") or 0) < 1:
            problems.append(
                _problem(
                    config,
                    "component_not_uploadable",
                    _(
                        "Thành phần hồ sơ bắt buộc “%(name)s” chưa có cách nộp trực tuyến: hãy chọn ít nhất một "
                        "loại tệp được nhận (dung lượng tối thiểu 1 MB) hoặc cho phép lấy từ kho dữ liệu của công dân."
                    )
                    % {"name": component.get("name", "")},
                    "thanh-phan",
                    f"thanh-phan-{index}",
                )
            )
    version = config.form_version
    if version is None or not isinstance(version.schema, dict):
        return problems
    names = [str(c.get("name", "")) for c in config.components]
    for step in version.schema.get("steps") or []:
        for field in step.get("fields") or []:
            if not isinstance(field, dict) or field.get("type") != FieldType.FILE:
                continue
            ref = field.get("component")
            known = (isinstance(ref, int) and 1 <= ref <= len(names)) or (isinstance(ref, str) and ref in names)
            if not known:
                problems.append(
                    _problem(
                        config,
                        "form_file_field_unknown_component",
                        _(
                            "Trường tệp “%(key)s” của biểu mẫu điện tử gắn với thành phần hồ sơ “%(component)s”, "
                            "không có trong danh sách thành phần hồ sơ của dịch vụ."
                        )
                        % {"key": field.get("key", ""), "component": ref},
                        "thanh-phan",
                    )
                )
    return problems


def check_removed_components(config: ServiceConfig) -> list[Problem]:
    """A component the configuration drops must not be one that filed files point to (they keep it)."""
    kept = {c.get("id") for c in config.components if c.get("id")}
    current = {c.pk: c.name for c in config.procedure.components.all()}
    removed = [pk for pk in current if pk not in kept]
    if not removed:
        return []
    counts = attachment_count_by_component(component_ids=removed)
    return [
        _problem(
            config,
            "component_in_use",
            _(
                "Không thể bỏ thành phần hồ sơ “%(name)s”: đã có %(count)s tệp của hồ sơ nộp kèm thành phần này. "
                "Hãy giữ thành phần (có thể đổi thành không bắt buộc)."
            )
            % {"name": current[pk], "count": counts[pk]},
            "thanh-phan",
        )
        for pk in removed
        if counts.get(pk)
    ]


def check_form(config: ServiceConfig) -> list[Problem]:
    """A form version is chosen, valid, and (if published) still the one in force."""
    version = config.form_version
    if version is None:
        return [_problem(config, "form_missing", _("Chưa chọn biểu mẫu điện tử cho dịch vụ."), "bieu-mau")]
    errors = validate_schema(version.schema)
    if not errors:
        errors = prefill_errors(version.schema)
    problems = [
        _problem(
            config,
            "form_invalid",
            _("Biểu mẫu điện tử phiên bản %(n)s chưa hợp lệ: %(error)s") % {"n": version.number, "error": error},
            "bieu-mau",
        )
        for error in errors
    ]
    if version.state == VersionState.PUBLISHED:
        current = form_version_current(procedure=config.procedure)
        if current is not None and current.pk != version.pk:
            problems.append(
                _problem(
                    config,
                    "form_superseded",
                    _("Biểu mẫu điện tử phiên bản %(n)s đã được thay bằng phiên bản %(m)s; hãy chọn lại biểu mẫu.")
                    % {"n": version.number, "m": current.number},
                    "bieu-mau",
                )
            )
    return problems


def service_time_limit_hours(config: ServiceConfig) -> Decimal:
    """The time limit the workflow's shares divide, in working hours (the online one when set)."""
    procedure = config.procedure
    value = config.online_time_limit_value
    if value is None:
        value = procedure.time_limit_value
    if not value and procedure.same_day_rule:
        return Decimal(HOURS_PER_WORKING_DAY)
    if procedure.time_limit_unit == TimeLimitUnit.HOUR:
        return Decimal(value or 0)
    return Decimal(value or 0) * HOURS_PER_WORKING_DAY


def check_workflow(config: ServiceConfig) -> list[Problem]:
    """The workflow reaches a return-result step, its shares make 100% and each step gets enough time."""
    version = config.workflow_version
    if version is None:
        return [_problem(config, "workflow_missing", _("Chưa chọn quy trình điện tử cho dịch vụ."), "quy-trinh")]
    errors = validate_definition(version.definition)
    problems = [
        _problem(
            config,
            "workflow_invalid",
            _("Quy trình điện tử phiên bản %(n)s: %(error)s") % {"n": version.number, "error": error},
            "quy-trinh",
        )
        for error in errors
    ]
    if errors:
        return problems
    hours = service_time_limit_hours(config)
    for step in steps_of(version.definition):
        minutes = hours * 60 * step.share / 100
        if step.share and minutes < MINIMUM_STEP_MINUTES:
            problems.append(
                _problem(
                    config,
                    "workflow_step_too_short",
                    _(
                        "Bước “%(name)s” của quy trình chỉ được %(minutes)s phút làm việc (%(share)s%% của thời hạn "
                        "%(limit)s giờ làm việc): mỗi bước cần ít nhất %(minimum)s phút."
                    )
                    % {
                        "name": step.name,
                        "minutes": _decimal_text(minutes),
                        "share": step.share,
                        "limit": _decimal_text(hours),
                        "minimum": MINIMUM_STEP_MINUTES,
                    },
                    "quy-trinh",
                )
            )
    if version.state == VersionState.PUBLISHED:
        current = workflow_version_current(procedure=config.procedure)
        if current is not None and current.pk != version.pk:
            problems.append(
                _problem(
                    config,
                    "workflow_superseded",
                    _("Quy trình điện tử phiên bản %(n)s đã được thay bằng phiên bản %(m)s; hãy chọn lại quy trình.")
                    % {"n": version.number, "m": current.number},
                    "quy-trinh",
                )
            )
    return problems


def check_service_settings(config: ServiceConfig) -> list[Problem]:
    """Step 1 holds together: online channel, reason of a partial service, a shorter online limit."""
    problems = []
    if Channel.ONLINE not in config.channels:
        problems.append(
            _problem(
                config,
                "online_channel_missing",
                _("Cách thức nộp hồ sơ phải có “Trực tuyến”."),
                "dich-vu",
                "id_channels",
            )
        )
    if config.online_level == OnlineLevel.PARTIAL and not config.partial_reason.strip():
        problems.append(
            _problem(
                config,
                "partial_reason_missing",
                _("Dịch vụ trực tuyến một phần phải nêu lý do."),
                "dich-vu",
                "id_partial_reason",
            )
        )
    limit = config.procedure.time_limit_value
    online = config.online_time_limit_value
    if online is not None and limit is not None and online > limit:
        problems.append(
            _problem(
                config,
                "online_time_limit_longer",
                _("Thời hạn khi nộp trực tuyến (%(online)s) không được dài hơn thời hạn giải quyết (%(limit)s).")
                % {"online": _decimal_text(online), "limit": _decimal_text(limit)},
                "dich-vu",
                "id_online_time_limit_value",
            )
        )
    return problems


def check_online_payment(config: ServiceConfig) -> list[Problem]:
    """A procedure with a fee above zero takes the payment online."""
    fee_bearing = any(int(fee.get("amount") or 0) > 0 for fee in config.fees)
    if fee_bearing and not config.online_payment:
        return [
            _problem(
                config,
                "online_payment_disabled",
                _("Thủ tục có thu phí, lệ phí nhưng chưa bật thanh toán trực tuyến."),
                "dich-vu",
                "id_online_payment",
            )
        ]
    return []


def check_result_delivery(config: ServiceConfig) -> list[Problem]:
    """A full online service returns its result electronically or by post, never only at the desk."""
    ways = set(config.result_delivery)
    if config.online_level == OnlineLevel.FULL and not ways & {ResultDelivery.ELECTRONIC, ResultDelivery.POST}:
        return [
            _problem(
                config,
                "full_service_result_at_desk_only",
                _("Dịch vụ trực tuyến toàn trình phải trả kết quả bản điện tử hoặc qua dịch vụ bưu chính công ích."),
                "dich-vu",
                "id_result_delivery",
            )
        ]
    return []


def check_reception_officers(config: ServiceConfig) -> list[Problem]:
    """Every agency that implements the procedure has an active reception officer whose scope
    covers it (its own, or a parent agency's): otherwise its dossiers wait in a queue nobody sees."""
    problems = []
    for agency in config.procedure.implementing_agencies.order_by("name"):
        lineage: list[int] = []
        current: Agency | None = agency
        while current is not None and len(lineage) < 10:
            lineage.append(current.pk)
            current = current.parent
        staffed = User.objects.filter(
            is_active=True, role=Role.RECEPTION_OFFICER, memberships__agency_id__in=lineage
        ).exists()
        if not staffed:
            problem = _problem(
                config,
                "no_reception_officer",
                _("%(agency)s chưa có cán bộ tiếp nhận (một cửa): hồ sơ nộp về sẽ không ai tiếp nhận.")
                % {"agency": agency.name},
                "",
            )
            problems.append(replace(problem, link=reverse("admin:accounts_user_changelist")))
    return problems


RULES: tuple[Rule, ...] = (
    check_reception_officers,
    check_published_components,
    check_service_settings,
    check_components_provided,
    check_removed_components,
    check_form,
    check_workflow,
    check_online_payment,
    check_result_delivery,
)


def readiness_problems(config: ServiceConfig) -> list[Problem]:
    """Every problem of every rule, in the order of the steps; [] means ready to publish."""
    problems = [problem for rule in RULES for problem in rule(config)]
    order = ["", "dich-vu", "thanh-phan", "bieu-mau", "quy-trinh", "cong-bo"]
    return sorted(problems, key=lambda p: order.index(p.step))


def _decimal_text(value: Decimal | float | int) -> str:
    """Vietnamese decimal comma, at most two decimals, no trailing zeros: 0,05 – 16 – 2,5."""
    text = f"{Decimal(value).quantize(Decimal('0.01'), ROUND_HALF_UP):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")
