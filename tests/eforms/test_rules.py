"""The rule engine, and visibility and cross-field checks as the server applies them."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from eforms.constants import KIND_BOOL, KIND_DATE, KIND_MULTI, KIND_NUMBER, KIND_TEXT
from eforms.exceptions import StepNotFound
from eforms.rules import depth, evaluate, find_cycles, referenced_fields
from eforms.validation import step_is_visible, validate_step, validate_submission, visible_step_keys
from tests.eforms.builders import field, form, step

KINDS = {"loai": KIND_TEXT, "so_con": KIND_NUMBER, "ngay": KIND_DATE, "co": KIND_BOOL, "lien_he": KIND_MULTI,
         "ngay_khac": KIND_DATE}  # fmt: skip


@pytest.mark.parametrize(
    ("condition", "values", "expected"),
    [
        ({"field": "loai", "op": "equals", "value": "cccd"}, {"loai": "cccd"}, True),
        ({"field": "loai", "op": "equals", "value": "cccd"}, {"loai": "ho_chieu"}, False),
        ({"field": "loai", "op": "equals", "value": "cccd"}, {}, False),
        ({"field": "loai", "op": "not_equals", "value": "cccd"}, {}, True),
        ({"field": "loai", "op": "in", "value": ["a", "b"]}, {"loai": "b"}, True),
        ({"field": "so_con", "op": "gt", "value": 2}, {"so_con": 3}, True),
        ({"field": "so_con", "op": "gte", "value": 3}, {"so_con": 3}, True),
        ({"field": "so_con", "op": "lt", "value": 3}, {"so_con": 3}, False),
        ({"field": "so_con", "op": "lte", "value": 2.5}, {"so_con": "2.5"}, True),  # decimals are kept as text
        ({"field": "ngay", "op": "lt", "value": "2026-01-01"}, {"ngay": "2025-12-31"}, True),
        ({"field": "ngay", "op": "gte", "value": "today"}, {"ngay": "2026-03-10"}, True),
        (
            {"field": "ngay", "op": "lt", "other_field": "ngay_khac"},
            {"ngay": "2020-01-01", "ngay_khac": "2021-01-01"},
            True,
        ),
        ({"field": "co", "op": "equals", "value": False}, {"co": False}, True),
        ({"field": "lien_he", "op": "equals", "value": "email"}, {"lien_he": ["sms", "email"]}, True),
        ({"field": "lien_he", "op": "in", "value": ["zalo", "sms"]}, {"lien_he": ["email"]}, False),
        ({"field": "loai", "op": "filled"}, {"loai": " "}, False),
        ({"field": "co", "op": "filled"}, {"co": False}, True),
        ({"field": "lien_he", "op": "empty"}, {"lien_he": []}, True),
        (
            {
                "all": [
                    {"field": "co", "op": "equals", "value": True},
                    {"any": [{"field": "so_con", "op": "gt", "value": 5}, {"field": "loai", "op": "filled"}]},
                ]
            },
            {"co": True, "so_con": 1, "loai": "x"},
            True,
        ),  # fmt: skip
        (
            {"any": [{"field": "co", "op": "equals", "value": True}, {"field": "so_con", "op": "gt", "value": 5}]},
            {},
            False,
        ),
    ],
)
@time_machine.travel(dt.datetime(2026, 3, 10, 23, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")), tick=False)
def test_conditions(condition, values, expected):
    assert evaluate(condition, values, KINDS) is expected


def test_depth_references_and_cycles():
    condition = {"all": [{"field": "a", "op": "filled"}, {"any": [{"field": "b", "op": "lt", "other_field": "c"}]}]}

    assert depth(condition) == 3
    assert referenced_fields(condition) == ["a", "b", "c"]
    assert find_cycles({"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"]}) == [["a", "b", "c", "a"]]
    assert find_cycles({"a": ["b"], "b": []}) == []


def children_form():
    return form(
        step(
            "nguoi_khai",
            field("ho_ten", "text", "Họ và tên", required=True),
            field("co_con", "yes_no", "Có con chưa thành niên", required=True),
            field(
                "so_con",
                "integer",
                "Số con",
                required=True,
                min=1,
                visible_if={"field": "co_con", "op": "equals", "value": True},
            ),
        ),  # fmt: skip
        step(
            "con",
            field("ten_con", "text", "Họ tên con", required=True),
            visible_if={"field": "co_con", "op": "equals", "value": True},
        ),
        step("cam_ket", field("cam_doan", "declaration", "Tôi cam đoan")),
    )


def test_a_hidden_field_is_not_checked_and_its_value_is_dropped():
    # given "number of children" shown only to those who have children
    # when the browser says "no children" yet sends a number (a stale value, or a tampered page)
    result = validate_step(
        children_form(), "nguoi_khai", {"ho_ten": "An", "co_con": "false", "so_con": "abc"}, answers_so_far={}
    )

    # then the server decides the field is hidden: not checked, not kept
    assert result.errors == {}
    assert result.values == {"ho_ten": "An", "co_con": False}


def test_a_shown_field_is_checked_even_if_the_browser_left_it_out():
    # given a citizen who has children
    # when the page (its script hid the field) does not send the number
    result = validate_step(children_form(), "nguoi_khai", {"ho_ten": "An", "co_con": "true"}, answers_so_far={})

    # then the server shows it and asks for it
    assert result.errors == {"so_con": ["Vui lòng nhập Số con."]}
    assert result.values == {"ho_ten": "An", "co_con": True}


def test_a_hidden_step_is_skipped_and_its_values_dropped():
    # given the children step, shown only to those who have children
    data = {"ho_ten": "An", "co_con": "false", "ten_con": "Bình", "cam_doan": "on"}

    # when the whole form is submitted with values for the hidden step
    result = validate_submission(children_form(), data)

    # then
    assert result.errors == {}
    assert result.values == {"ho_ten": "An", "co_con": False, "cam_doan": True}
    assert visible_step_keys(children_form(), result.values) == ["nguoi_khai", "cam_ket"]
    assert validate_step(children_form(), "con", {"ten_con": "Bình"}, answers_so_far=result.values).values == {}


def test_a_step_uses_the_answers_of_earlier_steps_only():
    # given earlier answers that say "children", plus values a client slipped in for later steps
    answers = {"ho_ten": "An", "co_con": True, "so_con": 2, "cam_doan": True}

    # when the children step is submitted empty
    result = validate_step(children_form(), "con", {}, answers_so_far=answers)

    # then it is shown and checked, and only its own values come back
    assert step_is_visible(children_form(), "con", answers_so_far=answers)
    assert result.errors == {"ten_con": ["Vui lòng nhập Họ tên con."]}
    assert result.values == {}


def test_stale_answers_so_far_are_rechecked():
    # given answers kept from an earlier visit: "no children" now, but a number still stored
    answers = {"ho_ten": "An", "co_con": False, "so_con": 2}

    # when the next step is checked
    # then the children step is hidden: the stored number does not count
    assert not step_is_visible(children_form(), "con", answers_so_far=answers)


def test_unknown_step_is_refused():
    with pytest.raises(StepNotFound, match="Bước “khong_co” không có trong biểu mẫu."):
        validate_step(children_form(), "khong_co", {}, answers_so_far={})


def dates_form():
    return form(
        step("khai_sinh", field("ngay_sinh", "date", "Ngày sinh", required=True), field("noi_sinh", "text", "Nơi sinh")),
        step(
            "dang_ky",
            field("ngay_dang_ky", "date", "Ngày đăng ký", required=True),
            field("dang_ky_lai", "yes_no", "Đăng ký lại"),
            field("so_giay_cu", "text", "Số giấy khai sinh cũ"),
        ),
        checks=[
            {"assert": {"field": "ngay_sinh", "op": "lt", "other_field": "ngay_dang_ky"},
             "message": "Ngày sinh phải trước ngày đăng ký."},
            {"if": {"field": "dang_ky_lai", "op": "equals", "value": True},
             "assert": {"field": "so_giay_cu", "op": "filled"},
             "message": "Khi đăng ký lại, vui lòng ghi số giấy khai sinh cũ."},
        ],
    )  # fmt: skip


def test_cross_field_check_on_the_whole_form():
    # when the date of birth is after the registration date
    result = validate_submission(dates_form(), {"ngay_sinh": "2026-01-05", "ngay_dang_ky": "2026-01-04"})

    # then the message is shown at the first field of the check
    assert result.errors == {"ngay_sinh": ["Ngày sinh phải trước ngày đăng ký."]}
    assert "ngay_sinh" not in result.values or result.values["ngay_sinh"] == "2026-01-05"


def test_cross_field_check_runs_at_the_step_that_completes_it():
    # given the date of birth answered at step 1
    answers = validate_step(dates_form(), "khai_sinh", {"ngay_sinh": "2026-01-05"}, answers_so_far={}).values

    # when step 2 gives an earlier registration date, and asks for a re-registration without the old number
    result = validate_step(
        dates_form(), "dang_ky", {"ngay_dang_ky": "2026-01-04", "dang_ky_lai": "true"}, answers_so_far=answers
    )

    # then both checks fail on step 2, each shown at its first field on this page
    assert result.errors == {
        "ngay_dang_ky": ["Ngày sinh phải trước ngày đăng ký."],
        "so_giay_cu": ["Khi đăng ký lại, vui lòng ghi số giấy khai sinh cũ."],
    }


def test_a_check_whose_fields_are_all_on_earlier_pages_is_a_page_error():
    # given "a re-registration (step 2) needs the place of birth (step 1)"
    document = dates_form()
    document["checks"] = [
        {"if": {"field": "dang_ky_lai", "op": "equals", "value": True}, "assert": {"field": "noi_sinh", "op": "filled"},
         "message": "Khi đăng ký lại, vui lòng khai nơi sinh ở bước 1."}
    ]  # fmt: skip

    # when step 2 says "re-registration" and step 1 left the place of birth empty
    result = validate_step(
        document, "dang_ky", {"ngay_dang_ky": "2026-01-06", "dang_ky_lai": "true"},
        answers_so_far={"ngay_sinh": "2026-01-05"},
    )  # fmt: skip

    # then the message belongs to the page, not to a field of it
    assert result.errors == {"__all__": ["Khi đăng ký lại, vui lòng khai nơi sinh ở bước 1."]}


def test_a_check_with_a_missing_value_is_left_to_the_required_rule():
    # when the registration date is missing
    result = validate_submission(dates_form(), {"ngay_sinh": "2026-01-05"})

    # then only "required" speaks
    assert result.errors == {"ngay_dang_ky": ["Vui lòng nhập Ngày đăng ký."]}


def test_a_column_rule_reads_its_own_row():
    # given a table where "school" is asked only for children
    document = form(
        step(
            "ho_gia_dinh",
            field(
                "thanh_vien",
                "repeating_group",
                "Thành viên",
                fields=[
                    field(
                        "quan_he",
                        "select",
                        "Quan hệ",
                        options=[{"value": "con", "label": "Con"}, {"value": "vo", "label": "Vợ"}],
                    ),
                    field(
                        "truong",
                        "text",
                        "Trường học",
                        required=True,
                        visible_if={"field": "quan_he", "op": "equals", "value": "con"},
                    ),
                ],
            ),  # fmt: skip
        )
    )

    # when
    result = validate_submission(
        document, {"thanh_vien": [{"quan_he": "vo", "truong": "x"}, {"quan_he": "con", "truong": ""}]}
    )

    # then
    assert result.errors == {"thanh_vien": ["Thành viên, dòng 2: Vui lòng nhập Trường học."]}
    ok = validate_submission(
        document, {"thanh_vien": [{"quan_he": "vo", "truong": "x"}, {"quan_he": "con", "truong": "A"}]}
    )
    assert ok.values == {"thanh_vien": [{"quan_he": "vo"}, {"quan_he": "con", "truong": "A"}]}


def test_rules_within_a_step_follow_their_dependencies_not_the_page_order():
    # given a field placed above the field its rule reads
    document = form(
        step(
            "buoc_1",
            field(
                "ly_do_khac",
                "text",
                "Lý do khác",
                required=True,
                visible_if={"field": "ly_do", "op": "equals", "value": "khac"},
            ),
            field(
                "ly_do",
                "radio",
                "Lý do",
                options=[{"value": "mat", "label": "Mất"}, {"value": "khac", "label": "Khác"}],
            ),
        )  # fmt: skip
    )

    # when
    result = validate_submission(document, {"ly_do": "khac"})

    # then
    assert result.errors == {"ly_do_khac": ["Vui lòng nhập Lý do khác."]}
