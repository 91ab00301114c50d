from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

from procedures.constants import ApplicantType, Channel, ResultDelivery, TimeLimitUnit
from procedures.models import Procedure

register = template.Library()


@register.filter
def vnd(amount: int | None) -> str:
    """100000 -> "100.000 đồng" (Vietnamese thousands separator)."""
    if amount is None:
        return ""
    return f"{amount:,}".replace(",", ".") + " " + _("đồng")


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}".replace(".", ",")


@register.filter
def channel_labels(values: list[str]) -> list[str]:
    return [str(Channel(v).label) for v in values if v in Channel.values]


@register.filter
def delivery_labels(values: list[str]) -> list[str]:
    return [str(ResultDelivery(v).label) for v in values if v in ResultDelivery.values]


@register.filter
def applicant_labels(values: list[str]) -> list[str]:
    return [str(ApplicantType(v).label) for v in values if v in ApplicantType.values]


@register.filter
def time_limit(procedure: Procedure) -> str:
    if procedure.same_day_rule:
        return _("Trong ngày làm việc; hồ sơ tiếp nhận sau 15 giờ được trả kết quả trong ngày làm việc tiếp theo")
    unit = TimeLimitUnit(procedure.time_limit_unit).label
    return f"{_number(procedure.time_limit_value)} {unit}"


@register.filter
def online_time_limit(procedure: Procedure) -> str:
    if procedure.online_time_limit_value is None:
        return ""
    unit = TimeLimitUnit(procedure.time_limit_unit).label
    return f"{_number(procedure.online_time_limit_value)} {unit}"
