from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from procedures.catalogue_io import render_catalogue
from procedures.services import procedure_to_row, procedures_for_export


class Command(BaseCommand):
    help = "Xuất danh mục thủ tục hành chính ra JSON hoặc CSV, cùng định dạng với lệnh nhập."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, nargs="?", help="bỏ trống để in ra màn hình")
        parser.add_argument("--format", choices=["json", "csv"], default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path | None = options["file"]
        file_format = options["format"] or (path.suffix.lower().lstrip(".") if path else "json")
        text = render_catalogue([procedure_to_row(p) for p in procedures_for_export()], file_format=file_format)
        if path is None:
            self.stdout.write(text, ending="")
        else:
            path.write_text(text, encoding="utf-8")
            self.stdout.write(f"Đã xuất danh mục ra {path}.")
