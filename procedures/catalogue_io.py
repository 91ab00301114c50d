"""Reading and writing catalogue files (JSON and CSV), one format for import and export.

JSON: {"format": "dvctt.procedures/1", "procedures": [row, ...]} (a bare list is accepted).
CSV: one procedure per line; list columns hold values joined by ";", `fees` and
`components` hold a JSON list. Rows are plain dicts; validation lives in serializers.py.
"""

import csv
import io
import json
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from common.errors import DomainError

FORMAT_TAG = "dvctt.procedures/1"
LIST_COLUMNS = ("channels", "applicant_types", "implementing_agencies")
JSON_COLUMNS = ("fees", "components")
BOOL_COLUMNS = ("same_day_rule", "published")
COLUMNS = (
    "code", "name", "sector", "online_level", "partial_reason", "channels", "time_limit_value",
    "time_limit_unit", "online_time_limit_value", "same_day_rule", "time_limit_note", "applicant_types",
    "implementing_agencies", "result_document", "legal_basis", "conditions", "steps", "fees",
    "components", "published", "popularity",
)  # fmt: skip
_TRUE = {"1", "true", "yes", "có", "x"}
_FALSE = {"0", "false", "no", "không", ""}


class CatalogueFileError(DomainError):
    code = "catalogue_file_invalid"


def parse_catalogue(content: bytes, *, file_format: str) -> list[dict[str, Any]]:
    """Rows from a file's bytes; raises CatalogueFileError with a Vietnamese message."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CatalogueFileError(
            _("Tệp không phải văn bản UTF-8 (lỗi ở byte thứ %(pos)s).") % {"pos": exc.start}
        ) from exc
    if file_format == "json":
        return _parse_json(text)
    if file_format == "csv":
        return _parse_csv(text)
    raise CatalogueFileError(_("Định dạng “%(fmt)s” không được hỗ trợ; dùng json hoặc csv.") % {"fmt": file_format})


def _parse_json(text: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CatalogueFileError(
            _("Tệp JSON sai cú pháp ở dòng %(line)s, cột %(col)s. Vui lòng kiểm tra dấu phẩy, ngoặc và dấu nháy.")
            % {"line": exc.lineno, "col": exc.colno}
        ) from exc
    if isinstance(data, dict):
        if data.get("format") not in (None, FORMAT_TAG):
            raise CatalogueFileError(
                _("Phiên bản định dạng “%(tag)s” không được hỗ trợ.") % {"tag": data.get("format")}
            )
        data = data.get("procedures")
    if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
        raise CatalogueFileError(_("Tệp JSON phải chứa danh sách “procedures” gồm các đối tượng thủ tục."))
    return data


def _parse_csv(text: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("code", "name", "sector") if c not in (reader.fieldnames or [])]
    if missing:
        raise CatalogueFileError(_("Tệp CSV thiếu cột: %(cols)s.") % {"cols": ", ".join(missing)})
    rows: list[dict[str, Any]] = []
    for line_no, raw in enumerate(reader, start=2):
        row: dict[str, Any] = {k: v for k, v in raw.items() if k is not None}
        for column in LIST_COLUMNS:
            if column in row:
                row[column] = [part.strip() for part in (row[column] or "").split(";") if part.strip()]
        for column in JSON_COLUMNS:
            if column in row:
                try:
                    row[column] = json.loads(row[column] or "[]")
                except json.JSONDecodeError:
                    raise CatalogueFileError(
                        _("Dòng %(line)s: cột “%(col)s” phải là danh sách JSON.") % {"line": line_no, "col": column}
                    ) from None
        for column in BOOL_COLUMNS:
            if column in row:
                value = (row[column] or "").strip().lower()
                row[column] = True if value in _TRUE else False if value in _FALSE else row[column]
        if row.get("online_time_limit_value") == "":
            row["online_time_limit_value"] = None
        rows.append(row)
    return rows


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def render_catalogue(rows: list[dict[str, Any]], *, file_format: str) -> str:
    rows = [{k: _plain(v) for k, v in row.items()} for row in rows]
    if file_format == "json":
        return json.dumps({"format": FORMAT_TAG, "procedures": rows}, ensure_ascii=False, indent=2) + "\n"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        flat = dict(row)
        for column in LIST_COLUMNS:
            flat[column] = ";".join(row[column])
        for column in JSON_COLUMNS:
            flat[column] = json.dumps(row[column], ensure_ascii=False)
        for column in BOOL_COLUMNS:
            flat[column] = "true" if row[column] else "false"
        flat["online_time_limit_value"] = (
            "" if row["online_time_limit_value"] is None else row["online_time_limit_value"]
        )
        writer.writerow(flat)
    return out.getvalue()
