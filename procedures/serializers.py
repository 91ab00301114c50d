"""Validation of one catalogue row (import files), shared by JSON and CSV."""

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .constants import ApplicantType, Channel, OnlineLevel, TimeLimitUnit
from .models import PROCEDURE_CODE_VALIDATOR
from .text import to_nfc


class NfcCharField(serializers.CharField):
    def to_internal_value(self, data: Any) -> str:
        return to_nfc(super().to_internal_value(data))


class FeeRowSerializer(serializers.Serializer):
    name = NfcCharField(max_length=255)
    amount = serializers.IntegerField(min_value=0)
    unit = NfcCharField(max_length=100, allow_blank=True, required=False, default="")
    online_discount_percent = serializers.IntegerField(min_value=0, max_value=100, required=False, default=0)
    note = NfcCharField(allow_blank=True, required=False, default="")
    optional = serializers.BooleanField(required=False, default=False)
    # The key of an e-form field (letters, digits, underscores), as the form builder writes keys.
    quantity_field = serializers.RegexField(
        r"^[a-z][a-z0-9_]*$", max_length=64, allow_blank=True, required=False, default=""
    )


class ComponentRowSerializer(serializers.Serializer):
    name = NfcCharField(max_length=500)
    # DRF moves declared fields off the class, so this does not shadow Field.required at run time.
    required = serializers.BooleanField(default=True)  # type: ignore[assignment]
    original_copies = serializers.IntegerField(min_value=0, max_value=100, default=1)
    copies = serializers.IntegerField(min_value=0, max_value=100, default=0)
    template_name = NfcCharField(max_length=255, allow_blank=True, required=False, default="")
    reusable = serializers.BooleanField(default=False)


class ProcedureRowSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=20, validators=[PROCEDURE_CODE_VALIDATOR])
    name = NfcCharField(max_length=500)
    sector = serializers.CharField(max_length=30)
    online_level = serializers.ChoiceField(choices=OnlineLevel.choices)
    partial_reason = NfcCharField(allow_blank=True, required=False, default="")
    channels = serializers.ListField(child=serializers.ChoiceField(choices=Channel.choices), allow_empty=True)
    time_limit_value = serializers.DecimalField(max_digits=6, decimal_places=1, min_value=Decimal(0))
    time_limit_unit = serializers.ChoiceField(choices=TimeLimitUnit.choices)
    online_time_limit_value = serializers.DecimalField(
        max_digits=6, decimal_places=1, min_value=Decimal(0), allow_null=True, required=False, default=None
    )
    same_day_rule = serializers.BooleanField(default=False)
    time_limit_note = NfcCharField(allow_blank=True, required=False, default="")
    applicant_types = serializers.ListField(
        child=serializers.ChoiceField(choices=ApplicantType.choices), allow_empty=True
    )
    implementing_agencies = serializers.ListField(child=serializers.CharField(max_length=20), allow_empty=True)
    result_document = NfcCharField(allow_blank=True, required=False, default="")
    legal_basis = NfcCharField(allow_blank=True, required=False, default="")
    conditions = NfcCharField(allow_blank=True, required=False, default="")
    steps = NfcCharField(allow_blank=True, required=False, default="")
    fees = FeeRowSerializer(many=True, required=False, default=list)
    components = ComponentRowSerializer(many=True, required=False, default=list)
    published = serializers.BooleanField(default=False)
    popularity = serializers.IntegerField(min_value=0, required=False, default=0)

    def validate_sector(self, value: str) -> str:
        if value not in self.context["sector_codes"]:
            raise serializers.ValidationError(_("Lĩnh vực có mã “%(code)s” không tồn tại.") % {"code": value})
        return value

    def validate_implementing_agencies(self, value: list[str]) -> list[str]:
        unknown = [code for code in value if code not in self.context["agency_codes"]]
        if unknown:
            raise serializers.ValidationError(
                _("Cơ quan có mã %(codes)s không tồn tại.") % {"codes": ", ".join(f"“{c}”" for c in unknown)}
            )
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        errors: dict[str, str] = {}
        if attrs["online_level"] == OnlineLevel.PARTIAL and not attrs["partial_reason"].strip():
            errors["partial_reason"] = str(_("Dịch vụ trực tuyến một phần phải nêu lý do."))
        if attrs["time_limit_value"] == 0 and not attrs["same_day_rule"]:
            errors["time_limit_value"] = str(
                _("Thời hạn giải quyết phải lớn hơn 0, trừ thủ tục giải quyết trong ngày.")
            )
        if attrs["same_day_rule"] and attrs["time_limit_unit"] != TimeLimitUnit.DAY:
            errors["same_day_rule"] = str(_("Thủ tục giải quyết trong ngày phải tính thời hạn theo ngày làm việc."))
        online_limit = attrs["online_time_limit_value"]
        if online_limit is not None and online_limit > attrs["time_limit_value"] and not attrs["same_day_rule"]:
            errors["online_time_limit_value"] = str(_("Thời hạn khi nộp trực tuyến không được dài hơn thời hạn chung."))
        if errors:
            raise serializers.ValidationError(errors)
        return attrs
