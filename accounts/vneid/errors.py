"""Why a login with VNeID was refused, in words a citizen understands."""

from django.utils.translation import gettext_lazy as _

from common.errors import DomainError


class VneidError(DomainError):
    code = "vneid"
    message = _("Không đăng nhập được bằng VNeID. Vui lòng thử lại hoặc đăng nhập bằng tài khoản của Cổng.")


class VneidCancelledError(VneidError):
    code = "vneid_cancelled"
    message = _("Bạn đã hủy đăng nhập bằng VNeID.")


class VneidUnavailableError(VneidError):
    code = "vneid_unavailable"
    http_status = 503
    message = _(
        "Hệ thống định danh VNeID đang không phản hồi, vui lòng thử lại sau hoặc đăng nhập bằng tài khoản của Cổng."
    )


class VneidSessionError(VneidError):
    """The callback's state is unknown to this browser session: forged, replayed or expired."""

    code = "vneid_state"
    message = _(
        "Phiên đăng nhập bằng VNeID không hợp lệ hoặc đã hết hạn. Vui lòng bấm “Đăng nhập bằng VNeID” để thực hiện lại."
    )


class VneidTokenError(VneidError):
    """The id token failed a check: signature, issuer, audience, expiry or nonce."""

    code = "vneid_token"
    message = _(
        "Thông tin định danh nhận được không hợp lệ (sai chữ ký số hoặc không khớp với phiên đăng nhập) "
        "nên đã bị từ chối. Vui lòng thực hiện lại."
    )


class VneidOfficerAccountError(VneidError):
    code = "vneid_officer"
    http_status = 403
    message = _(
        "Số định danh này gắn với tài khoản cán bộ, công chức. Tài khoản cán bộ không đăng nhập bằng "
        "định danh công dân VNeID; vui lòng đăng nhập bằng tên đăng nhập và mật khẩu được cấp."
    )


class VneidAccountConflictError(VneidError):
    code = "vneid_conflict"
    http_status = 409
    message = _(
        "Tên đăng nhập trùng với số định danh này đang gắn với một số định danh khác. "
        "Vui lòng liên hệ bộ phận hỗ trợ của Cổng."
    )


class VneidInactiveAccountError(VneidError):
    code = "vneid_inactive"
    http_status = 403
    message = _("Tài khoản gắn với số định danh này đã bị khóa. Vui lòng liên hệ bộ phận hỗ trợ của Cổng.")
