from django.utils.translation import gettext_lazy as _

from common.errors import DomainError


class DossierNotFound(DomainError):
    """Also raised for dossiers outside the user's scope: they must not learn it exists."""

    code = "dossier_not_found"
    message = _("Không tìm thấy hồ sơ.")
    http_status = 404


class DossierChangedMeanwhile(DomainError):
    code = "dossier_changed_meanwhile"
    message = _(
        "Hồ sơ vừa được %(actor)s cập nhật lúc %(time)s (%(action)s). Vui lòng tải lại trang trước khi thao tác."
    )
    http_status = 409


class CommentRequired(DomainError):
    code = "comment_required"
    message = _("Vui lòng nhập lý do, nội dung cho thao tác “%(action)s”.")


class ProcedureNotOpen(DomainError):
    code = "procedure_not_open"
    message = _("Thủ tục %(code)s chưa sẵn sàng tiếp nhận hồ sơ: %(reason)s")
