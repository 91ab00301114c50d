"""`manage.py monthly_report --month 2026-10 [--out DIR]`: the ministry's monthly report, xlsx and PDF."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from indicators.reports import monthly_report_pdf, monthly_report_rows, monthly_report_xlsx
from indicators.selectors import Scope, period_parse


class Command(BaseCommand):
    help = "Viết báo cáo tháng (xlsx và PDF) cho toàn tỉnh."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", required=True, help="tháng báo cáo, ví dụ 2026-10")
        parser.add_argument("--out", default=".", help="thư mục ghi tệp (mặc định: thư mục hiện tại)")

    def handle(self, *args: Any, **options: Any) -> None:
        period = period_parse(options["month"])
        if period is None or len(period.key) != 7:
            raise CommandError("Tháng phải có dạng YYYY-MM, ví dụ 2026-10.")
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        rows = monthly_report_rows(period=period, scope=Scope())
        xlsx = out / f"bao-cao-{period.key}.xlsx"
        pdf = out / f"bao-cao-{period.key}.pdf"
        xlsx.write_bytes(monthly_report_xlsx(period=period, rows=rows))
        pdf.write_bytes(monthly_report_pdf(period=period, rows=rows))
        self.stdout.write(f"{xlsx}\n{pdf}")
