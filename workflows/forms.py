"""The workflow editor: one form per step, actions as checkboxes with their target step."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.constants import OFFICER_ROLES, Role

from .constants import CITIZEN_ACTIONS, IMPLIED_ACTIONS, MOVING_ACTIONS, Action, CalendarDayKind

OFFICER_ACTIONS = [a for a in Action if a not in CITIZEN_ACTIONS and a not in IMPLIED_ACTIONS]
ROLE_CHOICES = [(r.value, r.label) for r in Role if r in OFFICER_ROLES]


class StepForm(forms.Form):
    key = forms.SlugField(label=_("Mã bước"), max_length=50)
    name = forms.CharField(label=_("Tên bước"), max_length=255)
    role = forms.ChoiceField(label=_("Vai trò thực hiện"), choices=ROLE_CHOICES)
    share = forms.IntegerField(label=_("Tỷ lệ thời gian (%)"), min_value=0, max_value=100)
    # The clock rule of status 6 is data: whether waiting for the applicant's financial obligation counts.
    payment_stops_clock = forms.BooleanField(
        label=_("Không tính thời gian chờ thực hiện nghĩa vụ tài chính vào thời hạn giải quyết"), required=False
    )

    def __init__(self, *args: Any, step_keys: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        targets = [("", _("— Bước chuyển đến —")), *((k, k) for k in step_keys or [])]
        for action in OFFICER_ACTIONS:
            self.fields[f"do_{action.value}"] = forms.BooleanField(label=action.label, required=False)
            if action in MOVING_ACTIONS:
                self.fields[f"to_{action.value}"] = forms.ChoiceField(
                    label=_("đến bước"), choices=targets, required=False
                )

    def step_fields(self) -> list[forms.BoundField]:
        names = ["key", "name", "role", "share", "payment_stops_clock", "ORDER", "DELETE"]
        return [self[name] for name in names if name in self.fields]

    def action_fields(self) -> list[tuple[forms.BoundField, forms.BoundField | None]]:
        return [
            (self[f"do_{a.value}"], self[f"to_{a.value}"] if a in MOVING_ACTIONS else None) for a in OFFICER_ACTIONS
        ]

    def to_step(self) -> dict[str, Any]:
        data = self.cleaned_data
        actions = []
        for action in OFFICER_ACTIONS:
            if data.get(f"do_{action.value}"):
                item: dict[str, Any] = {"action": action.value}
                if action in MOVING_ACTIONS and data.get(f"to_{action.value}"):
                    item["to"] = data[f"to_{action.value}"]
                if action == Action.REQUEST_PAYMENT:
                    item["stops_clock"] = bool(data.get("payment_stops_clock"))
                actions.append(item)
        return {
            "key": data["key"], "name": data["name"], "role": data["role"], "agency": "competent",
            "share": data["share"], "actions": actions,
        }  # fmt: skip


def step_initial(step: dict[str, Any]) -> dict[str, Any]:
    initial = {k: step.get(k) for k in ("key", "name", "role", "share")}
    for item in step.get("actions", []):
        initial[f"do_{item['action']}"] = True
        if item.get("to"):
            initial[f"to_{item['action']}"] = item["to"]
        if item["action"] == Action.REQUEST_PAYMENT:
            initial["payment_stops_clock"] = bool(item.get("stops_clock"))
    return initial


StepFormSet = forms.formset_factory(StepForm, extra=1, can_delete=True, can_order=True, max_num=20, validate_max=True)


class DateTextInput(forms.DateInput):
    """A date typed as Vietnamese write it, dd/mm/yyyy (ISO is accepted too: DATE_INPUT_FORMATS)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off", **(attrs or {})},
            format="%d/%m/%Y",
        )


class CalendarYearConfirmForm(forms.Form):
    letter_number = forms.CharField(
        label=_("Số văn bản quyết định lịch năm"), max_length=100, help_text=_("Ví dụ: 12729/VPCP-KGVX")
    )
    letter_date = forms.DateField(
        label=_("Ngày văn bản"), required=False, widget=DateTextInput(), help_text=_("Ngày/tháng/năm, ví dụ 05/03/2027")
    )
    note = forms.CharField(label=_("Ghi chú"), max_length=255, required=False)


class CalendarOverrideForm(forms.Form):
    date = forms.DateField(label=_("Ngày"), widget=DateTextInput(), help_text=_("Ngày/tháng/năm, ví dụ 05/03/2027"))
    kind = forms.ChoiceField(label=_("Loại"), choices=CalendarDayKind.choices)
    reason = forms.CharField(label=_("Lý do, căn cứ"), max_length=255)
