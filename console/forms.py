"""Forms of the five steps; each validates what a page posts before one service is called."""

from decimal import Decimal
from typing import Any

from django import forms
from django.core.files.storage import default_storage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from dossiers.attachments.content import KINDS
from procedures.constants import Channel, OnlineLevel
from procedures.models import NationalDatabase

from .constants import ResultDelivery
from .readiness import accepted_types

TEMPLATE_TYPES = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".odt")
TEMPLATE_MAX_BYTES = 10 * 1024 * 1024


class ServiceForm(forms.Form):
    """Step 1 (fees come in FeeFormSet)."""

    online_level = forms.ChoiceField(
        label=_("Mức độ dịch vụ"),
        choices=[(OnlineLevel.FULL, OnlineLevel.FULL.label), (OnlineLevel.PARTIAL, OnlineLevel.PARTIAL.label)],
        widget=forms.RadioSelect,
    )
    partial_reason = forms.CharField(
        label=_("Lý do chỉ cung cấp một phần (được công bố)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Bắt buộc khi chọn “Một phần”, ví dụ: phải có mặt để đối chiếu bản chính."),
    )
    channels = forms.MultipleChoiceField(
        label=_("Cách thức nộp hồ sơ được nhận"), choices=Channel.choices, widget=forms.CheckboxSelectMultiple
    )
    paper_accepted = forms.BooleanField(
        label=_("Vẫn nhận hồ sơ giấy tại bộ phận một cửa"),
        required=False,
        help_text=_("Bỏ chọn khi tỉnh thí điểm dịch vụ “chỉ nhận trực tuyến”."),
    )
    online_payment = forms.BooleanField(label=_("Thanh toán phí, lệ phí trực tuyến"), required=False)
    result_delivery = forms.MultipleChoiceField(
        label=_("Cách thức trả kết quả"), choices=ResultDelivery.choices, widget=forms.CheckboxSelectMultiple
    )
    online_time_limit_value = forms.DecimalField(
        label=_("Thời hạn giải quyết khi nộp trực tuyến"),
        required=False,
        min_value=Decimal("0.5"),
        max_digits=6,
        decimal_places=1,
        help_text=_("Cùng đơn vị với thời hạn giải quyết; để trống nếu như nộp trực tiếp."),
    )

    def __init__(self, *args: Any, time_limit: Decimal | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.time_limit = time_limit

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        channels = data.get("channels") or []
        if "channels" in data and Channel.ONLINE not in channels:
            self.add_error("channels", _("Dịch vụ trực tuyến phải nhận hồ sơ “Trực tuyến”."))
        if data.get("online_level") == OnlineLevel.PARTIAL and not (data.get("partial_reason") or "").strip():
            self.add_error("partial_reason", _("Dịch vụ trực tuyến một phần phải nêu lý do."))
        if not data.get("paper_accepted") and Channel.DIRECT in channels:
            self.add_error(
                "paper_accepted",
                _("Đã chọn nhận hồ sơ “Trực tiếp”: phải nhận hồ sơ giấy tại bộ phận một cửa, hoặc bỏ cách thức đó."),
            )
        limit = data.get("online_time_limit_value")
        if limit is not None and self.time_limit is not None and limit > self.time_limit:
            self.add_error(
                "online_time_limit_value",
                _("Thời hạn khi nộp trực tuyến không được dài hơn thời hạn giải quyết (%(limit)s).")
                % {"limit": f"{self.time_limit.normalize():f}".replace(".", ",")},
            )
        return data


class FeeForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Tên phí, lệ phí"), max_length=255, required=False)
    amount = forms.IntegerField(label=_("Mức thu (đồng)"), min_value=0, required=False)
    unit = forms.CharField(label=_("Đơn vị tính"), max_length=100, required=False)
    online_discount_percent = forms.IntegerField(
        label=_("Giảm khi nộp trực tuyến (%)"),
        required=False,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    optional = forms.BooleanField(label=_("Chỉ thu khi thuộc trường hợp áp dụng"), required=False)
    quantity_field = forms.RegexField(
        label=_("Thu theo số lượng ở trường tờ khai"),
        regex=r"^[a-z][a-z0-9_]*$",
        max_length=64,
        required=False,
        help_text=_("Mã trường số lượng trên tờ khai điện tử (ví dụ ban_sao): thu cho mỗi đơn vị người nộp đề nghị."),
        error_messages={"invalid": _("Mã trường chỉ gồm chữ thường không dấu, chữ số và dấu gạch dưới.")},
    )
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=1000)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("DELETE"):
            return data
        filled = any(data.get(k) not in (None, "", False) for k in ("name", "amount", "unit", "note"))
        if filled and not (data.get("name") or "").strip():
            self.add_error("name", _("Hãy nhập tên phí, lệ phí."))
        if filled and data.get("amount") is None:
            self.add_error("amount", _("Hãy nhập mức thu (0 nếu miễn phí)."))
        return data

    def to_item(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if data.get("DELETE") or not (data.get("name") or "").strip():
            return None
        return {
            "id": data.get("id"),
            "name": data["name"].strip(),
            "amount": data["amount"],
            "unit": data.get("unit") or "",
            "online_discount_percent": data.get("online_discount_percent") or 0,
            "note": data.get("note") or "",
            "optional": bool(data.get("optional")),
            "quantity_field": data.get("quantity_field") or "",
        }


FeeFormSet = forms.formset_factory(FeeForm, extra=1, can_delete=True)


class ComponentForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    template_file = forms.CharField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(
        label=_("Tên giấy tờ"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    required = forms.BooleanField(label=_("Bắt buộc"), required=False, initial=True)
    original_copies = forms.IntegerField(label=_("Số bản chính"), min_value=0, max_value=20, required=False, initial=1)
    copies = forms.IntegerField(label=_("Số bản sao"), min_value=0, max_value=20, required=False)
    # The field shares its name with Form.template_name (the model field it fills is called so).
    template_name = forms.CharField(label=_("Tên mẫu đơn, tờ khai"), max_length=255, required=False)  # type: ignore[assignment]
    upload = forms.FileField(
        label=_("Tệp mẫu (PDF, Word, Excel, tối đa 10 MB)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(TEMPLATE_TYPES)}),
    )
    reusable = forms.BooleanField(label=_("Cho phép lấy từ kho dữ liệu của công dân"), required=False)
    allowed_types = forms.MultipleChoiceField(
        label=_("Loại tệp được nhận"),
        required=False,
        choices=[(key, kind.label) for key, kind in KINDS.items()],
        widget=forms.CheckboxSelectMultiple,
    )
    max_size_mb = forms.IntegerField(
        label=_("Dung lượng tối đa mỗi tệp (MB)"), min_value=0, max_value=50, required=False
    )
    # Resolution 66.7/2025: the applicant is not asked for it; its data are read at filing.
    replaced_by_id = forms.TypedChoiceField(
        label=_("Thay thế bằng dữ liệu từ cơ sở dữ liệu (Nghị quyết 66.7/2025/NQ-CP)"),
        required=False,
        coerce=int,
        empty_value=None,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["replaced_by_id"].choices = [  # type: ignore[attr-defined]
            ("", _("— Không thay thế: người nộp cung cấp —")),
            *NationalDatabase.objects.filter(is_active=True).values_list("pk", "name"),
        ]

    def detail_fields(self) -> list[Any]:
        """Every visible field but the name, which the page shows full width above them."""
        return [field for field in self.visible_fields() if field.name != "name"]

    def clean_template_file(self) -> str:
        """The stored template travels through the page: accept only a name under templates/."""
        name = str(self.cleaned_data.get("template_file") or "")
        if name and (not name.startswith("templates/") or ".." in name or "\\" in name):
            raise forms.ValidationError(_("Tệp mẫu không hợp lệ."))
        return name

    def clean_upload(self) -> Any:
        upload = self.cleaned_data.get("upload")
        if upload:
            name = upload.name.lower()
            if not name.endswith(TEMPLATE_TYPES):
                raise forms.ValidationError(_("Tệp mẫu phải là PDF, Word hoặc Excel."))
            if upload.size > TEMPLATE_MAX_BYTES:
                raise forms.ValidationError(_("Tệp mẫu tối đa 10 MB."))
        return upload

    def to_item(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if data.get("DELETE") or not (data.get("name") or "").strip():
            return None
        template_file = data.get("template_file") or ""
        upload = data.get("upload")
        if upload:
            template_file = default_storage.save(f"templates/{upload.name}", upload)
        return {
            "id": data.get("id"),
            "name": data["name"].strip(),
            "required": bool(data.get("required")),
            "original_copies": data.get("original_copies") if data.get("original_copies") is not None else 1,
            "copies": data.get("copies") or 0,
            "template_name": data.get("template_name") or "",
            "template_file": template_file,
            "reusable": bool(data.get("reusable")),
            "allowed_types": ",".join(data.get("allowed_types") or []),
            "max_size_mb": data.get("max_size_mb") if data.get("max_size_mb") is not None else 10,
            "replaced_by_id": data.get("replaced_by_id"),
        }


ComponentFormSet = forms.formset_factory(ComponentForm, extra=1, can_delete=True, can_order=True)


def component_initial(item: dict[str, Any], order: int) -> dict[str, Any]:
    return {**item, "allowed_types": accepted_types(item), "ORDER": order}


class ChoiceOfVersionForm(forms.Form):
    version = forms.TypedChoiceField(label=_("Phiên bản"), coerce=int, widget=forms.RadioSelect)

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].choices = choices  # type: ignore[attr-defined]


class TargetForm(forms.Form):
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    full_online_percent = forms.DecimalField(
        label=_("Chỉ tiêu tỷ lệ thủ tục trực tuyến toàn trình (%)"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do ngừng cung cấp trực tuyến"),
        help_text=_("Ghi vào lịch sử thay đổi. Hồ sơ đã nộp vẫn được giải quyết bình thường."),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
