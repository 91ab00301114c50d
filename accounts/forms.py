from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib.auth.forms import UserCreationForm
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from procedures.text import to_nfc, vietnamese_sort_key

from .constants import VNEID_LOCKED_FIELDS, Gender
from .models import User
from .selectors import province_choices, ward_belongs_to, ward_choices
from .validators import validate_citizen_id, validate_phone


def _fill_address_choices(form: forms.BaseForm) -> None:
    """Provinces, and the wards of the chosen province (the portal's own by default)."""
    cast(forms.ChoiceField, form.fields["province_code"]).choices = [
        ("", _("— Chọn tỉnh, thành phố —")),
        *province_choices(),
    ]
    raw_province = form.data.get("province_code") if form.is_bound else form.initial.get("province_code")
    try:
        province = int(raw_province) if raw_province else settings.PORTAL_PROVINCE_CODE
    except ValueError:
        province = settings.PORTAL_PROVINCE_CODE
    if not form.is_bound:
        form.initial.setdefault("province_code", province)
    wards = sorted(ward_choices(province_code=province), key=lambda c: vietnamese_sort_key(c[1]))
    cast(forms.ChoiceField, form.fields["ward_code"]).choices = [("", _("— Chọn xã, phường —")), *wards]
    form.fields["ward_code"].widget.attrs["data-wards-url"] = reverse("accounts:wards")


class RegistrationForm(UserCreationForm):
    """Citizen self-registration; the citizen id number is the login name."""

    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    citizen_id = forms.CharField(
        label=_("Số định danh cá nhân (CCCD)"),
        max_length=12,
        help_text=_("12 chữ số, dùng để đăng nhập."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    date_of_birth = forms.DateField(
        # <input type="date"> reads and sends ISO whatever the locale; typed text may be dd/mm/yyyy.
        label=_("Ngày sinh"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    phone = forms.CharField(
        label=_("Số điện thoại"),
        max_length=15,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label=_("Thư điện tử"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    province_code = forms.TypedChoiceField(label=_("Tỉnh, thành phố"), coerce=int)
    ward_code = forms.TypedChoiceField(label=_("Xã, phường, đặc khu"), coerce=int)
    address = forms.CharField(label=_("Số nhà, đường, thôn, tổ"), max_length=255, required=False)

    class Meta:
        model = User
        fields = ("full_name", "citizen_id", "date_of_birth", "phone", "email", "province_code", "ward_code", "address")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _fill_address_choices(self)

    def clean_full_name(self) -> str:
        return " ".join(to_nfc(self.cleaned_data["full_name"]).split())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        citizen_id = cleaned.get("citizen_id")
        if citizen_id:
            try:
                validate_citizen_id(citizen_id, date_of_birth=cleaned.get("date_of_birth"))
            except ValidationError as exc:
                self.add_error("citizen_id", exc)
            else:
                if (
                    User.objects.filter(username=citizen_id).exists()
                    or User.objects.filter(citizen_id=citizen_id).exists()
                ):
                    self.add_error(
                        "citizen_id", _("Số định danh này đã có tài khoản. Vui lòng đăng nhập hoặc lấy lại mật khẩu.")
                    )
        province, ward = cleaned.get("province_code"), cleaned.get("ward_code")
        if province and ward and not ward_belongs_to(ward_code=ward, province_code=province):
            self.add_error("ward_code", _("Xã, phường đã chọn không thuộc tỉnh, thành phố đã chọn."))
        return cleaned

    def save(self, commit: bool = True) -> User:
        user: User = super().save(commit=False)
        user.username = self.cleaned_data["citizen_id"]
        if commit:
            user.save()
        return user


class ProfileForm(forms.Form):
    """A user's own profile. For a VNeID-verified account the identity fields are shown disabled:
    Django then ignores whatever is posted for them and keeps the stored values."""

    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    date_of_birth = forms.DateField(
        label=_("Ngày sinh"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    gender = forms.ChoiceField(label=_("Giới tính"), required=False, choices=[("", "—"), *Gender.choices])
    phone = forms.CharField(
        label=_("Số điện thoại"),
        max_length=15,
        required=False,
        validators=[validate_phone],
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label=_("Thư điện tử"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    province_code = forms.TypedChoiceField(label=_("Tỉnh, thành phố"), coerce=int, required=False, empty_value=None)
    ward_code = forms.TypedChoiceField(label=_("Xã, phường, đặc khu"), coerce=int, required=False, empty_value=None)
    address = forms.CharField(label=_("Số nhà, đường, thôn, tổ"), max_length=255, required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {name: getattr(user, name) for name in self.base_fields})
        super().__init__(*args, **kwargs)
        _fill_address_choices(self)
        if user.is_vneid_verified:
            for name in VNEID_LOCKED_FIELDS:
                if name in self.fields:
                    self.fields[name].disabled = True
                    self.fields[name].help_text = _("Theo định danh VNeID, không sửa được trên Cổng.")

    def clean_full_name(self) -> str:
        return " ".join(to_nfc(self.cleaned_data["full_name"]).split())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        province, ward = cleaned.get("province_code"), cleaned.get("ward_code")
        if province and ward and not ward_belongs_to(ward_code=ward, province_code=province):
            self.add_error("ward_code", _("Xã, phường đã chọn không thuộc tỉnh, thành phố đã chọn."))
        return cleaned


class OtpTokenForm(forms.Form):
    token = forms.CharField(
        label=_("Mã xác thực (6 chữ số)"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9 ]*", "autofocus": True}
        ),
    )

    def clean_token(self) -> str:
        token = "".join(self.cleaned_data["token"].split())
        if not token.isdigit():
            raise ValidationError(_("Mã xác thực chỉ gồm chữ số."), code="otp_digits")
        return token


class OtpVerifyForm(OtpTokenForm):
    """The code from the app (6 digits) or one of the backup codes (10 digits, spaces allowed)."""

    token = forms.CharField(
        label=_("Mã xác thực (6 chữ số) hoặc mã dự phòng (10 chữ số)"),
        min_length=6,
        max_length=14,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9 ]*", "autofocus": True}
        ),
    )

    def clean_token(self) -> str:
        token = super().clean_token()
        if len(token) not in (6, 10):
            raise ValidationError(
                _("Nhập mã 6 chữ số trên ứng dụng xác thực, hoặc một mã dự phòng 10 chữ số."), code="otp_length"
            )
        return token

    @property
    def is_backup_code(self) -> bool:
        return len(self.cleaned_data["token"]) == 10
