from django.db import models
from django.utils.translation import gettext_lazy as _


class FieldType(models.TextChoices):
    TEXT = "text", _("Văn bản ngắn")
    TEXTAREA = "textarea", _("Văn bản dài")
    INTEGER = "integer", _("Số nguyên")
    DECIMAL = "decimal", _("Số thập phân")
    MONEY = "money", _("Số tiền (đồng)")
    DATE = "date", _("Ngày")
    SELECT = "select", _("Danh sách chọn")
    RADIO = "radio", _("Chọn một")
    CHECKBOXES = "checkboxes", _("Chọn nhiều")
    YES_NO = "yes_no", _("Có / Không")
    EMAIL = "email", _("Thư điện tử")
    PHONE = "phone", _("Số điện thoại di động")
    CITIZEN_ID = "citizen_id", _("Số định danh cá nhân")
    TAX_CODE = "tax_code", _("Mã số thuế")
    ADDRESS = "address", _("Địa chỉ")
    FILE = "file", _("Tệp đính kèm")
    REPEATING_GROUP = "repeating_group", _("Bảng nhiều dòng")
    HEADING = "heading", _("Tiêu đề")
    HELP = "help", _("Đoạn hướng dẫn")
    DECLARATION = "declaration", _("Ô cam đoan")


# Shown, never submitted: they hold no value and no rule may point at them.
DISPLAY_TYPES = frozenset({FieldType.HEADING, FieldType.HELP})
CHOICE_TYPES = frozenset({FieldType.SELECT, FieldType.RADIO, FieldType.CHECKBOXES})
# What a rule may compare a field's value with, by field type. Fields of the same kind are
# comparable with each other (a money amount with an integer, a date with a date).
KIND_TEXT = "text"
KIND_NUMBER = "number"
KIND_DATE = "date"
KIND_BOOL = "bool"
KIND_MULTI = "multi"  # a list of option values: equals / in test whether a value is ticked
KIND_COMPOSITE = "composite"  # address, file, table rows: only filled / empty
FIELD_KINDS: dict[str, str] = {
    FieldType.TEXT: KIND_TEXT,
    FieldType.TEXTAREA: KIND_TEXT,
    FieldType.INTEGER: KIND_NUMBER,
    FieldType.DECIMAL: KIND_NUMBER,
    FieldType.MONEY: KIND_NUMBER,
    FieldType.DATE: KIND_DATE,
    FieldType.SELECT: KIND_TEXT,
    FieldType.RADIO: KIND_TEXT,
    FieldType.CHECKBOXES: KIND_MULTI,
    FieldType.YES_NO: KIND_BOOL,
    FieldType.EMAIL: KIND_TEXT,
    FieldType.PHONE: KIND_TEXT,
    FieldType.CITIZEN_ID: KIND_TEXT,
    FieldType.TAX_CODE: KIND_TEXT,
    FieldType.ADDRESS: KIND_COMPOSITE,
    FieldType.FILE: KIND_COMPOSITE,
    FieldType.REPEATING_GROUP: KIND_COMPOSITE,
    FieldType.DECLARATION: KIND_BOOL,
}

# Limits on a definition (issue 3, "Safety"): each refusal names the limit.
MAX_DEFINITION_BYTES = 1_000_000  # the schema serialized as compact UTF-8 JSON
MAX_IMPORT_BYTES = 2_000_000  # an imported file may be indented: room for whitespace
MAX_FIELDS = 500  # every field of the form, table columns included
MAX_OPTIONS = 1000  # per choice field (also in form.schema.json)
MAX_RULE_DEPTH = 5  # a leaf condition is depth 1; each all/any around it adds one
MAX_NESTING = 40  # JSON nesting of the whole document, checked before anything recurses
MAX_PATTERN_LENGTH = 200  # also in form.schema.json
MAX_PATTERN_INPUT = 255  # a value matched against a pattern is at most this long (see schema.pattern_problems)
MAX_PATTERN_UNBOUNDED = 3  # repetitions such as + * {2,}
MAX_PATTERN_VARIABLE = 6  # repetitions of any variable count, ? and {2,5} included
MAX_TEXT_LENGTH = 1000  # a short text field without its own max_length
MAX_TEXTAREA_LENGTH = 10_000
MAX_ROWS = 100  # rows of a repeating group without its own max_rows
MAX_FILES = 20  # attachments of one file field with "multiple"
MAX_DIGITS = 15  # integers and money stay exact in JavaScript (2**53 ≈ 9·10^15)

NON_FIELD_ERRORS = "__all__"  # the key Django forms use for errors that belong to no field
