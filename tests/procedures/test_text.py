import unicodedata

import pytest

from procedures.text import normalize_search_text, vietnamese_sort_key


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Đăng ký khai sinh", "dang ki khai sinh"),
        ("dang ky khai sinh", "dang ki khai sinh"),
        ("ĐĂNG KÍ KHAI SINH", "dang ki khai sinh"),
        (unicodedata.normalize("NFD", "Đăng ký khai sinh"), "dang ki khai sinh"),
        ("  khai   sinh!!  ", "khai sinh"),
        ("Mã 1.001193.", "ma 1.001193"),
        ("'; DROP TABLE procedures_procedure; --", "drop table procedures procedure"),
    ],
)
def test_normalize_search_text_folds_the_ways_people_type(typed, expected):
    assert normalize_search_text(typed) == expected


def test_d_with_stroke_is_mapped_not_dropped():
    # NFD keeps "đ" intact; stripping marks alone would leave it, so it must be mapped.
    assert normalize_search_text("Đất đai") == "dat dai"


def test_vietnamese_sort_follows_the_alphabet_not_code_points():
    names = ["Đông Hưng", "Dương Kinh", "Ân Thi", "An Lão", "Ăn Khê", "Bình Lục", "Yên Mô"]

    assert sorted(names, key=vietnamese_sort_key) == [
        "An Lão", "Ăn Khê", "Ân Thi", "Bình Lục", "Dương Kinh", "Đông Hưng", "Yên Mô",
    ]  # fmt: skip
    assert sorted(names) != sorted(names, key=vietnamese_sort_key)
