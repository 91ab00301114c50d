from django.utils.translation import gettext_lazy as _

from common.errors import DomainError


class SigningUnavailable(DomainError):
    """The signing key or certificate cannot be used now. Nothing was signed; the task retries
    (a token plugged back, a PIN corrected, a new certificate installed lets it through)."""

    code = "signing_unavailable"
    http_status = 503


class TokenMissing(SigningUnavailable):
    code = "signing_token_missing"
    message = _("Không tìm thấy thiết bị ký số (token “%(label)s”). Vui lòng cắm lại thiết bị hoặc báo quản trị.")


class PinWrong(SigningUnavailable):
    code = "signing_pin_wrong"
    message = _("Mã PIN của thiết bị ký số không đúng. Quản trị cần cập nhật mã PIN; hồ sơ sẽ được ký lại tự động.")


class TokenLocked(SigningUnavailable):
    code = "signing_token_locked"
    message = _("Thiết bị ký số đã bị khóa do nhập sai mã PIN nhiều lần. Vui lòng liên hệ quản trị để mở khóa.")


class CertificateMissing(SigningUnavailable):
    code = "signing_certificate_missing"
    message = _("Cơ quan “%(agency)s” chưa có chứng thư số trên thiết bị ký số.")


class CertificateExpired(SigningUnavailable):
    code = "signing_certificate_expired"
    message = _("Chứng thư số của cơ quan đã hết hạn ngày %(date)s. Vui lòng gia hạn chứng thư số rồi ký lại.")


class CertificateRevoked(SigningUnavailable):
    code = "signing_certificate_revoked"
    message = _("Chứng thư số của cơ quan đã bị thu hồi. Vui lòng cấp chứng thư số mới rồi ký lại.")


class CertificateUntrusted(SigningUnavailable):
    code = "signing_certificate_untrusted"
    message = _("Chứng thư số của cơ quan không được chứng thực bởi tổ chức cung cấp dịch vụ tin cậy: %(reason)s")


class NotAPdf(DomainError):
    code = "verification_not_pdf"
    message = _("Tệp tải lên không phải tệp PDF. Vui lòng chọn tệp PDF kết quả đã được ký số.")


class PdfTooLarge(DomainError):
    code = "verification_too_large"
    message = _("Tệp quá lớn (tối đa %(limit)s MB). Tệp PDF kết quả đã ký số thường nhỏ hơn nhiều.")


class PdfUnreadable(DomainError):
    code = "verification_unreadable"
    message = _("Không đọc được tệp PDF này (tệp hỏng hoặc không đúng định dạng).")


class PdfUnsigned(DomainError):
    code = "verification_unsigned"
    message = _("Tệp PDF này không mang chữ ký số nào: không xác thực được.")
