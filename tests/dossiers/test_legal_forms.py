"""Forms 01–07 read page by page as a citizen, an inspector or an archive would: rendered for
realistic dossiers (a ward and a department, at the desk and online, one paper and many) and
read back from the PDF with pypdf: title, issuer lines, place line, fonts and sizes, the papers
filed, where the signatures fall, the PDF/A identification."""

import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.template import TemplateSyntaxError
from django.urls import reverse
from pypdf import PdfReader

from accounts.constants import Role
from accounts.models import AgencyMembership
from common.constants import VersionState
from dossiers.constants import AttachmentRole, Channel
from dossiers.documents import issuer
from dossiers.documents.services import (
    PaperNotDue,
    document_issue,
    document_render,
    register_dossiers,
    register_render,
)
from dossiers.documents.templates import (
    FormTemplateMissing,
    built_in_templates,
    form_template_draft,
    form_template_in_force,
    form_template_publish,
)
from dossiers.models import Attachment, DossierDocument, FormTemplate
from dossiers.services import dossier_act, dossier_submit
from procedures.constants import AgencyLevel
from tests.factories import AgencyFactory, ComponentFactory, ProcedureFactory, UserFactory, WorkflowVersionFactory
from tests.signing_support import returning
from workflows.constants import Action

VN = ZoneInfo("Asia/Ho_Chi_Minh")
R, S, L, C = Role.RECEPTION_OFFICER, Role.SPECIALIST, Role.LEADER, Role.CLERK
SERIF = re.compile(r"^([A-Z]{6}\+)?(Liberation-?Serif|TimesNewRoman(PS)?(MT)?)(-|,|$)")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def at(month, day, hour, minute=0):
    return time_machine.travel(dt.datetime(2026, month, day, hour, minute, tzinfo=VN), tick=False)


def make_office(code, name, parent, people_names, positions):
    agency = AgencyFactory(code=code, name=name, level=AgencyLevel.WARD, parent=parent)
    procedure = ProcedureFactory(name="Đăng ký khai sinh", agencies=[agency])
    WorkflowVersionFactory(procedure=procedure)
    components = [
        ComponentFactory(procedure=procedure, name="Tờ khai đăng ký khai sinh", original_copies=1, copies=0, order=1),
        ComponentFactory(procedure=procedure, name="Giấy chứng sinh", original_copies=1, copies=0, order=2),
        ComponentFactory(procedure=procedure, name="Giấy tờ tùy thân của người đi đăng ký", original_copies=0, copies=1, order=3),
        ComponentFactory(procedure=procedure, name="Giấy chứng nhận kết hôn của cha mẹ", original_copies=0, copies=1, order=4),
    ]  # fmt: skip
    people = {}
    for role in (R, S, L, C):
        people[role] = UserFactory(username=f"{code}-{role}", role=role, full_name=people_names[role])
        AgencyMembership.objects.create(user=people[role], agency=agency, position=positions[role])
    people["citizen"] = UserFactory(username=f"{code}-citizen", role=Role.CITIZEN, full_name="Trần Thị Mai")
    return {"agency": agency, "procedure": procedure, "components": components, "people": people}


@pytest.fixture
def province(db):
    return AgencyFactory(code="000.00.00.H42", name="UBND tỉnh Ninh Bình", level=AgencyLevel.PROVINCE)


@pytest.fixture
def ward(province):
    """A ward People's Committee, whose parent in the data is the province (printed without it)."""
    return make_office(
        "000.31.37.H42", "UBND phường Hoa Lư", province,
        {R: "Lê Thị Hoa", S: "Đỗ Văn Nam", L: "Phạm Văn Bình", C: "Vũ Thị Lan"},
        {R: "Công chức Văn phòng - Thống kê", S: "Công chức Tư pháp - Hộ tịch", L: "Chủ tịch", C: "Văn thư"},
    )  # fmt: skip


@pytest.fixture
def department(province):
    return make_office(
        "000.00.12.H42", "Sở Tư pháp", province,
        {R: "Ngô Minh Tuấn", S: "Hoàng Thu Trang", L: "Bùi Quang Huy", C: "Đinh Thị Yến"},
        {R: "Chuyên viên Bộ phận Một cửa", S: "Chuyên viên", L: "Giám đốc", C: "Văn thư"},
    )  # fmt: skip


def attach(dossier, component, name, uploader, role=AttachmentRole.FILED):
    return Attachment.objects.create(
        dossier=dossier, component=component, role=role, uploaded_by=uploader, name=name,
        file=ContentFile(b"%PDF-1.4 thu nghiem", name=name), content_type="application/pdf", size=19, sha256="0" * 64,
    )  # fmt: skip


def desk_filing(office, papers=1):
    """Taken in at the desk on Wednesday 25/11/2026 09:00 by the reception officer, with `papers` files."""
    with at(11, 25, 9):
        dossier = dossier_submit(
            procedure=office["procedure"], agency=office["agency"], channel=Channel.DIRECT,
            applicant_name="Trần Thị Mai", applicant_id_number="037190001234", applicant_phone="0912345678",
            actor=office["people"][R],
        )  # fmt: skip
    for number in range(papers):
        component = office["components"][number % len(office["components"])]
        with at(11, 25, 8, 50):  # scanned at the desk before the receipt was printed
            attach(dossier, component, f"giay-to-{number + 1}.pdf", office["people"][R])
    return dossier


def online_filing(office):
    """Filed online on Saturday 28/11/2026 21:40: two files of one paper, one of another, one loose file."""
    citizen = office["people"]["citizen"]
    with at(11, 28, 21, 40):
        dossier = dossier_submit(
            procedure=office["procedure"], agency=office["agency"], channel=Channel.ONLINE, applicant=citizen,
            applicant_name="Trần Thị Mai", applicant_id_number="037190001234", applicant_email="mai@example.vn",
            result_delivery="electronic",
        )  # fmt: skip
        first, second = office["components"][:2]
        attach(dossier, first, "to-khai-trang-1.pdf", citizen)
        attach(dossier, first, "to-khai-trang-2.pdf", citizen)
        attach(dossier, second, "giay-chung-sinh.pdf", citizen)
        attach(dossier, None, "anh-chup-ho-khau.pdf", citizen)
    return dossier


def receive(dossier, office):
    with at(11, 30, 8, 15):  # Monday, the officer's receipt
        dossier_act(dossier_id=dossier.pk, actor=office["people"][R], action=Action.RECEIVE)
    dossier.refresh_from_db()
    return dossier.events.order_by("-sequence").first()


# Reading a PDF back.


def pdf_text(pdf, page=None):
    pages = PdfReader(io.BytesIO(pdf)).pages
    chosen = pages if page is None else [pages[page]]
    return " ".join(" ".join(p.extract_text() for p in chosen).split())


def runs(pdf):
    """Every text run: (page number, text, base font, size in points)."""
    found = []
    for number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages):

        def visit(text, cm, tm, font, size, number=number):
            if text.strip() and font is not None:
                scale = abs(cm[0] * tm[0]) or abs(cm[1] * tm[1])
                found.append((number, text.strip(), str(font["/BaseFont"]), round(size * scale, 1)))

        page.extract_text(visitor_text=visit)
    return found


def size_of(pdf, fragment):
    sizes = {size for _, text, _, size in runs(pdf) if fragment in text}
    assert sizes, f"“{fragment}” not found in any run"
    return sizes


def page_of(pdf, fragment):
    pages = [
        i
        for i, page in enumerate(PdfReader(io.BytesIO(pdf)).pages)
        if fragment in " ".join(page.extract_text().split())
    ]
    assert pages, f"“{fragment}” on no page"
    return pages


def fonts_used(pdf):
    return {font for _, _, font, _ in runs(pdf)}


def assert_decree_30_typography(pdf, body_fragment):
    # every run in Times New Roman or its metric twin Liberation Serif, embedded
    assert fonts_used(pdf), "no text"
    assert all(SERIF.match(font.lstrip("/")) for font in fonts_used(pdf)), fonts_used(pdf)
    assert size_of(pdf, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") == {12.0}  # Quốc hiệu 12–13 pt
    assert size_of(pdf, "Độc lập - Tự do - Hạnh phúc") == {13.0}  # tiêu ngữ 13–14 pt
    assert size_of(pdf, body_fragment) <= {13.0, 14.0}  # body 13–14 pt
    bold = {font for _, text, font, _ in runs(pdf) if "CỘNG HÒA XÃ HỘI" in text}
    assert all("Bold" in font and "Italic" not in font for font in bold), bold  # bold, upright


# Form 01 and the acknowledgement.


def test_form_01_of_a_ward_desk_filing_with_one_paper(ward):
    # given a dossier taken in at the ward's desk with one paper scanned
    dossier = desk_filing(ward, papers=1)

    # when its form 01 is printed
    pdf = document_render(dossier=dossier, kind="01", event=dossier.events.get())

    # then the ward is the issuer in full, with no parent line, dated at its own place
    text = pdf_text(pdf, page=0)
    assert text.startswith(
        "Liên 1: Giao người nộp hồ sơ Mẫu số 01 ỦY BAN NHÂN DÂN PHƯỜNG HOA LƯ CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM "
        "Độc lập - Tự do - Hạnh phúc Hoa Lư, ngày 25 tháng 11 năm 2026 GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"
    )
    assert "UBND" not in text
    assert "TỈNH NINH BÌNH" not in text
    assert "Ninh Bình, ngày" not in text
    # and it lists the one paper filed with its counts, not the procedure's four
    assert "1 Tờ khai đăng ký khai sinh 1 0 1" in text
    assert "Giấy chứng sinh" not in text
    assert "2. Số lượng giấy tờ: 01 (01 tệp điện tử)." in text
    assert "4. Thời gian nhận hồ sơ: 09 giờ 00 phút, ngày 25 tháng 11 năm 2026." in text
    # and both sign: the applicant who stood at the desk, the receiving officer with name and position
    assert "NGƯỜI NỘP HỒ SƠ (Ký và ghi rõ họ tên) Trần Thị Mai" in text
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ (Ký và ghi rõ họ tên) Lê Thị Hoa Công chức Văn phòng - Thống kê" in text
    # and the second copy is the desk's, numbered as its own paper
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 2
    assert pdf_text(pdf, page=1).startswith("Liên 2: Lưu tại Bộ phận Một cửa Mẫu số 01 ỦY BAN NHÂN DÂN PHƯỜNG HOA LƯ")
    assert_decree_30_typography(pdf, "tiếp nhận hồ sơ của")
    assert size_of(pdf, "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ") == {14.0}


def test_form_01_of_a_department_online_filing_with_many_papers_is_issued_at_the_officers_receipt(department):
    # given a dossier filed online on a Saturday night, with four files of three papers
    dossier = online_filing(department)

    # then before anyone receives it there is no form 01
    with pytest.raises(PaperNotDue, match="chưa được tiếp nhận"):
        document_render(dossier=dossier, kind="01")

    # when the officer receives it on Monday and form 01 is printed
    event = receive(dossier, department)
    pdf = document_render(dossier=dossier, kind="01", event=event)

    # then the department prints under its parent, at the province's place, dated at the receipt
    text = pdf_text(pdf, page=0)
    assert "Mẫu số 01 UBND TỈNH NINH BÌNH SỞ TƯ PHÁP CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Ninh Bình, ngày 30 tháng 11 năm 2026" in text
    assert "4. Thời gian nhận hồ sơ: 08 giờ 15 phút, ngày 30 tháng 11 năm 2026." in text
    # and lists each paper filed with its file count, and the loose file
    assert "1 Tờ khai đăng ký khai sinh 1 0 2" in text
    assert "2 Giấy chứng sinh 1 0 1" in text
    assert "3 Giấy tờ khác: anh-chup-ho-khau.pdf 0 1 1" in text
    assert "Giấy chứng nhận kết hôn" not in text
    assert "Giấy tờ tùy thân" not in text
    assert "2. Số lượng giấy tờ: 03 (04 tệp điện tử)." in text
    assert "6. Nhận kết quả: bản điện tử trên Cổng Dịch vụ công (mục Hồ sơ của tôi)." in text
    # and only the receiving officer signs (the applicant was not at the desk)
    assert "NGƯỜI NỘP HỒ SƠ" not in text
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ (Ký và ghi rõ họ tên) Ngô Minh Tuấn Chuyên viên Bộ phận Một cửa" in text
    assert "21 giờ 40" not in text
    assert_decree_30_typography(pdf, "tiếp nhận hồ sơ của")


def test_an_online_filing_not_yet_received_gets_an_acknowledgement_that_says_it_awaits_receipt(department):
    dossier = online_filing(department)

    document = document_issue(dossier=dossier, kind="xn")
    pdf = document.file.open("rb").read()

    text = pdf_text(pdf)
    assert text.startswith("SỞ TƯ PHÁP") is False  # the parent line comes first
    assert "UBND TỈNH NINH BÌNH SỞ TƯ PHÁP" in text
    assert "Ninh Bình, ngày 28 tháng 11 năm 2026 GIẤY XÁC NHẬN NỘP HỒ SƠ TRỰC TUYẾN" in text
    assert "đã nhận hồ sơ nộp trực tuyến của: Trần Thị Mai (số giấy tờ: 037190001234), lúc 21 giờ 40 phút, ngày 28 tháng 11 năm 2026." in text  # fmt: skip
    assert "1 Tờ khai đăng ký khai sinh 1 0 2" in text
    assert "Hồ sơ đang chờ tiếp nhận. Giấy này chỉ xác nhận Ông/Bà đã nộp hồ sơ trực tuyến; đây không phải là Giấy tiếp nhận hồ sơ và hẹn trả kết quả." in text  # fmt: skip
    # no form number, no promised date, no officer
    assert "Mẫu số" not in text.split("GIẤY XÁC NHẬN")[0]
    assert "Hẹn trả" not in text
    assert "trả kết quả giải quyết hồ sơ:" not in text
    assert "NGƯỜI TIẾP NHẬN" not in text
    assert (document.file.name.rsplit("/", 1)[1], document.event.action) == (
        f"{dossier.code}-xac-nhan-nop.pdf",
        "submit",
    )
    assert document.template_version == "Nghị định số 118/2025/NĐ-CP (không phải mẫu của Thông tư số 03/2025/TT-VPCP), áp dụng từ 15/09/2025, phiên bản 1"  # fmt: skip
    assert_decree_30_typography(pdf, "Hồ sơ gửi đến")


def test_a_desk_filing_has_no_online_acknowledgement(ward):
    with pytest.raises(PaperNotDue, match="không nộp trực tuyến"):
        document_render(dossier=desk_filing(ward), kind="xn")


def test_form_01_is_recorded_against_the_receipt_whatever_event_is_named(department):
    dossier = online_filing(department)
    receipt = receive(dossier, department)

    document = document_issue(dossier=dossier, kind="01", event=dossier.events.order_by("sequence").first())

    assert document.event_id == receipt.pk
    assert document_issue(dossier=dossier, kind="01").pk == document.pk
    assert DossierDocument.objects.filter(kind="01").count() == 1


@pytest.mark.parametrize("papers", range(8, 13))  # 10 orphans the signatures without .closing { break-inside: avoid }
def test_the_signatures_never_fall_alone_on_a_page(ward, papers):
    # given desk filings whose paper lists push the end of form 01 across the page, one line at a time
    dossier = desk_filing(ward, papers=0)
    for number in range(papers):
        component = ComponentFactory(procedure=ward["procedure"], name=f"Giấy tờ kèm theo số {number + 1} của hồ sơ", order=10 + number)  # fmt: skip
        with at(11, 25, 8, 50):
            attach(dossier, component, f"kem-theo-{number}.pdf", ward["people"][R])

    # when it is printed
    pdf = document_render(dossier=dossier, kind="01", event=dossier.events.get())

    # then in each copy the signature block is on the page of the last paragraph
    for copy in ("Liên 1", "Liên 2"):
        first = page_of(pdf, copy)[0]
        last_paragraph = [p for p in page_of(pdf, "6. Nhận kết quả") if p >= first][0]
        signature = [p for p in page_of(pdf, "NGƯỜI TIẾP NHẬN HỒ SƠ") if p >= first][0]
        officer = [p for p in page_of(pdf, "Lê Thị Hoa") if p >= first][0]
        assert signature == officer == last_paragraph, (copy, first, last_paragraph, signature)
    assert f"Giấy tờ kèm theo số {papers} của hồ sơ" in pdf_text(pdf)


# Forms 02–05.


def test_form_04_has_the_2025_title_and_asks_to_extend_the_time_signed_by_the_ward_chairman(ward):
    dossier = desk_filing(ward)
    data = {"new_due_at": "2026-12-04T16:00:00+07:00", "reason": "Phải xác minh nơi cư trú của người mẹ"}

    with at(12, 1, 10):
        pdf = document_render(dossier=dossier, kind="04", data=data)

    text = pdf_text(pdf)
    assert "Mẫu số 04 ỦY BAN NHÂN DÂN PHƯỜNG HOA LƯ CỘNG HÒA" in text
    assert "Số: ……/…… Hoa Lư, ngày 01 tháng 12 năm 2026" in text
    assert "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT" in text
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" not in text
    assert "Phải xác minh nơi cư trú của người mẹ" in text
    assert "Ngày 25 tháng 11 năm 2026, Ủy ban nhân dân phường Hoa Lư tiếp nhận hồ sơ của" in text
    assert "hẹn trả kết quả lúc 09 giờ 00 phút, ngày 02 tháng 12 năm 2026. Đến nay" in text
    assert "Ủy ban nhân dân phường Hoa Lư xin lỗi Ông/Bà vì sự chậm trễ này và đề nghị Ông/Bà đồng ý gia hạn thời gian giải quyết hồ sơ đến 16 giờ 00 phút, ngày 04 tháng 12 năm 2026" in text  # fmt: skip
    assert "Nơi nhận: - Như trên; - Bộ phận Một cửa; - Lưu: VT, hồ sơ. TM. ỦY BAN NHÂN DÂN CHỦ TỊCH (Ký, ghi rõ họ tên và đóng dấu) Phạm Văn Bình" in text  # fmt: skip
    assert_decree_30_typography(pdf, "xin lỗi Ông/Bà")


def test_form_05_is_the_agencys_notice_that_it_stops_signed_by_the_director(department):
    dossier = desk_filing(department)
    with at(11, 26, 10):
        dossier_act(dossier_id=dossier.pk, actor=department["people"][R], action=Action.FORWARD)
        dossier_act(
            dossier_id=dossier.pk, actor=department["people"][S], action=Action.STOP,
            comment="Có văn bản của cơ quan điều tra đề nghị tạm dừng",
        )  # fmt: skip
    dossier.refresh_from_db()

    pdf = document_render(dossier=dossier, kind="05", event=dossier.events.order_by("-sequence").first())

    text = pdf_text(pdf)
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in text
    assert "ĐỀ NGHỊ DỪNG" not in text
    assert "Ngày 25 tháng 11 năm 2026, Sở Tư pháp tiếp nhận hồ sơ của Ông/Bà." in text
    assert "Sở Tư pháp thông báo dừng giải quyết hồ sơ này kể từ 10 giờ 00 phút, ngày 26 tháng 11 năm 2026, với lý do cụ thể như sau: Có văn bản của cơ quan điều tra đề nghị tạm dừng" in text  # fmt: skip
    assert "GIÁM ĐỐC (Ký, ghi rõ họ tên và đóng dấu) Bùi Quang Huy" in text
    assert_decree_30_typography(pdf, "thông báo dừng giải quyết")


@pytest.mark.parametrize(
    ("kind", "action", "title", "signer"),
    [
        ("02", Action.REQUEST_SUPPLEMENT, "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", "NGƯỜI HƯỚNG DẪN (Ký và ghi rõ họ tên) Lê Thị Hoa Công chức Văn phòng - Thống kê"),
        ("03", Action.REFUSE, "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ (Ký và ghi rõ họ tên) Lê Thị Hoa Công chức Văn phòng - Thống kê"),
    ],
    ids=["02", "03"],
)  # fmt: skip
def test_forms_02_and_03_of_an_online_filing_at_the_ward(ward, kind, action, title, signer):
    dossier = online_filing(ward)
    with at(11, 30, 8, 30):
        dossier_act(dossier_id=dossier.pk, actor=ward["people"][R], action=action, comment="Thiếu giấy chứng sinh bản chính")  # fmt: skip
    dossier.refresh_from_db()

    pdf = document_render(dossier=dossier, kind=kind, event=dossier.events.order_by("-sequence").first())

    text = pdf_text(pdf)
    assert f"Mẫu số {kind} ỦY BAN NHÂN DÂN PHƯỜNG HOA LƯ CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc Hoa Lư, ngày 30 tháng 11 năm 2026 {title}" in text  # fmt: skip
    assert "Thiếu giấy chứng sinh bản chính" in text
    assert signer in text
    assert_decree_30_typography(pdf, "Kính gửi")


# Forms 06 and 07.


def test_form_06_has_one_row_per_handover_with_signature_columns(ward):
    dossier = desk_filing(ward)
    people = ward["people"]
    steps = [(R, Action.FORWARD, (11, 25, 10)), (S, Action.FORWARD, (11, 26, 9)), (L, Action.APPROVE, (11, 26, 14)),
             (C, Action.NUMBER_DISPATCH, (11, 26, 15)), (R, Action.RETURN_RESULT, (11, 27, 9))]  # fmt: skip
    for role, action, moment in steps:
        with at(*moment):
            dossier_act(dossier_id=dossier.pk, actor=people[role], action=action, data=returning(action))
    dossier.refresh_from_db()

    pdf = document_render(dossier=dossier, kind="06", event=dossier.events.order_by("-sequence").first())

    text = pdf_text(pdf)
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert page.mediabox.width > page.mediabox.height
    assert "Bên giao hồ sơ Bên nhận hồ sơ Thời gian giao, nhận hồ sơ Kết quả giải quyết (đúng hạn/quá hạn) Ghi chú Người giao ký Người nhận ký" in text  # fmt: skip
    for row in [
        "1 Lê Thị Hoa Tiếp nhận hồ sơ Đỗ Văn Nam Thẩm định, xử lý 10:00 ngày 25/11/2026",
        "2 Đỗ Văn Nam Thẩm định, xử lý Phạm Văn Bình Phê duyệt, ký 09:00 ngày 26/11/2026",
        "3 Phạm Văn Bình Phê duyệt, ký Vũ Thị Lan Vào số, phát hành 14:00 ngày 26/11/2026",
        "4 Vũ Thị Lan Vào số, phát hành Lê Thị Hoa Trả kết quả 15:00 ngày 26/11/2026",
        "5 Lê Thị Hoa Trả kết quả Trần Thị Mai Người nộp hồ sơ 09:00 ngày 27/11/2026",
    ]:
        assert row in text
    assert len(re.findall(r"\d\d:\d\d ngày \d\d/\d\d/\d{4}", text)) == 5  # five handovers, five rows
    assert "Hoa Lư, ngày 27 tháng 11 năm 2026" in text
    assert_decree_30_typography(pdf, "Chủ hồ sơ")


def test_form_07_lists_only_received_dossiers_in_the_registers_columns(department):
    # given a desk filing (received), an online filing received on Monday, and one never received
    desk = desk_filing(department, papers=2)
    online = online_filing(department)
    receive(online, department)
    with at(11, 30, 9):
        dossier_act(dossier_id=online.pk, actor=department["people"][R], action=Action.FORWARD)
    with at(11, 29, 10):
        waiting = dossier_submit(
            procedure=department["procedure"], agency=department["agency"], channel=Channel.ONLINE,
            applicant_name="Người chưa được tiếp nhận",
        )  # fmt: skip

    # when November's register is printed
    with at(12, 1, 8):
        pdf = register_render(
            agency=department["agency"], date_from=dt.date(2026, 11, 1), date_to=dt.date(2026, 11, 30)
        )

    # then it lists the two received dossiers in receipt order, with the register's columns
    listed = register_dossiers(agency=department["agency"], date_from=dt.date(2026, 11, 1), date_to=dt.date(2026, 11, 30))  # fmt: skip
    assert [d.code for d in listed] == [desk.code, online.code]
    text = pdf_text(pdf)
    for header in [
        "STT Mã hồ sơ Tên thủ tục hành chính Số lượng giấy tờ Tên cá nhân, tổ chức Số điện thoại, thư điện tử",
        "Cơ quan chủ trì giải quyết Ngày, tháng, năm Ghi chú",
        "Nhận hồ sơ Hẹn trả kết quả Chuyển hồ sơ đến cơ quan giải quyết Nhận kết quả từ cơ quan giải quyết Trả kết quả cho cá nhân, tổ chức",
    ]:
        assert header in text
    assert f"1 {desk.code} Đăng ký khai sinh 02 Trần Thị Mai 0912345678 Sở Tư pháp 09:00 25/11/2026" in text
    assert f"2 {online.code} Đăng ký khai sinh 03 Trần Thị Mai mai@example.vn" in text
    assert "Sở Tư pháp 08:15 30/11/2026" in text
    assert "09:00 30/11/2026" in text  # handed on from reception
    assert waiting.code not in text
    assert "Người chưa được tiếp nhận" not in text
    assert "Tổng số hồ sơ đã tiếp nhận: 02." in text
    assert "Mẫu số 07 UBND TỈNH NINH BÌNH SỞ TƯ PHÁP" in text
    assert "NGƯỜI LẬP SỔ" in text


# PDF/A and tags.


def test_every_paper_is_pdf_a_3b_tagged_with_its_fonts_embedded(department):
    dossier = online_filing(department)
    receive(dossier, department)

    for pdf in (
        document_render(dossier=dossier, kind="xn"),
        document_render(dossier=dossier, kind="01"),
        register_render(agency=department["agency"], date_from=dt.date(2026, 11, 1), date_to=dt.date(2026, 11, 30)),
    ):
        reader = PdfReader(io.BytesIO(pdf))
        xmp = reader.xmp_metadata.stream.get_data().decode()
        assert 'pdfaid:part="3"' in xmp
        assert 'pdfaid:conformance="B"' in xmp
        root = reader.trailer["/Root"]
        assert root["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"
        assert bool(root["/MarkInfo"]["/Marked"])
        assert "/StructTreeRoot" in root
        assert root["/Lang"] == "vi"
        fonts = [font.get_object() for page in reader.pages for font in page["/Resources"]["/Font"].values()]
        assert fonts
        for font in fonts:
            descriptor = (font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font)[
                "/FontDescriptor"
            ]
            assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), font["/BaseFont"]


# Templates as data, versioned with effective dates.


def test_the_shipped_versions_cover_every_paper_of_circular_03_2025():
    shipped = {(t.kind, t.form_number, t.title) for t in built_in_templates()}

    assert shipped == {
        ("xn", "", "Giấy xác nhận nộp hồ sơ trực tuyến"),
        ("01", "01", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
        ("02", "02", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
        ("03", "03", "Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
        ("04", "04", "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết"),
        ("05", "05", "Thông báo dừng giải quyết hồ sơ"),
        ("06", "06", "Phiếu kiểm soát quá trình giải quyết hồ sơ"),
        ("07", "07", "Sổ theo dõi hồ sơ"),
    }
    assert {t.effective_from for t in built_in_templates()} == {dt.date(2025, 9, 15)}


def test_a_new_circular_is_a_new_version_from_its_effective_date(db, department):
    # given a draft of form 03 for a (fictional) circular in force from 1 December 2026, reworded
    draft = form_template_draft(
        kind="03", effective_from=dt.date(2026, 12, 1), legal_basis="Thông tư số 09/2026/TT-VPCP"
    )
    assert (draft.number, draft.state, draft.title) == (
        2,
        VersionState.DRAFT,
        "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
    )
    draft.title = "Phiếu từ chối tiếp nhận hồ sơ"
    draft.save()

    # then a draft prints nothing yet
    assert form_template_in_force(kind="03", on=dt.date(2026, 12, 2)).number == 1

    # when it is published
    form_template_publish(template=draft)

    # then papers issued from 1 December print with it, earlier ones with the 2025 version
    assert (
        form_template_in_force(kind="03", on=dt.date(2026, 11, 30)).title == "Phiếu từ chối tiếp nhận giải quyết hồ sơ"
    )
    assert form_template_in_force(kind="03", on=dt.date(2026, 12, 1)).title == "Phiếu từ chối tiếp nhận hồ sơ"
    november, december = desk_filing(department), desk_filing(department)
    for dossier, moment in ((november, (11, 30, 9)), (december, (12, 1, 9))):
        with at(*moment):
            dossier_act(
                dossier_id=dossier.pk, actor=department["people"][R], action=Action.REFUSE, comment="Sai thẩm quyền"
            )
    issued = {
        d.code: document_issue(dossier=d, kind="03", event=d.events.order_by("-sequence").first())
        for d in (november, december)
    }
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in pdf_text(issued[november.code].file.open("rb").read())
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN HỒ SƠ" in pdf_text(issued[december.code].file.open("rb").read())
    assert issued[december.code].template_version == "Thông tư số 09/2026/TT-VPCP, áp dụng từ 01/12/2026, phiên bản 2"
    assert issued[november.code].template_version.startswith(
        "Thông tư số 03/2025/TT-VPCP, Phụ lục I, áp dụng từ 15/09/2025"
    )


def test_a_version_whose_text_does_not_compile_is_not_published(db):
    draft = form_template_draft(kind="02", effective_from=dt.date(2027, 1, 1), legal_basis="Thông tư mới")
    draft.body = "<p>{% if reason %}không đóng thẻ</p>"
    draft.save()

    with pytest.raises(TemplateSyntaxError):
        form_template_publish(template=draft)

    assert FormTemplate.objects.get(pk=draft.pk).state == VersionState.DRAFT


def test_no_paper_before_the_first_version(db):
    with pytest.raises(FormTemplateMissing):
        form_template_in_force(kind="01", on=dt.date(2025, 9, 14))


# The issuer's lines and place (Decree 30/2020), as rules.


@pytest.mark.parametrize(
    ("name", "parents", "lines", "place"),
    [
        ("UBND phường Hoa Lư", ["UBND tỉnh Ninh Bình"], ("", "ỦY BAN NHÂN DÂN PHƯỜNG HOA LƯ"), "Hoa Lư"),
        ("Ủy ban nhân dân xã Gia Viễn", [], ("", "ỦY BAN NHÂN DÂN XÃ GIA VIỄN"), "Gia Viễn"),
        ("UBND tỉnh Ninh Bình", [], ("", "ỦY BAN NHÂN DÂN TỈNH NINH BÌNH"), "Ninh Bình"),
        ("Sở Tư pháp", ["UBND tỉnh Ninh Bình"], ("UBND TỈNH NINH BÌNH", "SỞ TƯ PHÁP"), "Ninh Bình"),
        ("Phòng Văn hóa - Xã hội", ["UBND phường Hoa Lư", "UBND tỉnh Ninh Bình"], ("UBND PHƯỜNG HOA LƯ", "PHÒNG VĂN HÓA - XÃ HỘI"), "Hoa Lư"),
        ("Sở Nội vụ", [], ("", "SỞ NỘI VỤ"), "Nơi mặc định"),
    ],
)  # fmt: skip
def test_issuer_lines_and_place(name, parents, lines, place):
    assert issuer.issuer_lines(name, parents) == lines
    assert issuer.place_name(name, parents, default="Nơi mặc định") == place


# Issue 20: form 01 listed twice among the dossier's papers.


def test_the_citizen_sees_each_paper_of_the_dossier_once(client, department):
    # given an online filing, acknowledged, then received (form 01), then asked twice for a supplement
    dossier = online_filing(department)
    document_issue(dossier=dossier, kind="xn")
    receipt_event = receive(dossier, department)
    document_issue(dossier=dossier, kind="01", event=receipt_event)
    document_issue(dossier=dossier, kind="01")  # a second click, a retried task
    for hour in (9, 11):
        with at(11, 30, hour):
            dossier_act(dossier_id=dossier.pk, actor=department["people"][R], action=Action.REQUEST_SUPPLEMENT, comment=f"Lần {hour}")  # fmt: skip
            dossier_act(dossier_id=dossier.pk, actor=department["people"]["citizen"], action=Action.PROVIDE_SUPPLEMENT)
        document_issue(dossier=dossier, kind="02", event=dossier.events.get(action="request_supplement", comment=f"Lần {hour}"))  # fmt: skip

    # when the citizen opens the dossier
    client.force_login(department["people"]["citizen"])
    page = client.get(reverse("dossiers:my_dossier", args=[dossier.code])).content.decode()

    # then each paper is listed once
    assert page.count(reverse("dossiers:my_dossier_document", args=[dossier.code, "01"])) == 1
    assert page.count(reverse("dossiers:my_dossier_document", args=[dossier.code, "xn"])) == 1
    papers = page.split('id="papers-title"', 1)[1]
    assert papers.count(reverse("dossiers:my_dossier_document", args=[dossier.code, "02"])) == 1
