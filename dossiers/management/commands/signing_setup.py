"""Set up signing for the demo and tests: the demo CA, a key and certificate per agency, on the
SoftHSM2 token (SIGNING_KEY_BACKEND=pkcs11) or in files (the embedded default). Run again, it
keeps what exists. A province with a real CA and HSM does not run this (docs/signing.md)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dossiers.signing import pki
from dossiers.signing.config import PKCS11, signing_config
from procedures.models import Agency


class Command(BaseCommand):
    help = "Tạo CA mẫu và chứng thư số mẫu cho các cơ quan (SoftHSM2 hoặc tệp khóa). Chạy lại không đổi gì."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", action="append", default=[], help="chỉ cơ quan có mã này (lặp lại được)")
        parser.add_argument("--replace", action="store_true", help="cấp chứng thư số mới (thay chứng thư cũ)")

    def handle(self, *args: Any, **options: Any) -> None:
        config = signing_config()
        if config.backend == PKCS11:
            try:
                pki.token_ensure(config)
            except (ValueError, OSError) as exc:
                raise CommandError(f"Không khởi tạo được token ký số: {exc}") from exc
        agencies = Agency.objects.order_by("code")
        if options["agency"]:
            agencies = agencies.filter(code__in=options["agency"])
        count = 0
        for agency in agencies:
            pki.agency_provision(config, agency_code=agency.code, agency_name=agency.name, replace=options["replace"])
            count += 1
        if not (config.directory / pki.CRL_FILE).exists():
            pki.crl_create(config, revoked_serials=[])  # published empty: "require" mode finds a list
        where = f"token “{config.token_label}”" if config.backend == PKCS11 else f"thư mục {config.directory}"
        self.stdout.write(f"Ký số: CA mẫu {config.ca_cert}; chứng thư số của {count} cơ quan trên {where}.")
