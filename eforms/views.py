"""E-form pages for province admins: the builder (list, edit, live preview, publish, clone, import,
export) and a preview of any version with the citizens' wizard."""

import json
from typing import Any

from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.permissions import acting_admin, province_admin_required
from common.errors import DomainError
from procedures.models import Procedure

from .constants import FieldType
from .exceptions import FormVersionNotFound, InvalidForm, PublishedVersionImmutable
from .forms import ImportForm, SchemaForm
from .models import FormVersion
from .prefill import choices as prefill_choices
from .rendering import build_step_form
from .selectors import form_version_get, form_versions_of, procedures_with_forms
from .services import (
    form_draft_start,
    form_export,
    form_import,
    form_problems,
    form_version_clone,
    form_version_publish,
    form_version_update,
    parse_form_json,
)
from .wizard import EformWizardView


class EformPreviewWizard(EformWizardView):
    """The wizard citizens get, for any version (draft or published); the end shows the JSON, saves nothing."""

    submit_label = gettext_lazy("Hoàn tất xem thử")
    allow_restart = True

    def get_version(self) -> FormVersion:
        try:
            return form_version_get(pk=self.kwargs["version_id"])
        except FormVersionNotFound as exc:
            raise Http404(str(exc)) from None

    def get_context_data(self, form: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(form=form, **kwargs)
        context["preview"] = True
        return context

    def on_complete(self, values: dict[str, Any]) -> HttpResponse:
        output = json.dumps(values, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        context = {"version": self.form_version, "form_title": self.form_title(), "output": output}
        return render(self.request, "eforms/preview_result.html", context)


_preview_wizard = EformPreviewWizard.as_view()


@province_admin_required
def form_preview(request: HttpRequest, version_id: int) -> HttpResponse:
    """/quan-tri/bieu-mau/<id>/xem-thu/: province admins and superusers only (403 otherwise)."""
    response: HttpResponse = _preview_wizard(request, version_id=version_id)
    return response


# --- the builder -------------------------------------------------------------------------------


def _procedure(code: str) -> Procedure:
    return get_object_or_404(Procedure, code=code)


def _version(version_id: int) -> FormVersion:
    try:
        return form_version_get(pk=version_id)
    except FormVersionNotFound as exc:
        raise Http404(str(exc)) from None


@province_admin_required
def form_index(request: HttpRequest) -> HttpResponse:
    """/quan-tri/bieu-mau/: every procedure, with its form's published and draft versions."""
    rows = []
    for procedure in procedures_with_forms():
        versions = [v for definition in procedure.eform_definitions for v in definition.versions.all()]  # type: ignore[attr-defined]
        rows.append(
            {
                "procedure": procedure,
                "published": next((v for v in versions if v.is_published), None),
                "draft": next((v for v in versions if not v.is_published), None),
            }
        )
    return render(request, "eforms/builder/index.html", {"rows": rows})


@province_admin_required
def form_procedure(request: HttpRequest, code: str) -> HttpResponse:
    """One procedure's form: its versions, start a draft, import, export, preview."""
    procedure = _procedure(code)
    versions = form_versions_of(procedure=procedure)
    context = {
        "procedure": procedure,
        "versions": versions,
        "draft": next((v for v in versions if not v.is_published), None),
        "import_form": ImportForm(),
    }
    return render(request, "eforms/builder/procedure.html", context)


@province_admin_required
@require_POST
def form_start(request: HttpRequest, code: str) -> HttpResponse:
    admin = acting_admin(request)
    draft = form_draft_start(procedure=_procedure(code), actor=admin)
    return redirect("eforms:edit", version_id=draft.pk)


@province_admin_required
@require_POST
def form_import_view(request: HttpRequest, code: str) -> HttpResponse:
    admin = acting_admin(request)
    procedure = _procedure(code)
    form = ImportForm(request.POST, request.FILES)
    errors: list[str] = []
    if form.is_valid():
        try:
            draft = form_import(procedure=procedure, raw=form.cleaned_data["file"].read(), actor=admin)
        except InvalidForm as exc:
            errors = list(exc.errors)
        else:
            messages.success(request, _("Đã nhập biểu mẫu vào bản nháp phiên bản %(n)s.") % {"n": draft.number})
            return redirect("eforms:edit", version_id=draft.pk)
    versions = form_versions_of(procedure=procedure)
    context = {
        "procedure": procedure,
        "versions": versions,
        "draft": next((v for v in versions if not v.is_published), None),
        "import_form": form,
        "import_errors": errors,
    }
    return render(request, "eforms/builder/procedure.html", context, status=400)


@province_admin_required
def form_export_view(request: HttpRequest, version_id: int) -> HttpResponse:
    version = _version(version_id)
    response = HttpResponse(form_export(version=version), content_type="application/json; charset=utf-8")
    filename = f"bieu-mau-{version.definition.procedure.code}-v{version.number}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _builder_config(version: FormVersion) -> dict[str, Any]:
    """What the page's script needs besides the schema: type names, components, prefill sources."""
    procedure = version.definition.procedure
    return {
        "types": [{"value": value, "label": str(label)} for value, label in FieldType.choices],
        "components": list(procedure.components.order_by("order", "id").values_list("name", flat=True)),
        "prefill": [{"value": value, "label": label} for value, label in prefill_choices()],
        "previewUrl": reverse("eforms:live_preview", kwargs={"version_id": version.pk}),
    }


@province_admin_required
def form_edit(request: HttpRequest, version_id: int) -> HttpResponse:
    """The builder: GET shows the draft, POST saves the whole posted definition (form_version_update)."""
    admin = acting_admin(request)
    version = _version(version_id)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        form = SchemaForm(request.POST)
        if version.is_published:
            errors = [str(PublishedVersionImmutable.message)]
        elif form.is_valid():
            try:
                form_version_update(version=version, schema=parse_form_json(form.raw()), actor=admin)
            except InvalidForm as exc:
                errors = list(exc.errors)
            except DomainError as exc:
                errors = [str(exc)]
            else:
                messages.success(request, _("Đã lưu bản nháp phiên bản %(n)s.") % {"n": version.number})
                return redirect("eforms:edit", version_id=version.pk)
        else:
            errors = [str(message) for messages_ in form.errors.values() for message in messages_]
        status = 400
    else:
        form = SchemaForm(initial={"schema": form_export(version=version)})
    context = {
        "version": version,
        "procedure": version.definition.procedure,
        "form": form,
        "errors": errors,
        "config": _builder_config(version),
    }
    return render(request, "eforms/builder/edit.html", context, status=status)


@province_admin_required
def form_publish(request: HttpRequest, version_id: int) -> HttpResponse:
    """GET asks to confirm; POST publishes (form_version_publish, idempotent)."""
    admin = acting_admin(request)
    version = _version(version_id)
    if request.method != "POST":
        return render(request, "eforms/builder/publish.html", {"version": version})
    try:
        form_version_publish(version=version, actor=admin)
    except InvalidForm as exc:
        return render(request, "eforms/builder/publish.html", {"version": version, "errors": exc.errors}, status=400)
    messages.success(
        request, _("Đã ban hành phiên bản %(n)s. Hồ sơ mới sẽ điền theo phiên bản này.") % {"n": version.number}
    )
    return redirect("eforms:procedure", code=version.definition.procedure.code)


@province_admin_required
@require_POST
def form_clone(request: HttpRequest, version_id: int) -> HttpResponse:
    admin = acting_admin(request)
    version = _version(version_id)
    try:
        draft = form_version_clone(version=version, actor=admin)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("eforms:procedure", code=version.definition.procedure.code)
    messages.success(
        request,
        _("Đã tạo bản nháp phiên bản %(n)s từ phiên bản %(from)s.") % {"n": draft.number, "from": version.number},
    )
    return redirect("eforms:edit", version_id=draft.pk)


@province_admin_required
@require_POST
def form_live_preview(request: HttpRequest, version_id: int) -> JsonResponse:
    """The builder's live preview: the posted definition's step rendered as citizens get it.

    Takes `schema` (JSON text) and `step` (a step key); answers {"errors": [...], "html": "..."}.
    Saves nothing; the errors are those a save would give.
    """
    version = _version(version_id)
    try:
        schema = parse_form_json(request.POST.get("schema", "").encode())
        errors = form_problems(procedure=version.definition.procedure, schema=schema)
    except InvalidForm as exc:
        return JsonResponse({"errors": exc.errors, "html": ""})
    if errors:
        return JsonResponse({"errors": errors, "html": ""})
    step_keys = [step["key"] for step in schema["steps"]]
    step_key = request.POST.get("step") or step_keys[0]
    if step_key not in step_keys:
        step_key = step_keys[0]
    form_class = build_step_form(schema, step_key)
    step = schema["steps"][step_keys.index(step_key)]
    html = render_to_string(
        "eforms/builder/_preview.html",
        {
            "form": form_class(prefix="xem-truoc"),
            "step": step,
            "step_number": step_keys.index(step_key) + 1,
            "step_count": len(step_keys),
        },
        request=request,
    )
    return JsonResponse({"errors": [], "html": html})
