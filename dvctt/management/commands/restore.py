from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from dvctt.backup import BackupError, backup_restore, files_location


class Command(BaseCommand):
    help = (
        "Khôi phục một bản sao lưu (manage.py backup) vào cơ sở dữ liệu đang cấu hình và nơi lưu tệp (MEDIA_ROOT hoặc bucket). "
        "Ghi đè dữ liệu hiện có: cần --yes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="source", required=True, type=Path, help="thư mục sao lưu")
        parser.add_argument("--yes", action="store_true", help="xác nhận ghi đè cơ sở dữ liệu và tệp hiện có")

    def handle(self, *args: Any, **options: Any) -> None:
        database = connections[DEFAULT_DB_ALIAS].settings_dict
        where = files_location(storages["default"], Path(settings.MEDIA_ROOT))
        if not options["yes"]:
            raise CommandError(
                f"Khôi phục sẽ ghi đè cơ sở dữ liệu {database['NAME']} và các tệp tại {where}. "
                "Dừng máy chủ web và Celery, rồi chạy lại với --yes."
            )
        connections.close_all()  # pg_restore --clean must not wait for our own locks
        try:
            manifest = backup_restore(
                source=options["source"],
                database=database,
                media_root=Path(settings.MEDIA_ROOT),
                storage=storages["default"],
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Đã khôi phục bản sao lưu lúc {manifest['created_at']} (cơ sở dữ liệu {manifest['database']}) "
            f"vào {database['NAME']} và {where}."
        )
