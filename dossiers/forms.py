from django import forms
from django.utils.translation import gettext_lazy as _

from .constants import Channel, Status


class QueueFilterForm(forms.Form):
    q = forms.CharField(label=_("Mã hồ sơ hoặc số giấy tờ"), required=False, max_length=40)
    thu_tuc = forms.CharField(label=_("Mã thủ tục"), required=False, max_length=20)
    trang_thai = forms.TypedChoiceField(
        label=_("Trạng thái"), required=False, coerce=int, empty_value=None,
        choices=[("", _("Tất cả trạng thái")), *Status.choices],
    )  # fmt: skip
    kenh = forms.ChoiceField(label=_("Kênh nộp"), required=False, choices=[("", _("Tất cả kênh")), *Channel.choices])


class ActionForm(forms.Form):
    """One officer action; the hidden fields make a double click or a stale page harmless."""

    action = forms.CharField(max_length=30)
    comment = forms.CharField(
        label=_("Ý kiến, lý do"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    expected_sequence = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    idempotency_key = forms.CharField(max_length=64, widget=forms.HiddenInput)
