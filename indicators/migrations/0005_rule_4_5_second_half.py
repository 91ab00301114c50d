"""Indicator 4.5 is "2+2" points (DOMAIN.md): 4.5 keeps the applicant's VNeID identity, 4.5b adds
the applicant's data confirmed by the population registry (dossiers.Dossier.population_checked_at)."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

EFFECTIVE = dt.date(2022, 6, 23)
OLD_NAME = "Hồ sơ xác thực với Cơ sở dữ liệu quốc gia về dân cư"
OLD_NOTE = "Quyết định 766 ghi 2+2 điểm; phần tính ở đây là tài khoản người nộp đã xác thực VNeID (2 điểm)."
NEW_NAME = "Hồ sơ xác thực với CSDL dân cư: người nộp định danh điện tử (VNeID)"
NEW_NOTE = "Quyết định 766 ghi 2+2 điểm: 2 điểm ở đây (tài khoản người nộp đã xác thực VNeID), 2 điểm ở 4.5b."
SECOND_NAME = "Hồ sơ xác thực với CSDL dân cư: thông tin người nộp khớp CSDL dân cư"
SECOND_NOTE = (
    "Sau khi nộp, hệ thống tra số định danh của người nộp trên CSDL quốc gia về dân cư; đạt khi CSDL có số "
    "định danh và họ tên (và ngày sinh, nếu tài khoản có) trùng với hồ sơ. Tỷ lệ trên hồ sơ tiếp nhận trong kỳ."
)


def forwards(apps, schema_editor):
    rules = apps.get_model("indicators", "IndicatorRule")
    rules.objects.filter(code="4.5", effective_from=EFFECTIVE, name=OLD_NAME).update(name=NEW_NAME)
    rules.objects.filter(code="4.5", effective_from=EFFECTIVE, note=OLD_NOTE).update(note=NEW_NOTE)
    rules.objects.update_or_create(
        code="4.5b",
        effective_from=EFFECTIVE,
        defaults={
            "group_code": "4",
            "name": SECOND_NAME,
            "measure": "population_checked",
            "max_points": Decimal(2),
            "formula_kind": "ratio",
            "threshold_percent": None,
            "note": SECOND_NOTE,
        },
    )


def backwards(apps, schema_editor):
    rules = apps.get_model("indicators", "IndicatorRule")
    rules.objects.filter(code="4.5b", effective_from=EFFECTIVE).delete()
    rules.objects.filter(code="4.5", effective_from=EFFECTIVE, name=NEW_NAME).update(name=OLD_NAME)
    rules.objects.filter(code="4.5", effective_from=EFFECTIVE, note=NEW_NOTE).update(note=OLD_NOTE)


class Migration(migrations.Migration):
    dependencies = [("indicators", "0004_measure_population_checked")]

    operations = [migrations.RunPython(forwards, backwards)]
