"""Every indicator of Decision 766 as the national portal's formula document words it
("Mô tả công thức tính chỉ số 766.docx", SHA256 41A27E55…087AF; maxima from its formula-maximums
table): all 100 points. It replaces the 2022-06-23 version, which followed an incomplete summary
(DOMAIN.md) rather than the document; 4.5 becomes 4.5a (procedures) + 4.5b (dossiers).

Each rule quotes the document's wording in `note`; `unavailable` says why our data cannot give
a figure (it is then shown as such and left out of N). Later versions an admin adds are kept.
"""

import datetime as dt
from decimal import Decimal

from django.db import migrations

EFFECTIVE = dt.date(2022, 6, 23)

GROUPS = [
    ("1", "Công khai, minh bạch", 18),
    ("2", "Tiến độ, kết quả giải quyết", 20),
    ("3", "Cung cấp dịch vụ trực tuyến (12) và thanh toán trực tuyến (10)", 22),
    ("4", "Số hóa hồ sơ", 22),
    ("5", "Mức độ hài lòng", 18),
]

NO_PUBLICATION_DATES = (
    "Cần ngày quyết định công bố, ngày hiệu lực của văn bản cơ sở pháp lý và ngày công khai trên Cơ sở dữ liệu "
    "quốc gia về TTHC; hệ thống chưa lưu các ngày này nên chưa tính được."
)

# code, group, name, measure, max, kind, threshold, population, numerator, note (the document), unavailable
RULES = [
    ("1.1", "1", "Tỷ lệ thủ tục hành chính công bố đúng hạn", "published_on_time", 6, "ratio", None,
     "Số TTHC đang công khai loại thêm mới, sửa đổi, bãi bỏ trong các QĐCB có ngày quyết định trong kỳ (mỗi TTHC một lần).",
     "TTHC có ngày quyết định của QĐCB ≤ ngày hiệu lực mới nhất của văn bản cơ sở pháp lý − 5 ngày làm việc (tỉnh).",
     "«Số thủ tục hành chính công bố đúng hạn/Tổng số thủ tục hành chính đã công bố trong kỳ * 100%» "
     "(TH2: Tỉnh/TP). «Nếu có ít nhất 1 lần quá hạn thì cả kỳ quá hạn.»",
     NO_PUBLICATION_DATES),
    ("1.2", "1", "Tỷ lệ thủ tục hành chính được cập nhật, công khai đúng hạn", "updated_on_time", 4, "ratio", None,
     "TTHC đã công khai trong kỳ + TTHC cần công khai trong kỳ (ngày QĐ của QĐCB ≤ ngày cuối kỳ + 5 ngày làm việc).",
     "TTHC có ngày click công khai − 5 ngày làm việc ≤ ngày ký quyết định công bố.",
     "«Số TTHC công khai đúng hạn trên CSDL QG về TTHC/Tổng số TTHC phải cập nhật, công khai trên CSDL QG về "
     "TTHC trong kỳ * 100%.» «Chỉ thống kê theo cấp Tỉnh, Bộ Ngành (Không tính cấp con).»",
     NO_PUBLICATION_DATES),
    ("1.3", "1", "Tỷ lệ TTHC được công khai có đầy đủ các nội dung quy định về các bộ phận tạo thành", "procedure_info_complete", 2, "ratio", None,
     "TTHC đang công khai (đã công bố) của tỉnh.",
     "TTHC có đủ a) tên; b) trình tự; c) cách thức; d) thành phần, số lượng hồ sơ; đ) thời hạn; "
     "e) đối tượng thực hiện; g) cơ quan thực hiện.",
     "«Đối với các mẫu đơn, mẫu tờ khai, mẫu kết quả....thì không kiểm tra được». «Chỉ tiêu này không thống kê "
     "theo TTHC và theo đơn vị cấp dưới của Tỉnh». «Chỉ tiêu không tính theo thời gian (tính đến thời điểm hiện tại)».",
     ""),
    ("1.4", "1", "Tỷ lệ hồ sơ đồng bộ lên Cổng Dịch vụ công quốc gia", "dossier_synced", 6, "ratio", None,
     "Hồ sơ có ngày tiếp nhận trong kỳ.",
     "Hồ sơ đã đồng bộ lên Cổng DVCQG có ngày tiếp nhận trong kỳ.",
     "«Số lượng hồ sơ đã đồng bộ có “Ngày tiếp nhận” trong kỳ báo cáo/ Tổng số hồ sơ được tính toán trong kỳ * 100%.» "
     "Mẫu số = 0: «hiển thị 0 hoặc N/A» — hệ thống hiển thị «không có hồ sơ trong kỳ», không tính vào tổng.",
     ""),
    ("2.1", "2", "Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn", "on_time", 20, "ratio", None,
     "Hồ sơ đã tiếp nhận có thời gian kết thúc xử lý trong kỳ (đã xử lý xong, đã trả kết quả, dừng xử lý, công dân "
     "rút hồ sơ sau tiếp nhận) và hồ sơ chưa kết thúc xử lý đến cuối kỳ.",
     "Hồ sơ có thời gian kết thúc xử lý ≤ ngày hẹn trả; chưa kết thúc: ngày cuối kỳ (hoặc hôm nay) ≤ ngày hẹn trả; "
     "đang chờ bổ sung (1 lần): ngày yêu cầu bổ sung ≤ ngày hẹn trả; yêu cầu bổ sung hơn 1 lần: quá hạn.",
     "«Thời gian kết thúc xử lý (trường NgayKetThucXuLy) <= Ngày hẹn trả (trường NgayHenTra).» «Chưa có trạng thái "
     "hoàn thành → lấy ngày cuối kỳ báo cáo là ngày kết thúc xử lý.» «trừ trường hợp “Yêu cầu bổ sung hồ sơ” hơn 01 "
     "lần thì tính quá hạn.» Thời gian bổ sung đã được trừ: ngày hẹn trả được lùi theo mỗi lần tạm dừng chờ bổ sung.",
     ""),
    ("2.2", "2", "Thời gian giải quyết TTHC trung bình", "average_processing_time", 0, "display", None,
     "Hồ sơ đã xử lý xong, đã trả kết quả có thời gian bắt đầu xử lý (ngày tiếp nhận) trong kỳ.",
     "Tổng thời gian giải quyết của các hồ sơ đó.",
     "«Thời gian giải quyết TTHC trung bình = Tổng thời gian giải quyết của các hồ sơ TTHC/Tổng số hồ sơ TTHC.» "
     "«Ngày kết thúc xử lý có thể thuộc kỳ khác.» Chỉ hiển thị, không tính điểm.",
     ""),
    ("3.1", "3", "Tỷ lệ TTHC cung cấp dịch vụ công trực tuyến", "procedure_online", 2, "threshold", 80,
     "TTHC thuộc thẩm quyền giải quyết (đã công bố) của tỉnh hoặc của cơ quan.",
     "TTHC có DVCTT một phần hoặc toàn trình.",
     "«Số TTHC có DVCTT một phần, DVCTT toàn trình /Tổng số TTHC thuộc thẩm quyền giải quyết của tỉnh». "
     "«Đạt từ 80% trở lên sẽ đạt điểm tối đa. Dưới 80%: Tỷ lệ*Điểm tối đa/80%.»",
     ""),
    ("3.2", "3", "Tỷ lệ dịch vụ công trực tuyến có phát sinh hồ sơ", "online_service_used", 4, "ratio", None,
     "Dịch vụ công trực tuyến = cặp (TTHC có DVCTT, cơ quan áp dụng).",
     "Dịch vụ có ít nhất 1 hồ sơ tiếp nhận trực tuyến có ngày tiếp nhận trong kỳ.",
     "«Tử: số dvc có hồ sơ tiếp nhận trực tuyến của tthc. Mẫu: số dvc của tthc. Tính theo đơn vị áp dụng DVC "
     "(đơn vị xử lý).» Điểm tối đa 4 theo bảng tóm tắt (tài liệu ghi nhóm 12 điểm, chưa chia).",
     ""),
    ("3.3", "3", "Tỷ lệ hồ sơ TTHC nộp trực tuyến", "dossier_online", 6, "threshold", 50,
     "Hồ sơ có ngày tiếp nhận trong kỳ.",
     "Hồ sơ tiếp nhận trực tuyến (KenhThucHien = 2) và, với TTHC trả kết quả bằng văn bản giấy tờ, có kết quả "
     "điện tử (có mã kết quả và đường dẫn); nhân với tỷ lệ đồng bộ hồ sơ (1.4).",
     "«Tổng số hồ sơ tiếp nhận trực tuyến có Ngày tiếp nhận trong kỳ (1)/ Tổng số hồ sơ tiếp nhận trong kỳ * Tỷ lệ "
     "đồng bộ hồ sơ * 100%» «Đạt từ 50% trở lên sẽ đạt điểm tối đa.» Điểm tối đa 6 theo bảng tóm tắt.",
     ""),
    ("3.5", "3", "Tỷ lệ TTHC có nghĩa vụ tài chính được tích hợp thanh toán trực tuyến trên Cổng DVCQG", "procedure_fee_synced", 2, "threshold", 80,
     "Y: TTHC có thông tin phí, lệ phí khác 0 (giá trị hiện tại).",
     "X: TTHC có hồ sơ (ngày tiếp nhận trong kỳ) đã đồng bộ dữ liệu phí, lệ phí (Gia khác 0).",
     "«X: Tổng số TTHC có hồ sơ có đồng bộ dữ liệu phí, lệ phí trên Cổng (Phí, lệ phí khác 0, null). Y: Tổng số TTHC "
     "có thông tin phí lệ phí trong CSDL thủ tục hành chính». «Đạt từ 80% trở lên sẽ đạt điểm tối đa.»",
     ""),
    ("3.5b", "3", "TTHC có giao dịch thanh toán trực tuyến", "procedure_payment_transaction", 2, "ratio", None,
     "", "",
     "Bảng điểm tối đa ghi 2 điểm; tài liệu công thức không mô tả cách tính.",
     "Tài liệu công thức chưa mô tả cách tính chỉ tiêu này nên chưa tính được."),
    ("3.6", "3", "Tỷ lệ hồ sơ thanh toán trực tuyến", "dossier_paid_online", 6, "ratio", None,
     "Hồ sơ có ngày bắt đầu xử lý (tiếp nhận) trong kỳ của TTHC có phí, lệ phí khác 0.",
     "Hồ sơ đó được thanh toán trực tuyến (DuocThanhToanTrucTuyen = 1 hoặc 2).",
     "«số lượng hồ sơ đồng bộ của đơn vị được thanh toán trực tuyến … có Ngày bắt đầu xử lý trong kỳ/ (Tổng số hồ sơ "
     "của các TTHC … có thông tin phí, lệ phí … – Tổng số hồ sơ của các TTHC này nhưng có tất cả các thông tin đồng bộ "
     "Danh sachphilephi có “Gia: 0”) * 100%.»",
     ""),
    ("4.1", "4", "Tỷ lệ hồ sơ TTHC có cấp kết quả giải quyết TTHC điện tử", "electronic_result", 6, "ratio", None,
     "Hồ sơ có ngày tiếp nhận trong kỳ của TTHC trả kết quả bằng văn bản, giấy tờ.",
     "Hồ sơ đó có tệp kết quả giải quyết đính kèm.",
     "«Tử số = tổng số hồ sơ TTHC đồng bộ kết quả xử lý có link file kết quả giải quyết đính kèm và TTHC đó yêu cầu "
     "trả kết quả bằng văn bản, giấy tờ. Mẫu số = Tổng số hồ sơ TTHC thuộc thẩm quyền giải quyết của các TTHC có yêu "
     "cầu trả kết quả bằng văn bản, giấy tờ.» Kỳ: ngày tiếp nhận, như 4.3 định nghĩa «hồ sơ thuộc thẩm quyền giải quyết».",
     ""),
    ("4.2", "4", "Tỷ lệ hồ sơ TTHC thực hiện số hóa hồ sơ", "digitised", 4, "threshold", 80,
     "Hồ sơ có ngày tiếp nhận trong kỳ.",
     "Hồ sơ có tệp đính kèm trong thành phần hồ sơ và, với TTHC trả kết quả bằng văn bản giấy tờ, có tệp kết quả.",
     "«(1) số hoá hồ sơ = Có file đính kèm trong thành phần hồ sơ (2) Có file đính kèm trong kết quả xử lý» "
     "«Đạt từ 80% trở lên sẽ đạt điểm tối đa.»",
     ""),
    ("4.CT", "4", "Cung cấp dịch vụ chứng thực bản sao điện tử từ bản chính", "certified_copy", 2, "ratio", None,
     "", "",
     "Bảng điểm tối đa ghi 2 điểm; tài liệu công thức không có dòng mô tả chỉ tiêu này.",
     "Tài liệu công thức chưa mô tả cách tính và hệ thống chưa có dịch vụ chứng thực bản sao điện tử."),
    ("4.3", "4", "Tỷ lệ hồ sơ khai thác, sử dụng lại thông tin, dữ liệu số hóa", "reused", 2, "threshold", 80,
     "Hồ sơ có ngày tiếp nhận trong kỳ (không tính hồ sơ không có ngày tiếp nhận).",
     "Hồ sơ có ít nhất 1 thành phần đánh dấu tái sử dụng dữ liệu số hóa (HoSoCoThanhPhanSoHoa = 1).",
     "«Tổng số hồ sơ TTHC có ngày tiếp nhận trong kỳ của đơn vị có ít nhất 1 thành phần hồ sơ được đánh dấu tái sử "
     "dụng dữ liệu số hóa» «Đạt từ 80% trở lên sẽ đạt điểm tối đa.»",
     ""),
    ("4.4", "4", "Tỷ lệ hồ sơ TTHC được số hóa có kết nối, chia sẻ dữ liệu phục vụ tái sử dụng", "shared", 4, "ratio", None,
     "Hồ sơ có ngày tiếp nhận trong kỳ.",
     "Hồ sơ có tệp lấy từ kho dữ liệu (DuocLayTuKhoDMQG = 1) hoặc đã đồng bộ đường dẫn kết quả điện tử lên Cổng DVCQG.",
     "«tổng số hồ sơ đồng bộ có ít nhất 1 file đính kèm trong thành phần hồ sơ được đánh dấu lấy từ kho dữ liệu cá "
     "nhân hoặc đồng bộ links kết quả giải quyết điện tử lên danh mục (Cổng DVCQG).»",
     ""),
    ("4.5a", "4", "Tỷ lệ TTHC triển khai kết nối, chia sẻ dữ liệu dân cư phục vụ giải quyết TTHC", "procedure_population", 2, "ratio", None,
     "TTHC có đối tượng thực hiện là công dân.",
     "TTHC đó có hồ sơ (ngày tiếp nhận trong kỳ) có tài khoản xác thực VNeID, tệp lấy từ kho dữ liệu hoặc dữ liệu "
     "từ CSDL dân cư.",
     "«Số TTHC có kết nối, chia sẻ dữ liệu dân cư phục vụ giải quyết TTHC/Tổng số TTHC có đối tượng thực hiện là "
     "người dân *100%.» «TaiKhoanDuocXacThucVoiVNeID = 1» hoặc «DuoclaytukhoDMQG», «MaCSDL» của CSDL Dân cư.",
     ""),
    ("4.5b", "4", "Tỷ lệ hồ sơ TTHC sử dụng thông tin, dữ liệu từ CSDL quốc gia về dân cư", "dossier_population", 2, "ratio", None,
     "Hồ sơ có ngày tiếp nhận trong kỳ.",
     "Hồ sơ có tài khoản xác thực VNeID, tệp lấy từ kho dữ liệu hoặc dữ liệu từ CSDL dân cư.",
     "«Tổng số hồ sơ đồng bộ có “taikhoanduocxacthucvoiVNeID” hoặc “DuoclaytukhoDMQG”, “MaCSDL” của CSDL Dân "
     "cư/Tổng số hồ sơ TTHC * 100%»",
     ""),
    ("5.1", "5", "Tỷ lệ phản ánh, kiến nghị theo phân loại", "complaint_classification", 0, "display", None,
     "", "",
     "Bảng điểm: 0 điểm, chỉ theo dõi.",
     "Chỉ theo dõi, không tính điểm; hệ thống chưa phân loại phản ánh, kiến nghị."),
    ("5.2", "5", "Tiến độ xử lý phản ánh, kiến nghị", "complaint_on_time", 6, "ratio", None,
     "PAKN gửi tới đơn vị, đã và đang xử lý trong kỳ (gửi trước cuối kỳ, chưa trả lời trước đầu kỳ).",
     "PAKN trả lời trong 15 ngày làm việc kể từ ngày gửi; đang xử lý: cuối kỳ (hoặc hôm nay) còn trong 15 ngày làm việc.",
     "«PAKN xử lý đúng hạn: … <= Ngày CD/DN gửi PAKN + 15 ngày làm việc» «PAKN đang xử lý trong hạn nếu ngày cuối "
     "kỳ của kỳ báo cáo (hoặc ngày hiện tại đối với kỳ hiện tại) – Ngày bắt đầu … <= 15 ngày làm việc.»",
     ""),
    ("5.3", "5", "Tỷ lệ hài lòng trong xử lý phản ánh, kiến nghị", "complaint_satisfaction", 6, "ratio", None,
     "PAKN có ngày tiếp nhận đầu tiên trong kỳ.",
     "PAKN đó, trừ PAKN bị đánh giá không hài lòng hoặc giải quyết quá hạn (cách tính quá hạn như 5.2).",
     "«(Tổng số PAKN – Số bị phản hồi trạng thái không hài lòng hoặc tiếp tục có phản ánh, kiến nghị về kết quả giải "
     "quyết hoặc quá hạn)/Tổng số phản ánh, kiến nghị *100%». Hệ thống chưa có đánh giá like/dislike cho PAKN: chỉ "
     "phần quá hạn được trừ.",
     ""),
    ("5.4", "5", "Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC", "satisfaction", 6, "threshold", 90,
     "Hồ sơ của chỉ số 2.1.",
     "100% − (tỷ lệ hồ sơ quá hạn + tỷ lệ hồ sơ có phản ánh, kiến nghị hoặc đánh giá không hài lòng).",
     "«=100%- (Tỷ lệ hồ sơ giải quyết quá hạn + Tỷ lệ hồ sơ TTHC có phản ánh, kiến nghị hoặc đánh giá dislike).» "
     "«Đạt từ 90% trở lên sẽ đạt điểm tối đa.» Dislike: đánh giá 1 hoặc 2 sao.",
     ""),
]  # fmt: skip


def forwards(apps, schema_editor):
    group_model = apps.get_model("indicators", "IndicatorGroup")
    rule_model = apps.get_model("indicators", "IndicatorRule")
    for code, name, max_points in GROUPS:
        group_model.objects.update_or_create(
            code=code, effective_from=EFFECTIVE, defaults={"name": name, "max_points": Decimal(max_points)}
        )
    # 4.5 is now two indicators, 4.5a and 4.5b.
    rule_model.objects.filter(code="4.5", effective_from=EFFECTIVE).delete()
    for code, group, name, measure, max_points, kind, threshold, population, numerator, note, unavailable in RULES:
        rule_model.objects.update_or_create(
            code=code,
            effective_from=EFFECTIVE,
            defaults={
                "group_code": group,
                "name": name,
                "measure": measure,
                "max_points": Decimal(max_points),
                "formula_kind": kind,
                "threshold_percent": Decimal(threshold) if threshold is not None else None,
                "population": population,
                "numerator": numerator,
                "note": note,
                "unavailable": unavailable,
                "effective_to": None,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("indicators", "0007_rule_document_fields")]

    # Not reversed: the earlier version was a misreading, not a rule to return to.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
