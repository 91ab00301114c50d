"""The e-form wizard: one page per visible step of a FormVersion, a check-your-answers page, one clean JSON.

django-formtools drives the pages (SessionWizardView: the raw input of each step is kept in
the session). Its form list is not fixed: on every request it is rebuilt from the version's
schema, in order, as `build_step_form(schema, step, answers_so_far=<clean answers of the
steps before>)` for each step that eforms.validation says is shown given those answers, then
the check-your-answers page (REVIEW_STEP). Every step is validated on the server again
whenever it is read; when the review page is sent, every step is re-validated, then
`validate_submission` makes the one JSON document (hidden fields dropped) handed to
`on_complete`.

Two ways to use it (the citizen's dossier flow, the admin's preview):

    class DossierFormWizard(EformWizardView):
        def get_version(self) -> FormVersion:          # or pass version= to as_view()
            return form_version_get(pk=self.kwargs["version_id"])

        def on_complete(self, values: dict[str, Any]) -> HttpResponse:
            dossier = dossier_submit(..., form_data=values)   # a DomainError is shown on the review page
            return redirect(dossier)

    # or, in a function view that knows the version and the prefill at request time:
    return eform_wizard(request, version=version, prefill=profile_values, on_complete=submit)

Navigation works without JavaScript: a successful step answers with a redirect to
`?buoc=<next step>` (so reloading never re-sends a page, and the browser's back button
shows the previous step), "Quay lại" is formtools' `wizard_goto_step` (the input of the page
is kept, unchecked, for when the user comes back), and the review page's "Sửa" links are
`?buoc=<step>&sua=1`, after which the user returns to the review page. A GET resumes where
the user was; a POST of `eform_restart` forgets the answers (the preview offers it). Nobody
can jump past a step that has no valid answers.
"""

import json
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from formtools.wizard.forms import ManagementForm
from formtools.wizard.views import SessionWizardView

from common.errors import DomainError, DomainErrors

from .compiler import CompiledForm, CompiledStep, compile_form
from .constants import NON_FIELD_ERRORS
from .display import Answer, value_text
from .exceptions import InvalidForm
from .models import FormVersion
from .rendering import RepeatingGroupWidget, build_step_form
from .rules import referenced_fields
from .validation import step_is_visible, validate_submission

REVIEW_STEP = "kiem-tra"  # schema step keys match ^[a-z][a-z0-9_]*$: a hyphen never collides
STEP_PARAM = "buoc"
CHANGE_PARAM = "sua"  # came from a "Sửa" link: go back to the review page once the answers are complete
RESTART_FIELD = "eform_restart"

OnComplete = Callable[[dict[str, Any]], HttpResponse]


class ReviewForm(forms.Form):
    """The check-your-answers page: nothing to fill in; sending it finishes the wizard."""


@dataclass(frozen=True)
class ProgressItem:
    key: str
    title: str
    done: bool
    current: bool


@dataclass(frozen=True)
class ReviewRow:
    key: str
    answer: Answer
    change_url: str


@dataclass(frozen=True)
class ReviewSection:
    key: str
    title: str
    rows: list[ReviewRow] = field(default_factory=list)


@dataclass(frozen=True)
class _Walk:
    """The wizard's state read from storage: shown steps (form classes), their answers, what is done."""

    form_list: "OrderedDict[str, type[forms.Form]]"
    answers: dict[str, Any]  # clean values of the shown steps whose stored input is valid
    complete: frozenset[str]
    first_incomplete: str | None

    @property
    def steps(self) -> list[str]:
        return [key for key in self.form_list if key != REVIEW_STEP]

    def reachable(self, wanted: str | None) -> str:
        """`wanted` if it is shown and no step before it lacks answers; else the first step that does."""
        order = list(self.form_list)
        limit = self.first_incomplete or REVIEW_STEP
        if wanted is not None and wanted in self.form_list and order.index(wanted) <= order.index(limit):
            return wanted
        return limit


def field_anchor(bound: forms.BoundField) -> str:
    """The id of the first input of a field: where an error link or a "Sửa" link should land."""
    widget = bound.field.widget
    if isinstance(widget, RepeatingGroupWidget) and widget.columns:
        return f"{bound.auto_id}-0-{widget.columns[0][0].key}"
    return bound.id_for_label or f"{bound.auto_id}_0"  # radio buttons, checkboxes, address parts


class EformWizardView(SessionWizardView):  # type: ignore[misc]  # formtools ships no type hints
    """The wizard of one FormVersion. Configure with as_view() keyword arguments or by subclassing:

    version     the FormVersion to fill (or override get_version(), e.g. from self.kwargs)
    prefill     clean values by field key shown until the user answers (profile, registry)
    complete    callback(values) -> HttpResponse, used by the default on_complete()
    storage_key distinguishes two wizards of the same version in one session (e.g. a dossier code)
    """

    template_name = "eforms/wizard.html"
    review_template_name = "eforms/review.html"
    submit_label = gettext_lazy("Gửi")
    allow_restart = False  # a button that forgets the answers (the admin's preview)
    version: FormVersion | None = None
    prefill: Mapping[str, Any] | None = None
    complete: OnComplete | None = None
    storage_key: str = ""

    form_version: FormVersion
    compiled: CompiledForm

    @classmethod
    def get_initkwargs(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        # The steps come from the version's schema at request time (get_form_list), not from as_view().
        return {"form_list": OrderedDict(), "initial_dict": {}, "instance_dict": {}, "condition_dict": {}, **kwargs}

    # --- hooks ---------------------------------------------------------------------------

    def get_version(self) -> FormVersion:
        if self.version is None:
            raise ImproperlyConfigured(f"{type(self).__name__} needs a version: as_view(version=...) or get_version().")
        return self.version

    def on_complete(self, values: dict[str, Any]) -> HttpResponse:
        """The answers are complete and valid: `values` is the clean JSON document, keyed by field key,
        hidden fields left out. Return the response (usually a redirect). Raise a DomainError to show its
        message on the review page and keep the answers; once this returns, the answers are forgotten."""
        if self.complete is None:
            raise ImproperlyConfigured(f"{type(self).__name__} needs on_complete() or as_view(complete=...).")
        return self.complete(values)

    def form_title(self) -> str:
        return str(self.compiled.schema.get("title") or self.form_version.definition.name)

    def on_step(self, step_key: str, answers: dict[str, Any]) -> None:
        """A step was accepted; `answers` are the clean answers so far (e.g. to autosave a draft)."""

    # --- formtools plumbing --------------------------------------------------------------

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.form_version = self.get_version()
        try:
            self.compiled = compile_form(self.form_version.schema)
        except InvalidForm as exc:  # a definition the current rules no longer accept
            context = {"errors": exc.errors, "version": self.form_version}
            return render(request, "eforms/unavailable.html", context, status=exc.http_status)
        response: HttpResponse = super().dispatch(request, *args, **kwargs)
        return response

    def get_prefix(self, request: HttpRequest, *args: Any, **kwargs: Any) -> str:
        """The session key: one set of answers per wizard class, version (and storage_key)."""
        scope = f"_{self.storage_key}" if self.storage_key else ""
        return f"eform_{type(self).__name__.lower()}_{self.form_version.pk}{scope}"

    def get_form_list(self) -> "OrderedDict[str, type[forms.Form]]":
        return self._walk().form_list.copy()

    def get_form_initial(self, step: str) -> dict[str, Any]:
        return {}  # the prefill and defaults are in the form class (build_step_form's initial)

    def get_form_step_data(self, form: forms.Form) -> dict[str, list[Any]]:
        """Only the page's own inputs go to the session (no CSRF token, no other step's names)."""
        return _own_data(form.prefix or "", form.data)

    def get_form_step_files(self, form: forms.Form) -> dict[str, Any]:
        return {}  # uploads become attachments in the dossiers app; a step's value is the attachment id

    def get_template_names(self) -> list[str]:
        return [self.review_template_name if self.steps.current == REVIEW_STEP else self.template_name]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Resume: the step asked for (?buoc=), else where the user was, never past a step lacking answers."""
        walk = self._walk()
        step = walk.reachable(request.GET.get(STEP_PARAM) or self.storage.current_step)
        self.storage.current_step = step
        return self.render(self._navigation_form(step))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if RESTART_FIELD in request.POST:
            self.storage.reset()
            return HttpResponseRedirect(request.path)
        posted = self._posted_step()
        form_list = self.get_form_list()
        if posted is not None and posted not in form_list:
            # A page of a step that is no longer shown (an old tab, a forged form): resume instead.
            return HttpResponseRedirect(self._url())
        goto = request.POST.get("wizard_goto_step")
        if goto and goto not in form_list:
            # formtools would take a stale "Quay lại" for "Tiếp tục"; it means the step before this page.
            return self.render_goto_step(self.get_prev_step(posted) or next(iter(form_list)))
        response: HttpResponse = super().post(request, *args, **kwargs)
        return response

    def render_next_step(self, form: forms.Form, **kwargs: Any) -> HttpResponse:
        walk = self._walk()  # rebuilt: formtools dropped the cached list after storing this step
        current = self.steps.current
        self.on_step(current, dict(walk.answers))
        changing = CHANGE_PARAM in self.request.GET
        wanted = (walk.first_incomplete or REVIEW_STEP) if changing else self.get_next_step(current)
        target = walk.reachable(wanted)
        self.storage.current_step = target
        return HttpResponseRedirect(self._url(target, changing=changing))

    def render_goto_step(self, goto_step: str, **kwargs: Any) -> HttpResponse:
        """Back ("Quay lại"): keep what was typed on this page (checked when it is sent), show the step asked for."""
        page = self._posted_step()
        if page is not None and page != REVIEW_STEP and page in self.get_form_list():
            self.storage.set_step_data(page, _own_data(page, self.request.POST))
            self._forget()
        target = self._walk().reachable(goto_step)
        self.storage.current_step = target
        return HttpResponseRedirect(self._url(target, changing=CHANGE_PARAM in self.request.GET))

    def render_done(self, form: forms.Form, **kwargs: Any) -> HttpResponse:
        """The review page was sent: every shown step is validated again before done()."""
        final_forms: OrderedDict[str, forms.Form] = OrderedDict()
        for step in self.get_form_list():
            step_form = self.get_form(step=step, data=self.storage.get_step_data(step))
            if not step_form.is_valid():
                return self.render_revalidation_failure(step, step_form, **kwargs)
            final_forms[step] = step_form
        # Unlike formtools, the answers are forgotten only once on_complete() succeeded (see done()).
        return self.done(list(final_forms.values()), form_dict=final_forms, **kwargs)

    def done(self, form_list: list[forms.Form], **kwargs: Any) -> HttpResponse:
        answers: dict[str, Any] = {}
        for step_form in form_list:
            answers.update(step_form.cleaned_data)
        result = validate_submission(self.compiled, answers)
        if not result.is_valid:  # the steps passed one by one; the whole is judged once more
            return self._render_review(errors=self._labelled(result.errors))
        try:
            response = self.on_complete(result.values)
        except DomainError as exc:
            messages = [str(exc.message), *exc.errors] if isinstance(exc, DomainErrors) else [str(exc)]
            return self._render_review(errors=messages)
        self.storage.reset()
        return response

    def get_context_data(self, form: forms.Form, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(form=form, **kwargs)
        walk = self._walk()
        current = self.steps.current
        steps = walk.steps
        changing = CHANGE_PARAM in self.request.GET
        context.update(
            version=self.form_version,
            form_title=self.form_title(),
            progress=self._progress(walk, current),
            step_count=len(steps),
            prev_step=self.get_prev_step(current),
            submit_label=self.submit_label,
            restart_field=RESTART_FIELD,
            allow_restart=self.allow_restart,
            form_action=self._url(current, changing=changing) if current != REVIEW_STEP else self._url(REVIEW_STEP),
        )
        if current == REVIEW_STEP:
            context["review"] = self._review(walk)
            context.setdefault("review_errors", [])
        else:
            step = self.compiled.step(current)
            context.update(
                step=step,
                step_number=steps.index(current) + 1,
                error_links=[
                    {"anchor": field_anchor(bound), "label": bound.label, "message": message}
                    for bound in form
                    for message in bound.errors
                ],
                page_rules=self._page_rules(step, walk),
                has_required=any(django_field.required for django_field in form.fields.values()),
            )
        return context

    # --- helpers -------------------------------------------------------------------------

    def _walk(self) -> _Walk:
        """Which steps are shown and what has been answered, from the stored input; cached until the
        storage changes (formtools drops `_resolved_form_list` after it stores a step)."""
        walk: _Walk | None = self.__dict__.get("_eform_walk")
        if walk is not None and self.__dict__.get("_resolved_form_list") is walk.form_list:
            return walk
        form_list: OrderedDict[str, type[forms.Form]] = OrderedDict()
        answers: dict[str, Any] = {}
        complete: set[str] = set()
        first_incomplete: str | None = None
        for step in self.compiled.steps:
            if not step_is_visible(self.compiled, step.key, answers_so_far=answers):
                continue
            form_class = build_step_form(self.compiled, step.key, initial=self.prefill, answers_so_far=answers)
            form_list[step.key] = form_class
            data = self.storage.get_step_data(step.key)
            bound = form_class(data=data, prefix=step.key) if data is not None else None
            if bound is not None and bound.is_valid():
                answers.update(bound.cleaned_data)
                complete.add(step.key)
            elif first_incomplete is None:
                first_incomplete = step.key
        form_list[REVIEW_STEP] = ReviewForm
        walk = _Walk(form_list, answers, frozenset(complete), first_incomplete)
        self._eform_walk = walk
        self._resolved_form_list = form_list  # formtools deletes these two when a step is stored
        self._cache_signature = None
        return walk

    def _forget(self) -> None:
        self.__dict__.pop("_resolved_form_list", None)
        self.__dict__.pop("_eform_walk", None)

    def _posted_step(self) -> str | None:
        management = ManagementForm(self.request.POST, prefix=self.prefix)
        if not management.is_valid():
            return None
        step: str = management.cleaned_data["current_step"]
        return step

    def _url(self, step: str | None = None, *, changing: bool = False) -> str:
        query: dict[str, str] = {}
        if step is not None:
            query[STEP_PARAM] = step
        if changing and step != REVIEW_STEP:
            query[CHANGE_PARAM] = "1"
        return f"{self.request.path}?{urlencode(query)}" if query else self.request.path

    def _navigation_form(self, step: str) -> forms.Form:
        """The page of a step reached by navigation: what the user typed last, without error messages
        (those are for a page just sent). Unchecked input (kept by "Quay lại") shows as typed."""
        form_class = self.get_form_list()[step]
        prefix = self.get_form_prefix(step, form_class)
        data = self.storage.get_step_data(step)
        initial: dict[str, Any] = {}
        if data is not None:
            for name, django_field in form_class.base_fields.items():
                widget, html_name = django_field.widget, f"{prefix}-{name}"
                if not widget.value_omitted_from_data(data, {}, html_name):
                    initial[name] = widget.value_from_datadict(data, {}, html_name)
        return form_class(prefix=prefix, initial=initial)

    def _progress(self, walk: _Walk, current: str) -> list[ProgressItem]:
        items = [
            ProgressItem(key, self.compiled.step(key).title, key in walk.complete, key == current) for key in walk.steps
        ]
        items.append(ProgressItem(REVIEW_STEP, _("Kiểm tra lại thông tin"), False, current == REVIEW_STEP))
        return items

    def _page_rules(self, step: CompiledStep, walk: _Walk) -> dict[str, str] | None:
        """What eforms.js needs to show or hide, as the server will, a field whose rule reads this page:
        the kinds of this page's fields the rules read, and the earlier answers they read (JSON)."""
        conditional = [f for f in step.fields if f.depends_on_own_step]
        if not conditional:
            return None
        keys = sorted({key for f in conditional for key in referenced_fields(f.spec["visible_if"])})
        kinds = {key: self.compiled.kinds.get(key, "") for key in keys}
        answers = {key: walk.answers[key] for key in keys if key not in step.field_keys and key in walk.answers}
        return {
            "kinds": json.dumps(kinds, ensure_ascii=False),
            "answers": json.dumps(answers, cls=DjangoJSONEncoder, ensure_ascii=False),
        }

    def _review(self, walk: _Walk) -> list[ReviewSection]:
        values = validate_submission(self.compiled, walk.answers).values
        sections = []
        for key in walk.steps:
            step = self.compiled.step(key)
            page = walk.form_list[key](prefix=key)
            rows = [
                ReviewRow(
                    key=compiled.key,
                    answer=_answer(compiled.spec, values[compiled.key]),
                    change_url=f"{self._url(key, changing=True)}#{field_anchor(page[compiled.key])}",
                )
                for compiled in step.fields
                if not compiled.is_display and compiled.key in values and compiled.key in page.fields
            ]
            sections.append(ReviewSection(key, step.title, rows))
        return sections

    def _render_review(self, *, errors: list[str]) -> HttpResponse:
        self.storage.current_step = REVIEW_STEP
        response: HttpResponse = self.render(ReviewForm(), review_errors=errors)
        return response

    def _labelled(self, errors: Mapping[str, list[str]]) -> list[str]:
        messages = []
        for key, field_messages in errors.items():
            compiled = self.compiled.fields.get(key)
            for message in field_messages:
                messages.append(f"{compiled.label}: {message}" if compiled and key != NON_FIELD_ERRORS else message)
        return messages


def _own_data(prefix: str, data: Any) -> dict[str, list[Any]]:
    start = f"{prefix}-"
    if isinstance(data, MultiValueDict):
        return {key: data.getlist(key) for key in data if key.startswith(start)}
    return {key: value if isinstance(value, list) else [value] for key, value in data.items() if key.startswith(start)}


def _answer(spec: Mapping[str, Any], value: Any) -> Answer:
    label = str(spec.get("label", spec["key"]))
    if spec.get("type") != "repeating_group":
        return Answer(label=label, text=value_text(spec, value))
    columns = [column for column in spec.get("fields", []) if column.get("type") not in ("heading", "help")]
    rows = [[value_text(column, row.get(column["key"])) for column in columns] for row in value or []]
    return Answer(label=label, text="", columns=[str(c.get("label", c["key"])) for c in columns], rows=rows)


def eform_wizard(
    request: HttpRequest,
    *,
    version: FormVersion,
    on_complete: OnComplete,
    prefill: Mapping[str, Any] | None = None,
    storage_key: str = "",
    wizard_class: type[EformWizardView] = EformWizardView,
    **url_kwargs: Any,
) -> HttpResponse:
    """Run the wizard of `version` for this request (a GET shows the current step, a POST moves on).

    `prefill`: clean values by field key shown until the user answers. `on_complete(values)` gets
    the clean JSON document once the review page is sent, and returns the response; raise a
    DomainError there to show its message on the review page with the answers kept. The answers
    live in the session under the wizard class, the version and `storage_key`.
    """
    view = wizard_class.as_view(version=version, prefill=prefill, complete=on_complete, storage_key=storage_key)
    response: HttpResponse = view(request, **url_kwargs)
    return response
