"""Admins' regular expressions: the usual ones pass, the ones that can hang the server are refused."""

import time

import pytest

from eforms.patterns import pattern_problems
from eforms.validation import validate_submission
from tests.eforms.builders import field, one_field

NESTED = "mẫu kiểm tra có nhóm lặp lồng nhau (ví dụ (a+)+ hoặc (a|b)*), có thể làm treo hệ thống; hãy viết đơn giản hơn"
TOO_MANY = "mẫu kiểm tra có quá nhiều phần lặp (tối đa 3 phần lặp không giới hạn như + hoặc *)"


@pytest.mark.parametrize(
    "pattern",
    [
        r"\d{2}[A-Z]-\d{5}",  # licence plate
        r"0\d{9}",
        r"(Mr|Mrs)?\s?[A-Z]\w+",
        r"[a-z]+@[a-z]+\.[a-z]{2,}",
        r"(\d{3})+",
        r"(?:ab)+",
        r"[(]+\)+",
        r"[^]()+]+",
        r"\w+\s\w+",
    ],
)
def test_usual_patterns_pass(pattern):
    assert pattern_problems(pattern) == []


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("(a+)+b", NESTED),
        ("(a|aa)*", NESTED),
        ("((a+))+", NESTED),
        ("(?:a|b)+", NESTED),
        (r"(\w+\s?)*$", NESTED),
        (r"\d+\d+\d+\d+", TOO_MANY),
        ("a?b?c?d?e?f?g?", TOO_MANY),
        ("[", "mẫu kiểm tra không hợp lệ ở vị trí 0 (unterminated character set)"),
    ],
)
def test_dangerous_patterns_are_refused(pattern, problem):
    assert pattern_problems(pattern) == [problem]


def test_an_accepted_pattern_stays_fast_on_the_longest_value():
    # given the worst accepted shape (three overlapping repetitions) and the longest value it may see
    spec = field("ma", "text", "Mã", pattern=r"\d+\d+\d+")
    value = "1" * 254 + "x"

    # when
    started = time.perf_counter()
    result = validate_submission(one_field(spec), {"ma": value})
    elapsed = time.perf_counter() - started

    # then it is refused in well under a second
    assert result.errors == {"ma": ["Mã không đúng định dạng."]}
    assert elapsed < 0.5
