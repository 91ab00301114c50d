"""A form definition compiled once: cleaners, visibility predicates, evaluation order, checks.

Validating a submission then costs one dictionary walk: patterns are compiled, option sets
built and conditions turned into closures when the form is compiled, not per request.
`compile_form` keeps the last compiled forms in a process-wide LRU cache keyed by a SHA-256
of the canonical JSON, so a published version (immutable) is compiled once per process and an
edited draft is never served stale.
"""

import copy
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from django.utils.translation import gettext as _

from .constants import DISPLAY_TYPES, FieldType
from .exceptions import InvalidForm, StepNotFound
from .fields import Cleaner, build_cleaner
from .rules import Predicate, compile_condition, referenced_fields
from .schema import kinds_of, validate_schema


@dataclass(frozen=True, eq=False)
class CompiledField:
    key: str
    type: str
    label: str
    spec: Mapping[str, Any]
    step_index: int
    clean: Cleaner | None  # None for heading / help: nothing to submit
    visible_if: Predicate | None
    # Its visibility reads a field of its own step (or row): a page shows it and lets the
    # browser hide it; the server decides again on submission.
    depends_on_own_step: bool = False
    columns: tuple["CompiledField", ...] = ()

    @property
    def is_display(self) -> bool:
        return self.type in DISPLAY_TYPES


@dataclass(frozen=True, eq=False)
class CompiledStep:
    key: str
    title: str
    description: str
    index: int
    fields: tuple[CompiledField, ...]  # as the admin ordered them, headings included
    order: tuple[CompiledField, ...]  # value fields, each after the fields its visibility reads
    visible_if: Predicate | None

    @cached_property
    def field_keys(self) -> frozenset[str]:
        return frozenset(f.key for f in self.order)


@dataclass(frozen=True, eq=False)
class CompiledCheck:
    number: int
    when: Predicate | None
    assertion: Predicate
    message: str
    targets: tuple[str, ...]  # fields of the assertion: its message is shown at the first one on the page
    step_index: int  # the step where all its fields are known: it runs when that step is submitted


@dataclass(frozen=True, eq=False)
class CompiledForm:
    fingerprint: str
    schema: Mapping[str, Any]
    steps: tuple[CompiledStep, ...]
    fields: Mapping[str, CompiledField]  # top-level fields by key (columns live in their table)
    checks: tuple[CompiledCheck, ...]
    kinds: Mapping[str, str] = field(repr=False)

    def step(self, key: str) -> CompiledStep:
        for step in self.steps:
            if step.key == key:
                return step
        raise StepNotFound(step=key)


def fingerprint_of(schema: Mapping[str, Any]) -> tuple[str, str]:
    """(canonical JSON, its SHA-256): equal for equal definitions, whatever their key order."""
    try:
        canonical = json.dumps(schema, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        raise InvalidForm([_("Biểu mẫu chứa giá trị không biểu diễn được bằng JSON.")]) from None
    return canonical, hashlib.sha256(canonical.encode()).hexdigest()


def compile_form(schema: "Mapping[str, Any] | CompiledForm") -> CompiledForm:
    """The compiled form of a definition; InvalidForm if the definition is not valid."""
    if isinstance(schema, CompiledForm):
        return schema
    canonical, digest = fingerprint_of(schema)
    return _compile(digest, canonical)


@lru_cache(maxsize=64)
def _compile(digest: str, canonical: str) -> CompiledForm:
    document = json.loads(canonical)
    errors = validate_schema(document)
    if errors:
        raise InvalidForm(errors)
    return _build(document, digest)


def _build(document: dict[str, Any], digest: str) -> CompiledForm:
    kinds = kinds_of(document)
    steps: list[CompiledStep] = []
    fields: dict[str, CompiledField] = {}
    step_of: dict[str, int] = {}
    for index, step in enumerate(document["steps"]):
        for spec in step["fields"]:
            step_of[spec["key"]] = index
    for index, step in enumerate(document["steps"]):
        own_keys = {spec["key"] for spec in step["fields"]}
        compiled = [_compile_field(spec, index, kinds, own_keys) for spec in step["fields"]]
        fields.update((f.key, f) for f in compiled)
        steps.append(
            CompiledStep(
                key=step["key"],
                title=step["title"],
                description=step.get("description", ""),
                index=index,
                fields=tuple(compiled),
                order=tuple(_evaluation_order([f for f in compiled if not f.is_display], own_keys)),
                visible_if=compile_condition(step["visible_if"], kinds) if "visible_if" in step else None,
            )
        )
    checks = []
    for number, check in enumerate(document.get("checks", []), start=1):
        keys = referenced_fields(check["assert"]) + (referenced_fields(check["if"]) if "if" in check else [])
        checks.append(
            CompiledCheck(
                number=number,
                when=compile_condition(check["if"], kinds) if "if" in check else None,
                assertion=compile_condition(check["assert"], kinds, vacuous=True),
                message=check["message"],
                targets=tuple(referenced_fields(check["assert"])),
                step_index=max(step_of[key] for key in keys),
            )
        )
    return CompiledForm(
        fingerprint=digest,
        schema=copy.deepcopy(document),
        steps=tuple(steps),
        fields=fields,
        checks=tuple(checks),
        kinds=kinds,
    )


def _compile_field(
    spec: Mapping[str, Any], step_index: int, kinds: Mapping[str, str], own_keys: set[str]
) -> CompiledField:
    condition = spec.get("visible_if")
    visible_if = compile_condition(condition, kinds) if condition else None
    depends = bool(condition) and any(key in own_keys for key in referenced_fields(condition or {}))
    if spec["type"] in DISPLAY_TYPES:
        return CompiledField(
            key=spec["key"],
            type=spec["type"],
            label=spec.get("label", ""),
            spec=spec,
            step_index=step_index,
            clean=None,
            visible_if=visible_if,
            depends_on_own_step=depends,
        )
    columns: tuple[CompiledField, ...] = ()
    if spec["type"] == FieldType.REPEATING_GROUP:
        column_keys = {column["key"] for column in spec["fields"]}
        compiled_columns = [_compile_field(column, step_index, kinds, column_keys) for column in spec["fields"]]
        columns = tuple(_evaluation_order(compiled_columns, column_keys))
    cleaner = build_cleaner(spec, columns=[(c.spec, c.clean, c.visible_if) for c in columns if c.clean is not None])
    return CompiledField(
        key=spec["key"],
        type=spec["type"],
        label=spec["label"],
        spec=spec,
        step_index=step_index,
        clean=cleaner,
        visible_if=visible_if,
        depends_on_own_step=depends,
        columns=columns,
    )


def _evaluation_order(fields: Sequence[CompiledField], own_keys: set[str]) -> list[CompiledField]:
    """Document order, except that a field comes after the fields of the same step its rule reads.

    The schema has no cycles (validate_schema), so every field is placed.
    """
    present = {f.key for f in fields} & own_keys
    needs = {
        f.key: {k for k in referenced_fields(f.spec.get("visible_if") or {}) if k in present and k != f.key}
        for f in fields
    }
    placed: set[str] = set()
    ordered: list[CompiledField] = []
    pending = list(fields)
    while pending:
        for candidate in pending:
            if needs[candidate.key] <= placed:
                break
        else:  # unreachable for a valid schema; keep going rather than loop forever
            candidate = pending[0]
        pending.remove(candidate)
        placed.add(candidate.key)
        ordered.append(candidate)
    return ordered
