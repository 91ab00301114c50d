from django.db import models
from django.utils.translation import gettext_lazy as _


class FormulaKind(models.TextChoices):
    """How a measured rate becomes points (the ministry's wording in DOMAIN.md)."""

    # score = rate × max
    RATIO = "ratio", _("Tỷ lệ × điểm tối đa")
    # score = min(1, rate / threshold) × max: "full marks at ≥ threshold"
    THRESHOLD = "threshold", _("Đạt điểm tối đa khi tỷ lệ ≥ ngưỡng, dưới ngưỡng tính theo tỷ lệ")
    # Shown, never scored (2.2 average processing time).
    DISPLAY = "display", _("Chỉ hiển thị, không tính điểm")


class Measure(models.TextChoices):
    """What an indicator counts: the query behind it lives in indicators.selectors."""

    PROCEDURE_INFO_COMPLETE = "procedure_info_complete", _("Thủ tục công khai đủ 7 bộ phận")
    DOSSIER_SYNCED = "dossier_synced", _("Hồ sơ đồng bộ lên Cổng DVCQG")
    ON_TIME = "on_time", _("Hồ sơ xử lý đúng hạn")
    AVERAGE_PROCESSING_TIME = "average_processing_time", _("Thời gian xử lý trung bình")
    PROCEDURE_ONLINE = "procedure_online", _("Thủ tục có dịch vụ công trực tuyến")
    ONLINE_SERVICE_USED = "online_service_used", _("Dịch vụ trực tuyến có phát sinh hồ sơ")
    DOSSIER_ONLINE = "dossier_online", _("Hồ sơ nộp trực tuyến")
    PROCEDURE_ONLINE_PAYMENT = "procedure_online_payment", _("Thủ tục có phí được thanh toán trực tuyến")
    DOSSIER_PAID_ONLINE = "dossier_paid_online", _("Hồ sơ thanh toán trực tuyến")
    ELECTRONIC_RESULT = "electronic_result", _("Hồ sơ có kết quả điện tử")
    DIGITISED = "digitised", _("Hồ sơ được số hóa thành phần và kết quả")
    REUSED = "reused", _("Hồ sơ tái sử dụng dữ liệu số hóa")
    AUTHENTICATED = "authenticated", _("Hồ sơ của người nộp đã định danh điện tử (VNeID)")
    POPULATION_CHECKED = "population_checked", _("Hồ sơ có thông tin người nộp được xác thực với CSDL dân cư")
    SATISFACTION = "satisfaction", _("Mức độ hài lòng trong tiếp nhận, giải quyết")
    # The formula document's own measures (indicators.engine).
    PUBLISHED_ON_TIME = "published_on_time", _("Thủ tục công bố đúng hạn")
    UPDATED_ON_TIME = "updated_on_time", _("Thủ tục cập nhật, công khai đúng hạn")
    PROCEDURE_FEE_SYNCED = "procedure_fee_synced", _("Thủ tục có phí có hồ sơ đồng bộ dữ liệu phí, lệ phí")
    PROCEDURE_PAYMENT_TRANSACTION = "procedure_payment_transaction", _("Thủ tục có giao dịch thanh toán trực tuyến")
    CERTIFIED_COPY = "certified_copy", _("Chứng thực bản sao điện tử từ bản chính")
    SHARED = "shared", _("Hồ sơ số hóa kết nối, chia sẻ để tái sử dụng")
    PROCEDURE_POPULATION = "procedure_population", _("Thủ tục kết nối, chia sẻ dữ liệu dân cư")
    DOSSIER_POPULATION = "dossier_population", _("Hồ sơ sử dụng thông tin từ CSDL dân cư")
    COMPLAINT_CLASSIFICATION = "complaint_classification", _("Phản ánh, kiến nghị theo phân loại")
    COMPLAINT_ON_TIME = "complaint_on_time", _("Phản ánh, kiến nghị xử lý đúng hạn")
    COMPLAINT_SATISFACTION = "complaint_satisfaction", _("Hài lòng trong xử lý phản ánh, kiến nghị")


class Outcome(models.TextChoices):
    """Which side of an indicator a drill-down lists."""

    ALL = "tat-ca", _("Tất cả hồ sơ được tính")
    MET = "dat", _("Hồ sơ đạt")
    MISSED = "chua-dat", _("Hồ sơ chưa đạt")
