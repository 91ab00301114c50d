from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from common.privacy import mask_citizen_ids

from .models import AgencyMembership, AuthEvent, User


@admin.display(description=_("tên đăng nhập"), ordering="username")
def username_masked(obj: User | AuthEvent) -> str:
    """Citizens sign in with their id number: lists show it masked (Decree 13/2023); the search
    box still finds the whole number, and the user's own page shows it."""
    return mask_citizen_ids(obj.username)


class MembershipInline(admin.TabularInline):
    model = AgencyMembership
    extra = 0
    autocomplete_fields = ["agency"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = (username_masked, "full_name", "role", "email", "is_active")
    list_filter = ("role", "is_active", "is_staff")
    search_fields = ("username", "full_name", "email", "citizen_id")
    inlines = [MembershipInline]
    # Set only by a login with VNeID: the id token is the proof, not an admin's word.
    readonly_fields = ("vneid_verified_at", "vneid_level")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,  # type: ignore[misc]
        (
            _("Thông tin công dân và vai trò"),
            {
                "fields": (
                    "role",
                    "full_name",
                    "citizen_id",
                    "date_of_birth",
                    "gender",
                    "phone",
                    "address",
                    "province_code",
                    "ward_code",
                    "vneid_verified_at",
                    "vneid_level",
                )
            },
        ),
    )


class ReadOnlyAdmin(admin.ModelAdmin):
    """A log: read, filtered, never written through the admin."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(AuthEvent)
class AuthEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "kind", username_masked, "user", "ip_address")
    list_filter = ("kind", "at")
    search_fields = ("username", "ip_address")
    date_hierarchy = "at"
    list_select_related = ("user",)


@admin.register(LogEntry)
class LogEntryAdmin(ReadOnlyAdmin):
    """The change log: what was changed in the Django admin and, through common/audit.py, in
    the portal's own pages (officer actions, VNeID links, form and workflow publications)."""

    list_display = ("action_time", "user", "content_type", "object_repr", "action_flag", "change_message_text")
    list_filter = ("action_flag", "content_type", "action_time")
    search_fields = ("object_repr", "change_message", "user__username")
    date_hierarchy = "action_time"
    list_select_related = ("user", "content_type")

    @admin.display(description=_("nội dung"))
    def change_message_text(self, obj: LogEntry) -> str:
        return obj.get_change_message()
