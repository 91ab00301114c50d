from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from procedures.catalogue_io import CatalogueFileError, parse_catalogue
from procedures.exceptions import ImportRejected
from procedures.services import procedures_import


class Command(BaseCommand):
    help = "Nhập danh mục thủ tục hành chính từ tệp JSON hoặc CSV (tất cả hoặc không gì cả)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", choices=["json", "csv"], help="mặc định: theo phần mở rộng của tệp")

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate("vi")
        path: Path = options["file"]
        file_format = options["format"] or path.suffix.lower().lstrip(".")
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp {path}: {exc.strerror}.") from exc
        try:
            rows = parse_catalogue(content, file_format=file_format)
            report = procedures_import(rows=rows)
        except CatalogueFileError as exc:
            raise CommandError(str(exc)) from exc
        except ImportRejected as exc:
            self.stderr.write(f"{exc.message} Có {len(exc.errors)} lỗi:")
            for line in exc.errors:
                self.stderr.write(f"  - {line}")
            raise CommandError("Nhập danh mục thất bại.") from exc
        self.stdout.write(
            f"Đã nhập {len(rows)} thủ tục: {len(report.created)} thêm mới, "
            f"{len(report.updated)} cập nhật, {len(report.unchanged)} không đổi."
        )
