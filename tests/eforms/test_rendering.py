"""The Django form of a step: the fields the rules show, the admin's text escaped, validation by validate_step."""

import pytest
from django import forms
from django.utils.datastructures import MultiValueDict

from eforms.rendering import build_step_form
from tests.eforms.builders import field, form, step

XSS = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
OPTIONS = [{"value": "nam", "label": "Nam"}, {"value": "nu", "label": "Nữ"}]


def registration_form():
    return form(
        step(
            "nguoi_khai",
            field("tieu_de", "heading", "Thông tin người khai"),
            field("ho_ten", "text", "Họ và tên", required=True, placeholder="Nguyễn Văn An", help_text="Viết có dấu."),
            field("ngay_sinh", "date", "Ngày sinh", required=True, max="today"),
            field("gioi_tinh", "radio", "Giới tính", options=OPTIONS),
            field("dan_toc", "select", "Dân tộc", options=[{"value": "kinh", "label": "Kinh"}]),
            field("lien_he", "checkboxes", "Liên hệ qua", options=[{"value": "sms", "label": "Tin nhắn"}]),
            field("dien_thoai", "phone", "Số điện thoại"),
            field("ly_do", "textarea", "Lý do"),
            field("co_con", "yes_no", "Có con", default=False),
            field("so_con", "integer", "Số con", required=True, visible_if={"field": "co_con", "op": "equals", "value": True}),
        ),
        step(
            "con",
            field("ten_con", "text", "Họ tên con", required=True),
            field("ghi_chu_nu", "text", "Ghi chú", visible_if={"field": "gioi_tinh", "op": "equals", "value": "nu"}),
            field("noi_o", "address", "Nơi ở", required=True),
            field("giay_to", "file", "Giấy chứng sinh", component=1, accept=["application/pdf"], max_size_mb=5),
            field("thanh_vien", "repeating_group", "Thành viên", fields=[field("tv_ten", "text", "Họ tên", required=True),
                                                                        field("tv_sinh", "date", "Ngày sinh")]),
            field("cam_doan", "declaration", "Tôi cam đoan"),
        ),
    )  # fmt: skip


def test_the_form_mirrors_the_step():
    # when
    form_class = build_step_form(registration_form(), "nguoi_khai")
    page = form_class()
    fields = page.fields

    # then every field is there, in order, with its label, help text, placeholder and widget
    assert list(fields) == ["tieu_de", "ho_ten", "ngay_sinh", "gioi_tinh", "dan_toc", "lien_he", "dien_thoai", "ly_do",
                            "co_con", "so_con"]  # fmt: skip
    assert fields["ho_ten"].label == "Họ và tên"
    assert fields["ho_ten"].help_text == "Viết có dấu."
    assert fields["ho_ten"].widget.attrs["placeholder"] == "Nguyễn Văn An"
    assert isinstance(fields["ngay_sinh"].widget, forms.DateInput)
    assert fields["ngay_sinh"].widget.input_type == "date"
    assert isinstance(fields["gioi_tinh"].widget, forms.RadioSelect)
    assert list(fields["dan_toc"].widget.choices) == [("", "— Chọn —"), ("kinh", "Kinh")]
    assert isinstance(fields["lien_he"].widget, forms.CheckboxSelectMultiple)
    assert fields["dien_thoai"].widget.input_type == "tel"
    assert isinstance(fields["ly_do"].widget, forms.Textarea)
    assert page["co_con"].initial == "false"
    rendered = str(page)
    assert '<h3 class="eform-heading" id="id_tieu_de">Thông tin người khai</h3>' in rendered
    assert '<input type="text" name="ho_ten" placeholder="Nguyễn Văn An" maxlength="1000" required' in rendered


def test_a_field_shown_by_a_field_of_the_same_page_is_rendered_for_the_browser_to_toggle():
    # when
    page = build_step_form(registration_form(), "nguoi_khai")()

    # then "number of children" is on the page, carries its rule, and does not block submitting
    rendered = str(page["so_con"])
    assert (
        'data-visible-if="{&quot;field&quot;: &quot;co_con&quot;, &quot;op&quot;: &quot;equals&quot;, &quot;value&quot;: true}"'
        in rendered
    )
    assert "required" not in rendered


def test_a_field_hidden_by_earlier_answers_is_not_rendered():
    # given "Ghi chú" shown to women only
    # when the step is built for a man, then for a woman
    for_him = build_step_form(registration_form(), "con", answers_so_far={"gioi_tinh": "nam"})
    for_her = build_step_form(registration_form(), "con", answers_so_far={"gioi_tinh": "nu"})

    # then
    assert "ghi_chu_nu" not in for_him.base_fields
    assert "ghi_chu_nu" in for_her.base_fields


def test_clean_delegates_to_the_server_rules():
    # given the first page posted with a hidden field's value and a missing required one
    form_class = build_step_form(registration_form(), "nguoi_khai")
    page = form_class(data={"ho_ten": "  Nguyễn  Văn An ", "co_con": "false", "so_con": "abc", "lien_he": ["sms"]})

    # when
    valid = page.is_valid()

    # then the messages are the e-form's, and the hidden value is not kept
    assert not valid
    assert page.errors == {"ngay_sinh": ["Vui lòng nhập Ngày sinh."]}


def test_cleaned_data_is_the_clean_json_of_the_step():
    # given a complete first page ("no children": the number sent anyway must be dropped)
    page = build_step_form(registration_form(), "nguoi_khai")(
        data=MultiValueDict(
            {"ho_ten": ["Nguyễn Văn An"], "ngay_sinh": ["2001-02-03"], "gioi_tinh": ["nu"], "lien_he": ["sms"],
             "co_con": ["false"], "so_con": ["7"], "ly_do": [""]}
        )
    )  # fmt: skip

    # when / then
    assert page.is_valid(), page.errors
    assert page.cleaned_data == {
        "ho_ten": "Nguyễn Văn An", "ngay_sinh": "2001-02-03", "gioi_tinh": "nu", "dan_toc": None, "lien_he": ["sms"],
        "dien_thoai": None, "ly_do": None, "co_con": False,
    }  # fmt: skip


def test_the_second_page_posts_address_file_table_and_declaration():
    # given
    form_class = build_step_form(registration_form(), "con", answers_so_far={"gioi_tinh": "nam"})
    data = MultiValueDict(
        {"ten_con": ["Nguyễn Văn Bình"], "noi_o_province_code": ["1"], "noi_o_ward_code": ["4"],
         "noi_o_street": ["12 phố Huế"], "giay_to": ["tep-9"], "thanh_vien-0-tv_ten": ["An"],
         "thanh_vien-0-tv_sinh": ["2001-02-03"], "thanh_vien-1-tv_ten": [""], "thanh_vien-1-tv_sinh": [""],
         "cam_doan": ["on"]}
    )  # fmt: skip

    # when
    page = form_class(data=data)

    # then
    assert page.is_valid(), page.errors
    assert page.cleaned_data == {
        "ten_con": "Nguyễn Văn Bình",
        "noi_o": {"province_code": 1, "province_name": "Thành phố Hà Nội", "ward_code": 4,
                  "ward_name": "Phường Ba Đình", "street": "12 phố Huế"},
        "giay_to": "tep-9",
        "thanh_vien": [{"tv_ten": "An", "tv_sinh": "2001-02-03"}],
        "cam_doan": True,
    }  # fmt: skip


def test_errors_of_the_second_page_are_shown_at_their_fields():
    # given a ward of another province, a row without a name, no declaration
    page = build_step_form(registration_form(), "con")(
        data={"ten_con": "B", "noi_o_province_code": "79", "noi_o_ward_code": "4", "thanh_vien-0-tv_sinh": "2001-02-03"}
    )

    # when / then
    assert not page.is_valid()
    assert page.errors == {
        "noi_o": ["Nơi ở: xã, phường đã chọn không thuộc tỉnh, thành phố đã chọn."],
        "thanh_vien": ["Thành viên, dòng 1: Vui lòng nhập Họ tên."],
        "cam_doan": ["Vui lòng đánh dấu xác nhận lời cam đoan."],
    }
    rendered = str(page)
    assert "Vui lòng đánh dấu xác nhận lời cam đoan." in rendered
    # the ward list offered is the chosen province's (Hồ Chí Minh City), kept without JavaScript
    assert '<option value="79" selected>Thành phố Hồ Chí Minh</option>' in rendered
    assert "Phường Sài Gòn" in rendered


def test_address_file_and_table_widgets():
    # given a page about to be filled again (an earlier visit's clean values)
    initial = {
        "noi_o": {"province_code": 1, "ward_code": 4, "street": "12 phố Huế"},
        "giay_to": "tep-9",
        "thanh_vien": [{"tv_ten": "An", "tv_sinh": "2001-02-03"}],
    }

    # when
    rendered = str(build_step_form(registration_form(), "con", initial=initial)())

    # then the address has three labelled parts, the file its chooser and its id, the table a spare row
    assert '<label for="id_noi_o_0">Tỉnh, thành phố</label>' in rendered
    assert '<option value="4" selected>Phường Ba Đình</option>' in rendered
    assert 'value="12 phố Huế"' in rendered
    assert 'accept="application/pdf"' in rendered
    assert '<input type="hidden" name="giay_to" value="tep-9">' in rendered
    assert "Dung lượng tối đa 5 MB." in rendered
    assert 'name="thanh_vien-0-tv_ten" value="An"' in rendered
    assert 'aria-label="Họ tên, dòng 2"' in rendered
    assert 'name="thanh_vien-2-tv_ten"' not in rendered


@pytest.mark.parametrize("where", ["label", "help_text", "placeholder", "option", "heading", "help", "pattern_message"])
def test_admin_text_cannot_inject_markup(where):
    # given a definition whose admin wrote a script into one of its texts
    spec = field("ho_ten", "text", "Họ và tên", required=True)
    extra = []
    if where in ("label", "help_text", "placeholder"):
        spec[where] = XSS
    elif where == "option":
        extra.append(field("gioi_tinh", "select", "Giới tính", options=[{"value": "x", "label": XSS}]))
    elif where == "heading":
        extra.append(field("tieu_de", "heading", XSS))
    elif where == "help":
        extra.append(field("huong_dan", "help", XSS, text=XSS))
    else:
        spec.update(pattern=r"\d+", pattern_message=XSS)
    document = form(step("buoc_1", spec, *extra))

    # when the page is rendered with its error messages
    page = build_step_form(document, "buoc_1")(data={"ho_ten": "" if where != "pattern_message" else "abc"})
    page.is_valid()
    rendered = str(page)

    # then the text shows as text: no script element, the escaped text present
    assert "<script>" not in rendered
    assert ESCAPED in rendered


def test_the_label_in_an_error_message_is_escaped_too():
    document = form(step("buoc_1", field("ho_ten", "text", XSS, required=True)))

    page = build_step_form(document, "buoc_1")(data={})
    page.is_valid()

    assert page.errors["ho_ten"] == [f"Vui lòng nhập {XSS}."]
    assert f"Vui lòng nhập {ESCAPED}." in str(page)
    assert "<script>" not in str(page)
