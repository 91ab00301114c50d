"""Indicator 1.4 is computed now (dossiers.Dossier.national_synced_at): its seeded note said it was not."""

from django.db import migrations

OLD = "Trạng thái đồng bộ do phân hệ đồng bộ quản lý; phân hệ chỉ số không đọc được nên chưa tính điểm."
NEW = (
    "Đồng bộ: Cổng DVCQG đã nhận bản ghi hồ sơ (lần đầu được chấp nhận). "
    "Tỷ lệ trên hồ sơ tiếp nhận trong kỳ."
)


def forwards(apps, schema_editor):
    apps.get_model("indicators", "IndicatorRule").objects.filter(code="1.4", note=OLD).update(note=NEW)


def backwards(apps, schema_editor):
    apps.get_model("indicators", "IndicatorRule").objects.filter(code="1.4", note=NEW).update(note=OLD)


class Migration(migrations.Migration):
    dependencies = [("indicators", "0002_seed_decision_766")]

    operations = [migrations.RunPython(forwards, backwards)]
