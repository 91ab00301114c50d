"""Filed answers as people read them: labels from the pinned version, values in words.

A dossier keeps the form version it was filled with, so its answers are always shown with
that version's labels and options, however the form has changed since.
"""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

DISPLAY_ONLY = frozenset({"heading", "help"})


@dataclass(frozen=True)
class Answer:
    label: str
    text: str
    columns: list[str] = field(default_factory=list)  # a table's column labels
    rows: list[list[str]] = field(default_factory=list)  # a table's cells, in words


@dataclass(frozen=True)
class AnswerSection:
    title: str
    answers: list[Answer]


def form_answers(schema: Mapping[str, Any], values: Mapping[str, Any]) -> list[AnswerSection]:
    """Steps with the answers they hold, in form order; fields absent from `values` (hidden
    when filed) are left out, display-only fields too."""
    sections = []
    for step in schema.get("steps", []):
        answers = [
            _answer(spec, values[spec["key"]])
            for spec in step.get("fields", [])
            if spec.get("type") not in DISPLAY_ONLY and spec.get("key") in values
        ]
        if answers:
            sections.append(AnswerSection(title=str(step.get("title", "")), answers=answers))
    return sections


def _answer(spec: Mapping[str, Any], value: Any) -> Answer:
    label = str(spec.get("label", spec["key"]))
    if spec.get("type") == "repeating_group":
        columns = [sub for sub in spec.get("fields", []) if sub.get("type") not in DISPLAY_ONLY]
        rows = [[value_text(sub, row.get(sub["key"])) for sub in columns] for row in value or []]
        return Answer(label=label, text="", columns=[str(sub.get("label", sub["key"])) for sub in columns], rows=rows)
    return Answer(label=label, text=value_text(spec, value))


def value_text(spec: Mapping[str, Any], value: Any) -> str:
    """One clean value in words: option labels, Có/Không, dd/mm/yyyy, money in đồng, addresses."""
    if value is None or value == "" or value == []:
        return "—"
    kind = spec.get("type")
    options = {str(o.get("value")): str(o.get("label", o.get("value"))) for o in spec.get("options", [])}
    if kind in ("select", "radio"):
        return options.get(str(value), str(value))
    if kind == "checkboxes":
        return "; ".join(options.get(str(v), str(v)) for v in value)
    if kind == "yes_no":
        return _("Có") if value else _("Không")
    if kind == "declaration":
        return _("Đã cam đoan") if value else _("Chưa cam đoan")
    if kind == "date":
        try:
            return dt.date.fromisoformat(str(value)).strftime("%d/%m/%Y")
        except ValueError:
            return str(value)
    if kind == "money":
        return f"{int(value):,}".replace(",", ".") + " " + _("đồng")
    if kind == "address" and isinstance(value, Mapping):
        parts = [value.get("street"), value.get("ward_name"), value.get("province_name")]
        return ", ".join(str(p) for p in parts if p)
    if kind == "file":
        return _("Tệp đính kèm số %(id)s") % {"id": value}
    return str(value)
