import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from accounts.validators import validate_citizen_id, validate_phone


@pytest.mark.parametrize("value", ["037090001234", "001203012345", "096099999999"])
def test_valid_citizen_id_numbers(value):
    validate_citizen_id(value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("03709000123", "đúng 12 chữ số"),
        ("0370900012345", "đúng 12 chữ số"),
        ("03709000123a", "đúng 12 chữ số"),
        ("", "đúng 12 chữ số"),
        ("099090001234", "không phải mã tỉnh"),
        ("000090001234", "không phải mã tỉnh"),
    ],
)
def test_invalid_citizen_id_numbers(value, message):
    with pytest.raises(ValidationError, match=message):
        validate_citizen_id(value)


def test_century_digit_and_year_must_match_the_date_of_birth():
    validate_citizen_id("037090001234", date_of_birth=dt.date(1990, 3, 15))
    validate_citizen_id("037305001234", date_of_birth=dt.date(2005, 1, 1))  # 3 = female, 2000s

    with pytest.raises(ValidationError, match="không khớp với năm sinh 1991"):
        validate_citizen_id("037090001234", date_of_birth=dt.date(1991, 3, 15))
    with pytest.raises(ValidationError, match="năm sinh 1990"):
        validate_citizen_id("037290001234", date_of_birth=dt.date(1990, 3, 15))  # 2 = 2000s


@pytest.mark.parametrize("value", ["0912345678", "091 234 5678", "+84912345678", "0387.123.456"])
def test_valid_phones(value):
    validate_phone(value)


@pytest.mark.parametrize("value", ["012345678", "0212345678", "09123456789", "abc"])
def test_invalid_phones(value):
    with pytest.raises(ValidationError, match="không hợp lệ"):
        validate_phone(value)
