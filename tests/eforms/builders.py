"""Helpers to write small e-form definitions in tests."""

from typing import Any


def field(key: str, field_type: str, label: str = "", **options: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"key": key, "type": field_type, **options}
    if label or field_type != "help":
        spec["label"] = label or key.replace("_", " ").capitalize()
    return spec


def step(key: str, *fields: dict[str, Any], **options: Any) -> dict[str, Any]:
    return {
        "key": key,
        "title": options.pop("title", key.replace("_", " ").capitalize()),
        "fields": list(fields),
        **options,
    }


def form(*steps: dict[str, Any], checks: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    document: dict[str, Any] = {"steps": list(steps)}
    if checks is not None:
        document["checks"] = checks
    return document


def one_field(spec: dict[str, Any]) -> dict[str, Any]:
    return form(step("buoc_1", spec))
