"""The monthly report the ministry asks for, per agency: xlsx (openpyxl) and PDF (WeasyPrint).

Rows come from the same counts as the dashboard and the API (indicators.selectors), so the
three never disagree.
"""

import datetime as dt
import io
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Sum
from django.template.loader import render_to_string
from django.utils import timezone

from dossiers.models import Rating
from procedures.constants import OnlineLevel

from .constants import Measure
from .selectors import CENT, Period, Scope, agency_ranking, rules_in_force, scorecard, where_for

COLUMNS = (
    "Cơ quan",
    "Mã định danh",
    "Thủ tục toàn trình",
    "Thủ tục một phần",
    "Thủ tục chỉ cung cấp thông tin",
    "Hồ sơ tiếp nhận",
    "Trực tuyến",
    "Từ Cổng DVCQG",
    "Trực tiếp",
    "Bưu chính công ích",
    "Tỷ lệ trực tuyến (%)",
    "Tỷ lệ đúng hạn (%)",
    "Tỷ lệ thanh toán trực tuyến (%)",
    "Tỷ lệ số hóa (%)",
    "Điểm hài lòng bình quân (1–5)",
    "Tổng điểm",
)


@dataclass(frozen=True)
class ReportRow:
    agency_name: str
    agency_code: str
    values: tuple[Any, ...]  # in COLUMNS order after the two agency columns

    def cells(self) -> tuple[Any, ...]:
        return (self.agency_name, self.agency_code, *self.values)


def rating_averages(*, period: Period, scope: Scope) -> dict[int | None, Decimal]:
    """Mean satisfaction (1–5) of the ratings given in the period, per agency of the rated dossier,
    and for the whole scope under None; an agency without a rating in the period has no entry.
    One query."""
    rows = (
        Rating.objects.filter(created_at__gte=period.start, created_at__lt=period.end)
        .filter(where_for(scope).dossier_q("dossier__"))
        .values("dossier__agency_id")
        .annotate(total=Sum("score"), given=Count("pk"))
        .order_by()
    )
    out: dict[int | None, Decimal] = {}
    total, given = 0, 0
    for row in rows:
        out[row["dossier__agency_id"]] = (Decimal(row["total"]) / row["given"]).quantize(CENT, ROUND_HALF_UP)
        total, given = total + row["total"], given + row["given"]
    if given:
        out[None] = (Decimal(total) / given).quantize(CENT, ROUND_HALF_UP)
    return out


def _row_values(counts: dict[str, Any], card_total: Decimal, rate: Any, average: Decimal | None) -> tuple[Any, ...]:
    return (
        counts.get(f"level__{OnlineLevel.FULL.value}") or 0,
        counts.get(f"level__{OnlineLevel.PARTIAL.value}") or 0,
        counts.get(f"level__{OnlineLevel.INFORMATION.value}") or 0,
        counts.get(f"{Measure.DOSSIER_ONLINE}__den") or 0,
        counts.get("received__online") or 0,
        counts.get("received__national_portal") or 0,
        counts.get("received__direct") or 0,
        counts.get("received__post") or 0,
        rate(Measure.DOSSIER_ONLINE),
        rate(Measure.ON_TIME),
        rate(Measure.DOSSIER_PAID_ONLINE),
        rate(Measure.DIGITISED),
        average,
        card_total,
    )


def monthly_report_rows(*, period: Period, scope: Scope, now: dt.datetime | None = None) -> list[ReportRow]:
    """One row per agency in scope (its own dossiers and procedures), then the whole scope's total."""
    now = now or timezone.now()
    rules = rules_in_force(on=period.first_day)
    averages = rating_averages(period=period, scope=scope)
    rows = [
        ReportRow(
            row.agency.name,
            row.agency.code,
            _row_values(row.card.counts, row.card.total_points, row.card.rate, averages.get(row.agency.pk)),
        )
        for row in sorted(agency_ranking(period=period, scope=scope, rules=rules, now=now), key=lambda r: r.agency.code)
    ]
    total = scorecard(period=period, scope=scope, now=now, rules=rules)
    rows.append(
        ReportRow(
            "Toàn phạm vi báo cáo", "", _row_values(total.counts, total.total_points, total.rate, averages.get(None))
        )
    )
    return rows


def monthly_report_xlsx(*, period: Period, rows: list[ReportRow]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 - a new workbook has one sheet
    sheet.title = f"Bao cao {period.key}"
    sheet.append([f"Báo cáo kết quả cung cấp dịch vụ công trực tuyến – {period.label}"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(list(COLUMNS))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in row.cells()])
    sheet.column_dimensions["A"].width = 40
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def monthly_report_pdf(*, period: Period, rows: list[ReportRow]) -> bytes:
    import weasyprint  # heavy (Pango, fonts): only where a PDF is made

    html = render_to_string(
        "indicators/report_pdf.html",
        {"period": period, "columns": COLUMNS, "rows": rows, "made_at": timezone.localtime()},
    )
    fetcher = weasyprint.URLFetcher(allowed_protocols=("data",))
    pdf = weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()
    assert pdf is not None  # noqa: S101 - write_pdf returns the bytes when given no target
    return bytes(pdf)
