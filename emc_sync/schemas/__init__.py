"""JSON Schemas of what we send (read from DOMAIN.md): a payload failing them is our bug."""

import functools
import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

FOLDER = Path(__file__).resolve().parent


@functools.cache
def validator(target: str) -> Draft202012Validator:
    schema = json.loads((FOLDER / f"{target}.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


def schema_errors(target: str, payload: Any) -> list[str]:
    """Every way `payload` breaks the schema of `target`, as `path: message`; empty when valid."""
    errors = sorted(validator(target).iter_errors(payload), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(str(p) for p in error.absolute_path) or '(gốc)'}: {error.message}" for error in errors]
