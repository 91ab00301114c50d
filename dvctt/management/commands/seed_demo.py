from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.test import override_settings

from accounts.two_factor import DEMO_TOTP_SECRET_BASE32
from dvctt.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_load


class Command(BaseCommand):
    help = "Nạp dữ liệu mẫu (danh mục thủ tục, cơ quan, tài khoản mẫu). Chạy nhiều lần không thay đổi gì thêm."

    def handle(self, *args: Any, **options: Any) -> None:
        # The registry stand-in is served by the portal itself, which is not running while the
        # demo loads: demo dossiers are not checked against it (dossiers/population.py).
        with override_settings(POPULATION_CHECK_ENABLED=False):
            report = demo_load()
        self.stdout.write(
            f"Danh mục thủ tục: {len(report.created)} thêm mới, {len(report.updated)} cập nhật, "
            f"{len(report.unchanged)} không đổi."
        )
        # The demo CA and each agency's signing certificate (SoftHSM2 token or key files).
        call_command("signing_setup", stdout=self.stdout)
        self.stdout.write("")
        self.stdout.write("Cổng dịch vụ công: http://127.0.0.1:8000/   Quản trị: http://127.0.0.1:8000/admin/")
        self.stdout.write(f"Tài khoản mẫu (mật khẩu chung: {DEMO_PASSWORD}):")
        for account in DEMO_ACCOUNTS:
            self.stdout.write(f"  {account.username:<18} {account.role.label:<30} {account.note}")
        self.stdout.write(
            f"Cán bộ, quản trị xác thực hai lớp (TOTP): khóa mẫu {DEMO_TOTP_SECRET_BASE32} trong ứng dụng xác thực, "
            "hoặc lấy mã hiện tại bằng: python manage.py demo_totp <tên đăng nhập>"
        )
