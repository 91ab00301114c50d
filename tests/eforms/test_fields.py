"""Every field type: what is accepted (and how it is cleaned), what is refused, with the exact message."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from eforms.validation import validate_submission
from tests.eforms.builders import field, one_field

TODAY = dt.datetime(2026, 3, 10, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
OPTIONS = [{"value": "nam", "label": "Nam"}, {"value": "nu", "label": "Nữ"}, {"value": "khac", "label": "Khác"}]


def clean(spec, raw):
    result = validate_submission(one_field(spec), {spec["key"]: raw})
    return result.values.get(spec["key"]), result.errors.get(spec["key"])


VALID = [
    # (spec, submitted, clean value)
    (field("ho_ten", "text", "Họ và tên"), "  Nguyễn   Văn An ", "Nguyễn Văn An"),
    (field("ho_ten", "text", "Họ và tên"), "Nguye\u0302\u0303n", "Nguyễn"),  # NFD from a PDF becomes NFC
    (field("bien_so", "text", "Biển số", pattern=r"\d{2}[A-Z]-\d{5}"), "29A-12345", "29A-12345"),
    (field("ly_do", "textarea", "Lý do"), "Dòng 1\r\nDòng 2  ", "Dòng 1\nDòng 2"),
    (field("so_con", "integer", "Số con", min=0, max=20), "3", 3),
    (field("so_con", "integer", "Số con"), 7, 7),
    (field("dien_tich", "decimal", "Diện tích"), "120,5", "120.5"),
    (field("dien_tich", "decimal", "Diện tích"), "1.234,56", "1234.56"),
    (field("dien_tich", "decimal", "Diện tích"), 12.25, "12.25"),
    (field("dien_tich", "decimal", "Diện tích", decimal_places=1), "12.50", "12.5"),
    (field("le_phi", "money", "Lệ phí"), "1.500.000", 1_500_000),
    (field("le_phi", "money", "Lệ phí"), "1 500 000 đồng", 1_500_000),
    (field("le_phi", "money", "Lệ phí"), 50000, 50_000),
    (field("ngay_sinh", "date", "Ngày sinh"), "2001-02-03", "2001-02-03"),
    (field("ngay_sinh", "date", "Ngày sinh"), "3/2/2001", "2001-02-03"),
    (field("ngay_sinh", "date", "Ngày sinh", max="today"), "2026-03-10", "2026-03-10"),
    (field("dan_toc", "select", "Dân tộc", options=OPTIONS), "nu", "nu"),
    (field("gioi_tinh", "radio", "Giới tính", options=OPTIONS), "nam", "nam"),
    (field("lien_he", "checkboxes", "Liên hệ", options=OPTIONS), ["khac", "nam", "khac"], ["nam", "khac"]),
    (field("co_con", "yes_no", "Có con"), "false", False),
    (field("co_con", "yes_no", "Có con"), True, True),
    (field("email", "email", "Thư điện tử"), " An.Nguyen@Example.VN ", "An.Nguyen@example.vn"),
    (field("dien_thoai", "phone", "Số điện thoại"), "0912 345 678", "0912345678"),
    (field("dien_thoai", "phone", "Số điện thoại"), "+84912345678", "0912345678"),
    (field("cccd", "citizen_id", "Số định danh"), "001 090 012345", "001090012345"),
    (field("mst", "tax_code", "Mã số thuế"), "0123456789", "0123456789"),
    (field("mst", "tax_code", "Mã số thuế"), "0123456789001", "0123456789-001"),
    (field("mst", "tax_code", "Mã số thuế"), "0123456789-001", "0123456789-001"),
    (
        field("noi_o", "address", "Nơi ở"),
        {"province_code": "1", "ward_code": "4", "street": " 12  phố Huế "},
        {
            "province_code": 1,
            "province_name": "Thành phố Hà Nội",
            "ward_code": 4,
            "ward_name": "Phường Ba Đình",
            "street": "12 phố Huế",
        },
    ),  # fmt: skip
    (field("to_khai", "file", "Tờ khai", component=1), "tep-17", "tep-17"),
    (field("to_khai", "file", "Tờ khai", component=1), 17, "17"),
    (field("ban_sao", "file", "Bản sao", component=1, multiple=True), ["a1", "", "b2", "a1"], ["a1", "b2"]),
    (field("cam_doan", "declaration", "Tôi cam đoan"), "on", True),
    (
        field(
            "thanh_vien",
            "repeating_group",
            "Thành viên",
            fields=[field("tv_ten", "text", "Họ tên"), field("tv_tuoi", "integer", "Tuổi")],
        ),
        [{"tv_ten": "An", "tv_tuoi": "5"}, {"tv_ten": "", "tv_tuoi": ""}, {"tv_ten": "Bình"}],
        [{"tv_ten": "An", "tv_tuoi": 5}, {"tv_ten": "Bình", "tv_tuoi": None}],
    ),  # fmt: skip
]


@pytest.mark.parametrize(
    ("spec", "raw", "expected"), VALID, ids=lambda v: v["type"] if isinstance(v, dict) and "type" in v else None
)
@time_machine.travel(TODAY, tick=False)
def test_valid_values_are_cleaned(spec, raw, expected):
    # given a one-field form
    # when the value is submitted
    value, errors = clean(spec, raw)

    # then it is kept, cleaned
    assert errors is None
    assert value == expected


INVALID = [
    # (spec, submitted, message)
    (field("ho_ten", "text", "Họ và tên", required=True), "   ", "Vui lòng nhập Họ và tên."),
    (field("ho_ten", "text", "Họ và tên", min_length=2), "A", "Họ và tên phải có ít nhất 2 ký tự."),
    (field("ho_ten", "text", "Họ và tên", max_length=5), "Nguyễn Văn", "Họ và tên chỉ được có tối đa 5 ký tự."),
    (field("ho_ten", "text", "Họ và tên"), "A\x00B", "Họ và tên chứa ký tự không hợp lệ."),
    (field("ho_ten", "text", "Họ và tên"), ["A"], "Họ và tên không hợp lệ."),
    (field("bien_so", "text", "Biển số", pattern=r"\d{2}[A-Z]-\d{5}"), "29A12345", "Biển số không đúng định dạng."),
    (
        field("bien_so", "text", "Biển số", pattern=r"\d{2}[A-Z]-\d{5}", pattern_message="Biển số dạng 29A-12345."),
        "29A12345",
        "Biển số dạng 29A-12345.",
    ),
    (field("ly_do", "textarea", "Lý do", required=True), "", "Vui lòng nhập Lý do."),
    (field("so_con", "integer", "Số con"), "2,5", "Số con phải là số nguyên."),
    (field("so_con", "integer", "Số con"), True, "Số con phải là số nguyên."),
    (field("so_con", "integer", "Số con", min=1), "0", "Số con phải lớn hơn hoặc bằng 1."),
    (field("so_nguoi", "integer", "Số người", max=1000), "1500", "Số người phải nhỏ hơn hoặc bằng 1.000."),
    (field("dien_tich", "decimal", "Diện tích"), "12,5,1", "Diện tích phải là một số, ví dụ 12,5."),
    (field("dien_tich", "decimal", "Diện tích"), "NaN", "Diện tích phải là một số, ví dụ 12,5."),
    (field("dien_tich", "decimal", "Diện tích", min=0.5), "0,25", "Diện tích phải lớn hơn hoặc bằng 0,5."),
    (
        field("dien_tich", "decimal", "Diện tích", decimal_places=1),
        "12,55",
        "Diện tích chỉ được có tối đa 1 chữ số sau dấu phẩy.",
    ),
    (
        field("le_phi", "money", "Lệ phí"),
        "1500,5",
        "Lệ phí phải là số tiền bằng đồng, không có phần lẻ, ví dụ 1.500.000.",
    ),
    (field("le_phi", "money", "Lệ phí"), "-5", "Lệ phí phải là số tiền bằng đồng, không có phần lẻ, ví dụ 1.500.000."),
    (field("le_phi", "money", "Lệ phí", min=100000), "50.000", "Lệ phí phải từ 100.000 đồng trở lên."),
    (field("le_phi", "money", "Lệ phí", max=1000000), "2.000.000", "Lệ phí không được vượt quá 1.000.000 đồng."),
    (field("ngay_sinh", "date", "Ngày sinh"), "31/02/2001", "Ngày sinh không phải là ngày hợp lệ (ngày/tháng/năm)."),
    (field("ngay_sinh", "date", "Ngày sinh", max="today"), "2026-03-11", "Ngày sinh không được sau ngày hôm nay."),
    (field("ngay_hen", "date", "Ngày hẹn", min="today"), "2026-03-09", "Ngày hẹn không được trước ngày hôm nay."),
    (
        field("ngay_sinh", "date", "Ngày sinh", min="1900-01-01"),
        "1899-12-31",
        "Ngày sinh không được trước ngày 01/01/1900.",
    ),
    (field("ngay_cap", "date", "Ngày cấp", max="2025-06-30"), "2025-07-01", "Ngày cấp không được sau ngày 30/06/2025."),
    (field("dan_toc", "select", "Dân tộc", options=OPTIONS, required=True), "", "Vui lòng chọn Dân tộc."),
    (field("dan_toc", "select", "Dân tộc", options=OPTIONS), "kinh", "Dân tộc: lựa chọn không hợp lệ."),
    (field("gioi_tinh", "radio", "Giới tính", options=OPTIONS), "x", "Giới tính: lựa chọn không hợp lệ."),
    (field("lien_he", "checkboxes", "Liên hệ", options=OPTIONS), ["nam", "x"], "Liên hệ: lựa chọn không hợp lệ."),
    (
        field("lien_he", "checkboxes", "Liên hệ", options=OPTIONS, min_selected=2),
        ["nam"],
        "Vui lòng chọn ít nhất 2 mục cho Liên hệ.",
    ),
    (
        field("lien_he", "checkboxes", "Liên hệ", options=OPTIONS, max_selected=1),
        ["nam", "nu"],
        "Liên hệ: chỉ được chọn tối đa 1 mục.",
    ),
    (field("co_con", "yes_no", "Có con", required=True), None, "Vui lòng chọn Có con."),
    (field("co_con", "yes_no", "Có con"), "maybe", "Vui lòng chọn Có hoặc Không cho Có con."),
    (field("email", "email", "Thư điện tử"), "an@", "Thư điện tử không phải là địa chỉ thư điện tử hợp lệ."),
    (
        field("dien_thoai", "phone", "Số điện thoại"),
        "0212345678",
        "Số điện thoại di động không hợp lệ (ví dụ 0912345678).",
    ),
    (field("cccd", "citizen_id", "Số định danh"), "12345", "Số định danh cá nhân phải gồm đúng 12 chữ số."),
    (
        field("cccd", "citizen_id", "Số định danh"),
        "003090012345",
        "Ba chữ số đầu của số định danh (003) không phải mã tỉnh, thành phố hợp lệ.",
    ),
    (
        field("mst", "tax_code", "Mã số thuế"),
        "012345678",
        "Mã số thuế phải gồm 10 chữ số, hoặc 13 chữ số dạng 0123456789-001.",
    ),
    (field("noi_o", "address", "Nơi ở", required=True), {"province_code": "", "ward_code": ""}, "Vui lòng nhập Nơi ở."),
    (
        field("noi_o", "address", "Nơi ở"),
        {"ward_code": "4", "street": "12"},
        "Vui lòng chọn tỉnh, thành phố cho Nơi ở.",
    ),
    (field("noi_o", "address", "Nơi ở"), {"province_code": "1"}, "Vui lòng chọn xã, phường cho Nơi ở."),
    (
        field("noi_o", "address", "Nơi ở"),
        {"province_code": "3", "ward_code": "4"},
        "Nơi ở: tỉnh, thành phố không hợp lệ.",
    ),
    (
        field("noi_o", "address", "Nơi ở"),
        {"province_code": "79", "ward_code": "4"},
        "Nơi ở: xã, phường đã chọn không thuộc tỉnh, thành phố đã chọn.",
    ),
    (
        field("noi_o", "address", "Nơi ở", street_required=True),
        {"province_code": "1", "ward_code": "4", "street": " "},
        "Vui lòng nhập số nhà, đường cho Nơi ở.",
    ),
    (field("to_khai", "file", "Tờ khai", component=1, required=True), "", "Vui lòng đính kèm Tờ khai."),
    (field("to_khai", "file", "Tờ khai", component=1), "../etc/passwd", "Tờ khai: tệp đính kèm không hợp lệ."),
    (field("to_khai", "file", "Tờ khai", component=1), {"name": "x.pdf"}, "Tờ khai: tệp đính kèm không hợp lệ."),
    (field("cam_doan", "declaration", "Tôi cam đoan"), None, "Vui lòng đánh dấu xác nhận lời cam đoan."),
    (field("cam_doan", "declaration", "Tôi cam đoan"), "false", "Vui lòng đánh dấu xác nhận lời cam đoan."),
    (
        field("thanh_vien", "repeating_group", "Thành viên", required=True, fields=[field("tv_ten", "text", "Họ tên")]),
        [{"tv_ten": ""}],
        "Vui lòng nhập ít nhất một dòng cho Thành viên.",
    ),
    (
        field("thanh_vien", "repeating_group", "Thành viên", min_rows=2, fields=[field("tv_ten", "text", "Họ tên")]),
        [{"tv_ten": "An"}],
        "Thành viên phải có ít nhất 2 dòng.",
    ),
    (
        field("thanh_vien", "repeating_group", "Thành viên", max_rows=1, fields=[field("tv_ten", "text", "Họ tên")]),
        [{"tv_ten": "An"}, {"tv_ten": "Bình"}],
        "Thành viên chỉ được có tối đa 1 dòng.",
    ),
    (
        field("thanh_vien", "repeating_group", "Thành viên", fields=[field("tv_ten", "text", "Họ tên")]),
        "An",
        "Thành viên không hợp lệ.",
    ),
]


@pytest.mark.parametrize(
    ("spec", "raw", "message"), INVALID, ids=lambda v: v["type"] if isinstance(v, dict) and "type" in v else None
)
@time_machine.travel(TODAY, tick=False)
def test_invalid_values_are_refused_with_a_message(spec, raw, message):
    # given a one-field form
    # when a wrong value is submitted
    value, errors = clean(spec, raw)

    # then nothing is kept and the message says why
    assert value is None
    assert errors == [message]


def test_optional_empty_field_is_kept_as_none():
    # given an optional field
    spec = field("ghi_chu", "text", "Ghi chú")

    # when it is left empty
    result = validate_submission(one_field(spec), {"ghi_chu": " "})

    # then the answer is "nothing", not an error
    assert result.values == {"ghi_chu": None}
    assert result.errors == {}


def test_citizen_id_is_checked_against_the_date_of_birth():
    # given a citizen id bound to the date of birth of the same form
    document = one_field(field("ngay_sinh", "date", "Ngày sinh"))
    document["steps"][0]["fields"].append(field("cccd", "citizen_id", "Số định danh", date_of_birth_field="ngay_sinh"))

    # when the birth year does not match digits 4-6 (0 = 1900s, 90 = 1990)
    result = validate_submission(document, {"ngay_sinh": "1991-05-01", "cccd": "001090012345"})

    # then
    assert result.errors == {"cccd": ["Số định danh không khớp với năm sinh 1991."]}


def test_rows_of_a_table_are_checked_one_by_one_with_their_numbers():
    # given a table of family members
    spec = field(
        "thanh_vien",
        "repeating_group",
        "Thành viên",
        fields=[field("tv_ten", "text", "Họ tên", required=True), field("tv_sinh", "date", "Ngày sinh")],
    )

    # when row 3 (after an empty row 2) lacks a name and has a wrong date
    value, errors = clean(spec, [{"tv_ten": "An"}, {}, {"tv_sinh": "30/02/2020"}])

    # then the messages name the table, the row and the column
    assert value is None
    assert errors == [
        "Thành viên, dòng 3: Vui lòng nhập Họ tên.",
        "Thành viên, dòng 3: Ngày sinh không phải là ngày hợp lệ (ngày/tháng/năm).",
    ]


def test_display_fields_hold_no_value():
    # given a heading and a help paragraph
    document = one_field(field("tieu_de", "heading", "Thông tin người khai"))
    document["steps"][0]["fields"] += [
        field("huong_dan", "help", text="Khai đúng như giấy tờ."),
        field("ten", "text", "Tên"),
    ]

    # when values are sent for them anyway
    result = validate_submission(document, {"tieu_de": "x", "huong_dan": "y", "ten": "An"})

    # then they are not in the result
    assert result.values == {"ten": "An"}


@pytest.mark.parametrize(
    ("spec", "raw"),
    [(spec, raw) for spec, raw, _expected in VALID],
    ids=lambda v: v["type"] if isinstance(v, dict) and "type" in v else None,
)
@time_machine.travel(TODAY, tick=False)
def test_a_clean_value_is_accepted_again_unchanged(spec, raw):
    # given the clean value of a field (as a wizard keeps it between steps)
    value, _errors = clean(spec, raw)

    # when it is checked again
    again, errors = clean(spec, value)

    # then it is the same
    assert errors is None
    assert again == value


@pytest.mark.parametrize(
    ("spec", "raw", "message"),
    [
        (field("so_con", "integer", "Số con"), "1" * 5000, "Số con phải là số nguyên."),
        (field("so_con", "integer", "Số con"), "²", "Số con phải là số nguyên."),
        (field("so_con", "integer", "Số con"), "٣", "Số con phải là số nguyên."),
        (field("so_con", "integer", "Số con"), float("inf"), "Số con phải là số nguyên."),
        (
            field("le_phi", "money", "Lệ phí"),
            float("inf"),
            "Lệ phí phải là số tiền bằng đồng, không có phần lẻ, ví dụ 1.500.000.",
        ),
        (
            field("le_phi", "money", "Lệ phí"),
            "9" * 20,
            "Lệ phí phải là số tiền bằng đồng, không có phần lẻ, ví dụ 1.500.000.",
        ),
        (field("dien_tich", "decimal", "Diện tích"), float("inf"), "Diện tích phải là một số, ví dụ 12,5."),
        (field("dien_tich", "decimal", "Diện tích"), "1" * 100_000, "Diện tích phải là một số, ví dụ 12,5."),
        (field("ho_ten", "text", "Họ và tên"), "x" * 1_000_000, "Họ và tên chỉ được có tối đa 1000 ký tự."),
        (
            field("noi_o", "address", "Nơi ở"),
            {"province_code": "²", "ward_code": "4"},
            "Nơi ở: tỉnh, thành phố không hợp lệ.",
        ),
        (field("ngay", "date", "Ngày"), "0000-01-01", "Ngày không phải là ngày hợp lệ (ngày/tháng/năm)."),
        (field("cb", "checkboxes", "CB", options=OPTIONS), [{"x": 1}], "CB: lựa chọn không hợp lệ."),
        (field("gt", "select", "GT", options=OPTIONS), ["nam"], "GT: lựa chọn không hợp lệ."),
    ],
    ids=lambda v: v["type"] if isinstance(v, dict) and "type" in v else None,
)
def test_hostile_input_is_refused_not_crashed_on(spec, raw, message):
    assert clean(spec, raw) == (None, [message])
