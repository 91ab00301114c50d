"""Forms of the citizen's pages: each carries what makes a double click or a resent page harmless."""

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from procedures.constants import ResultDelivery
from procedures.models import Agency


class StartForm(forms.Form):
    agency: "forms.ModelChoiceField[Agency]" = forms.ModelChoiceField(
        label=_("Cơ quan giải quyết hồ sơ"), queryset=Agency.objects.none(), empty_label=None
    )
    # Decree 118/2025: paper handed in, and the result collected, at any one-stop desk of the province.
    receiving_agency: "forms.ModelChoiceField[Agency]" = forms.ModelChoiceField(
        label=_("Nơi nộp hồ sơ giấy, nhận kết quả"),
        queryset=Agency.objects.none(),
        required=False,
        empty_label=_("— Tại cơ quan giải quyết hồ sơ —"),
        help_text=_("Có thể chọn bộ phận một cửa bất kỳ trong tỉnh, không phụ thuộc địa giới hành chính."),
    )

    def __init__(self, *args: object, agencies: QuerySet[Agency], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
        self.fields["receiving_agency"].queryset = Agency.objects.filter(  # type: ignore[attr-defined]
            is_active=True
        ).order_by("level", "name")
        self.fields["receiving_agency"].widget.attrs["aria-describedby"] = "id_receiving_agency_help"


class SubmitForm(forms.Form):
    """The last step: how to receive the result (when the procedure offers more than one way) and
    the declaration. Nothing here is saved until the dossier is submitted."""

    result_delivery = forms.ChoiceField(label=_("Cách thức nhận kết quả"), widget=forms.RadioSelect, required=False)
    result_address = forms.CharField(
        label=_("Địa chỉ nhận kết quả qua bưu chính"),
        help_text=_("Số nhà, đường, phường/xã, tỉnh/thành phố. Chỉ cần khi nhận kết quả qua bưu chính."),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    declaration = forms.BooleanField(
        label=_(
            "Tôi xin cam đoan những thông tin đã khai là đúng sự thật và chịu trách nhiệm trước pháp luật "
            "về lời khai của mình."
        ),
        required=False,
    )

    def __init__(self, *args: object, ways: list[str], address: str = "", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        labels = dict(ResultDelivery.choices)
        field = self.fields["result_delivery"]
        field.choices = [(way, labels[way]) for way in ways]  # type: ignore[attr-defined]
        field.initial = ways[0] if ways else ""
        self.fields["result_address"].initial = address
        self.ways = ways


class SupplementForm(forms.Form):
    note = forms.CharField(
        label=_("Ghi chú cho cán bộ (nếu có)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    idempotency_key = forms.CharField(max_length=64, widget=forms.HiddenInput)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Lý do rút hồ sơ"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    idempotency_key = forms.CharField(max_length=64, widget=forms.HiddenInput)


class ComplaintForm(forms.Form):
    content = forms.CharField(
        label=_("Nội dung phản ánh, kiến nghị"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("Mức độ hài lòng của bạn"),
        coerce=int,
        choices=[
            (5, _("5 – Rất hài lòng")),
            (4, _("4 – Hài lòng")),
            (3, _("3 – Bình thường")),
            (2, _("2 – Không hài lòng")),
            (1, _("1 – Rất không hài lòng")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Góp ý (không bắt buộc)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class PublicLookupForm(forms.Form):
    """Tra cứu hồ sơ: the code and the last 4 digits of the applicant's id number."""

    ma = forms.CharField(label=_("Mã hồ sơ"), max_length=40)
    so_cuoi = forms.RegexField(
        label=_("4 số cuối giấy tờ tùy thân của người nộp"),
        regex=r"^\d{4}$",
        max_length=4,
        error_messages={"invalid": _("Vui lòng nhập đúng 4 chữ số.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": r"\d{4}"}),
    )

    def clean_ma(self) -> str:
        return str(self.cleaned_data["ma"]).strip().upper()


__all__ = ["PublicLookupForm", "RatingForm", "StartForm", "SubmitForm", "SupplementForm", "WithdrawForm"]
