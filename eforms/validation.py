"""Server-side validation of submitted e-form data: the only judge of what is stored.

    validate_step(schema, step_key, data, *, answers_so_far) -> CleanResult
    validate_submission(schema, data) -> CleanResult

`schema` is a form definition (a FormVersion's `schema`) or its CompiledForm. `data` maps
field keys to raw values (a Django form's raw values, or JSON). For every field the rules
are evaluated here, with the same engine the browser may run (eforms.rules), over the clean
values: a hidden field is not validated and its value is dropped, whatever was sent. Visible
fields are cleaned (eforms.fields), then the cross-field checks run. The result is one
JSON-ready dict keyed by field keys, and the Vietnamese messages by field key
(NON_FIELD_ERRORS for a check whose fields are not on the page).

Pure Python over a compiled form (eforms.compiler): no database, no network.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .compiler import CompiledCheck, CompiledForm, CompiledStep, compile_form
from .constants import NON_FIELD_ERRORS
from .fields import FieldError

FormSource = Mapping[str, Any] | CompiledForm


@dataclass(frozen=True)
class CleanResult:
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def is_valid(self) -> bool:
        return not self.errors


def validate_submission(schema: FormSource, data: Mapping[str, Any]) -> CleanResult:
    """The whole form at once (the last step of a wizard, an API, an officer's entry).

    Values of hidden steps and fields are not in the result.
    """
    form = compile_form(schema)
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for step in form.steps:
        _clean_step(step, data, values, errors)
    _run_checks(form.checks, values, errors, on_page=None)
    return CleanResult(values, errors)


def validate_step(
    schema: FormSource, step_key: str, data: Mapping[str, Any], *, answers_so_far: Mapping[str, Any] | None = None
) -> CleanResult:
    """One step, given the clean answers of the steps before it.

    `answers_so_far` is re-checked too: only visible fields of earlier steps count (values of
    later steps, of this step or of fields since hidden are ignored). A hidden step gives an
    empty, valid result. The values returned are this step's only. Checks run at the step
    where the last of their fields is asked.
    """
    form = compile_form(schema)
    step = form.step(step_key)
    values = earlier_answers(form, step, answers_so_far or {})
    if step.visible_if is not None and not step.visible_if(values):
        return CleanResult()
    errors: dict[str, list[str]] = {}
    _clean_step(step, data, values, errors)
    _run_checks([c for c in form.checks if c.step_index == step.index], values, errors, on_page=step)
    own = step.field_keys
    return CleanResult({key: value for key, value in values.items() if key in own}, errors)


def visible_step_keys(schema: FormSource, answers: Mapping[str, Any]) -> list[str]:
    """Keys of the steps shown, given clean answers (a wizard's step list and its "Bước 2/4")."""
    form = compile_form(schema)
    values: dict[str, Any] = {}
    shown: list[str] = []
    for step in form.steps:
        if step.visible_if is None or step.visible_if(values):
            shown.append(step.key)
        _clean_step(step, answers, values, {})
    return shown


def step_is_visible(schema: FormSource, step_key: str, *, answers_so_far: Mapping[str, Any]) -> bool:
    form = compile_form(schema)
    step = form.step(step_key)
    if step.visible_if is None:
        return True
    return step.visible_if(earlier_answers(form, step, answers_so_far))


def earlier_answers(form: CompiledForm, step: CompiledStep, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers of the steps before `step` that still count: visible, and valid again."""
    values: dict[str, Any] = {}
    for earlier in form.steps[: step.index]:
        _clean_step(earlier, answers, values, {})
    return values


def _clean_step(
    step: CompiledStep, data: Mapping[str, Any], values: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    if step.visible_if is not None and not step.visible_if(values):
        return
    for compiled in step.order:
        if compiled.visible_if is not None and not compiled.visible_if(values):
            continue
        assert compiled.clean is not None  # noqa: S101 - display fields are never in step.order
        try:
            values[compiled.key] = compiled.clean(data.get(compiled.key), values)
        except FieldError as exc:
            errors[compiled.key] = exc.messages


def _run_checks(
    checks: Iterable[CompiledCheck],
    values: Mapping[str, Any],
    errors: dict[str, list[str]],
    *,
    on_page: CompiledStep | None,
) -> None:
    for check in checks:
        if check.when is not None and not check.when(values):
            continue
        if check.assertion(values):
            continue
        shown_here = check.targets if on_page is None else [k for k in check.targets if k in on_page.field_keys]
        target = shown_here[0] if shown_here else NON_FIELD_ERRORS
        errors.setdefault(target, []).append(check.message)
