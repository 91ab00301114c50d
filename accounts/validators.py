"""Checks on Vietnamese identity data."""

import datetime as dt
import re

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from vietnam_provinces import Province

# Before the 2025 merger there were 63 provinces; citizen id numbers keep the birth-place code
# they were issued with, so the old codes (001–096) stay valid even where the province is gone.
_OLD_PROVINCE_CODES = frozenset(
    {1, 2, 4, 6, 8, 10, 11, 12, 14, 15, 17, 19, 20, 22, 24, 25, 26, 27, 30, 31, 33, 34, 35, 36, 37, 38, 40, 42,
     44, 45, 46, 48, 49, 51, 52, 54, 56, 58, 60, 62, 64, 66, 67, 68, 70, 72, 74, 75, 77, 79, 80, 82, 83, 84,
     86, 87, 89, 91, 92, 93, 94, 95, 96}
)  # fmt: skip
_CITIZEN_ID = re.compile(r"^\d{12}$")
_PHONE = re.compile(r"^(?:0|\+84)(?:3|5|7|8|9)\d{8}$")


def validate_citizen_id(value: str, *, date_of_birth: dt.date | None = None) -> None:
    """A 12-digit citizen id number (CCCD): province code, century/sex digit, birth year.

    Digits 1–3: birth-place province; digit 4: century and sex (0/1 → 1900s, 2/3 → 2000s,
    4/5 → 2100s ...); digits 5–6: last two digits of the birth year; 7–12: random.
    """
    if not _CITIZEN_ID.match(value or ""):
        raise ValidationError(_("Số định danh cá nhân phải gồm đúng 12 chữ số."), code="citizen_id_format")
    province = int(value[:3])
    known = _OLD_PROVINCE_CODES | {int(p.code) for p in Province.iter_all()}
    if province not in known:
        raise ValidationError(
            _("Ba chữ số đầu của số định danh (%(code)s) không phải mã tỉnh, thành phố hợp lệ."),
            code="citizen_id_province",
            params={"code": value[:3]},
        )
    if date_of_birth is not None:
        century = 1900 + 100 * (int(value[3]) // 2)
        year = century + int(value[4:6])
        if year != date_of_birth.year:
            raise ValidationError(
                _("Số định danh không khớp với năm sinh %(year)s."),
                code="citizen_id_birth_year",
                params={"year": date_of_birth.year},
            )


def validate_phone(value: str) -> None:
    if not _PHONE.match(re.sub(r"[\s.-]", "", value or "")):
        raise ValidationError(_("Số điện thoại di động không hợp lệ (ví dụ 0912345678)."), code="phone_format")


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's rule with a Vietnamese message: Django 5.2 changed the message's wording and its
    Vietnamese catalogue still has the old one, so the error came out in English."""

    def get_error_message(self) -> str:
        return ngettext(
            "Mật khẩu quá ngắn. Mật khẩu phải có ít nhất %(min_length)d ký tự.",
            "Mật khẩu quá ngắn. Mật khẩu phải có ít nhất %(min_length)d ký tự.",
            self.min_length,
        ) % {"min_length": self.min_length}
