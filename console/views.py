"""The province admin console (/quan-tri/dich-vu/): the province's procedures and their online
service set up in five steps, the readiness check, publication, the change log, the preview."""

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.permissions import acting_admin, province_admin_required
from common.constants import VersionState
from common.errors import DomainError
from eforms.models import FormVersion
from procedures.constants import OnlineLevel
from procedures.models import Agency, Procedure, Sector
from procedures.selectors import ProcedureFilters
from workflows.engine import steps_of, validate_definition
from workflows.models import WorkflowVersion
from workflows.selectors import calendar_unconfirmed_warning

from . import selectors, services
from .constants import STEP_SLUGS, STEPS, SetupState
from .forms import (
    ChoiceOfVersionForm,
    ComponentFormSet,
    FeeFormSet,
    ServiceForm,
    TargetForm,
    WithdrawForm,
    component_initial,
)
from .models import ServiceConfig
from .readiness import Problem, service_time_limit_hours


def _procedure(code: str) -> Procedure:
    try:
        return selectors.procedure_get_for_console(code=code)
    except Procedure.DoesNotExist:
        raise Http404(_("Không tìm thấy thủ tục.")) from None


# ---------------------------------------------------------------- the list


@province_admin_required
def console_index(request: HttpRequest) -> HttpResponse:
    """/quan-tri/dich-vu/: the province's procedures, their setup state and the progress figures."""
    filters = ProcedureFilters(sector=request.GET.get("linh_vuc", ""), agency=request.GET.get("co_quan", ""))
    state = request.GET.get("trang_thai", "")
    if state not in SetupState.values:
        state = ""
    year = timezone.localdate().year
    province = selectors.online_shares(year=year)
    filtered = selectors.online_shares(filters=filters, year=year) if (filters.sector or filters.agency) else province
    target = province.target
    context = {
        "rows": selectors.procedure_setup_list(filters=filters, state=state),
        "shares": filtered,
        "province_shares": province,
        "filters": filters,
        "state": state,
        "states": SetupState.choices,
        "sectors": Sector.objects.order_by("name"),
        "agencies": Agency.objects.filter(is_active=True).order_by("level", "name"),
        "target_form": TargetForm(
            initial={"year": year, "full_online_percent": target.full_online_percent if target else None}
        ),
        "year": year,
        "calendar_warning": calendar_unconfirmed_warning(),
    }
    return render(request, "console/index.html", context)


@province_admin_required
@require_POST
def target_set(request: HttpRequest) -> HttpResponse:
    admin = acting_admin(request)
    form = TargetForm(request.POST)
    if form.is_valid():
        services.province_target_set(
            year=form.cleaned_data["year"], full_online_percent=form.cleaned_data["full_online_percent"], actor=admin
        )
        messages.success(request, _("Đã lưu chỉ tiêu của tỉnh."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("console:index")


# ---------------------------------------------------------------- one procedure


def _progress(procedure: Procedure, current: str, problems: list[Problem]) -> list[dict[str, Any]]:
    failing = {p.step for p in problems}
    return [
        {
            "number": index,
            "slug": slug,
            "title": title,
            "url": reverse("console:step", kwargs={"code": procedure.code, "step": slug}),
            "current": slug == current,
            "needs_work": slug in failing,
        }
        for index, (slug, title) in enumerate(STEPS, start=1)
    ]


def _base_context(procedure: Procedure, current: str) -> dict[str, Any]:
    draft = selectors.config_draft(procedure=procedure)
    published = selectors.config_published(procedure=procedure)
    config = draft or published or selectors.config_for_display(procedure=procedure)
    problems = selectors.config_readiness(config=config)
    return {
        "procedure": procedure,
        "config": config,
        "draft": draft,
        "published": published,
        "problems": problems,
        "state": selectors.setup_state(procedure=procedure, draft=draft, published=published),
        "progress": _progress(procedure, current, problems),
        "steps": STEPS,
    }


@province_admin_required
def procedure_overview(request: HttpRequest, code: str) -> HttpResponse:
    """One procedure: its state, what stops publication, the steps, the change log."""
    procedure = _procedure(code)
    context = _base_context(procedure, "")
    context["changes"] = selectors.service_change_list(procedure=procedure)
    context["withdraw_form"] = WithdrawForm() if procedure.is_published and procedure.is_online else None
    return render(request, "console/overview.html", context)


@province_admin_required
@require_POST
def draft_start(request: HttpRequest, code: str) -> HttpResponse:
    """Start the draft (a copy of the service in force, or of the catalogue) and go to step 1."""
    admin = acting_admin(request)
    services.service_config_draft_start(procedure=_procedure(code), actor=admin)
    return redirect("console:step", code=code, step=STEP_SLUGS[0])


def _next(code: str, step: str) -> HttpResponse:
    following = STEP_SLUGS[STEP_SLUGS.index(step) + 1]
    return redirect("console:step", code=code, step=following)


@province_admin_required
def step_page(request: HttpRequest, code: str, step: str) -> HttpResponse:
    admin = acting_admin(request)
    if step not in STEP_SLUGS:
        raise Http404(_("Không có bước này."))
    procedure = _procedure(code)
    handler = {
        "dich-vu": _step_service,
        "thanh-phan": _step_components,
        "bieu-mau": _step_form,
        "quy-trinh": _step_workflow,
        "cong-bo": _step_publish,
    }[step]
    return handler(request, admin, procedure)


def _step_service(request: HttpRequest, admin: User, procedure: Procedure) -> HttpResponse:
    context = _base_context(procedure, "dich-vu")
    config: ServiceConfig = context["config"]
    limit = procedure.time_limit_value
    if request.method == "POST":
        form = ServiceForm(request.POST, time_limit=limit)
        fees = FeeFormSet(request.POST, prefix="phi")
        if form.is_valid() and fees.is_valid():
            data = form.cleaned_data
            services.service_config_save_service(
                procedure=procedure,
                online_level=data["online_level"],
                partial_reason=data["partial_reason"],
                channels=data["channels"],
                paper_accepted=data["paper_accepted"],
                online_payment=data["online_payment"],
                result_delivery=data["result_delivery"],
                online_time_limit_value=data["online_time_limit_value"],
                fees=[item for f in fees.forms if (item := f.to_item()) is not None],
                actor=admin,
            )
            messages.success(request, _("Đã lưu bước 1: dịch vụ trực tuyến."))
            return _next(procedure.code, "dich-vu")
    else:
        form = ServiceForm(
            initial={
                "online_level": config.online_level if config.online_level != OnlineLevel.INFORMATION else "full",
                "partial_reason": config.partial_reason,
                "channels": config.channels,
                "paper_accepted": config.paper_accepted,
                "online_payment": config.online_payment,
                "result_delivery": config.result_delivery,
                "online_time_limit_value": config.online_time_limit_value,
            },
            time_limit=limit,
        )
        fees = FeeFormSet(prefix="phi", initial=config.fees)
    context.update({"form": form, "fees": fees, "step_number": 1})
    return render(request, "console/step_service.html", context)


def _step_components(request: HttpRequest, admin: User, procedure: Procedure) -> HttpResponse:
    context = _base_context(procedure, "thanh-phan")
    config: ServiceConfig = context["config"]
    if request.method == "POST":
        formset = ComponentFormSet(request.POST, request.FILES, prefix="tp")
        if formset.is_valid():
            ordered = sorted(
                (f for f in formset.forms if f.cleaned_data),
                key=lambda f: (f.cleaned_data.get("ORDER") is None, f.cleaned_data.get("ORDER") or 0),
            )
            items = [item for f in ordered if (item := f.to_item()) is not None]
            services.service_config_save_components(procedure=procedure, components=items, actor=admin)
            messages.success(request, _("Đã lưu bước 2: thành phần hồ sơ."))
            if "them" in request.POST:
                return redirect("console:step", code=procedure.code, step="thanh-phan")
            return _next(procedure.code, "thanh-phan")
    else:
        initial = [component_initial(item, order) for order, item in enumerate(config.components, start=1)]
        formset = ComponentFormSet(prefix="tp", initial=initial)
    context.update({"formset": formset, "step_number": 2})
    return render(request, "console/step_components.html", context)


def _version_label(version: FormVersion | WorkflowVersion) -> str:
    if version.state == VersionState.DRAFT:
        return _("Phiên bản %(n)s – bản nháp (ban hành cùng dịch vụ)") % {"n": version.number}
    return _("Phiên bản %(n)s – đang áp dụng") % {"n": version.number}


def _step_form(request: HttpRequest, admin: User, procedure: Procedure) -> HttpResponse:
    context = _base_context(procedure, "bieu-mau")
    config: ServiceConfig = context["config"]
    versions = selectors.form_version_choices(procedure=procedure)
    choices = [(v.pk, _version_label(v)) for v in versions]
    if request.method == "POST":
        form = ChoiceOfVersionForm(request.POST, choices=choices)
        if form.is_valid():
            chosen = next(v for v in versions if v.pk == form.cleaned_data["version"])
            services.service_config_choose_form(procedure=procedure, form_version=chosen, actor=admin)
            messages.success(request, _("Đã lưu bước 3: biểu mẫu điện tử."))
            return _next(procedure.code, "bieu-mau")
    else:
        form = ChoiceOfVersionForm(
            choices=choices, initial={"version": config.form_version_id} if config.form_version_id else None
        )
    context.update({"form": form, "versions": versions, "step_number": 3})
    return render(request, "console/step_form.html", context)


def _step_workflow(request: HttpRequest, admin: User, procedure: Procedure) -> HttpResponse:
    context = _base_context(procedure, "quy-trinh")
    config: ServiceConfig = context["config"]
    versions = selectors.workflow_version_choices(procedure=procedure)
    choices = [(v.pk, _version_label(v)) for v in versions]
    if request.method == "POST":
        form = ChoiceOfVersionForm(request.POST, choices=choices)
        if form.is_valid():
            chosen = next(v for v in versions if v.pk == form.cleaned_data["version"])
            services.service_config_choose_workflow(procedure=procedure, workflow_version=chosen, actor=admin)
            messages.success(request, _("Đã lưu bước 4: quy trình điện tử."))
            return _next(procedure.code, "quy-trinh")
    else:
        form = ChoiceOfVersionForm(
            choices=choices, initial={"version": config.workflow_version_id} if config.workflow_version_id else None
        )
    preview = []
    version = config.workflow_version
    hours = service_time_limit_hours(config)
    if version is not None and not validate_definition(version.definition):
        for rule in steps_of(version.definition):
            step_hours = hours * rule.share / 100
            preview.append({"rule": rule, "hours": f"{step_hours.quantize(Decimal('0.1')):f}".replace(".", ",")})
    context.update(
        {
            "form": form,
            "versions": versions,
            "preview": preview,
            "limit_hours": f"{hours.normalize():f}".replace(".", ","),
            "default_kind": services.default_workflow_kind(procedure),
            "step_number": 4,
        }
    )
    return render(request, "console/step_workflow.html", context)


def _step_publish(request: HttpRequest, admin: User, procedure: Procedure) -> HttpResponse:
    context = _base_context(procedure, "cong-bo")
    context.update({"step_number": 5, "fees": selectors.fee_lines_preview(config=context["config"])})
    return render(request, "console/step_publish.html", context)


@province_admin_required
@require_POST
def form_draft_open(request: HttpRequest, code: str) -> HttpResponse:
    """Step 3: start the form's draft, choose it for the service and open the builder."""
    admin = acting_admin(request)
    config = services.service_config_form_draft_open(procedure=_procedure(code), actor=admin)
    assert config.form_version is not None  # noqa: S101 - the service just set it
    return redirect("eforms:edit", version_id=config.form_version.pk)


@province_admin_required
@require_POST
def workflow_default(request: HttpRequest, code: str) -> HttpResponse:
    """Step 4: write a default workflow into the draft and choose it."""
    admin = acting_admin(request)
    kind = "ward" if request.POST.get("mau") == "ward" else "department"
    try:
        services.service_config_workflow_from_default(procedure=_procedure(code), kind=kind, actor=admin)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Đã tạo bản nháp quy trình từ quy trình mẫu và chọn cho dịch vụ."))
    return redirect("console:step", code=code, step="quy-trinh")


@province_admin_required
@require_POST
def withdraw(request: HttpRequest, code: str) -> HttpResponse:
    """Take the online service back to information only (the overview page's last section)."""
    admin = acting_admin(request)
    procedure = _procedure(code)
    try:
        # The service checks the reason (WithdrawReasonRequired); the form only renders the field.
        services.service_online_withdraw(procedure=procedure, reason=request.POST.get("reason", "")[:1000], actor=admin)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Đã ngừng cung cấp trực tuyến. Thủ tục chỉ còn cung cấp thông tin; hồ sơ đã nộp vẫn được giải quyết."),
        )
    return redirect("console:overview", code=code)


@province_admin_required
@require_POST
def publish(request: HttpRequest, code: str) -> HttpResponse:
    admin = acting_admin(request)
    procedure = _procedure(code)
    try:
        config = services.service_config_publish(procedure=procedure, actor=admin)
    except DomainError as exc:
        messages.error(request, str(exc) if not isinstance(exc, services.ServiceNotReady) else exc.message)
        return redirect("console:step", code=code, step="cong-bo")
    messages.success(
        request,
        _("Đã công bố phiên bản %(n)s của dịch vụ. Hồ sơ đã nộp giữ nguyên biểu mẫu và quy trình cũ.")
        % {"n": config.number},
    )
    return redirect("console:overview", code=code)


# ---------------------------------------------------------------- preview as a citizen

PREVIEW_PAGES = (
    ("thong-tin", "Thông tin dịch vụ"),
    ("to-khai", "Tờ khai"),
    ("giay-to", "Giấy tờ"),
    ("le-phi", "Lệ phí và nhận kết quả"),
)


@province_admin_required
def citizen_preview(request: HttpRequest, code: str) -> HttpResponse:
    """Walk what a citizen would meet with this configuration (the draft, else the one in force).

    Read only: nothing is written (no draft, no dossier, no file); the form is shown through
    the e-form builder's preview, which saves nothing either.
    """
    procedure = _procedure(code)
    config = selectors.config_for_display(procedure=procedure)
    page = request.GET.get("trang", PREVIEW_PAGES[0][0])
    slugs = [slug for slug, _title in PREVIEW_PAGES]
    if page not in slugs:
        page = slugs[0]
    index = slugs.index(page)
    pages = [
        {"slug": slug, "title": title, "current": slug == page, "number": i}
        for i, (slug, title) in enumerate(PREVIEW_PAGES, start=1)
    ]
    context = {
        "procedure": procedure,
        "config": config,
        "page": page,
        "pages": pages,
        "previous": slugs[index - 1] if index > 0 else "",
        "following": slugs[index + 1] if index + 1 < len(slugs) else "",
        "fees": selectors.fee_lines_preview(config=config),
    }
    return render(request, "console/preview.html", context)
