from django.utils.translation import gettext_lazy as _

from common.errors import DomainError, DomainErrors


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


class DossierClosedForUpdate(DomainError):
    code = "dossier_closed_for_update"
    message = _("Hồ sơ đã kết thúc, không cập nhật được thông tin hồ sơ.")
    http_status = 409


class IdempotencyKeyElsewhere(DomainError):
    code = "idempotency_key_elsewhere"
    message = _("Yêu cầu này đã được dùng cho một hồ sơ khác. Vui lòng tải lại trang rồi thao tác lại.")
    http_status = 409


class CommentRequired(DomainError):
    code = "comment_required"
    message = _("Vui lòng nhập lý do, nội dung cho thao tác “%(action)s”.")


class ProcedureNotOpen(DomainError):
    code = "procedure_not_open"
    message = _("Thủ tục %(code)s chưa sẵn sàng tiếp nhận hồ sơ: %(reason)s")


# Files (dossiers.attachments): each message names the file and the reason.


class FileTypeRefused(DomainError):
    code = "file_type_refused"
    message = _("Tệp “%(name)s” không phải là %(allowed)s (nội dung tệp không khớp).")


class FileHeicRefused(DomainError):
    code = "file_heic_refused"
    message = _(
        "Tệp “%(name)s” là ảnh HEIC (định dạng ảnh của iPhone), hệ thống chưa nhận định dạng này. "
        "Vui lòng chụp lại hoặc lưu ảnh dưới dạng JPEG (trên iPhone: Cài đặt > Camera > Định dạng > "
        "Tương thích nhất) rồi tải lên lại."
    )


class FileBroken(DomainError):
    code = "file_broken"
    message = _(
        "Không mở được tệp “%(name)s”: tệp bị hỏng hoặc không đúng định dạng. Vui lòng lưu lại tệp rồi tải lên lại."
    )


class FileEncrypted(DomainError):
    code = "file_encrypted"
    message = _(
        "Tệp “%(name)s” có đặt mật khẩu, cán bộ sẽ không mở được. Vui lòng bỏ mật khẩu (lưu lại tệp không mã hóa) "
        "rồi tải lên lại."
    )


class FileImageTooLarge(DomainError):
    code = "file_image_too_large"
    message = _(
        "Ảnh “%(name)s” có %(megapixels)s triệu điểm ảnh, vượt quá %(limit)s triệu điểm ảnh cho phép. "
        "Vui lòng chụp lại hoặc thu nhỏ ảnh."
    )


class FileLooksLikeWebPage(DomainError):
    code = "file_looks_like_web_page"
    message = _(
        "Tệp “%(name)s” có chứa mã của trang web (HTML, script) lẫn trong nội dung nên không được nhận. "
        "Vui lòng lưu lại tệp từ phần mềm gốc rồi tải lên lại."
    )


class FileInfected(DomainError):
    """ClamAV found malware (`signature` is its name): the file was not stored."""

    code = "file_infected"
    message = _(
        "Tệp “%(name)s” bị phát hiện có mã độc (%(signature)s) nên không được nhận và không được lưu. "
        "Vui lòng quét virus trên máy của bạn, lấy lại tệp từ nguồn tin cậy rồi tải lên lại."
    )


class FileScanUnavailable(DomainError):
    """The virus scanner is configured but cannot answer: fail closed, nothing stored."""

    code = "file_scan_unavailable"
    message = _(
        "Chưa kiểm tra được an toàn của tệp “%(name)s” vì hệ thống quét mã độc đang tạm gián đoạn, nên tệp "
        "chưa được nhận. Các giấy tờ khác của hồ sơ vẫn được giữ nguyên. Vui lòng tải lên lại sau ít phút."
    )
    http_status = 503


class FileTooLarge(DomainError):
    code = "file_too_large"
    message = _("Tệp “%(name)s” có dung lượng %(size)s, vượt quá %(limit)s MB cho phép.")
    http_status = 413


class FileEmpty(DomainError):
    code = "file_empty"
    message = _("Tệp “%(name)s” không có nội dung.")


class DossierFilesTooLarge(DomainError):
    code = "dossier_files_too_large"
    message = _(
        "Không thể thêm tệp “%(name)s”: tổng dung lượng các tệp của hồ sơ sẽ là %(total)s, "
        "vượt quá %(limit)s MB cho phép."
    )
    http_status = 413


class ComponentNotInProcedure(DomainError):
    code = "component_not_in_procedure"
    message = _("Thành phần hồ sơ này không thuộc thủ tục của hồ sơ.")


class ComponentNotReusable(DomainError):
    code = "component_not_reusable"
    message = _("Thành phần “%(component)s” không được lấy từ kho dữ liệu; vui lòng tải tệp lên.")


class AttachmentNotFound(DomainError):
    """Also raised for files the user may not see: they must not learn the file exists."""

    code = "attachment_not_found"
    message = _("Không tìm thấy tệp.")
    http_status = 404


class StoredDocumentNotFound(DomainError):
    code = "stored_document_not_found"
    message = _("Không tìm thấy giấy tờ trong kho dữ liệu.")
    http_status = 404


class FileStorageUnavailable(DomainError):
    """The file storage (object storage or disk) did not take or give the file: nothing was kept."""

    code = "file_storage_unavailable"
    message = _("Kho lưu trữ tệp đang tạm thời gián đoạn, tệp chưa được lưu. Vui lòng thử lại sau ít phút.")
    http_status = 503


class AttachmentLocked(DomainError):
    code = "attachment_locked"
    message = _("Không thể thay đổi tệp “%(name)s”: %(reason)s")
    http_status = 409


# --- the citizen's side ---------------------------------------------------------------------


class DraftIncomplete(DomainErrors):
    code = "draft_incomplete"
    message = _("Hồ sơ chưa nộp được:")


class DeclarationRequired(DomainError):
    code = "declaration_required"
    message = _("Vui lòng đánh dấu vào ô cam đoan trước khi nộp hồ sơ.")


class SupplementFilesRequired(DomainError):
    code = "supplement_files_required"
    message = _("Vui lòng đính kèm ít nhất một giấy tờ bổ sung theo yêu cầu trước khi gửi.")


class NotRatableYet(DomainError):
    code = "not_ratable_yet"
    message = _("Chỉ đánh giá được sau khi đã nhận kết quả giải quyết hồ sơ.")


class AlreadyRated(DomainError):
    code = "already_rated"
    message = _("Bạn đã đánh giá hồ sơ này. Cảm ơn bạn đã góp ý.")
    http_status = 409


class InvalidScore(DomainError):
    code = "invalid_score"
    message = _("Vui lòng chọn mức độ hài lòng từ 1 đến 5.")


class ConsultationInvalid(DomainError):
    code = "consultation_invalid"
    message = _("Yêu cầu lấy ý kiến không hợp lệ.")


class ConsultationClosed(DomainError):
    code = "consultation_closed"
    message = _("Yêu cầu lấy ý kiến này đã được trả lời.")
    http_status = 409


class ComplaintOpen(DomainError):
    code = "complaint_open"
    message = _("Phản ánh trước của bạn về hồ sơ này đang được xem xét. Vui lòng chờ cơ quan trả lời.")
    http_status = 409


class ComplaintEmpty(DomainError):
    code = "complaint_empty"
    message = _("Vui lòng nhập nội dung phản ánh, kiến nghị.")


class ComplaintClosed(DomainError):
    code = "complaint_closed"
    message = _("Phản ánh này đã được trả lời.")
    http_status = 409


class ResultFileMissing(DomainError):
    code = "result_file_missing"
    message = _("Người nộp nhận kết quả bản điện tử: vui lòng tải lên tệp kết quả của hồ sơ trước khi trả kết quả.")


class ResultNotSigned(DomainError):
    code = "result_not_signed"
    message = _(
        "Kết quả chưa được ký số nên chưa trả cho người nộp. Vui lòng chờ ký số xong, "
        "hoặc dùng “Ký số lại” nếu kết quả được tải lên sau khi lãnh đạo ký."
    )


class PaperResultNotConfirmed(DomainError):
    code = "paper_result_not_confirmed"
    message = _(
        "Kết quả điện tử chưa được ký số. Nếu trả kết quả bản giấy, vui lòng đánh dấu "
        "“Kết quả bản giấy đã sẵn sàng để trả” trước khi trả kết quả."
    )


class ResultDeliveryUnavailable(DomainError):
    code = "result_delivery_unavailable"
    message = _("Vui lòng chọn một trong các cách nhận kết quả mà thủ tục này cung cấp.")


class ResultAddressRequired(DomainError):
    code = "result_address_required"
    message = _("Vui lòng nhập địa chỉ nhận kết quả qua dịch vụ bưu chính công ích.")


class ObligationInvalid(DomainError):
    code = "obligation_invalid"
    message = _("Yêu cầu thực hiện nghĩa vụ tài chính không hợp lệ.")


class CompetentAgencyRequired(DomainError):
    code = "competent_agency_required"
    message = _("Thủ tục %(code)s do nhiều cơ quan thực hiện: vui lòng chọn cơ quan giải quyết.")
