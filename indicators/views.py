"""Leaders' and province admins' dashboard of Decision 766 indicators, and the dossiers behind each figure."""

from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.constants import Role
from accounts.models import User
from common.replica import replica_reads

from .constants import Outcome
from .forms import IndicatorFilterForm
from .reports import monthly_report_pdf, monthly_report_rows, monthly_report_xlsx
from .selectors import (
    Scorecard,
    dashboard_get,
    dossier_list_for_indicator,
    indicator_explanation,
    national_preview,
    rules_in_force,
    target_progress,
)

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHART_HEIGHT = 160
BAR_WIDTH = 36
BAR_GAP = 14


def indicator_viewer(request: HttpRequest) -> User:
    """Leaders (their agencies) and province admins (all) may read the indicators."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - login_required ran first
    if not (user.role in (Role.LEADER, Role.PROVINCE_ADMIN) or user.is_superuser):
        raise PermissionDenied(_("Trang chỉ số chỉ dành cho lãnh đạo và quản trị cấp tỉnh."))
    return user


def trend_bars(trend: list[Scorecard]) -> list[dict[str, Any]]:
    """Bar geometry for the monthly total (points out of 100), drawn as server-side SVG."""
    bars = []
    for index, card in enumerate(trend):
        total = card.total_points
        height = int((total / Decimal(100)) * CHART_HEIGHT) if card.scored_max else 0
        bars.append(
            {
                "label": f"{card.period.start.month:02d}",
                "card": card,
                "x": 40 + index * (BAR_WIDTH + BAR_GAP),
                "y": 10 + CHART_HEIGHT - height,
                "height": height,
                "text_x": 40 + index * (BAR_WIDTH + BAR_GAP) + BAR_WIDTH // 2,
            }
        )
    return bars


@login_required
@replica_reads
def dashboard(request: HttpRequest) -> HttpResponse:
    user = indicator_viewer(request)
    form = IndicatorFilterForm(request.GET or {}, user=user)
    if not form.is_valid():
        return render(request, "indicators/dashboard.html", {"form": form}, status=400)
    filters = form.filters()
    data = dashboard_get(period=filters.period, scope=filters.scope)
    bars = trend_bars(data.trend)
    targets = target_progress(agency=filters.agency, card=data.card) if filters.agency else []
    return render(
        request,
        "indicators/dashboard.html",
        {
            "form": form,
            "filters": filters,
            "data": data,
            "card": data.card,
            "bars": bars,
            "targets": targets,
            "chart_width": 40 + len(bars) * (BAR_WIDTH + BAR_GAP),
            "chart_height": CHART_HEIGHT + 40,
            "bar_width": BAR_WIDTH,
            "axis_y": 10 + CHART_HEIGHT,
        },
    )


@login_required
@replica_reads
def dossier_drilldown(request: HttpRequest) -> HttpResponse:
    """The dossiers counted in one indicator (all, met, missed), in the viewer's scope, 50 a page."""
    user = indicator_viewer(request)
    form = IndicatorFilterForm(request.GET or {}, user=user)
    if not form.is_valid():
        return render(request, "indicators/dossiers.html", {"form": form}, status=400)
    filters = form.filters()
    rules = {r.code: r for r in rules_in_force(on=filters.period.first_day).indicators}
    rule = rules.get(request.GET.get("chi_so", ""))
    try:
        outcome = Outcome(request.GET.get("ket_qua", Outcome.MISSED))
    except ValueError:
        outcome = Outcome.MISSED
    if rule is None:
        return render(request, "indicators/dossiers.html", {"form": form, "unknown": True}, status=404)
    dossiers = dossier_list_for_indicator(
        measure=rule.measure, outcome=outcome, period=filters.period, scope=filters.scope
    )
    page = Paginator(dossiers, PAGE_SIZE).get_page(request.GET.get("trang"))
    return render(
        request,
        "indicators/dossiers.html",
        {
            "form": form,
            "filters": filters,
            "rule": rule,
            "outcome": outcome,
            "outcomes": list(Outcome),
            "page": page,
        },
    )


@login_required
@replica_reads
def report_download(request: HttpRequest) -> HttpResponse:
    """The monthly report for the chosen period and scope, as xlsx (default) or PDF."""
    user = indicator_viewer(request)
    form = IndicatorFilterForm(request.GET or {}, user=user)
    if not form.is_valid():
        return render(request, "indicators/dashboard.html", {"form": form}, status=400)
    filters = form.filters()
    rows = monthly_report_rows(period=filters.period, scope=filters.scope)
    if request.GET.get("dinh_dang") == "pdf":
        body, content_type, suffix = monthly_report_pdf(period=filters.period, rows=rows), "application/pdf", "pdf"
    else:
        body, content_type, suffix = monthly_report_xlsx(period=filters.period, rows=rows), XLSX, "xlsx"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="bao-cao-{filters.period.key}.{suffix}"'
    return response


@login_required
@replica_reads
def indicator_explain(request: HttpRequest, code: str) -> HttpResponse:
    """One indicator: the document's wording, the figure, and what costs it points, by cause."""
    user = indicator_viewer(request)
    form = IndicatorFilterForm(request.GET or {}, user=user)
    if not form.is_valid():
        return render(request, "indicators/explain.html", {"form": form}, status=400)
    filters = form.filters()
    explanation = indicator_explanation(code=code, period=filters.period, scope=filters.scope)
    if explanation is None:
        return render(request, "indicators/explain.html", {"form": form, "unknown": True}, status=404)
    return render(request, "indicators/explain.html", {"form": form, "filters": filters, "x": explanation})


@login_required
@replica_reads
def national_preview_page(request: HttpRequest) -> HttpResponse:
    """Our figure and the national portal's (from the records it accepted) side by side."""
    user = indicator_viewer(request)
    form = IndicatorFilterForm(request.GET or {}, user=user)
    if not form.is_valid():
        return render(request, "indicators/national.html", {"form": form}, status=400)
    filters = form.filters()
    preview = national_preview(period=filters.period, scope=filters.scope)
    rows = [
        {"local": local, "national": far}
        for local, far in zip(preview.local.indicators, preview.national.indicators, strict=True)
    ]
    return render(
        request,
        "indicators/national.html",
        {"form": form, "filters": filters, "preview": preview, "rows": rows, "causes": preview.by_cause()},
    )
