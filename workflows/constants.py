from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDayKind(models.TextChoices):
    DAY_OFF = "day_off", _("Ngày nghỉ (thêm)")
    WORKING_DAY = "working_day", _("Ngày làm việc (làm bù)")


class Status(models.IntegerChoices):
    """Dossier status: one-to-one with TrangThaiHoSo of the national portal (DOMAIN.md)."""

    NEW = 1, _("Mới đăng ký")
    RECEIVED = 2, _("Được tiếp nhận")
    REFUSED = 3, _("Không được tiếp nhận")
    PROCESSING = 4, _("Đang xử lý")
    SUPPLEMENT_REQUESTED = 5, _("Yêu cầu bổ sung giấy tờ")
    PAYMENT_REQUESTED = 6, _("Yêu cầu thực hiện nghĩa vụ tài chính")
    WITHDRAWN = 7, _("Công dân yêu cầu rút hồ sơ")
    STOPPED = 8, _("Dừng xử lý")
    PROCESSED = 9, _("Đã xử lý xong")
    RETURNED = 10, _("Đã trả kết quả")


TERMINAL_STATUSES = frozenset({Status.REFUSED, Status.WITHDRAWN, Status.STOPPED, Status.RETURNED})
# Statuses in which the clock runs against the due date.
OPEN_STATUSES = frozenset({Status.NEW, Status.RECEIVED, Status.PROCESSING})


class Action(models.TextChoices):
    """What a person may do to a dossier. Officers' actions are allowed per workflow step;
    citizens' actions (withdraw, provide supplement) depend on the status only."""

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
    # Status 6: the applicant owes a financial obligation (land levy, taxes) before processing goes on.
    REQUEST_PAYMENT = "request_payment", _("Yêu cầu thực hiện nghĩa vụ tài chính")
    # The obligation was met: paid online (the payment platform's word) or confirmed by an officer.
    SETTLE_PAYMENT = "settle_payment", _("Đã thực hiện nghĩa vụ tài chính")


CITIZEN_ACTIONS = frozenset({Action.PROVIDE_SUPPLEMENT, Action.WITHDRAW})
# Actions a definition never lists: offered wherever their counterpart is. Settling a financial
# obligation is offered at the step that requested it, to its officers (confirming a payment made
# elsewhere) and to the applicant (only through an online payment: the lifecycle service checks).
IMPLIED_ACTIONS: dict[Action, Action] = {Action.SETTLE_PAYMENT: Action.REQUEST_PAYMENT}
# Officer actions that move the dossier to another step: they need a target step.
MOVING_ACTIONS = frozenset({Action.FORWARD, Action.SEND_BACK, Action.APPROVE, Action.NUMBER_DISPATCH})
# Officer actions that end the dossier's processing where they stand.
ENDING_ACTIONS = frozenset({Action.REFUSE, Action.STOP, Action.RETURN_RESULT})

COMPETENT_AGENCY = "competent"
