from django.utils.translation import gettext_lazy as _

from common.errors import DomainError, DomainErrors


class SearchQueryTooLong(DomainError):
    code = "search_query_too_long"
    message = _("Từ khóa tìm kiếm quá dài. Vui lòng nhập tối đa %(limit)s ký tự.")


class ImportRejected(DomainErrors):
    """A catalogue file had invalid rows: nothing was written; `errors` lists every row."""

    code = "import_rejected"
    message = _("Tệp nhập danh mục có lỗi, không có dữ liệu nào được ghi.")
