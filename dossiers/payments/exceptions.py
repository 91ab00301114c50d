"""What paying can refuse, each a DomainError with its Vietnamese message (one handler maps them)."""

from django.utils.translation import gettext_lazy as _

from common.errors import DomainError


class NoFeeDue(DomainError):
    """Raised by payment_start when the procedure charges nothing online: there is nothing to pay."""

    code = "no_fee_due"
    message = _("Thủ tục này không thu phí, lệ phí khi nộp hồ sơ trực tuyến; không cần thanh toán.")


class PaymentNotAllowed(DomainError):
    code = "payment_not_allowed"
    message = _("Không thể thanh toán cho hồ sơ này: %(reason)s")


class OnlinePaymentOff(DomainError):
    """The province has not opened online payment for this procedure (console step 1)."""

    code = "online_payment_off"
    message = _("Thủ tục này chưa thanh toán trực tuyến: bạn nộp phí, lệ phí tại bộ phận một cửa khi nhận kết quả.")


class AlreadyPaid(DomainError):
    code = "already_paid"
    message = _("Phí, lệ phí của hồ sơ này đã được thanh toán.")
    http_status = 409
