"""5.4's complaint rate now counts complaints (phản ánh, kiến nghị: dossiers.Complaint), not low ratings."""

from django.db import migrations

OLD = "100% − (tỷ lệ trễ hạn + tỷ lệ không hài lòng); đạt điểm tối đa khi ≥ 90%."
NEW = (
    "100% − (tỷ lệ trễ hạn + tỷ lệ hồ sơ có phản ánh, kiến nghị); đạt điểm tối đa khi ≥ 90%. "
    "Phản ánh tính cho hồ sơ xử lý xong trong kỳ, gửi trước khi kỳ kết thúc."
)


def forwards(apps, schema_editor):
    apps.get_model("indicators", "IndicatorRule").objects.filter(code="5.4", note=OLD).update(note=NEW)


def backwards(apps, schema_editor):
    apps.get_model("indicators", "IndicatorRule").objects.filter(code="5.4", note=NEW).update(note=OLD)


class Migration(migrations.Migration):
    dependencies = [("indicators", "0005_rule_4_5_second_half"), ("dossiers", "0011_complaint")]

    operations = [migrations.RunPython(forwards, backwards)]
