"""Forms of the file endpoints: what a POST may carry, nothing more (the services judge the file)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .constants import AttachmentRole


class UploadForm(forms.Form):
    # The component's id; empty for "other documents" of a supplement.
    component = forms.IntegerField(required=False, min_value=1)
    # Empty files reach the service, which refuses them with the file's name.
    file = forms.FileField(label=_("Chọn tệp"), allow_empty_file=True, max_length=1000)
    next = forms.CharField(required=False, max_length=2000)


class ReuseForm(forms.Form):
    component = forms.IntegerField(min_value=1)
    document = forms.UUIDField()
    next = forms.CharField(required=False, max_length=2000)


class RemoveForm(forms.Form):
    next = forms.CharField(required=False, max_length=2000)


class OfficerUploadForm(forms.Form):
    KIND_DIGITISED = "digitised"
    KIND_RESULT = AttachmentRole.RESULT.value

    kind = forms.ChoiceField(
        label=_("Loại tệp"),
        choices=[
            (KIND_DIGITISED, _("Bản scan giấy tờ công dân nộp tại quầy (số hóa)")),
            (KIND_RESULT, _("Kết quả giải quyết (bản điện tử)")),
        ],
        initial=KIND_DIGITISED,
    )
    component = forms.TypedChoiceField(label=_("Thành phần hồ sơ"), coerce=int, required=False, empty_value=None)
    file = forms.FileField(label=_("Chọn tệp"), allow_empty_file=True, max_length=1000)

    def __init__(self, *args: object, components: list[tuple[int, str]] = (), **kwargs: object) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        choices: list[tuple[object, str]] = [("", str(_("— Không thuộc thành phần nào (kết quả) —")))]
        self.fields["component"].choices = choices + list(components)  # type: ignore[attr-defined]
