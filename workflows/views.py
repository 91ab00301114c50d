"""Province admins edit a procedure's workflow in the browser (steps, roles, time shares, actions)
and the province's working calendar, year by year."""

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import acting_admin, province_admin_required
from common.constants import VersionState
from common.errors import DomainError
from procedures.models import Procedure

from .engine import steps_of
from .forms import CalendarOverrideForm, CalendarYearConfirmForm, StepFormSet, step_initial
from .models import Workflow, WorkflowVersion
from .selectors import calendar_unconfirmed_warning, calendar_year_get, calendar_year_list
from .services import (
    calendar_override_remove,
    calendar_override_set,
    calendar_year_confirm,
    calendar_year_unconfirm,
    workflow_draft_save,
    workflow_version_clone,
    workflow_version_publish,
)


@province_admin_required
def workflow_index(request: HttpRequest) -> HttpResponse:
    procedures = Procedure.objects.select_related("sector").prefetch_related("workflows__versions").order_by("code")
    return render(request, "workflows/index.html", {"procedures": procedures})


@province_admin_required
def workflow_edit(request: HttpRequest, code: str) -> HttpResponse:
    """Edit the draft (or start one from the published version / the default)."""
    admin = acting_admin(request)
    procedure = get_object_or_404(Procedure, code=code)
    workflow = Workflow.objects.filter(procedure=procedure).first()
    versions = list(workflow.versions.order_by("-number")) if workflow else []
    draft = next((v for v in versions if v.state == VersionState.DRAFT), None)
    published = next((v for v in versions if v.state == VersionState.PUBLISHED), None)
    source = draft or published
    steps: list[dict[str, Any]] = source.definition["steps"] if source else []
    step_keys = [s["key"] for s in steps]
    errors: list[str] = []
    if request.method == "POST":
        posted_keys = [v for k, v in request.POST.items() if k.startswith("steps-") and k.endswith("-key") and v]
        formset = StepFormSet(request.POST, prefix="steps", form_kwargs={"step_keys": posted_keys})
        if formset.is_valid():
            kept = [f for f in formset.forms if f.cleaned_data.get("key") and not f.cleaned_data.get("DELETE")]
            kept.sort(key=lambda f: (f.cleaned_data.get("ORDER") is None, f.cleaned_data.get("ORDER") or 0))
            definition = {"steps": [form.to_step() for form in kept]}
            try:
                workflow_draft_save(procedure=procedure, definition=definition, actor=admin)
            except DomainError as exc:
                errors = list(getattr(exc, "errors", [str(exc)]))
            else:
                messages.success(request, _("Đã lưu bản nháp quy trình."))
                return redirect("workflows:edit", code=code)
    else:
        initial = [{**step_initial(step), "ORDER": index} for index, step in enumerate(steps, start=1)]
        formset = StepFormSet(prefix="steps", initial=initial, form_kwargs={"step_keys": step_keys})
    return render(
        request,
        "workflows/edit.html",
        {
            "procedure": procedure,
            "formset": formset,
            "draft": draft,
            "published": published,
            "errors": errors,
            "preview": steps_of(source.definition) if source else [],
        },
    )


@province_admin_required
@require_POST
def workflow_publish(request: HttpRequest, code: str) -> HttpResponse:
    admin = acting_admin(request)
    draft = get_object_or_404(WorkflowVersion, workflow__procedure__code=code, state=VersionState.DRAFT)
    try:
        version = workflow_version_publish(version=draft, actor=admin)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("Đã ban hành phiên bản %(n)s. Hồ sơ mới sẽ theo phiên bản này.") % {"n": version.number}
        )
    return redirect("workflows:edit", code=code)


@province_admin_required
@require_POST
def workflow_clone(request: HttpRequest, code: str) -> HttpResponse:
    admin = acting_admin(request)
    published = (
        WorkflowVersion.objects.filter(workflow__procedure__code=code, state=VersionState.PUBLISHED)
        .order_by("-number")
        .first()
    )
    if published is None:
        messages.error(request, _("Chưa có phiên bản đã ban hành để sao chép."))
    else:
        try:
            workflow_version_clone(version=published, actor=admin)
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Đã tạo bản nháp từ phiên bản đang áp dụng."))
    return redirect("workflows:edit", code=code)


# ---------------------------------------------------------------- the working calendar


def _year_in_range(year: int) -> int:
    if not 2000 <= year <= 2200:
        raise Http404(_("Không có lịch cho năm này."))
    return year


@province_admin_required
def calendar_index(request: HttpRequest) -> HttpResponse:
    return redirect("workflows:calendar_year", year=timezone.localdate().year)


@province_admin_required
def calendar_year(request: HttpRequest, year: int) -> HttpResponse:
    """/quan-tri/lich/<year>/: the effective calendar of a year, its confirmation, and the overrides.

    POST with `thao_tac` = "xac-nhan" (confirm by letter), "bo-xac-nhan", "them-ngay" (add or
    replace an override) or "bo-ngay" (remove one); each through one service.
    """
    year = _year_in_range(year)
    admin = acting_admin(request)
    confirm_form = CalendarYearConfirmForm(prefix="xn")
    override_form = CalendarOverrideForm(prefix="ngay")
    if request.method == "POST":
        operation = request.POST.get("thao_tac", "")
        try:
            if operation == "xac-nhan":
                confirm_form = CalendarYearConfirmForm(request.POST, prefix="xn")
                if confirm_form.is_valid():
                    data = confirm_form.cleaned_data
                    calendar_year_confirm(
                        year=year, letter_number=data["letter_number"], letter_date=data["letter_date"],
                        note=data["note"], actor=admin,
                    )  # fmt: skip
                    messages.success(request, _("Đã xác nhận lịch năm %(year)s.") % {"year": year})
                    return redirect("workflows:calendar_year", year=year)
            elif operation == "bo-xac-nhan":
                calendar_year_unconfirm(year=year, actor=admin)
                messages.success(request, _("Đã bỏ xác nhận lịch năm %(year)s.") % {"year": year})
                return redirect("workflows:calendar_year", year=year)
            elif operation == "them-ngay":
                override_form = CalendarOverrideForm(request.POST, prefix="ngay")
                if override_form.is_valid():
                    data = override_form.cleaned_data
                    calendar_override_set(day=data["date"], kind=data["kind"], reason=data["reason"], actor=admin)
                    messages.success(request, _("Đã lưu ngày %(day)s.") % {"day": f"{data['date']:%d/%m/%Y}"})
                    return redirect("workflows:calendar_year", year=data["date"].year)
            elif operation == "bo-ngay":
                day = parse_date_text(request.POST.get("ngay", ""))
                if day is not None:
                    calendar_override_remove(day=day, actor=admin)
                    messages.success(request, _("Đã trả ngày %(day)s về lịch quốc gia.") % {"day": f"{day:%d/%m/%Y}"})
                return redirect("workflows:calendar_year", year=year)
        except DomainError as exc:
            messages.error(request, str(exc))
    page = calendar_year_get(year=year)
    return render(
        request,
        "workflows/calendar_year.html",
        {
            "page": page,
            "confirm_form": confirm_form,
            "override_form": override_form,
            "years": range(timezone.localdate().year - 1, timezone.localdate().year + 3),
            "confirmations": calendar_year_list(),
            "warning": calendar_unconfirmed_warning(),
        },
    )


def parse_date_text(text: str) -> dt.date | None:
    """A date in any of DATE_INPUT_FORMATS (dd/mm/yyyy first), or None."""
    field = forms.DateField()
    try:
        return field.clean(text)
    except forms.ValidationError:
        return None
