from django.utils.translation import gettext_lazy as _

from common.errors import DomainError


class SyncNotAllowed(DomainError):
    code = "sync_not_allowed"
    message = _("Chỉ quản trị cấp tỉnh được gửi lại dữ liệu đồng bộ.")
    http_status = 403


class NothingToResend(DomainError):
    code = "nothing_to_resend"
    message = _("Không có bản ghi bị từ chối nào để gửi lại.")
    http_status = 409


class NothingToRetry(DomainError):
    code = "nothing_to_retry"
    message = _("Không có bản tin nào đang chờ trong danh sách cách ly để thử lại.")
    http_status = 409
