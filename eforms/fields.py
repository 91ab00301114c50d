"""Field types: how one submitted value is checked and cleaned, with the exact Vietnamese message.

`build_cleaner(spec)` turns a field of a (valid) form schema into a function
`clean(raw, values) -> clean value`, raising `FieldError` with the messages to show next to
the field. `raw` is what arrived (a Django form's raw value or JSON from an API), `values` the
clean values of the form so far (a citizen id checks its birth year against the form's date
of birth). Clean values are JSON-ready: text, int (integers, money in đồng), decimal as a
string ("12.5"), ISO dates, option values, bool, dicts and lists of those. Every cleaner
accepts its own output, so values kept from earlier steps can be re-checked.

None means "no answer" (an optional field left empty). Visibility is not decided here: the
caller (eforms.validation) only cleans the fields the rules show.
"""

import math
import re
import unicodedata
from collections import ChainMap
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils import timezone
from django.utils.translation import gettext as _
from vietnam_provinces import Province, ProvinceCode, Ward, WardCode

from accounts.validators import validate_citizen_id, validate_phone

from .constants import (
    MAX_DIGITS,
    MAX_FILES,
    MAX_PATTERN_INPUT,
    MAX_ROWS,
    MAX_TEXT_LENGTH,
    MAX_TEXTAREA_LENGTH,
    FieldType,
)
from .rules import TODAY, Predicate, is_empty

Cleaner = Callable[[Any, Mapping[str, Any]], Any]


class FieldError(Exception):
    def __init__(self, messages: str | list[str]) -> None:
        self.messages = [messages] if isinstance(messages, str) else messages
        super().__init__(*self.messages)


# --- formatting for messages ---------------------------------------------------------------


def format_number(value: int | Decimal) -> str:
    """Vietnamese notation: 1.500.000 and 12,5."""
    sign = "-" if value < 0 else ""
    text = f"{abs(value):f}" if isinstance(value, Decimal) else str(abs(value))
    whole, _dot, fraction = text.partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return f"{sign}{grouped},{fraction}" if fraction else f"{sign}{grouped}"


def format_date(value: date) -> str:
    return f"{value:%d/%m/%Y}"


# --- parsing ---------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# ASCII digits only: \d also matches other scripts' digits ("٣") and "²", which int() refuses.
_INTEGER = re.compile(rf"^[+-]?[0-9]{{1,{MAX_DIGITS}}}$")
_DECIMAL = re.compile(rf"^[+-]?[0-9]{{1,{MAX_DIGITS}}}(\.[0-9]{{1,{MAX_DIGITS}}})?$")
_GROUPED = re.compile(r"^[0-9]{1,3}([.,\s][0-9]{3}){1,5}$")
_DMY = re.compile(r"^([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})$")
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_TAX_CODE = re.compile(r"^([0-9]{10})(?:-?([0-9]{3}))?$")
_ATTACHMENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_SPACES = re.compile(r"\s+")
_TRUE = frozenset({"true", "1", "yes", "on", "có", "co"})
_FALSE = frozenset({"false", "0", "no", "off", "không", "khong"})
_email_validator = EmailValidator()


def _text(raw: Any) -> str | None:
    if isinstance(raw, str):
        return raw
    if isinstance(raw, int) and not isinstance(raw, bool) and abs(raw) < 10**MAX_DIGITS:
        return str(raw)
    return None


def parse_date(raw: Any) -> date | None:
    """ISO (2025-01-31, what <input type=date> sends) or Vietnamese 31/01/2025; None if neither."""
    if isinstance(raw, date):
        return raw
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    try:
        if _ISO_DATE.match(text):
            return date.fromisoformat(text)
        match = _DMY.match(text)
        if match:
            return date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        return None
    return None


def resolve_date(bound: str, today: Callable[[], date]) -> date:
    return today() if bound == TODAY else date.fromisoformat(bound)


def _parse_decimal(raw: Any) -> Decimal | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | Decimal):
        return Decimal(raw)
    if isinstance(raw, float):
        return Decimal(repr(raw))
    if not isinstance(raw, str):
        return None
    text = _SPACES.sub("", raw)
    if "," in text and "." in text:
        # Both marks: the last one is the decimal mark (1.234,5 in Vietnamese, 1,234.5 in English).
        grouping, mark = (".", ",") if text.rfind(",") > text.rfind(".") else (",", ".")
        text = text.replace(grouping, "").replace(mark, ".")
    elif text.count(",") == 1:
        text = text.replace(",", ".")  # Vietnamese decimal comma: 12,5
    elif text.count(".") > 1 and _GROUPED.match(text):
        text = text.replace(".", "")  # 1.234.567
    if not _DECIMAL.match(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _parse_money(raw: Any) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float | Decimal):
        return int(raw) if math.isfinite(raw) and raw == int(raw) else None
    if not isinstance(raw, str):
        return None
    text = raw.strip().removesuffix("đ").removesuffix("đồng").strip()
    if _GROUPED.match(text):
        text = re.sub(r"[.,\s]", "", text)
    return int(text) if _INTEGER.match(text) else None


def _parse_bool(raw: Any) -> bool | None:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str):
        text = raw.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    return None


def _to_int(raw: Any) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and _INTEGER.match(raw.strip()):
        return int(raw.strip())
    return None


# --- cleaners ----------------------------------------------------------------------------------


def build_cleaner(
    spec: Mapping[str, Any],
    *,
    today: Callable[[], date] = timezone.localdate,
    columns: Sequence[tuple[Mapping[str, Any], Cleaner, Predicate | None]] = (),
) -> Cleaner:
    """The cleaner of one value field. `columns` (repeating groups only): each column's spec,
    cleaner and compiled visibility (evaluated per row, over the row and the form's values)."""
    field_type = spec["type"]
    label = spec.get("label", "")
    required = bool(spec.get("required", False))
    if field_type == FieldType.DECLARATION:
        return _declaration()
    if field_type == FieldType.REPEATING_GROUP:
        return _repeating_group(spec, label, required, columns)
    typed = _TYPED[field_type](spec, label, today)
    required_message = _required_message(field_type, label)

    def clean(raw: Any, values: Mapping[str, Any]) -> Any:
        if (
            is_empty(raw)
            or (isinstance(raw, Mapping) and all(is_empty(v) for v in raw.values()))
            or (isinstance(raw, list | tuple) and all(is_empty(v) for v in raw))
        ):
            if required:
                raise FieldError(required_message)
            return None
        return typed(raw, values)

    return clean


def _required_message(field_type: str, label: str) -> str:
    if field_type in (FieldType.SELECT, FieldType.RADIO, FieldType.CHECKBOXES, FieldType.YES_NO):
        return _("Vui lòng chọn %(label)s.") % {"label": label}
    if field_type == FieldType.FILE:
        return _("Vui lòng đính kèm %(label)s.") % {"label": label}
    return _("Vui lòng nhập %(label)s.") % {"label": label}


def _text_cleaner(spec: Mapping[str, Any], label: str, today: Callable[[], date]) -> Cleaner:
    multiline = spec["type"] == FieldType.TEXTAREA
    ceiling = MAX_TEXTAREA_LENGTH if multiline else MAX_TEXT_LENGTH
    pattern = re.compile(spec["pattern"]) if spec.get("pattern") else None
    if pattern is not None:
        ceiling = MAX_PATTERN_INPUT  # bounds the time one match may take
    max_length = min(spec.get("max_length", ceiling), ceiling)
    min_length = spec.get("min_length", 0)
    pattern_message = spec.get("pattern_message") or _("%(label)s không đúng định dạng.") % {"label": label}

    def clean(raw: Any, values: Mapping[str, Any]) -> str:
        text = _text(raw)
        if text is None:
            raise FieldError(_("%(label)s không hợp lệ.") % {"label": label})
        if len(text) > 4 * max_length + 100:  # refuse before normalising megabytes
            raise FieldError(_("%(label)s chỉ được có tối đa %(n)s ký tự.") % {"label": label, "n": max_length})
        text = unicodedata.normalize("NFC", text)
        # Lines of a long text are kept; a short text is one line with single spaces.
        text = text.replace("\r\n", "\n").replace("\r", "\n").strip() if multiline else " ".join(text.split())
        if _CONTROL.search(text):
            raise FieldError(_("%(label)s chứa ký tự không hợp lệ.") % {"label": label})
        if len(text) < min_length:
            raise FieldError(_("%(label)s phải có ít nhất %(n)s ký tự.") % {"label": label, "n": min_length})
        if len(text) > max_length:
            raise FieldError(_("%(label)s chỉ được có tối đa %(n)s ký tự.") % {"label": label, "n": max_length})
        if pattern is not None and not pattern.fullmatch(text):
            raise FieldError(pattern_message)
        return text

    return clean


def _bounds_check(value: int | Decimal, spec: Mapping[str, Any], label: str, unit: str = "") -> None:
    if "min" in spec and value < spec["min"]:
        if unit:
            raise FieldError(
                _("%(label)s phải từ %(min)s %(unit)s trở lên.")
                % {"label": label, "min": format_number(spec["min"]), "unit": unit}
            )
        raise FieldError(
            _("%(label)s phải lớn hơn hoặc bằng %(min)s.") % {"label": label, "min": format_number(_exact(spec["min"]))}
        )
    if "max" in spec and value > spec["max"]:
        if unit:
            raise FieldError(
                _("%(label)s không được vượt quá %(max)s %(unit)s.")
                % {"label": label, "max": format_number(spec["max"]), "unit": unit}
            )
        raise FieldError(
            _("%(label)s phải nhỏ hơn hoặc bằng %(max)s.") % {"label": label, "max": format_number(_exact(spec["max"]))}
        )


def _exact(number: int | float) -> int | Decimal:
    return number if isinstance(number, int) else Decimal(repr(number))


def _integer(spec: Mapping[str, Any], label: str, today: Callable[[], date]) -> Cleaner:
    def clean(raw: Any, values: Mapping[str, Any]) -> int:
        number: int | None = None
        if isinstance(raw, int) and not isinstance(raw, bool):
            number = raw
        elif isinstance(raw, float) and raw.is_integer():
            number = int(raw)
        elif isinstance(raw, str) and _INTEGER.match(raw.replace(" ", "")):
            number = int(raw.replace(" ", ""))
        if number is None or abs(number) >= 10**MAX_DIGITS:
            raise FieldError(_("%(label)s phải là số nguyên.") % {"label": label})
        _bounds_check(number, spec, label)
        return number

    return clean


def _decimal(spec: Mapping[str, Any], label: str, today: Callable[[], date]) -> Cleaner:
    places = spec.get("decimal_places")

    def clean(raw: Any, values: Mapping[str, Any]) -> str:
        number = _parse_decimal(raw)
        if number is None or not number.is_finite() or len(number.as_tuple().digits) > 2 * MAX_DIGITS:
            raise FieldError(_("%(label)s phải là một số, ví dụ 12,5.") % {"label": label})
        exponent = number.as_tuple().exponent
        if places is not None and isinstance(exponent, int) and -exponent > places:
            number = number.normalize()  # 12.50 has two places written but one that counts
            exponent = number.as_tuple().exponent
            if isinstance(exponent, int) and -exponent > places:
                raise FieldError(
                    _("%(label)s chỉ được có tối đa %(n)s chữ số sau dấu phẩy.") % {"label": label, "n": places}
                )
        _bounds_check(number, spec, label)
        return f"{number:f}"

    return clean


def _money(spec: Mapping[str, Any], label: str, today: Callable[[], date]) -> Cleaner:
    def clean(raw: Any, values: Mapping[str, Any]) -> int:
        amount = _parse_money(raw)
        if amount is None or amount < 0 or amount >= 10**MAX_DIGITS:
            raise FieldError(
                _("%(label)s phải là số tiền bằng đồng, không có phần lẻ, ví dụ 1.500.000.") % {"label": label}
            )
        _bounds_check(amount, spec, label, unit=_("đồng"))
        return amount

    return clean


def _date(spec: Mapping[str, Any], label: str, today: Callable[[], date]) -> Cleaner:
    lowest, highest = spec.get("min"), spec.get("max")

    def clean(raw: Any, values: Mapping[str, Any]) -> str:
        value = parse_date(raw)
        if value is None:
            raise FieldError(_("%(label)s không phải là ngày hợp lệ (ngày/tháng/năm).") % {"label": label})
        if lowest is not None and value < resolve_date(lowest, today):
            if lowest == TODAY:
                raise FieldError(_("%(label)s không được trước ngày hôm nay.") % {"label": label})
            raise FieldError(
                _("%(label)s không được trước ngày %(date)s.")
                % {"label": label, "date": format_date(date.fromisoformat(lowest))}
            )
        if highest is not None and value > resolve_date(highest, today):
            if highest == TODAY:
                raise FieldError(_("%(label)s không được sau ngày hôm nay.") % {"label": label})
            raise FieldError(
                _("%(label)s không được sau ngày %(date)s.")
                % {"label": label, "date": format_date(date.fromisoformat(highest))}
            )
        return value.isoformat()

    return clean


def _single_choice(spec: Mapping[str, Any], label: str, today: Callable[[], date]) -> Cleaner:
    allowed = frozenset(option["value"] for option in spec["options"])

    def clean(raw: Any, values: Mapping[str, Any]) -> str:
        value = _text(raw)
        if value is None or value not in allowed:
            raise FieldError(_("%(label)s: lựa chọn không hợp lệ.") % {"label": label})
        return value

    return clean


def _checkboxes(spec: Mapping[str, Any], label: str, today: Callable[[], date]) -> Cleaner:
    order = {option["value"]: index for index, option in enumerate(spec["options"])}
    fewest, most = spec.get("min_selected"), spec.get("max_selected")

    def clean(raw: Any, values: Mapping[str, Any]) -> list[str]:
        items = [raw] if isinstance(raw, str) else raw
        if (
            not isinstance(items, list | tuple)
            or len(items) > len(order)
            or any(not isinstance(item, str) or item not in order for item in items)
        ):
            raise FieldError(_("%(label)s: lựa chọn không hợp lệ.") % {"label": label})
        chosen = sorted(set(items), key=order.__getitem__)
        if fewest is not None and len(chosen) < fewest:
            raise FieldError(_("Vui lòng chọn ít nhất %(n)s mục cho %(label)s.") % {"label": label, "n": fewest})
        if most is not None and len(chosen) > most:
            raise FieldError(_("%(label)s: chỉ được chọn tối đa %(n)s mục.") % {"label": label, "n": most})
        return chosen

    return clean


def _yes_no(spec: Mapping[str, Any], label: str, today: Callable[[], date]) -> Cleaner:
    def clean(raw: Any, values: Mapping[str, Any]) -> bool:
        value = _parse_bool(raw)
        if value is None:
            raise FieldError(_("Vui lòng chọn Có hoặc Không cho %(label)s.") % {"label": label})
        return value

    return clean


def _email(spec: Mapping[str, Any], label: str, today: Callable[[], date]) -> Cleaner:
    def clean(raw: Any, values: Mapping[str, Any]) -> str:
        text = _text(raw)
        address = (text or "").strip()
        try:
            if len(address) > 254:
                raise ValidationError("too long")
            _email_validator(address)
        except ValidationError:
            raise FieldError(_("%(label)s không phải là địa chỉ thư điện tử hợp lệ.") % {"label": label}) from None
        local, _at, domain = address.rpartition("@")
        return f"{local}@{domain.lower()}"

    return clean


def _phone(spec: Mapping[str, Any], label: str, today: Callable[[], date]) -> Cleaner:
    def clean(raw: Any, values: Mapping[str, Any]) -> str:
        text = _text(raw) or ""
        try:
            validate_phone(text)
        except ValidationError as exc:
            raise FieldError([str(m) for m in exc.messages]) from None
        digits = re.sub(r"[\s.-]", "", text)
        return "0" + digits.removeprefix("+84") if digits.startswith("+84") else digits

    return clean


def _citizen_id(spec: Mapping[str, Any], label: str, today: Callable[[], date]) -> Cleaner:
    birth_field = spec.get("date_of_birth_field")

    def clean(raw: Any, values: Mapping[str, Any]) -> str:
        number = re.sub(r"\s", "", _text(raw) or "")
        born = parse_date(values.get(birth_field)) if birth_field else None
        try:
            validate_citizen_id(number, date_of_birth=born)
        except ValidationError as exc:
            raise FieldError([str(m) for m in exc.messages]) from None
        return number

    return clean


def _tax_code(spec: Mapping[str, Any], label: str, today: Callable[[], date]) -> Cleaner:
    def clean(raw: Any, values: Mapping[str, Any]) -> str:
        match = _TAX_CODE.match(re.sub(r"\s", "", _text(raw) or ""))
        if match is None:
            raise FieldError(_("%(label)s phải gồm 10 chữ số, hoặc 13 chữ số dạng 0123456789-001.") % {"label": label})
        return f"{match[1]}-{match[2]}" if match[2] else match[1]

    return clean


def _address(spec: Mapping[str, Any], label: str, today: Callable[[], date]) -> Cleaner:
    street_required = bool(spec.get("street_required", False))

    def clean(raw: Any, values: Mapping[str, Any]) -> dict[str, Any]:
        if isinstance(raw, list | tuple) and len(raw) == 3:
            raw = dict(zip(("province_code", "ward_code", "street"), raw, strict=True))
        if not isinstance(raw, Mapping):
            raise FieldError(_("%(label)s không hợp lệ.") % {"label": label})
        province_raw, ward_raw = raw.get("province_code"), raw.get("ward_code")
        street = _text(raw.get("street")) or ""
        street = " ".join(unicodedata.normalize("NFC", street).split())
        if is_empty(province_raw):
            raise FieldError(_("Vui lòng chọn tỉnh, thành phố cho %(label)s.") % {"label": label})
        province_code = _to_int(province_raw)
        try:
            province = Province.from_code(ProvinceCode(province_code if province_code is not None else -1))
        except ValueError:
            raise FieldError(_("%(label)s: tỉnh, thành phố không hợp lệ.") % {"label": label}) from None
        if is_empty(ward_raw):
            raise FieldError(_("Vui lòng chọn xã, phường cho %(label)s.") % {"label": label})
        ward_code = _to_int(ward_raw)
        try:
            ward = Ward.from_code(WardCode(ward_code if ward_code is not None else -1))
        except ValueError:
            ward = None
        if ward is None or int(ward.province_code) != province_code:
            raise FieldError(_("%(label)s: xã, phường đã chọn không thuộc tỉnh, thành phố đã chọn.") % {"label": label})
        if street_required and not street:
            raise FieldError(_("Vui lòng nhập số nhà, đường cho %(label)s.") % {"label": label})
        if len(street) > 255 or _CONTROL.search(street):
            raise FieldError(_("%(label)s: số nhà, đường không hợp lệ (tối đa 255 ký tự).") % {"label": label})
        return {
            "province_code": province_code,
            "province_name": province.name,
            "ward_code": ward_code,
            "ward_name": ward.name,
            "street": street,
        }

    return clean


def _file(spec: Mapping[str, Any], label: str, today: Callable[[], date]) -> Cleaner:
    multiple = bool(spec.get("multiple", False))

    def one(raw: Any) -> str:
        ref = _text(raw)
        if ref is None or not _ATTACHMENT_ID.match(ref):
            raise FieldError(_("%(label)s: tệp đính kèm không hợp lệ.") % {"label": label})
        return ref

    def clean(raw: Any, values: Mapping[str, Any]) -> str | list[str]:
        if not multiple:
            return one(raw)
        items = [raw] if not isinstance(raw, list | tuple) else [item for item in raw if not is_empty(item)]
        if len(items) > MAX_FILES:
            raise FieldError(_("%(label)s: chỉ được đính kèm tối đa %(n)s tệp.") % {"label": label, "n": MAX_FILES})
        return list(dict.fromkeys(one(item) for item in items))

    return clean


def _declaration() -> Cleaner:
    def clean(raw: Any, values: Mapping[str, Any]) -> bool:
        if _parse_bool(raw) is not True:
            raise FieldError(_("Vui lòng đánh dấu xác nhận lời cam đoan."))
        return True

    return clean


def _repeating_group(
    spec: Mapping[str, Any],
    label: str,
    required: bool,
    columns: Sequence[tuple[Mapping[str, Any], Cleaner, Predicate | None]],
) -> Cleaner:
    fewest = spec.get("min_rows", 1 if required else 0)
    most = min(spec.get("max_rows", MAX_ROWS), MAX_ROWS)
    keys = [column["key"] for column, _cleaner, _visible in columns]

    def clean(raw: Any, values: Mapping[str, Any]) -> list[dict[str, Any]] | None:
        if raw is None:
            raw = []
        if not isinstance(raw, list | tuple):
            raise FieldError(_("%(label)s không hợp lệ.") % {"label": label})
        if len(raw) > most:
            raise FieldError(_("%(label)s chỉ được có tối đa %(n)s dòng.") % {"label": label, "n": most})
        if any(not isinstance(row, Mapping) for row in raw):
            raise FieldError(_("%(label)s không hợp lệ.") % {"label": label})
        # A blank row (the spare one a page offers) is no row; messages keep the rows' numbers.
        rows = [(n, row) for n, row in enumerate(raw, start=1) if not all(is_empty(row.get(key)) for key in keys)]
        if not rows and fewest <= 1:
            if required or fewest:
                raise FieldError(_("Vui lòng nhập ít nhất một dòng cho %(label)s.") % {"label": label})
            return None
        if len(rows) < fewest:
            raise FieldError(_("%(label)s phải có ít nhất %(n)s dòng.") % {"label": label, "n": fewest})
        clean_rows: list[dict[str, Any]] = []
        messages: list[str] = []
        for number, row in rows:
            clean_row: dict[str, Any] = {}
            scope: ChainMap[str, Any] = ChainMap(clean_row, dict(values) if not isinstance(values, dict) else values)
            for column, cleaner, visible in columns:
                if visible is not None and not visible(scope):
                    continue
                try:
                    clean_row[column["key"]] = cleaner(row.get(column["key"]), scope)
                except FieldError as exc:
                    messages.extend(
                        _("%(label)s, dòng %(n)s: %(message)s") % {"label": label, "n": number, "message": m}
                        for m in exc.messages
                    )
            clean_rows.append(clean_row)
        if messages:
            raise FieldError(messages)
        return clean_rows

    return clean


_TYPED: dict[str, Callable[[Mapping[str, Any], str, Callable[[], date]], Cleaner]] = {
    FieldType.TEXT: _text_cleaner,
    FieldType.TEXTAREA: _text_cleaner,
    FieldType.INTEGER: _integer,
    FieldType.DECIMAL: _decimal,
    FieldType.MONEY: _money,
    FieldType.DATE: _date,
    FieldType.SELECT: _single_choice,
    FieldType.RADIO: _single_choice,
    FieldType.CHECKBOXES: _checkboxes,
    FieldType.YES_NO: _yes_no,
    FieldType.EMAIL: _email,
    FieldType.PHONE: _phone,
    FieldType.CITIZEN_ID: _citizen_id,
    FieldType.TAX_CODE: _tax_code,
    FieldType.ADDRESS: _address,
    FieldType.FILE: _file,
}
