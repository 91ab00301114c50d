"""`manage.py tracking_register --agency 000.00.12.H42 --from 2026-11-01 --to 2026-11-30 --output so.pdf`"""

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dossiers.documents.services import register_dossiers, register_render
from procedures.models import Agency


class Command(BaseCommand):
    help = "In sổ theo dõi hồ sơ (mẫu số 07) của một cơ quan trong một khoảng thời gian ra tệp PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", required=True, help="Mã định danh cơ quan (QCVN 102), ví dụ 000.00.12.H42.")
        parser.add_argument("--from", dest="date_from", required=True, help="Từ ngày, dạng YYYY-MM-DD.")
        parser.add_argument("--to", dest="date_to", required=True, help="Đến ngày (tính cả ngày này), dạng YYYY-MM-DD.")
        parser.add_argument(
            "--output", help="Tệp PDF cần ghi; mặc định so-theo-doi-<mã cơ quan>-<từ ngày>-<đến ngày>.pdf."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        code = options["agency"].strip().upper()
        agency = Agency.objects.select_related("parent").filter(code=code).first()
        if agency is None:
            raise CommandError(f"Không tìm thấy cơ quan có mã định danh “{options['agency']}”.")
        date_from = _date(options["date_from"], "--from")
        date_to = _date(options["date_to"], "--to")
        if date_from > date_to:
            raise CommandError(
                f"Ngày bắt đầu ({date_from:%d/%m/%Y}) phải trước hoặc bằng ngày kết thúc ({date_to:%d/%m/%Y})."
            )
        output = Path(options["output"] or f"so-theo-doi-{agency.code}-{date_from:%Y%m%d}-{date_to:%Y%m%d}.pdf")
        count = register_dossiers(agency=agency, date_from=date_from, date_to=date_to).count()
        pdf = register_render(agency=agency, date_from=date_from, date_to=date_to)
        try:
            output.write_bytes(pdf)
        except OSError as error:
            raise CommandError(f"Không ghi được tệp {output}: {error.strerror}.") from None
        self.stdout.write(
            f"Đã ghi sổ theo dõi hồ sơ của {agency.name} từ {date_from:%d/%m/%Y} đến {date_to:%d/%m/%Y} "
            f"({count} hồ sơ) vào {output}."
        )


def _date(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(
            f"Ngày “{text}” của {option} không hợp lệ: ghi theo dạng YYYY-MM-DD, ví dụ 2026-11-30."
        ) from None
