from django.utils.translation import gettext_lazy as _

from common.errors import DomainError, DomainErrors


class ActionNotAllowed(DomainError):
    code = "action_not_allowed"
    message = _("Thao tác không được phép ở bước hiện tại.")
    http_status = 409


class InvalidWorkflow(DomainErrors):
    code = "workflow_invalid"
    message = _("Quy trình không hợp lệ.")


class PublishedVersionImmutable(DomainError):
    code = "workflow_version_published"
    message = _("Phiên bản quy trình đã ban hành không được sửa; hãy tạo bản sao để chỉnh sửa.")
    http_status = 409


class CalendarYearUnknown(DomainError):
    """A date computation reached a year whose holidays nobody knows: refused, never guessed."""

    code = "calendar_year_unknown"
    message = _(
        "Chưa tính được thời hạn: lịch nghỉ lễ, làm bù năm %(year)s chưa được xác định (thư viện ngày lễ "
        "không có hoặc chỉ ước tính năm này, và quản trị chưa xác nhận theo văn bản). Quản trị cần khai báo "
        "và xác nhận lịch năm %(year)s tại trang Lịch làm việc."
    )
    http_status = 409


class CalendarLetterRequired(DomainError):
    code = "calendar_letter_required"
    message = _("Vui lòng nhập số văn bản quyết định lịch nghỉ lễ, làm bù của năm.")
