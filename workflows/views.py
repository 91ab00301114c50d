"""Province admins edit a procedure's workflow in the browser: steps, roles, time shares, actions."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import acting_admin, province_admin_required
from common.constants import VersionState
from common.errors import DomainError
from procedures.models import Procedure

from .engine import steps_of
from .forms import StepFormSet, step_initial
from .models import Workflow, WorkflowVersion
from .services import workflow_draft_save, workflow_version_clone, workflow_version_publish


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
