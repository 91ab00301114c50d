from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dvctt.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Sao lưu cơ sở dữ liệu PostgreSQL (pg_dump) và các tệp đã lưu (MEDIA_ROOT hoặc bucket S3) vào một thư mục trống, kèm manifest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, type=Path, help="thư mục đích (tạo mới hoặc đang trống)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = backup_create(out=options["out"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = report.manifest
        self.stdout.write(f"Đã sao lưu cơ sở dữ liệu {manifest['database']} vào {report.folder}:")
        for name, file in manifest["files"].items():
            self.stdout.write(f"  {name:<16} {file['size']:>12} byte  sha256 {file['sha256']}")
