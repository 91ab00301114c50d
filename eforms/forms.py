"""Forms of the builder pages: the whole definition as JSON (what the page posts), an imported file."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .constants import MAX_IMPORT_BYTES


class SchemaForm(forms.Form):
    """The builder posts the whole definition; without JavaScript the admin edits this text directly."""

    schema = forms.CharField(
        label=_("Nội dung biểu mẫu (JSON)"),
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false", "class": "eform-builder-json"}),
        max_length=MAX_IMPORT_BYTES,
        error_messages={"required": _("Vui lòng nhập nội dung biểu mẫu."), "max_length": _("Nội dung quá lớn.")},
    )

    def raw(self) -> bytes:
        value: Any = self.cleaned_data["schema"]
        return str(value).encode()


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp JSON của biểu mẫu"),
        help_text=_("Tệp do chức năng “Xuất JSON” tạo ra; nội dung thay cho bản nháp hiện tại."),
        error_messages={"required": _("Vui lòng chọn tệp JSON.")},
    )
