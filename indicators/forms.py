"""The filter every indicator page and endpoint takes: period, agency (with sub-agencies), sector, procedure."""

from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.selectors import user_agency_scope
from procedures.models import Agency, Procedure, Sector

from .selectors import Period, Scope, period_current_month, period_parse, scope_for_user


@dataclass(frozen=True)
class Filters:
    period: Period
    scope: Scope
    agency: Agency | None
    query: str  # the filter as a query string, for links that keep it


class IndicatorFilterForm(forms.Form):
    ky = forms.CharField(
        label=_("Kỳ báo cáo"),
        required=False,
        max_length=7,
        help_text=_("Tháng (2026-10) hoặc năm (2026)."),
    )
    co_quan = forms.ModelChoiceField(
        label=_("Cơ quan (gồm đơn vị trực thuộc)"), queryset=Agency.objects.none(), required=False
    )
    linh_vuc = forms.ModelChoiceField(label=_("Lĩnh vực"), queryset=Sector.objects.order_by("name"), required=False)
    thu_tuc = forms.CharField(label=_("Mã thủ tục"), required=False, max_length=20)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        allowed = user_agency_scope(user=user)
        agencies = Agency.objects.filter(is_active=True).order_by("name")
        if allowed is not None:
            agencies = agencies.filter(pk__in=sorted(allowed))
        field = self.fields["co_quan"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - declared above
        field.queryset = agencies

    def clean_ky(self) -> Period:
        text = self.cleaned_data.get("ky") or ""
        if not text:
            return period_current_month()
        period = period_parse(text)
        if period is None:
            raise forms.ValidationError(_("Kỳ báo cáo phải là tháng (2026-10) hoặc năm (2026)."))
        return period

    def clean_thu_tuc(self) -> Procedure | None:
        code = (self.cleaned_data.get("thu_tuc") or "").strip()
        if not code:
            return None
        procedure = Procedure.objects.filter(code=code).first()
        if procedure is None:
            raise forms.ValidationError(_("Không có thủ tục mã %(code)s.") % {"code": code})
        return procedure

    def filters(self) -> Filters:
        """Call after is_valid(); an agency outside the user's scope cannot be chosen (the queryset says so)."""
        data = self.cleaned_data
        agency: Agency | None = data.get("co_quan")
        sector: Sector | None = data.get("linh_vuc")
        procedure: Procedure | None = data.get("thu_tuc")
        scope = scope_for_user(
            user=self.user,
            agency=agency,
            sector_id=sector.pk if sector else None,
            procedure_id=procedure.pk if procedure else None,
        )
        parts = [f"ky={data['ky'].key}"]
        if agency:
            parts.append(f"co_quan={agency.pk}")
        if sector:
            parts.append(f"linh_vuc={sector.pk}")
        if procedure:
            parts.append(f"thu_tuc={procedure.code}")
        return Filters(period=data["ky"], scope=scope, agency=agency, query="&".join(parts))
