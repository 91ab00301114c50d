"""Checking definitions: each mistake refused with a Vietnamese message that says where it is."""

import copy
import json

import pytest
from jsonschema import Draft202012Validator

from eforms.schema import validate_schema
from eforms.shape import fast_validator, json_schema, reference_validator
from tests.eforms.builders import field, form, step

OPTIONS = [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]


def base():
    return form(
        step(
            "buoc_1",
            field("ho_ten", "text", "Họ và tên"),
            field("co", "yes_no", "Có"),
            field("gt", "select", "Giới tính", options=copy.deepcopy(OPTIONS)),
        ),
        step("buoc_2", field("ngay", "date", "Ngày"), field("so", "integer", "Số")),
    )


def nested(levels):
    condition = {"field": "co", "op": "filled"}
    for _level in range(levels - 1):
        condition = {"all": [condition]}
    return condition


def at(document, step_index, field_index):
    return document["steps"][step_index]["fields"][field_index]


# (what is wrong, how to break the base form, the messages)
CASES = [
    ("unknown field type", lambda d: at(d, 0, 0).update(type="signature"),
     ["Bước 1, trường “ho_ten”: loại trường “signature” không được hỗ trợ."]),
    ("missing label", lambda d: at(d, 1, 0).pop("label"), ["Bước 2, trường “ngay”: thiếu nhãn."]),
    ("blank label", lambda d: at(d, 1, 0).update(label="  "), ["Bước 2, trường “ngay”: thiếu nhãn."]),
    ("missing key", lambda d: at(d, 0, 0).pop("key"), ["Bước 1, trường thứ 1: thiếu mã."]),
    ("key with diacritics", lambda d: at(d, 0, 0).update(key="Họ tên"),
     ["Bước 1, trường thứ 1: mã “Họ tên” không hợp lệ: chỉ dùng chữ thường không dấu, chữ số và dấu gạch dưới, "
      "bắt đầu bằng chữ cái, tối đa 64 ký tự."]),
    ("option of another type", lambda d: at(d, 0, 1).update(max_length=3),
     ["Bước 1, trường “co”: thuộc tính “max_length” không dùng cho loại trường “yes_no”."]),
    ("required is not a boolean", lambda d: at(d, 0, 0).update(required="yes"),
     ["Bước 1, trường “ho_ten”: thuộc tính “required” phải là true hoặc false."]),
    ("no options", lambda d: at(d, 0, 2).update(options=[]), ["Bước 1, trường “gt”: phải có ít nhất một lựa chọn."]),
    ("too many options", lambda d: at(d, 0, 2).update(options=[{"value": f"v{i}", "label": "x"} for i in range(1001)]),
     ["Bước 1, trường “gt”: có 1001 lựa chọn, vượt quá giới hạn 1000."]),
    ("option without label", lambda d: at(d, 0, 2)["options"][1].pop("label"),
     ["Bước 1, trường “gt”, lựa chọn 2: thiếu nhãn."]),
    ("duplicate option", lambda d: at(d, 0, 2)["options"].append({"value": "a", "label": "A2"}),
     ["Bước 1, trường “gt”: giá trị lựa chọn “a” bị trùng."]),
    ("no steps", lambda d: d.update(steps=[]), ["Biểu mẫu: phải có ít nhất một bước."]),
    ("steps not a list", lambda d: d.update(steps={"a": 1}), ["Biểu mẫu: các bước (“steps”) phải là danh sách."]),
    ("unknown top-level property", lambda d: d.update(version=2),
     ["Biểu mẫu: thuộc tính “version” không được dùng ở đây."]),
    ("empty step", lambda d: d["steps"][1].update(fields=[]), ["Bước 2: phải có ít nhất một trường."]),
    ("duplicate field key", lambda d: at(d, 1, 0).update(key="ho_ten"),
     ["Bước 2, trường “ho_ten”: mã trường bị trùng với một trường ở Bước 1."]),
    ("duplicate step key", lambda d: d["steps"][1].update(key="buoc_1"),
     ["Bước 2: mã bước “buoc_1” bị trùng với Bước 1."]),
    ("file without component", lambda d: d["steps"][0]["fields"].append(field("tep", "file", "Tệp")),
     ["Bước 1, trường “tep”: thiếu thành phần hồ sơ."]),
    ("file component zero", lambda d: d["steps"][0]["fields"].append(field("tep", "file", "Tệp", component=0)),
     ["Bước 1, trường “tep”: thành phần hồ sơ phải là số thứ tự (1, 2, ...) hoặc tên của thành phần."]),
    ("file type not a mime type", lambda d: d["steps"][0]["fields"].append(field("tep", "file", "Tệp", component=1, accept=["pdf"])),
     ["Bước 1, trường “tep”: loại tệp chấp nhận “pdf” không đúng định dạng."]),
    ("file too big", lambda d: d["steps"][0]["fields"].append(field("tep", "file", "Tệp", component=1, max_size_mb=500)),
     ["Bước 1, trường “tep”: dung lượng tối đa (MB) phải nhỏ hơn hoặc bằng 100."]),
    ("file in a table", lambda d: d["steps"][0]["fields"].append(
        field("bang", "repeating_group", "Bảng", fields=[field("tep", "file", "Tệp", component=1)])),
     ["Bước 1, trường “bang”, cột “tep”: loại trường “file” không dùng được trong bảng nhiều dòng."]),
    ("help without text", lambda d: d["steps"][0]["fields"].append({"key": "hd", "type": "help"}),
     ["Bước 1, trường “hd”: thiếu nội dung."]),
    ("min above max", lambda d: at(d, 1, 1).update(min=5, max=1),
     ["Bước 2, trường “so”: giá trị nhỏ nhất lớn hơn giá trị lớn nhất."]),
    ("min length above max length", lambda d: at(d, 0, 0).update(min_length=5, max_length=1),
     ["Bước 1, trường “ho_ten”: độ dài tối thiểu lớn hơn độ dài tối đa."]),
    ("date that does not exist", lambda d: at(d, 1, 0).update(min="2025-02-30"),
     ["Bước 2, trường “ngay”: giá trị nhỏ nhất “2025-02-30” không phải là ngày có thật."]),
    ("date in another notation", lambda d: at(d, 1, 0).update(max="30/01/2025"),
     ["Bước 2, trường “ngay”: giá trị lớn nhất phải là ngày dạng YYYY-MM-DD hoặc “today”."]),
    ("date range upside down", lambda d: at(d, 1, 0).update(min="2025-02-03", max="2025-01-01"),
     ["Bước 2, trường “ngay”: ngày nhỏ nhất sau ngày lớn nhất."]),
    ("checkboxes asking for more than they offer", lambda d: d["steps"][0]["fields"].append(
        field("cb", "checkboxes", "CB", options=copy.deepcopy(OPTIONS), min_selected=3)),
     ["Bước 1, trường “cb”: số mục chọn tối thiểu lớn hơn số mục chọn tối đa hoặc số lựa chọn."]),
    ("pattern that does not compile", lambda d: at(d, 0, 0).update(pattern="(abc"),
     ["Bước 1, trường “ho_ten”: mẫu kiểm tra không hợp lệ ở vị trí 0 (missing ), unterminated subpattern)."]),
    ("pattern that can hang the server", lambda d: at(d, 0, 0).update(pattern="(a+)+b"),
     ["Bước 1, trường “ho_ten”: mẫu kiểm tra có nhóm lặp lồng nhau (ví dụ (a+)+ hoặc (a|b)*), có thể làm treo hệ "
      "thống; hãy viết đơn giản hơn."]),
    ("pattern with too many repetitions", lambda d: at(d, 0, 0).update(pattern=r"\d+\d+\d+\d+"),
     ["Bước 1, trường “ho_ten”: mẫu kiểm tra có quá nhiều phần lặp (tối đa 3 phần lặp không giới hạn như + hoặc *)."]),
    ("pattern over long values", lambda d: at(d, 0, 0).update(pattern=r"\d+", max_length=500),
     ["Bước 1, trường “ho_ten”: trường có mẫu kiểm tra chỉ được có độ dài tối đa 255 ký tự."]),
    ("default of the wrong type", lambda d: at(d, 0, 0).update(default=5),
     ["Bước 1, trường “ho_ten”: giá trị mặc định phải là chuỗi ký tự."]),
    ("default breaking the field's checks", lambda d: at(d, 0, 0).update(max_length=3, default="abcdef"),
     ["Bước 1, trường “ho_ten”: giá trị mặc định không hợp lệ (Họ và tên chỉ được có tối đa 3 ký tự)."]),
    ("citizen id bound to a text", lambda d: d["steps"][0]["fields"].append(
        field("cccd", "citizen_id", "CCCD", date_of_birth_field="ho_ten")),
     ["Bước 1, trường “cccd”: trường ngày sinh “ho_ten” không phải trường ngày."]),
    ("rule pointing at a missing field", lambda d: at(d, 0, 0).update(visible_if={"field": "khong_co", "op": "filled"}),
     ["Bước 1, trường “ho_ten”, điều kiện hiển thị: trường “khong_co” không tồn tại."]),
    ("rule pointing at a later step", lambda d: at(d, 0, 0).update(visible_if={"field": "ngay", "op": "filled"}),
     ["Bước 1, trường “ho_ten”, điều kiện hiển thị: trường “ngay” ở Bước 2, sau bước này, nên chưa có giá trị."]),
    ("rule pointing at a heading", lambda d: (
        d["steps"][0]["fields"].insert(0, field("tieu_de", "heading", "Tiêu đề")),
        at(d, 0, 1).update(visible_if={"field": "tieu_de", "op": "filled"})),
     ["Bước 1, trường “ho_ten”, điều kiện hiển thị: trường “tieu_de” chỉ để hiển thị, không có giá trị để so sánh."]),
    ("rule pointing into a table", lambda d: (
        d["steps"][0]["fields"].append(field("bang", "repeating_group", "Bảng", fields=[field("tv", "text", "TV")])),
        at(d, 0, 0).update(visible_if={"field": "tv", "op": "filled"})),
     ["Bước 1, trường “ho_ten”, điều kiện hiển thị: trường “tv” là một cột của bảng “bang”, chỉ dùng được trong bảng đó."]),
    ("unknown operator", lambda d: at(d, 1, 0).update(visible_if={"field": "so", "op": "contains", "value": 1}),
     ["Bước 2, trường “ngay”, điều kiện hiển thị: phép so sánh “contains” không được hỗ trợ."]),
    ("greater than on a text", lambda d: at(d, 1, 0).update(visible_if={"field": "ho_ten", "op": "gt", "value": "a"}),
     ["Bước 2, trường “ngay”, điều kiện hiển thị: phép so sánh “gt” chỉ dùng cho trường số hoặc ngày; “ho_ten” là "
      "Văn bản ngắn."]),
    ("value that is not an option", lambda d: at(d, 1, 0).update(visible_if={"field": "gt", "op": "equals", "value": "z"}),
     ["Bước 2, trường “ngay”, điều kiện hiển thị: giá trị “z” không có trong danh sách lựa chọn của trường “gt”."]),
    ("in without a list", lambda d: at(d, 1, 0).update(visible_if={"field": "gt", "op": "in", "value": "a"}),
     ["Bước 2, trường “ngay”, điều kiện hiển thị: phép so sánh “in” cần một danh sách giá trị."]),
    ("comparison without a value", lambda d: at(d, 1, 0).update(visible_if={"field": "gt", "op": "equals"}),
     ["Bước 2, trường “ngay”, điều kiện hiển thị: thiếu giá trị so sánh cho trường “gt”."]),
    ("comparison with a value of another type", lambda d: at(d, 1, 0).update(visible_if={"field": "so", "op": "lt", "value": "ba"}),
     ["Bước 2, trường “ngay”, điều kiện hiển thị: giá trị so sánh “ba” không hợp lệ cho trường “so” (Số nguyên)."]),
    ("fields that cannot be compared", lambda d: at(d, 1, 0).update(
        visible_if={"field": "so", "op": "lt", "other_field": "ho_ten"}),
     ["Bước 2, trường “ngay”, điều kiện hiển thị: không thể so sánh trường “so” (Số nguyên) với trường “ho_ten” "
      "(Văn bản ngắn)."]),
    ("a condition that is both a leaf and a list", lambda d: at(d, 1, 0).update(
        visible_if={"field": "so", "op": "filled", "all": [{"field": "so", "op": "filled"}]}),
     ["Bước 2, trường “ngay”, điều kiện hiển thị: điều kiện phải có đúng một trong “field”, “all” hoặc “any”."]),
    ("rule nested too deep", lambda d: at(d, 1, 0).update(visible_if=nested(6)),
     ["Bước 2, trường “ngay”, điều kiện hiển thị: lồng quá 5 cấp."]),
    ("cycle between two fields", lambda d: (
        at(d, 0, 0).update(visible_if={"field": "co", "op": "filled"}),
        at(d, 0, 1).update(visible_if={"field": "ho_ten", "op": "filled"})),
     ["Điều kiện hiển thị tạo thành vòng lặp: trường “ho_ten” → trường “co” → trường “ho_ten”."]),
    ("field shown by itself", lambda d: at(d, 0, 0).update(visible_if={"field": "ho_ten", "op": "filled"}),
     ["Điều kiện hiển thị tạo thành vòng lặp: trường “ho_ten” → trường “ho_ten”."]),
    ("step shown by its own field", lambda d: d["steps"][1].update(visible_if={"field": "so", "op": "filled"}),
     ["Điều kiện hiển thị tạo thành vòng lặp: Bước 2 → trường “so” → Bước 2."]),
    ("cycle through two steps", lambda d: (
        at(d, 0, 0).update(visible_if={"field": "so", "op": "filled"}),
        at(d, 1, 1).update(visible_if={"field": "ho_ten", "op": "filled"})),
     ["Điều kiện hiển thị tạo thành vòng lặp: trường “ho_ten” → trường “so” → trường “ho_ten”."]),
    ("check pointing at a missing field", lambda d: d.update(checks=[{"assert": {"field": "x", "op": "filled"}, "message": "M"}]),
     ["Kiểm tra 1, điều kiện kiểm tra: trường “x” không tồn tại."]),
    ("check without a message", lambda d: d.update(checks=[{"assert": {"field": "so", "op": "filled"}}]),
     ["Kiểm tra 1: thiếu thông báo lỗi."]),
    ("too many fields", lambda d: d["steps"][0].update(fields=[field(f"f{i}", "text", "F") for i in range(499)]),
     ["Biểu mẫu có 501 trường, vượt quá giới hạn 500 trường."]),
    ("definition over 1 MB", lambda d: d["steps"][0]["fields"].extend(
        field(f"f{i}", "text", "F", help_text="y" * 1999) for i in range(550)),
     ["Biểu mẫu quá lớn (1,13 MB); giới hạn là 1 MB."]),
    ("nesting that would exhaust the stack", lambda d: at(d, 0, 0).update(default=json.loads("[" * 60 + "]" * 60)),
     ["Biểu mẫu lồng nhau quá sâu (quá 40 cấp)."]),
    ("value JSON cannot hold", lambda d: at(d, 1, 1).update(default=float("nan")),
     ["Biểu mẫu chứa giá trị không biểu diễn được bằng JSON (ví dụ NaN hoặc ngày giờ)."]),
]  # fmt: skip


def broken(change):
    document = base()
    change(document)
    return document


def test_the_base_form_is_valid():
    assert validate_schema(base()) == []
    assert validate_schema(broken(lambda d: at(d, 1, 0).update(visible_if=nested(5)))) == []


@pytest.mark.parametrize(("change", "messages"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_mistakes_are_explained(change, messages):
    assert validate_schema(broken(change)) == messages


def test_not_an_object_is_refused():
    assert validate_schema(["steps"]) == ["Biểu mẫu phải là một đối tượng JSON có danh sách các bước (“steps”)."]


def test_a_cycle_across_steps_is_reported_once():
    # the cycle also points at a later step: only the cycle is reported
    errors = validate_schema(broken(CASES[[c[0] for c in CASES].index("cycle through two steps")][1]))

    assert len(errors) == 1


def test_every_problem_is_listed_not_only_the_first():
    def two_problems(d):
        at(d, 0, 0).pop("label")
        at(d, 1, 1).update(type="signature")

    assert validate_schema(broken(two_problems)) == [
        "Bước 1, trường “ho_ten”: thiếu nhãn.",
        "Bước 2, trường “so”: loại trường “signature” không được hỗ trợ.",
    ]


def test_the_json_schema_file_is_draft_2020_12():
    Draft202012Validator.check_schema(json_schema())
    assert json_schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_every_field_type_has_its_own_rules_in_the_file():
    from eforms.constants import FieldType

    cases = json_schema()["$defs"]["field"]["allOf"]
    assert sorted(c["if"]["properties"]["type"]["const"] for c in cases) == sorted(FieldType.values)


# Refused by the limits before JSON Schema runs (and slow for the plain validator).
BEFORE_SHAPE = {"definition over 1 MB", "nesting that would exhaust the stack"}


@pytest.mark.parametrize(
    "change", [c[1] for c in CASES if c[0] not in BEFORE_SHAPE], ids=[c[0] for c in CASES if c[0] not in BEFORE_SHAPE]
)
def test_the_fast_validator_finds_what_the_reference_validator_finds(change):
    # given a definition with a mistake (or a valid one, for the semantic mistakes)
    document = broken(change)

    def found(validator):
        return sorted(
            (json.dumps(list(e.absolute_path)), e.validator, repr(e.instance)) for e in validator.iter_errors(document)
        )

    # then the optimized validator (dispatch by type, cached descend) and the plain one agree
    assert found(fast_validator()) == found(reference_validator())


def test_the_limits_in_the_file_are_the_limits_in_the_code():
    from eforms.constants import MAX_OPTIONS, MAX_PATTERN_LENGTH, MAX_ROWS

    defs = json_schema()["$defs"]
    assert defs["options"]["maxItems"] == MAX_OPTIONS
    assert defs["text"]["properties"]["pattern"]["maxLength"] == MAX_PATTERN_LENGTH
    assert defs["repeating_group"]["properties"]["max_rows"]["maximum"] == MAX_ROWS
