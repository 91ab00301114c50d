"""Print the current two-factor code of an account (for the demo accounts of `seed_demo`)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from accounts.two_factor import confirmed_device, current_code, is_demo_device


class Command(BaseCommand):
    help = "In mã xác thực hai lớp (TOTP) hiện tại của một tài khoản, dùng cho tài khoản mẫu khi chạy thử."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"Không có tài khoản {options['username']}.")
        device = confirmed_device(user=user)
        if device is None:
            raise CommandError(f"Tài khoản {user.username} chưa cài đặt xác thực hai lớp.")
        if not is_demo_device(device):
            # A real officer's codes come from their own phone, never from the server's shell.
            raise CommandError(f"Tài khoản {user.username} không dùng khóa mẫu: lệnh này chỉ dành cho tài khoản mẫu.")
        self.stdout.write(current_code(device))
