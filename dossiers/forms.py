from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.validators import validate_citizen_id, validate_phone
from procedures.models import Agency, Procedure
from procedures.text import to_nfc

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
    # Returning a result on paper (desk, post) whose electronic copy is not signed.
    paper_result_ready = forms.BooleanField(label=_("Kết quả bản giấy đã sẵn sàng để trả"), required=False)


class IntakeForm(forms.Form):
    """A dossier taken in at the one-stop-shop desk for a citizen who came in person."""

    procedure: "forms.ModelChoiceField[Procedure]" = forms.ModelChoiceField(
        label=_("Thủ tục"), queryset=Procedure.objects.none(), empty_label=_("— Chọn thủ tục —")
    )
    # Decree 118/2025: the desk receives any procedure of the province for any competent agency.
    agency: "forms.ModelChoiceField[Agency]" = forms.ModelChoiceField(
        label=_("Cơ quan giải quyết"),
        queryset=Agency.objects.none(),
        required=False,
        empty_label=_("— Cơ quan của bộ phận một cửa này, hoặc cơ quan duy nhất thực hiện thủ tục —"),
        help_text=_("Hồ sơ được tiếp nhận tại đây và chuyển ngay đến cơ quan giải quyết đã chọn."),
    )
    applicant_name = forms.CharField(label=_("Họ và tên chủ hồ sơ"), max_length=255)
    applicant_id_number = forms.CharField(label=_("Số định danh cá nhân"), max_length=12, required=False)
    applicant_phone = forms.CharField(label=_("Số điện thoại"), max_length=15, required=False)
    applicant_email = forms.EmailField(label=_("Thư điện tử"), required=False)
    summary = forms.CharField(
        label=_("Trích yếu nội dung"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    idempotency_key = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args: Any, procedures: QuerySet[Procedure], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["procedure"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101
        field.queryset = procedures
        agencies = Agency.objects.filter(is_active=True, procedures__in=procedures).distinct()
        self.fields["agency"].queryset = agencies.order_by("level", "name")  # type: ignore[attr-defined]

    def clean_applicant_name(self) -> str:
        return " ".join(to_nfc(self.cleaned_data["applicant_name"]).split())

    def clean_applicant_id_number(self) -> str:
        value = self.cleaned_data["applicant_id_number"].strip()
        if value:
            validate_citizen_id(value)
        return value

    def clean_applicant_phone(self) -> str:
        value = self.cleaned_data["applicant_phone"].strip()
        if value:
            validate_phone(value)
        return value


class ApologyForm(forms.Form):
    new_due_at = forms.DateTimeField(
        # <input type="datetime-local"> needs ISO (2026-03-05T10:00); DATETIME_INPUT_FORMATS read
        # both it and a typed "05/03/2026 10:00".
        label=_("Ngày, giờ hẹn trả mới"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    reason = forms.CharField(
        label=_("Lý do chậm trả kết quả"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ConsultForm(forms.Form):
    """Lấy ý kiến cơ quan khác: which agencies, what to answer; the hidden fields guard a stale page."""

    agencies = forms.ModelMultipleChoiceField(
        label=_("Cơ quan được lấy ý kiến"), queryset=Agency.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    question = forms.CharField(
        label=_("Nội dung cần lấy ý kiến"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    expected_sequence = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    idempotency_key = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args: Any, exclude_agency_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agencies = Agency.objects.order_by("level", "name")
        if exclude_agency_id is not None:
            agencies = agencies.exclude(pk=exclude_agency_id)
        self.fields["agencies"].queryset = agencies  # type: ignore[attr-defined]


class ConsultationAnswerForm(forms.Form):
    answer = forms.CharField(label=_("Ý kiến trả lời"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))


class ComplaintAnswerForm(forms.Form):
    answer = forms.CharField(label=_("Nội dung trả lời"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))


class ObligationForm(forms.Form):
    """Yêu cầu thực hiện nghĩa vụ tài chính (status 6): what to pay, how much, where."""

    description = forms.CharField(
        label=_("Nội dung nghĩa vụ tài chính"),
        help_text=_(
            "Ví dụ: tiền sử dụng đất, lệ phí trước bạ, thuế thu nhập cá nhân; căn cứ thông báo của cơ quan thuế."
        ),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    amount = forms.IntegerField(label=_("Số tiền phải nộp (đồng)"), min_value=1, max_value=10**15)
    pay_at = forms.CharField(
        label=_("Nơi nộp"), max_length=500, help_text=_("Cơ quan thuế, kho bạc hoặc ngân hàng nhận tiền, địa chỉ.")
    )
    online = forms.BooleanField(label=_("Cho phép nộp trực tuyến qua Cổng thanh toán"), required=False)
    expected_sequence = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    idempotency_key = forms.CharField(max_length=64, widget=forms.HiddenInput)
