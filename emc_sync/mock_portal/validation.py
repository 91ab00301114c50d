"""JSON Schema checks of everything the stand-in receives (schemas/*.json, from DOMAIN.md)."""

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"


def _load(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((SCHEMA_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return schema


def _inbound_schema() -> dict[str, Any]:
    """A dossier filed on the national portal: the dossier record, without the province's MaHoSo."""
    schema = copy.deepcopy(_load("hoso"))
    schema["$id"] = "mock_portal/hoso_moi.json"
    schema["title"] = "Hồ sơ công dân nộp trên Cổng DVCQG"
    schema["required"] = [name for name in schema["required"] if name != "MaHoSo"]
    schema["properties"]["MaTinh"] = {"type": "string", "pattern": "^[0-9]{2}$"}
    return schema


@cache
def validator(name: str) -> Draft202012Validator:
    schema = _inbound_schema() if name == "hoso_moi" else _load(name)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _where(prefix: str, path: Any) -> str:
    where = prefix
    for part in path:
        where += f"[{part}]" if isinstance(part, int) else f".{part}" if where else str(part)
    return where or "$"


def record_errors(name: str, record: object, *, prefix: str = "") -> list[str]:
    """Every problem of one record against schema `name`, as "where: what", in a stable order."""
    errors = sorted(validator(name).iter_errors(record), key=lambda error: (list(map(str, error.path)), error.message))
    return [f"{_where(prefix, error.path)}: {error.message}" for error in errors]


def batch_errors(name: str, records: list[Any]) -> list[str]:
    return [
        message for index, record in enumerate(records) for message in record_errors(name, record, prefix=f"[{index}]")
    ]
