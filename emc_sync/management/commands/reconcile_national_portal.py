import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from emc_sync.reconciliation import PortalUnavailable, reconcile


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Ngày không hợp lệ: {value} (dạng YYYY-MM-DD).") from None


class Command(BaseCommand):
    help = "Đối soát hồ sơ với Cổng DVCQG: thiếu, thừa, khác (trạng thái, ngày); --requeue gửi lại hồ sơ thiếu."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="date_from", required=True, type=_date)
        parser.add_argument("--to", dest="date_to", required=True, type=_date)
        parser.add_argument("--requeue", action="store_true", help="Đưa lại các hồ sơ thiếu vào hàng đợi gửi.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["date_to"] < options["date_from"]:
            raise CommandError("--to phải từ --from trở đi.")
        try:
            report = reconcile(date_from=options["date_from"], date_to=options["date_to"], requeue=options["requeue"])
        except PortalUnavailable as error:
            raise CommandError(f"Không đọc được dữ liệu của Cổng DVCQG: {error}") from None
        out = self.stdout
        out.write(f"ours {report.ours} portal {report.theirs}")
        out.write(f"missing {len(report.missing)}")
        for code in report.missing:
            out.write(f"  missing {code}" + (" (requeued)" if code in report.requeued else ""))
        out.write(f"extra {len(report.extra)}")
        for code in report.extra:
            out.write(f"  extra {code}")
        out.write(f"differing {len(report.differing)}")
        for code, diff in report.differing.items():
            fields = ", ".join(f"{key}: ours {ours} portal {theirs}" for key, (ours, theirs) in diff.items())
            out.write(f"  differing {code}: {fields}")
        out.write("RESULT clean" if report.clean else "RESULT differences")
