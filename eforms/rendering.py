"""Django forms from an e-form: one form class per step, for the wizard (django-formtools).

    build_step_form(schema, step_key, *, initial=None, answers_so_far=None) -> type[forms.Form]

The class has one Django field per field of the step that the rules show given the earlier
answers (a field whose rule reads a field of the same step is rendered, marked with
`data-visible-if` for the browser, and decided by the server on submission). Labels, help
text, placeholders, options and headings are the admin's text: Django escapes them on output,
and help text (which Django's templates print with |safe) is escaped here, so a definition
cannot inject markup. The one piece of markup added here, the prefill source next to a value
(eforms.prefill.PrefillValues.origins), is built with format_html, which escapes its text.
A value the source confirms (PrefillValues.locked) is a disabled field: the posted value is ignored.

Django fields only carry raw values: the form's clean() calls eforms.validation.validate_step,
so the rules and messages live in one place and `cleaned_data` is the JSON-ready result.
"""

import contextlib
import json
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from django import forms
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.html import format_html
from django.utils.translation import gettext as _

from accounts.selectors import province_choices, ward_choices
from common.content_language import mark_content
from procedures.text import vietnamese_sort_key

from .compiler import CompiledField, CompiledForm, compile_form
from .constants import MAX_PATTERN_INPUT, MAX_ROWS, MAX_TEXT_LENGTH, MAX_TEXTAREA_LENGTH, FieldType
from .fields import resolve_date
from .rules import TODAY
from .validation import FormSource, earlier_answers, validate_step


class EformField(forms.Field):
    """Hands the raw value to the form's clean(); checking it is eforms.validation's job."""

    def __init__(self, *, eform_field: CompiledField, **kwargs: Any) -> None:
        self.eform_field = eform_field
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Any:
        return value


class DisplayField(forms.Field):
    """A heading or a paragraph of guidance: shown, never submitted."""

    display_only = True

    def __init__(self, *, eform_field: CompiledField, **kwargs: Any) -> None:
        self.eform_field = eform_field
        super().__init__(required=False, label="", **kwargs)

    def clean(self, value: Any) -> None:
        return None


class EformStepForm(forms.Form):
    """Base of the classes build_step_form makes."""

    required_css_class = "required"
    eform: ClassVar[CompiledForm]
    step_key: ClassVar[str]
    answers_so_far: ClassVar[Mapping[str, Any]]

    def clean(self) -> dict[str, Any]:
        raw = {name: self.cleaned_data.get(name) for name, f in self.fields.items() if isinstance(f, EformField)}
        result = validate_step(self.eform, self.step_key, raw, answers_so_far=self.answers_so_far)
        for key, messages in result.errors.items():
            self.add_error(key if key in self.fields else None, messages)
        return result.values


def build_step_form(
    schema: FormSource,
    step_key: str,
    *,
    initial: Mapping[str, Any] | None = None,
    answers_so_far: Mapping[str, Any] | None = None,
) -> type[forms.Form]:
    """A Form class for one step. `initial`: clean values to show (an earlier visit, a
    prefill); else each field's default. `answers_so_far`: clean answers of earlier steps."""
    form = compile_form(schema)
    step = form.step(step_key)
    context = earlier_answers(form, step, answers_so_far or {})
    initial = initial or {}
    # eforms.prefill.PrefillValues says who vouches for a prefilled value (shown with the field).
    origins: Mapping[str, str] = getattr(initial, "origins", {})
    locked: frozenset[str] = frozenset(getattr(initial, "locked", ()))
    attrs: dict[str, Any] = {"eform": form, "step_key": step.key, "answers_so_far": dict(context)}
    for compiled in step.fields:
        if compiled.visible_if is not None and not compiled.depends_on_own_step and not compiled.visible_if(context):
            continue
        attrs[compiled.key] = _django_field(
            compiled,
            initial.get(compiled.key),
            origin=origins.get(compiled.key),
            locked=compiled.key in locked and initial.get(compiled.key) is not None,
        )
    return type(f"EformStep_{step.key}", (EformStepForm,), attrs)


def _django_field(
    compiled: CompiledField, initial: Any, *, origin: str | None = None, locked: bool = False
) -> forms.Field:
    spec = compiled.spec
    widget = _widget(compiled)
    if compiled.depends_on_own_step:
        widget.attrs["data-visible-if"] = json.dumps(spec["visible_if"], ensure_ascii=False)
    if compiled.is_display:
        return DisplayField(eform_field=compiled, widget=widget)
    value = initial if initial is not None else _default(compiled)
    # The form's own words are Vietnamese data, marked so on an English page (WCAG 3.1.2).
    help_text = mark_content(spec.get("help_text", ""))
    if origin:
        marker = format_html('<span class="eform-prefill-origin">{}</span>', origin)
        help_text = format_html("{} {}", help_text, marker) if help_text else marker
    return EformField(
        eform_field=compiled,
        label=mark_content(compiled.label),
        help_text=help_text,
        # Only for the page (the `required` attribute, the marker): the server decides, and a
        # field a rule may hide on this page must not block the browser's submit.
        required=_required(compiled) and not compiled.depends_on_own_step,
        initial=_widget_value(compiled, value),
        widget=widget,
        # A value the population registry confirms: shown, not editable; Django then ignores
        # whatever is posted for it and keeps this initial value (Field.disabled).
        disabled=locked,
    )


def _required(compiled: CompiledField) -> bool:
    return compiled.type == FieldType.DECLARATION or bool(compiled.spec.get("required", False))


def _default(compiled: CompiledField) -> Any:
    default = compiled.spec.get("default")
    if compiled.type == FieldType.DATE and default == TODAY:
        return timezone.localdate().isoformat()
    return default


def _widget_value(compiled: CompiledField, value: Any) -> Any:
    """A clean value as its widget shows it."""
    if value is None:
        return None
    if compiled.type == FieldType.YES_NO and isinstance(value, bool):
        return "true" if value else "false"
    if compiled.type == FieldType.REPEATING_GROUP and isinstance(value, list):
        columns = {c.key: c for c in compiled.columns}
        return [
            {k: _widget_value(columns[k], v) if k in columns else v for k, v in row.items()}
            for row in value
            if isinstance(row, Mapping)
        ]
    return value


def _date_bound(bound: str | None) -> str | None:
    return resolve_date(bound, timezone.localdate).isoformat() if bound else None


class TelInput(forms.TextInput):
    input_type = "tel"


def _choices(spec: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [(option["value"], option["label"]) for option in spec["options"]]


def _widget(compiled: CompiledField) -> forms.Widget:
    spec, kind = compiled.spec, compiled.type
    attrs: dict[str, Any] = {}
    if spec.get("placeholder"):
        attrs["placeholder"] = spec["placeholder"]
    if kind in (FieldType.TEXT, FieldType.TEXTAREA):
        ceiling = MAX_TEXTAREA_LENGTH if kind == FieldType.TEXTAREA else MAX_TEXT_LENGTH
        if spec.get("pattern"):
            ceiling = MAX_PATTERN_INPUT  # as the cleaner (eforms.fields) allows
        attrs["maxlength"] = min(spec.get("max_length", ceiling), ceiling)
        return forms.Textarea(attrs={"rows": 4, **attrs}) if kind == FieldType.TEXTAREA else forms.TextInput(attrs)
    if kind in (FieldType.INTEGER, FieldType.MONEY):
        return forms.TextInput(attrs={"inputmode": "numeric", **attrs})
    if kind == FieldType.DECIMAL:
        return forms.TextInput(attrs={"inputmode": "decimal", **attrs})
    if kind == FieldType.DATE:
        bounds = {"min": _date_bound(spec.get("min")), "max": _date_bound(spec.get("max"))}
        return forms.DateInput(attrs={"type": "date", **{k: v for k, v in bounds.items() if v}}, format="%Y-%m-%d")
    if kind == FieldType.SELECT:
        return forms.Select(attrs=attrs, choices=[("", spec.get("placeholder") or _("— Chọn —")), *_choices(spec)])
    if kind == FieldType.RADIO:
        return forms.RadioSelect(choices=_choices(spec))
    if kind == FieldType.CHECKBOXES:
        return forms.CheckboxSelectMultiple(choices=_choices(spec))
    if kind == FieldType.YES_NO:
        return forms.RadioSelect(choices=[("true", _("Có")), ("false", _("Không"))])
    if kind == FieldType.EMAIL:
        return forms.EmailInput(attrs={"autocomplete": "email", **attrs})
    if kind == FieldType.PHONE:
        return TelInput(attrs={"autocomplete": "tel", "inputmode": "tel", **attrs})
    if kind == FieldType.CITIZEN_ID:
        return forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 12, "autocomplete": "off", **attrs})
    if kind == FieldType.TAX_CODE:
        return forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 14, "autocomplete": "off", **attrs})
    if kind == FieldType.ADDRESS:
        return AddressWidget()
    if kind == FieldType.FILE:
        return AttachmentWidget(spec)
    if kind == FieldType.REPEATING_GROUP:
        return RepeatingGroupWidget(compiled)
    if kind == FieldType.DECLARATION:
        return forms.CheckboxInput()
    if kind in (FieldType.HEADING, FieldType.HELP):
        return StaticTextWidget(compiled)
    raise ValueError(kind)


class StaticTextWidget(forms.Widget):
    template_name = "eforms/widgets/static_text.html"

    def __init__(self, compiled: CompiledField, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.heading = compiled.type == FieldType.HEADING
        self.title = "" if self.heading else compiled.spec.get("label", "")
        self.text = compiled.spec["label"] if self.heading else compiled.spec["text"]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"].update(heading=self.heading, title=self.title, text=self.text)
        return context

    def value_from_datadict(self, data: Any, files: Any, name: str) -> None:
        return None

    def use_required_attribute(self, initial: Any) -> bool:
        return False


class AddressWidget(forms.MultiWidget):
    """Province, then ward (the wards of the chosen province; without JavaScript they appear
    after the page is sent once), then house number and street."""

    template_name = "eforms/widgets/address.html"
    use_fieldset = True
    parts = ("province_code", "ward_code", "street")

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        widgets: dict[str, forms.Widget | type[forms.Widget]] = {
            "province_code": forms.Select(),
            "ward_code": forms.Select(),
            "street": forms.TextInput(attrs={"maxlength": 255, "autocomplete": "street-address"}),
        }
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, Mapping):
            return [value.get(part) for part in self.parts]
        return [None, None, None]

    def value_from_datadict(self, data: Any, files: Any, name: str) -> dict[str, Any]:  # type: ignore[override]
        values = super().value_from_datadict(data, files, name)
        return dict(zip(self.parts, values, strict=True))

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        chosen = value if isinstance(value, list) else self.decompress(value)
        try:
            province = int(chosen[0]) if chosen[0] not in (None, "") else None
        except (TypeError, ValueError):
            province = None
        province_select, ward_select = self.widgets[0], self.widgets[1]
        assert isinstance(province_select, forms.Select)  # noqa: S101 - built in __init__
        assert isinstance(ward_select, forms.Select)  # noqa: S101
        province_select.choices = [("", _("— Chọn tỉnh, thành phố —")), *province_choices()]
        wards = ward_choices(province_code=province) if province else []
        ward_select.choices = [
            ("", _("— Chọn xã, phường —")),
            *sorted(wards, key=lambda choice: vietnamese_sort_key(choice[1])),
        ]
        with contextlib.suppress(NoReverseMatch):  # the wards endpoint, for the script that cascades
            ward_select.attrs["data-wards-url"] = reverse("accounts:wards")
        context = super().get_context(name, value, attrs)
        labels = (_("Tỉnh, thành phố"), _("Xã, phường, đặc khu"), _("Số nhà, đường, thôn, tổ"))
        context["widget"]["parts"] = [
            {"label": label, "widget": sub} for label, sub in zip(labels, context["widget"]["subwidgets"], strict=True)
        ]
        return context

    def use_required_attribute(self, initial: Any) -> bool:
        return False  # the parts are checked together on the server


class AttachmentWidget(forms.Widget):
    """The file chooser of a dossier component, and the attachment ids already uploaded.

    Turning the upload into an attachment (type and size checks, storage) is the dossiers
    app's job; the value submitted to eforms is the attachment id (or ids).
    """

    template_name = "eforms/widgets/attachment.html"

    def __init__(self, spec: Mapping[str, Any], attrs: dict[str, Any] | None = None) -> None:
        own: dict[str, Any] = {}
        if spec.get("accept"):
            own["accept"] = ",".join(spec["accept"])
        if spec.get("multiple"):
            own["multiple"] = True
        super().__init__({**own, **(attrs or {})})
        self.multiple = bool(spec.get("multiple"))
        self.max_size_mb = spec.get("max_size_mb")

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        refs = value if isinstance(value, list) else [value] if value not in (None, "") else []
        hint = _("Dung lượng tối đa %(size)s MB.") % {"size": self.max_size_mb} if self.max_size_mb else ""
        context["widget"].update(refs=[str(ref) for ref in refs], hint=hint)
        return context

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        if self.multiple:
            return data.getlist(name) if isinstance(data, MultiValueDict) else data.get(name)
        return data.get(name)

    def use_required_attribute(self, initial: Any) -> bool:
        return False  # an attachment already uploaded leaves the chooser empty


class RepeatingGroupWidget(forms.Widget):
    """A table: one row per entry, one column per sub-field; a spare empty row to add one.

    Inputs are named <key>-<row>-<column> (rows from 0). Empty rows are ignored by validation.
    """

    template_name = "eforms/widgets/repeating_group.html"
    use_fieldset = True

    def __init__(self, compiled: CompiledField, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.columns: Sequence[tuple[CompiledField, forms.Widget]] = [(c, _widget(c)) for c in compiled.columns]
        self.min_rows = int(compiled.spec.get("min_rows", 0))
        self.max_rows = min(int(compiled.spec.get("max_rows", MAX_ROWS)), MAX_ROWS)

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[dict[str, Any]]:
        prefix = f"{name}-"
        keys = {column.key for column, _widget in self.columns}
        indexes: set[int] = set()
        for data_key in data:
            if not isinstance(data_key, str) or not data_key.startswith(prefix):
                continue
            index, separator, column = data_key[len(prefix) :].partition("-")
            if separator and index.isdigit() and column in keys and int(index) < self.max_rows:
                indexes.add(int(index))
        return [
            {
                column.key: widget.value_from_datadict(data, files, f"{name}-{index}-{column.key}")
                for column, widget in self.columns
            }
            for index in sorted(indexes)
        ]

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return False

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        rows: list[Mapping[str, Any]] = (
            [row for row in value if isinstance(row, Mapping)] if isinstance(value, list) else []
        )
        count = min(max(len(rows) + 1, self.min_rows, 1), self.max_rows)
        base_id = (attrs or {}).get("id") or f"id_{name}"
        cells = []
        for index in range(count):
            row = rows[index] if index < len(rows) else {}
            cells.append(
                [
                    widget.get_context(
                        f"{name}-{index}-{column.key}",
                        _widget_value(column, row.get(column.key)),
                        {
                            "id": f"{base_id}-{index}-{column.key}",
                            "aria-label": _("%(column)s, dòng %(n)s") % {"column": column.label, "n": index + 1},
                        },
                    )["widget"]
                    for column, widget in self.columns
                ]
            )
        hint = _("Để trống dòng cuối nếu không cần thêm; tối đa %(n)s dòng.") % {"n": self.max_rows}
        context["widget"].update(
            rows=cells, column_labels=[c.label for c, _w in self.columns], row_heading=_("STT"), hint=hint
        )
        return context

    def use_required_attribute(self, initial: Any) -> bool:
        return False
