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
