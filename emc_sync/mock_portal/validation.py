"""Checks of everything the stand-in receives: JSON Schema (schemas/*.json), then rules.py.

Written from DOMAIN.md's field lists only, strictly: a field the real portal does not know is
refused at every level, so a misspelt or invented name shows up as a refusal instead of being
dropped. Problems are reported in Vietnamese as "where: what", the field named in `where`.
"""

import copy
import json
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker, ValidationError

from .rules import rule_problems

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
STAMP = "yyyyMMddHHmmss"

# The province's own facts of a dossier, which a dossier just filed on the national portal
# cannot have yet: its receipt, due date, status, supplements, result and return.
PROVINCE_ONLY = (
    "NgayTiepNhan",
    "NgayHenTra",
    "TrangThaiHoSo",
    "NgayTra",
    "ThongTinTra",
    "HinhThuc",
    "NgayKetThucXuLy",
    "NgayTuChoi",
    "DanhSachHoSoBoSung",
    "DanhSachGiayToKetQua",
)
INBOUND_REQUIRED = ("MaHoSo", "MaTTHC", "KenhThucHien", "ChuHoSo", "LoaiDoiTuong", "NgayNopHoSo")

formats = FormatChecker()


@formats.checks(STAMP)
def is_stamp(value: object) -> bool:
    """14 digits that are a real moment (no 30 February, no hour 24)."""
    if not isinstance(value, str):
        return True  # the schema's "type" says what is wrong
    if len(value) != 14 or not value.isdigit():
        return False
    try:
        moment = datetime.strptime(value, "%Y%m%d%H%M%S")  # noqa: DTZ007 - Vietnam time as sent
    except ValueError:
        return False
    return moment.year >= 1900


def _load(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((SCHEMA_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return schema


def _inbound_schema() -> dict[str, Any]:
    """A dossier filed on the national portal and forwarded to the province: the dossier record
    under DVCQG's own MaHoSo (kept for the dossier's whole life), without the province's facts,
    filed online."""
    schema = copy.deepcopy(_load("hoso"))
    schema["$id"] = "mock_portal/hoso_moi.json"
    schema["title"] = "Hồ sơ công dân nộp trên Cổng DVCQG, chuyển về tỉnh"
    for name in PROVINCE_ONLY:
        del schema["properties"][name]
    schema["properties"]["KenhThucHien"] = {"type": "integer", "const": 2}
    schema["required"] = list(INBOUND_REQUIRED)
    return schema


@cache
def validator(name: str) -> Draft202012Validator:
    schema = _inbound_schema() if name == "hoso_moi" else _load(name)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=formats)


def _where(prefix: str, path: Any) -> str:
    where = prefix
    for part in path:
        where += f"[{part}]" if isinstance(part, int) else f".{part}" if where else str(part)
    return where or "$"


def _show(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


TYPE_NAMES = {
    "string": "chuỗi",
    "integer": "số nguyên",
    "number": "số",
    "boolean": "true/false",
    "array": "mảng",
    "object": "đối tượng JSON",
    "null": "null",
}


def _said(error: ValidationError) -> list[tuple[list[Any], str]]:
    """One jsonschema error in Vietnamese: [(path, text)], the field named in the path."""
    path, keyword, limit, value = list(error.absolute_path), error.validator, error.validator_value, error.instance
    if keyword == "required":
        return [(path + [name], "thiếu trường bắt buộc") for name in limit if name not in value]
    if keyword == "additionalProperties":
        known = error.schema.get("properties", {})
        return [(path + [name], "trường không có trong đặc tả, không được gửi") for name in value if name not in known]
    if keyword == "type":
        return [(path, f"{_show(value)} phải là {TYPE_NAMES.get(str(limit), str(limit))}")]
    if keyword == "enum":
        return [(path, f"{_show(value)} không thuộc các giá trị cho phép: {', '.join(map(_show, limit))}")]
    if keyword == "const":
        return [(path, f"{_show(value)} phải là {_show(limit)}")]
    if keyword == "maxLength":
        return [(path, f"dài {len(value)} ký tự, tối đa {limit}")]
    if keyword == "minLength":
        return [(path, "không được để trống" if limit == 1 else f"phải có ít nhất {limit} ký tự")]
    if keyword == "pattern":
        return [(path, f"{_show(value)} không đúng định dạng (mẫu {limit})")]
    if keyword == "format":
        return [(path, f"{_show(value)} không phải ngày giờ có thật dạng {STAMP}")]
    if keyword == "minimum":
        return [(path, f"{_show(value)} nhỏ hơn giá trị tối thiểu {limit}")]
    if keyword == "maximum":
        return [(path, f"{_show(value)} lớn hơn giá trị tối đa {limit}")]
    if keyword == "uniqueItems":
        return [(path, "có phần tử trùng nhau")]
    return [(path, error.message)]


def record_errors(name: str, record: object, *, prefix: str = "") -> list[str]:
    """Every problem of one record against schema `name`, as "where: what", in a stable order.

    The rules (rules.py) are asked only once the record has the right shape: they read fields
    of the right types."""
    problems: set[tuple[str, str]] = set()
    wrong_type: dict[str, str] = {}
    for error in validator(name).iter_errors(record):
        for path, text in _said(error):
            problems.add((_where(prefix, path), text))
            if error.validator == "type":
                wrong_type[_where(prefix, path)] = text
    # A value of the wrong type is said once: its enum or pattern follows from the type.
    problems = {(where, text) for where, text in problems if wrong_type.get(where, text) == text}
    if not problems and isinstance(record, dict):
        for field, text in rule_problems(name, record):
            problems.add((_where(prefix, [field] if field else []), text))
    return [f"{where}: {text}" for where, text in sorted(problems)]


def batch_errors(name: str, records: list[Any]) -> list[str]:
    return [
        message for index, record in enumerate(records) for message in record_errors(name, record, prefix=f"[{index}]")
    ]


def refusal_message(summary: str, errors: list[str]) -> str:
    """The answer's message: the summary and the first problem (naming its field)."""
    if not errors:
        return summary
    more = f" (và {len(errors) - 1} lỗi khác)" if len(errors) > 1 else ""
    return f"{summary.rstrip('.')}: {errors[0]}{more}."
