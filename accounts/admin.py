from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import AgencyMembership, User


class MembershipInline(admin.TabularInline):
    model = AgencyMembership
    extra = 0
    autocomplete_fields = ["agency"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "full_name", "role", "email", "is_active")
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
