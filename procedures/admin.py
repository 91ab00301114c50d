from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from .models import Agency, DossierComponent, Fee, NationalDatabase, Procedure, Sector
from .selectors import procedure_completeness


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent", "is_active")
    list_filter = ("level", "is_active")
    search_fields = ("code", "name")
    autocomplete_fields = ["parent"]


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


class FeeInline(admin.TabularInline):
    model = Fee
    extra = 0


class ComponentInline(admin.TabularInline):
    model = DossierComponent
    extra = 0


@admin.register(NationalDatabase)
class NationalDatabaseAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "lookup", "is_active", "order")
    list_filter = ("lookup", "is_active")


class CompletenessFilter(admin.SimpleListFilter):
    title = _("đủ 7 bộ phận công bố")
    parameter_name = "complete"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("no", str(_("Còn thiếu")))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Procedure]) -> QuerySet[Procedure]:
        if self.value() != "no":
            return queryset
        incomplete = [p.pk for p in queryset.prefetch_related("components", "implementing_agencies")
                      if not all(i.present for i in procedure_completeness(p))]  # fmt: skip
        return queryset.filter(pk__in=incomplete)


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "sector", "online_level", "is_published", "completeness")
    list_filter = ("is_published", "online_level", "sector", CompletenessFilter)
    search_fields = ("code", "name", "search_text")
    filter_horizontal = ["implementing_agencies"]
    inlines = [FeeInline, ComponentInline]
    readonly_fields = ("completeness_detail",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Procedure]:
        return (
            super()
            .get_queryset(request)
            .select_related("sector")
            .prefetch_related("components", "implementing_agencies")
        )

    @admin.display(description=_("Đủ thông tin công bố"))
    def completeness(self, obj: Procedure) -> str:
        items = procedure_completeness(obj)
        return f"{sum(i.present for i in items)}/{len(items)}"

    @admin.display(description=_("Các bộ phận bắt buộc (Nghị định 63/2010, Điều 8 khoản 2)"))
    def completeness_detail(self, obj: Procedure) -> str:
        if obj.pk is None:
            return "—"
        return format_html_join(
            "", "<div>{} {}</div>", ((("✔" if i.present else "✘ Thiếu:"), i.label) for i in procedure_completeness(obj))
        )

    def get_search_results(self, request: HttpRequest, queryset: QuerySet[Procedure], search_term: str):  # type: ignore[no-untyped-def]
        from .text import normalize_search_text

        return super().get_search_results(request, queryset, normalize_search_text(search_term) or search_term)
