from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from common.replica import replica_reads

from .constants import OnlineLevel
from .forms import ProcedureSearchForm
from .models import Agency, Procedure, Sector
from .selectors import (
    agency_list_with_counts,
    online_level_counts,
    procedure_get_public,
    procedure_list,
    procedure_most_used,
    procedure_search,
    sector_list_with_counts,
)

PAGE_SIZE = 20


@replica_reads
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "procedures/home.html",
        {
            "form": ProcedureSearchForm(),
            "most_used": procedure_most_used(),
            "sectors": sector_list_with_counts(),
            "level_counts": online_level_counts(),
        },
    )


@replica_reads
def procedure_index(request: HttpRequest) -> HttpResponse:
    """Search results and browsing by sector, agency and level, on one page."""
    form = ProcedureSearchForm(request.GET or None)
    results: list[Procedure] | None = None
    page = None
    heading = _("Danh sách thủ tục hành chính")
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        data = form.cleaned_data if form.is_bound else {}
        filters = form.filters() if form.is_bound else None
        if data.get("q"):
            results = procedure_search(query=data["q"], filters=filters)
            heading = _("Kết quả tìm kiếm cho “%(q)s”") % {"q": data["q"]}
        else:
            page = Paginator(procedure_list(filters=filters).order_by("code"), PAGE_SIZE).get_page(
                request.GET.get("trang")
            )
            heading = _browse_heading(filters)
    context = {
        "form": form,
        "results": results,
        "page": page,
        "heading": heading,
        "sectors": sector_list_with_counts(),
        "agencies": agency_list_with_counts(),
        "levels": OnlineLevel.choices,
    }
    return render(request, "procedures/index.html", context, status=status)


def _browse_heading(filters: object) -> str:
    sector = getattr(filters, "sector", "")
    agency = getattr(filters, "agency", "")
    level = getattr(filters, "online_level", "")
    if sector and (found := Sector.objects.filter(code=sector).first()):
        return _("Thủ tục thuộc lĩnh vực %(name)s") % {"name": found.name}
    if agency and (found_agency := Agency.objects.filter(code=agency).first()):
        return _("Thủ tục do %(name)s thực hiện") % {"name": found_agency.name}
    if level in OnlineLevel.values:
        return _("Thủ tục có mức độ: %(level)s") % {"level": OnlineLevel(level).label}
    return _("Danh sách thủ tục hành chính")


@replica_reads
def procedure_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        procedure = procedure_get_public(code=code)
    except Procedure.DoesNotExist:
        raise Http404(_("Không tìm thấy thủ tục hành chính có mã %(code)s.") % {"code": code}) from None
    # Back-office mode: citizens file this procedure on the national portal (settings).
    national_portal_link = settings.NATIONAL_PORTAL_PROCEDURE_URL.format(code=procedure.code)
    return render(
        request, "procedures/detail.html", {"procedure": procedure, "national_portal_link": national_portal_link}
    )


@replica_reads
def sector_index(request: HttpRequest) -> HttpResponse:
    return render(request, "procedures/sectors.html", {"sectors": sector_list_with_counts()})


@replica_reads
def agency_index(request: HttpRequest) -> HttpResponse:
    return render(request, "procedures/agencies.html", {"agencies": agency_list_with_counts()})
