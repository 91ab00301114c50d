from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .constants import OnlineLevel
from .selectors import ProcedureFilters
from .text import to_nfc


class ProcedureSearchForm(forms.Form):
    q = forms.CharField(label=_("Tìm thủ tục hành chính"), required=False, strip=True)
    sector = forms.CharField(label=_("Lĩnh vực"), required=False, max_length=30)
    agency = forms.CharField(label=_("Cơ quan thực hiện"), required=False, max_length=20)
    level = forms.ChoiceField(
        label=_("Mức độ"), required=False, choices=[("", _("Tất cả mức độ")), *OnlineLevel.choices]
    )

    def clean_q(self) -> str:
        text = to_nfc(self.cleaned_data["q"])
        limit = settings.SEARCH_MAX_LENGTH
        if len(text) > limit:
            raise forms.ValidationError(
                _("Từ khóa tìm kiếm quá dài (%(length)s ký tự). Vui lòng nhập tối đa %(limit)s ký tự."),
                params={"length": len(text), "limit": limit},
            )
        return text

    def filters(self) -> ProcedureFilters:
        data = self.cleaned_data
        return ProcedureFilters(
            sector=data.get("sector", ""), agency=data.get("agency", ""), online_level=data.get("level", "")
        )
