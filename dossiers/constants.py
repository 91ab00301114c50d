from django.db import models
from django.utils.translation import gettext_lazy as _

from workflows.constants import Action, Status

__all__ = [
    "RUNNING",
    "Action",
    "AccessKind",
    "ApplicantType",
    "AttachmentRole",
    "Channel",
    "DocumentKind",
    "FormKind",
    "EventKind",
    "ObligationSettlement",
    "PauseKind",
    "PaymentStatus",
    "ReplacementState",
    "Status",
    "StoredDocumentKind",
]


# The clock runs (and a dossier can be late) in these statuses; a supplement pause stops it.
RUNNING = (Status.NEW, Status.RECEIVED, Status.PROCESSING, Status.PAYMENT_REQUESTED)


class Channel(models.TextChoices):
    ONLINE = "online", _("Trực tuyến")
    DIRECT = "direct", _("Trực tiếp tại bộ phận một cửa")
    POST = "post", _("Qua bưu chính công ích")
    NATIONAL_PORTAL = "national_portal", _("Cổng Dịch vụ công quốc gia")


class ApplicantType(models.IntegerChoices):
    """LoaiDoiTuong of the national portal."""

    CITIZEN = 1, _("Công dân")
    BUSINESS = 2, _("Doanh nghiệp")
    AGENCY = 3, _("Cơ quan nhà nước")
    OTHER = 4, _("Khác")


class PauseKind(models.TextChoices):
    SUPPLEMENT = "supplement", _("Chờ bổ sung hồ sơ")
    # Only where the workflow step's rule says so (WorkflowStep "stops_clock").
    PAYMENT = "payment", _("Chờ thực hiện nghĩa vụ tài chính")


class ObligationSettlement(models.TextChoices):
    """How a financial obligation (status 6) was met."""

    ONLINE = "online", _("Thanh toán trực tuyến")
    OFFICER = "officer", _("Cán bộ xác nhận đã nộp")


class DocumentKind(models.TextChoices):
    """Papers issued for one dossier: forms of Circular 03/2025/TT-VPCP, Annex I (07, the register,
    covers many dossiers: FormKind), and the acknowledgement of an online filing not yet received."""

    SUBMISSION_ACK = "xn", _("Giấy xác nhận nộp hồ sơ trực tuyến")
    RECEIPT = "01", _("Giấy tiếp nhận hồ sơ và hẹn trả kết quả")
    SUPPLEMENT_REQUEST = "02", _("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ")
    REFUSAL = "03", _("Phiếu từ chối tiếp nhận giải quyết hồ sơ")
    APOLOGY = "04", _("Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết")
    STOP_NOTICE = "05", _("Thông báo dừng giải quyết hồ sơ")
    CONTROL_SHEET = "06", _("Phiếu kiểm soát quá trình giải quyết hồ sơ")


class FormKind(models.TextChoices):
    """Every printed paper with a template (FormTemplate): the dossier's papers and the register."""

    SUBMISSION_ACK = "xn", _("Giấy xác nhận nộp hồ sơ trực tuyến")
    RECEIPT = "01", _("Giấy tiếp nhận hồ sơ và hẹn trả kết quả")
    SUPPLEMENT_REQUEST = "02", _("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ")
    REFUSAL = "03", _("Phiếu từ chối tiếp nhận giải quyết hồ sơ")
    APOLOGY = "04", _("Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết")
    STOP_NOTICE = "05", _("Thông báo dừng giải quyết hồ sơ")
    CONTROL_SHEET = "06", _("Phiếu kiểm soát quá trình giải quyết hồ sơ")
    REGISTER = "07", _("Sổ theo dõi hồ sơ")


class AttachmentRole(models.TextChoices):
    """Why a file is on a dossier: filed with it, sent in answer to a supplement request, its result."""

    FILED = "filed", _("Nộp kèm hồ sơ")
    SUPPLEMENT = "supplement", _("Bổ sung theo yêu cầu")
    RESULT = "result", _("Kết quả giải quyết")


class ScanState(models.TextChoices):
    """Where a file stands with the virus scanner (dossiers/attachments/antivirus.py)."""

    CLEAN = "clean", _("An toàn")
    WAITING = "waiting", _("Đang kiểm tra an toàn tệp")
    REFUSED = "refused", _("Bị từ chối")


class StoredDocumentKind(models.TextChoices):
    UPLOAD = "upload", _("Giấy tờ đã nộp")
    RESULT = "result", _("Kết quả điện tử")


class ReplacementState(models.TextChoices):
    """What reading a replaced component's database gave (Resolution 66.7/2025)."""

    READ = "read", _("Đã lấy dữ liệu")
    NOT_FOUND = "not_found", _("Không tìm thấy dữ liệu")
    UNAVAILABLE = "unavailable", _("Cơ sở dữ liệu không trả lời")


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Chờ thanh toán")
    PAID = "paid", _("Đã thanh toán")
    CANCELLED = "cancelled", _("Đã hủy")
    FAILED = "failed", _("Không thành công")


class EventKind(models.TextChoices):
    """What a line of a dossier's history records: the choices of DossierEvent.action.

    Every workflow action (workflows.constants.Action, same values and labels) and the things
    that happen outside the workflow: the filing, an apology with a new date, a consulted
    agency's answer, the receiving desk's handover to the competent agency, and a change
    forwarded by the national portal. Nowhere else is an action spelled as a bare string.
    """

    SUBMIT = "submit", _("Nộp hồ sơ")
    RECEIVE = "receive", _("Tiếp nhận hồ sơ")
    REFUSE = "refuse", _("Từ chối tiếp nhận")
    REQUEST_SUPPLEMENT = "request_supplement", _("Yêu cầu bổ sung hồ sơ")
    FORWARD = "forward", _("Chuyển bước tiếp theo")
    SEND_BACK = "send_back", _("Trả lại bước trước")
    CONSULT = "consult", _("Lấy ý kiến cơ quan khác")
    APPROVE = "approve", _("Phê duyệt, ký")
    NUMBER_DISPATCH = "number_dispatch", _("Vào số, phát hành")
    RETURN_RESULT = "return_result", _("Trả kết quả")
    STOP = "stop", _("Dừng xử lý")
    PROVIDE_SUPPLEMENT = "provide_supplement", _("Bổ sung hồ sơ")
    WITHDRAW = "withdraw", _("Rút hồ sơ")
    REQUEST_PAYMENT = "request_payment", _("Yêu cầu thực hiện nghĩa vụ tài chính")
    SETTLE_PAYMENT = "settle_payment", _("Đã thực hiện nghĩa vụ tài chính")
    APOLOGISE = "apologise", _("Xin lỗi, hẹn lại ngày trả kết quả")
    CONSULTATION_ANSWER = "consultation_answer", _("Cơ quan được lấy ý kiến đã trả lời")
    # Received at a desk other than the competent agency (Decree 118/2025): handed over to it.
    HANDOVER = "handover", _("Chuyển hồ sơ đến cơ quan giải quyết")
    # Cổng DVCQG forwarded a changed record of a dossier it forwarded before (no status change).
    NATIONAL_UPDATE = "national_update", _("Cổng DVCQG cập nhật thông tin hồ sơ")


class AccessKind(models.TextChoices):
    """What an officer opened of a dossier (DossierAccess: "who looked at my file")."""

    DOSSIER = "dossier", _("Xem hồ sơ")
    FILE = "file", _("Mở tệp đính kèm")
    DOCUMENT = "document", _("Mở phiếu, văn bản")
    API = "api", _("Đọc hồ sơ qua giao diện lập trình (API)")
