"""The indicators of Decision 766/QĐ-TTg as DOMAIN.md gives them; a province admin edits them later."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

EFFECTIVE = dt.date(2022, 6, 23)

GROUPS = [
    ("1", "Công khai, minh bạch", 18),
    ("2", "Tiến độ giải quyết", 20),
    ("3", "Dịch vụ công trực tuyến và thanh toán trực tuyến", 22),
    ("4", "Số hóa hồ sơ", 22),
    ("5", "Mức độ hài lòng", 18),
]

# code, group, name, measure, max, formula kind, threshold %, note
RULES = [
    ("1.3", "1", "Thủ tục công khai đầy đủ 7 bộ phận thông tin", "procedure_info_complete", 2, "ratio", None, ""),
    ("1.4", "1", "Hồ sơ được đồng bộ lên Cổng Dịch vụ công quốc gia", "dossier_synced", 6, "ratio", None,
     "Trạng thái đồng bộ do phân hệ đồng bộ quản lý; phân hệ chỉ số không đọc được nên chưa tính điểm."),
    ("2.1", "2", "Hồ sơ xử lý đúng hạn", "on_time", 20, "ratio", None,
     "Đúng hạn: xử lý xong không muộn hơn ngày hẹn trả (đã cộng thời gian tạm dừng chờ bổ sung), "
     "hoặc đang xử lý và chưa quá hạn. Yêu cầu bổ sung quá 1 lần tính là trễ hạn."),
    ("2.2", "2", "Thời gian xử lý trung bình", "average_processing_time", 0, "display", None, "Chỉ hiển thị."),
    ("3.1", "3", "Thủ tục có dịch vụ công trực tuyến", "procedure_online", 2, "threshold", 80, ""),
    ("3.2", "3", "Dịch vụ trực tuyến có phát sinh hồ sơ", "online_service_used", 4, "ratio", None, ""),
    ("3.3", "3", "Hồ sơ nộp trực tuyến", "dossier_online", 6, "threshold", 50, ""),
    ("3.5", "3", "Thủ tục có phí, lệ phí được thanh toán trực tuyến", "procedure_online_payment", 2, "threshold", 80,
     ""),
    ("3.6", "3", "Hồ sơ thanh toán trực tuyến (thủ tục có phí, lệ phí)", "dossier_paid_online", 6, "ratio", None, ""),
    ("4.1", "4", "Hồ sơ có kết quả điện tử", "electronic_result", 6, "ratio", None, ""),
    ("4.2", "4", "Hồ sơ được số hóa thành phần và kết quả", "digitised", 4, "threshold", 80, ""),
    ("4.3", "4", "Hồ sơ tái sử dụng dữ liệu đã số hóa", "reused", 2, "threshold", 80, ""),
    ("4.5", "4", "Hồ sơ xác thực với Cơ sở dữ liệu quốc gia về dân cư", "authenticated", 2, "ratio", None,
     "Quyết định 766 ghi 2+2 điểm; phần tính ở đây là tài khoản người nộp đã xác thực VNeID (2 điểm)."),
    ("5.4", "5", "Mức độ hài lòng trong tiếp nhận, giải quyết hồ sơ", "satisfaction", 6, "threshold", 90,
     "100% − (tỷ lệ trễ hạn + tỷ lệ không hài lòng); đạt điểm tối đa khi ≥ 90%."),
]  # fmt: skip


def seed(apps, schema_editor):
    group_model = apps.get_model("indicators", "IndicatorGroup")
    rule_model = apps.get_model("indicators", "IndicatorRule")
    for code, name, max_points in GROUPS:
        group_model.objects.update_or_create(
            code=code, effective_from=EFFECTIVE, defaults={"name": name, "max_points": Decimal(max_points)}
        )
    for code, group, name, measure, max_points, kind, threshold, note in RULES:
        rule_model.objects.update_or_create(
            code=code,
            effective_from=EFFECTIVE,
            defaults={
                "group_code": group,
                "name": name,
                "measure": measure,
                "max_points": Decimal(max_points),
                "formula_kind": kind,
                "threshold_percent": Decimal(threshold) if threshold is not None else None,
                "note": note,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("indicators", "IndicatorRule").objects.filter(effective_from=EFFECTIVE).delete()
    apps.get_model("indicators", "IndicatorGroup").objects.filter(effective_from=EFFECTIVE).delete()


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
