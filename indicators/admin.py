"""Province admins edit indicator rules, groups and agency targets; the Django admin logs every change."""

from django.contrib import admin
from django.http import HttpRequest

from accounts.permissions import is_province_admin

from .models import AgencyTarget, IndicatorGroup, IndicatorRule


def _province_admin(request: HttpRequest) -> bool:
    return is_province_admin(request.user)


class ProvinceAdminOnly(admin.ModelAdmin):
    """Only province admins (and superusers) see and edit these; the ministry's revisions are theirs to enter."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _province_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return _province_admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _province_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return _province_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return _province_admin(request)


@admin.register(IndicatorRule)
class IndicatorRuleAdmin(ProvinceAdminOnly):
    list_display = ("code", "name", "group_code", "max_points", "formula_kind", "threshold_percent", "effective_from")
    list_filter = ("group_code", "formula_kind", "effective_from")
    search_fields = ("code", "name")


@admin.register(IndicatorGroup)
class IndicatorGroupAdmin(ProvinceAdminOnly):
    list_display = ("code", "name", "max_points", "effective_from")


@admin.register(AgencyTarget)
class AgencyTargetAdmin(ProvinceAdminOnly):
    list_display = ("agency", "year", "online_rate", "on_time_rate", "online_payment_rate")
    list_filter = ("year",)
    search_fields = ("agency__name", "agency__code")
    autocomplete_fields = ["agency"]
    list_select_related = ("agency",)
