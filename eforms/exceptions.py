from django.utils.translation import gettext_lazy as _

from common.errors import DomainError, DomainErrors


class InvalidForm(DomainErrors):
    """A form definition (or an imported file) was refused; `errors` lists every problem, in Vietnamese."""

    code = "eform_invalid"
    message = _("Biểu mẫu không hợp lệ.")


class PublishedVersionImmutable(DomainError):
    code = "eform_version_published"
    message = _("Phiên bản biểu mẫu đã ban hành không được sửa; hãy tạo bản sao để chỉnh sửa.")
    http_status = 409


class DraftAlreadyExists(DomainError):
    code = "eform_draft_exists"
    message = _("Biểu mẫu đã có một bản nháp (phiên bản %(number)s); hãy sửa bản nháp đó.")
    http_status = 409


class FormVersionNotFound(DomainError):
    code = "eform_version_not_found"
    message = _("Không tìm thấy phiên bản biểu mẫu.")
    http_status = 404


class StepNotFound(DomainError):
    code = "eform_step_not_found"
    message = _("Bước “%(step)s” không có trong biểu mẫu.")
    http_status = 404
