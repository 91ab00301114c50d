from django.db import models
from django.utils.translation import gettext_lazy as _

from workflows.constants import Action, Status

__all__ = [
    "RUNNING",
    "Action",
    "ApplicantType",
    "AttachmentRole",
    "Channel",
    "DocumentKind",
    "FormKind",
    "EventKind",
    "PauseKind",
    "PaymentStatus",
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


class StoredDocumentKind(models.TextChoices):
    UPLOAD = "upload", _("Giấy tờ đã nộp")
    RESULT = "result", _("Kết quả điện tử")


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Chờ thanh toán")
    PAID = "paid", _("Đã thanh toán")
    CANCELLED = "cancelled", _("Đã hủy")
    FAILED = "failed", _("Không thành công")


class EventKind(models.TextChoices):
    """What a line of a dossier's history records: the choices of DossierEvent.action.

    Every workflow action (workflows.constants.Action, same values and labels) and the three
    things that happen outside the workflow: the filing, an apology with a new date, and a
    consulted agency's answer. Nowhere else is an action spelled as a bare string.
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
    APOLOGISE = "apologise", _("Xin lỗi, hẹn lại ngày trả kết quả")
    CONSULTATION_ANSWER = "consultation_answer", _("Cơ quan được lấy ý kiến đã trả lời")
