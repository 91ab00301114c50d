import datetime as dt
import hashlib
import io
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from botocore.exceptions import BotoCoreError, ClientError
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.utils import timezone
from pypdf import PdfReader

from accounts.constants import Role
from dossiers import events
from dossiers.constants import Channel
from dossiers.documents import handlers, rendering
from dossiers.documents import services as documents
from dossiers.documents.handlers import documents_for_event
from dossiers.documents.rendering import qr_data_uri
from dossiers.documents.services import (
    document_html,
    document_issue,
    document_render,
    handover_rows,
    register_dossiers,
    register_render,
)
from dossiers.documents.tasks import document_issue_task
from dossiers.models import Dossier, DossierDocument, DossierEvent
from dossiers.selectors import dossier_public_token, dossiers_due_within_one_working_day
from dossiers.services import dossier_act, dossier_submit
from tests.factories import AgencyFactory, ComponentFactory, DossierFactory
from tests.signing_support import returning
from workflows.constants import Action, Status
from workflows.selectors import working_calendar

VN = ZoneInfo("Asia/Ho_Chi_Minh")
R, S, L, C, CIT = Role.RECEPTION_OFFICER, Role.SPECIALIST, Role.LEADER, Role.CLERK, Role.CITIZEN
APPLICANT = "Nguyễn Thị Ánh Dương"

EAGER = SimpleNamespace(conf=SimpleNamespace(task_always_eager=True))  # a fake task's app: run at once


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def at(month, day, hour, minute=0):
    return time_machine.travel(dt.datetime(2026, month, day, hour, minute, tzinfo=VN), tick=False)


def pdf_text(pdf):
    """The PDF's text with runs of whitespace (line breaks included) folded to one space."""
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(text.split())


def act(dossier, office, role, action, comment=""):
    dossier_act(
        dossier_id=dossier.pk, actor=office["people"][role], action=action, comment=comment, data=returning(action)
    )
    return dossier.events.order_by("-sequence").first()


@pytest.fixture
def walk_in(office):
    """Nguyễn Thị Ánh Dương's dossier, taken in at the desk on Wednesday 25/11/2026 at 09:00 (due 02/12 09:00)."""
    ComponentFactory(procedure=office["procedure"], name="Tờ khai đăng ký", original_copies=1, copies=0)
    ComponentFactory(procedure=office["procedure"], name="Bản sao giấy khai sinh", original_copies=0, copies=1)
    with at(11, 25, 9):
        return dossier_submit(
            procedure=office["procedure"], agency=office["agency"], channel=Channel.DIRECT,
            applicant=office["people"][CIT], applicant_name=APPLICANT, applicant_id_number="037190001234",
            actor=office["people"][R],
        )  # fmt: skip


def test_receipt_form_01_is_a_pdf_with_the_motto_the_code_the_components_and_the_due_date(walk_in):
    # given the submission event of a walk-in dossier
    event = walk_in.events.get()

    # when form 01 is rendered
    pdf = document_render(dossier=walk_in, kind="01", event=event)

    # then it is a PDF in Vietnamese with every part of the receipt, one page for each of its two copies
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2
    assert reader.metadata.title == "Giấy tiếp nhận hồ sơ và hẹn trả kết quả – 000.00.12.H42-261125-0001"
    text = pdf_text(pdf)
    for expected in [
        "Mẫu số 01",
        "SỞ TƯ PHÁP",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Ninh Bình, ngày 25 tháng 11 năm 2026",
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "000.00.12.H42-261125-0001",
        f"Sở Tư pháp tiếp nhận hồ sơ của: {APPLICANT}",
        "Nội dung yêu cầu giải quyết: Thủ tục thử nghiệm (mã thủ tục 1.000001)",
        "Không có giấy tờ nộp kèm.",  # nothing was uploaded: the procedure's catalogue is not printed
        "2. Số lượng giấy tờ: 00 (00 tệp điện tử).",
        "Thời hạn giải quyết hồ sơ theo quy định: 5 ngày làm việc.",
        "Thời gian nhận hồ sơ: 09 giờ 00 phút, ngày 25 tháng 11 năm 2026.",
        "5. Thời gian trả kết quả giải quyết hồ sơ: 09 giờ 00 phút, ngày 02 tháng 12 năm 2026.",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
        "Cán bộ reception_officer",
        "Liên 1: Giao người nộp hồ sơ",
        "Liên 2: Lưu tại Bộ phận Một cửa",
    ]:
        assert expected in text
    assert "Tờ khai đăng ký" not in text


def test_every_form_carries_a_qr_code_of_the_public_status_page(walk_in, settings):
    # given a portal published under its own address
    settings.PORTAL_BASE_URL = "https://dichvucong.ninhbinh.gov.vn/"
    key = dossier_public_token(code="000.00.12.H42-261125-0001")
    url = f"https://dichvucong.ninhbinh.gov.vn/tra-cuu/000.00.12.H42-261125-0001/?k={key}"

    # when form 01 is rendered to HTML and to PDF
    html = document_html(dossier=walk_in, kind="01", event=walk_in.events.get())
    pdf = document_render(dossier=walk_in, kind="01", event=walk_in.events.get())

    # then the HTML embeds the QR code of that URL as an inline SVG image, and the PDF links to it
    assert f'<img class="qr" src="{qr_data_uri(url)}"' in html
    assert qr_data_uri(url).startswith("data:image/svg+xml")
    links = {annotation.get_object()["/A"]["/URI"] for annotation in PdfReader(io.BytesIO(pdf)).pages[0]["/Annots"]}
    assert links == {url}
    # and the printed text names the lookup page (the line may break after "https://")
    assert "dichvucong.ninhbinh.gov.vn/tra-cuu/ và nhập mã hồ sơ cùng 4 số cuối" in pdf_text(pdf)


@pytest.mark.parametrize(
    ("kind", "steps", "title", "reason"),
    [
        ("02", [(R, Action.REQUEST_SUPPLEMENT)], "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", "Bổ sung bản sao giấy khai sinh có chứng thực"),
        ("03", [(R, Action.REFUSE)], "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", "Hồ sơ không thuộc thẩm quyền giải quyết của Sở"),
        ("05", [(R, Action.FORWARD), (S, Action.STOP)], "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ", "Có văn bản đề nghị dừng của cơ quan điều tra"),
    ],
    ids=["02-supplement", "03-refusal", "05-stop"],
)  # fmt: skip
def test_supplement_refusal_and_stop_forms_give_the_reason_of_their_event(walk_in, office, kind, steps, title, reason):
    # given the dossier reached the event that calls for the form, the reason in its comment
    with at(11, 25, 10):
        for role, action in steps:
            event = act(walk_in, office, role, action, comment=reason)

    # when the form is rendered for that event
    pdf = document_render(dossier=walk_in, kind=kind, event=event)

    # then it names the form, the dossier, the applicant and the reason, dated the day of the event
    text = pdf_text(pdf)
    assert pdf.startswith(b"%PDF-")
    for expected in [
        f"Mẫu số {kind}",
        title,
        "000.00.12.H42-261125-0001",
        APPLICANT,
        reason,
        "ngày 25 tháng 11 năm 2026",
    ]:
        assert expected in text


def test_supplement_request_states_the_pause_and_the_due_date_before_it(walk_in, office):
    with at(11, 25, 10):
        event = act(walk_in, office, R, Action.REQUEST_SUPPLEMENT, comment="Bổ sung tờ khai")

    text = pdf_text(document_render(dossier=walk_in, kind="02", event=event))

    assert "(từ 10:00 ngày 25/11/2026) không tính vào thời hạn giải quyết" in text
    assert "(trước khi tạm dừng: 09:00 ngày 02/12/2026)" in text


def test_apology_form_04_gives_the_reason_and_the_new_return_date(walk_in):
    data = {"new_due_at": "2026-12-04T16:00:00+07:00", "reason": "Phải lấy ý kiến của Sở Xây dựng"}

    text = pdf_text(document_render(dossier=walk_in, kind="04", data=data))

    assert "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT" in text
    assert "Phải lấy ý kiến của Sở Xây dựng" in text
    assert "hẹn trả kết quả lúc 09 giờ 00 phút, ngày 02 tháng 12 năm 2026" in text
    assert "Sở Tư pháp xin lỗi Ông/Bà vì sự chậm trễ này và đề nghị Ông/Bà đồng ý gia hạn thời gian giải quyết hồ sơ đến 16 giờ 00 phút, ngày 04 tháng 12 năm 2026" in text  # fmt: skip


def test_apology_without_a_new_date_is_refused(walk_in):
    with pytest.raises(ValueError, match="ngày hẹn trả mới không hợp lệ"):
        document_render(dossier=walk_in, kind="04", data={"reason": "Chậm"})


def test_control_sheet_06_judges_each_step_against_its_share_of_the_time_limit(walk_in, office):
    # given a dossier through every step, with a supplement pause at the specialist's and a slow leader
    # (department workflow: 40 working hours; shares 10/60/15/5/10 %)
    with at(11, 25, 10):
        act(walk_in, office, R, Action.FORWARD)
    with at(11, 26, 9):
        act(walk_in, office, S, Action.REQUEST_SUPPLEMENT, comment="Bổ sung tờ khai")
    with at(11, 26, 14):
        act(walk_in, office, CIT, Action.PROVIDE_SUPPLEMENT)  # 3 working hours paused
    with at(11, 27, 16):
        act(walk_in, office, S, Action.FORWARD)
    with at(12, 1, 9):
        act(walk_in, office, L, Action.APPROVE)
    with at(12, 1, 10):
        act(walk_in, office, C, Action.NUMBER_DISPATCH)
    with at(12, 1, 15):
        act(walk_in, office, R, Action.RETURN_RESULT)
    walk_in.refresh_from_db()

    # when the control sheet is computed and rendered
    rows = handover_rows(dossier=walk_in, calendar=working_calendar())
    pdf = document_render(dossier=walk_in, kind="06")

    # then every handover is a line (giver, receiver, time), judged against the giver's step;
    # the supplement round stays inside the specialist's step, so it is no handover
    assert [(r.giver, r.giver_unit, r.receiver, r.receiver_unit, r.verdict, r.used) for r in rows] == [
        ("Cán bộ reception_officer", "Tiếp nhận hồ sơ", "Cán bộ specialist", "Thẩm định, xử lý", "Đúng hạn", "1,0/4,0 giờ làm việc"),
        ("Cán bộ specialist", "Thẩm định, xử lý", "Cán bộ leader", "Phê duyệt, ký", "Đúng hạn", "17,0/24,0 giờ làm việc"),
        ("Cán bộ leader", "Phê duyệt, ký", "Cán bộ clerk", "Vào số, phát hành", "Quá hạn", "11,0/6,0 giờ làm việc"),
        ("Cán bộ clerk", "Vào số, phát hành", "Cán bộ reception_officer", "Trả kết quả", "Đúng hạn", "1,0/2,0 giờ làm việc"),
        ("Cán bộ reception_officer", "Trả kết quả", APPLICANT, "Người nộp hồ sơ", "Đúng hạn", "3,0/4,0 giờ làm việc"),
    ]  # fmt: skip
    assert [r.handed_at for r in rows][:2] == [
        dt.datetime(2026, 11, 25, 10, 0, tzinfo=VN), dt.datetime(2026, 11, 27, 16, 0, tzinfo=VN)
    ]  # fmt: skip
    text = pdf_text(pdf)
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
    assert "Mẫu số 06" in text
    assert "Người giao ký Người nhận ký" in text
    assert "Quá hạn 11,0/6,0 giờ làm việc" in text
    assert (
        "Kết quả giải quyết hồ sơ: Đúng hạn (xử lý xong lúc 10:00 01/12/2026, trả kết quả lúc 15:00 01/12/2026)" in text
    )


def test_tracking_register_07_lists_the_agency_dossiers_taken_in_during_the_period(walk_in, office):
    # given dossiers of the agency in and after November, and one of another agency
    with at(12, 1, 9):
        december = dossier_submit(
            procedure=office["procedure"], agency=office["agency"], channel=Channel.ONLINE, applicant_name="Hà Văn Mạnh"
        )
    other_agency = AgencyFactory(code="000.00.41.H42", name="UBND phường Hoa Lư")
    DossierFactory(agency=other_agency, code="000.00.41.H42-261125-0001", submitted_at=walk_in.submitted_at)

    # when the register for November is printed
    pdf = register_render(agency=office["agency"], date_from=dt.date(2026, 11, 1), date_to=dt.date(2026, 11, 30))

    # then it lists the one November dossier of the agency, in a landscape table
    listed = register_dossiers(agency=office["agency"], date_from=dt.date(2026, 11, 1), date_to=dt.date(2026, 11, 30))
    assert [d.code for d in listed] == ["000.00.12.H42-261125-0001"]
    text = pdf_text(pdf)
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert page.mediabox.width > page.mediabox.height
    for expected in [
        "Mẫu số 07",
        "SỔ THEO DÕI HỒ SƠ",
        "Từ ngày 01/11/2026 đến ngày 30/11/2026",
        walk_in.code,
        APPLICANT,
    ]:
        assert expected in text
    assert "09:00 25/11/2026" in text
    assert december.code not in text
    assert "000.00.41.H42-261125-0001" not in text


def test_applicant_text_is_escaped_and_printed_as_text(office):
    # given an applicant name that is markup
    name = '<script>alert("x")</script> Lê Văn Tám'
    dossier = dossier_submit(
        procedure=office["procedure"], agency=office["agency"], channel=Channel.DIRECT, applicant_name=name,
        actor=office["people"][R],
    )  # fmt: skip

    # when form 01 is rendered
    html = document_html(dossier=dossier, kind="01", event=dossier.events.get())
    pdf = document_render(dossier=dossier, kind="01", event=dossier.events.get())

    # then the markup is escaped in the HTML and shows as plain text in the PDF
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Lê Văn Tám" in html
    assert name in pdf_text(pdf)


def test_rendering_fetches_nothing_but_data_urls(walk_in):
    # given a server that counts the requests it receives
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    try:
        # when HTML pointing at it (and at a local file) is printed
        pdf = rendering.pdf_from_html(
            f'<link rel="stylesheet" href="http://127.0.0.1:{port}/style.css">'
            f'<img src="http://127.0.0.1:{port}/logo.png"><img src="file:///etc/hostname"><p>Xin chào</p>'
        )
    finally:
        server.shutdown()
        server.server_close()

    # then the PDF is made without a single request
    assert hits == []
    assert "Xin chào" in pdf_text(pdf)


def test_issuing_a_form_twice_keeps_one_row_and_one_file(walk_in, media):
    event = walk_in.events.get()

    first = document_issue(dossier=walk_in, kind="01", event=event)
    second = document_issue(dossier=walk_in, kind="01", event=event)

    assert second.pk == first.pk
    assert DossierDocument.objects.count() == 1
    assert second.file.name == first.file.name
    assert first.file.name.endswith("/000.00.12.H42-261125-0001-mau-01.pdf")
    content = first.file.open("rb").read()
    assert content.startswith(b"%PDF-")
    assert first.sha256 == hashlib.sha256(content).hexdigest()
    assert [p.name for p in media.rglob("*.pdf")] == ["000.00.12.H42-261125-0001-mau-01.pdf"]


def test_two_workers_issuing_at_once_end_with_the_first_row(walk_in, media, monkeypatch):
    # given another worker stored the form after this one checked and found nothing
    event = walk_in.events.get()
    winner = DossierDocument.objects.create(
        dossier=walk_in, kind="01", event=event, file=ContentFile(b"%PDF-winner", name="winner.pdf"), sha256="0" * 64
    )
    real_issued = documents._issued
    checks = []

    def stale_then_real(*args):
        checks.append(args)
        return None if len(checks) == 1 else real_issued(*args)

    monkeypatch.setattr(documents, "_issued", stale_then_real)

    # when this worker finishes rendering and tries to store its copy
    document = document_issue(dossier=walk_in, kind="01", event=event)

    # then the unique constraint makes it return the winner's row, and its own file is gone
    assert document.pk == winner.pk
    assert DossierDocument.objects.count() == 1
    assert [p.name for p in media.rglob("*.pdf")] == ["winner.pdf"]


def test_document_task_issues_the_form_once(walk_in, office):
    # given a supplement request
    event = act(walk_in, office, R, Action.REQUEST_SUPPLEMENT, comment="Bổ sung tờ khai")

    # when the task runs, and runs again (a redelivery)
    first = document_issue_task.apply(args=(walk_in.pk, "02", event.pk)).get()
    again = document_issue_task.apply(args=(walk_in.pk, "02", event.pk)).get()

    # then one form 02 is stored for that event
    assert first == again
    document = DossierDocument.objects.get()
    assert (document.pk, document.kind, document.event_id) == (first, "02", event.pk)
    assert (document_issue_task.queue, document_issue_task.acks_late, document_issue_task.max_retries) == (
        "documents", True, 5,
    )  # fmt: skip
    # a full disk and an object storage that does not answer are both retried
    assert document_issue_task.autoretry_for == (OSError, BotoCoreError, ClientError)


@pytest.mark.parametrize(
    ("action", "from_status", "to_status", "forms"),
    [
        ("submit", None, Status.RECEIVED, ["01"]),  # walk-in: received at the desk
        ("submit", None, Status.NEW, ["xn"]),  # online, not received: the acknowledgement, never form 01
        ("submit-by-post", None, Status.NEW, []),  # by post: waits for reception
        (Action.RECEIVE, Status.NEW, Status.RECEIVED, ["01"]),
        (Action.REQUEST_SUPPLEMENT, Status.RECEIVED, Status.SUPPLEMENT_REQUESTED, ["02"]),
        (Action.REFUSE, Status.NEW, Status.REFUSED, ["03"]),
        (Action.STOP, Status.PROCESSING, Status.STOPPED, ["05"]),
        (Action.RETURN_RESULT, Status.PROCESSED, Status.RETURNED, ["06"]),
        (Action.FORWARD, Status.RECEIVED, Status.PROCESSING, []),
        (Action.PROVIDE_SUPPLEMENT, Status.SUPPLEMENT_REQUESTED, Status.RECEIVED, []),
        (Action.WITHDRAW, Status.RECEIVED, Status.WITHDRAWN, []),
    ],
)
def test_documents_for_event(action, from_status, to_status, forms):
    channel = Channel.POST if action == "submit-by-post" else Channel.ONLINE
    action = "submit" if action == "submit-by-post" else action
    row = DossierEvent(pk=7, sequence=2, action=action, from_status=from_status, to_status=to_status, at=timezone.now())
    event = events.change_from_row(Dossier(pk=3, code="X", channel=channel), row)

    assert documents_for_event(event) == [(kind, {}) for kind in forms]


def test_the_subscriber_enqueues_forms_only_after_commit(office, monkeypatch, django_capture_on_commit_callbacks):
    # given the subscriber listening, with the queue recorded
    enqueued = []
    fake = SimpleNamespace(
        name="document_issue_task", app=EAGER, apply_async=lambda args, **options: enqueued.append(args)
    )
    monkeypatch.setattr(handlers, "document_issue_task", fake)
    # when an online dossier is received
    dossier = DossierFactory(procedure=office["procedure"], agency=office["agency"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        dossier_act(dossier_id=dossier.pk, actor=office["people"][R], action=Action.RECEIVE)
    before_commit = list(enqueued)
    for callback in callbacks:
        callback()

    # then form 01 is enqueued for the receive event, after the commit and not before
    event = dossier.events.get()
    assert before_commit == []
    assert enqueued == [(dossier.pk, "01", event.pk, {})]


def test_dossiers_due_within_one_working_day_are_the_apology_candidates(office):
    # given, on Friday 27/11 at 16:00 (one working day later is Monday 30/11 16:00), dossiers due at various times
    def dossier(code, status, due):
        return DossierFactory(
            code=code, procedure=office["procedure"], agency=office["agency"], status=status, due_at=due
        )

    monday_morning = dt.datetime(2026, 11, 30, 9, 0, tzinfo=VN)
    due_monday = dossier("A-0001", Status.PROCESSING, monday_morning)
    due_friday = dossier("A-0002", Status.RECEIVED, dt.datetime(2026, 11, 27, 16, 30, tzinfo=VN))
    dossier("A-0003", Status.PROCESSING, dt.datetime(2026, 11, 30, 16, 30, tzinfo=VN))  # later than a working day
    dossier("A-0004", Status.SUPPLEMENT_REQUESTED, monday_morning)  # the clock is stopped
    dossier("A-0005", Status.PROCESSED, monday_morning)  # done
    dossier("A-0006", Status.PROCESSING, dt.datetime(2026, 11, 27, 15, 0, tzinfo=VN))  # already late
    apologised = dossier("A-0007", Status.PROCESSING, monday_morning)
    DossierDocument.objects.create(dossier=apologised, kind="04", file="x.pdf", sha256="0" * 64)

    # when the candidates are listed
    found = dossiers_due_within_one_working_day(dt.datetime(2026, 11, 27, 16, 0, tzinfo=VN))

    # then only running dossiers due before Monday 16:00 without an apology yet are listed, soonest first
    assert list(found) == [due_friday, due_monday]


def test_tracking_register_command_writes_the_pdf(walk_in, tmp_path):
    output = tmp_path / "so-theo-doi.pdf"
    out = io.StringIO()

    call_command(
        "tracking_register", "--agency", "000.00.12.h42", "--from", "2026-11-01", "--to", "2026-11-30",
        "--output", str(output), stdout=out,
    )  # fmt: skip

    assert output.read_bytes().startswith(b"%PDF-")
    assert walk_in.code in pdf_text(output.read_bytes())
    assert out.getvalue() == (
        f"Đã ghi sổ theo dõi hồ sơ của Sở Tư pháp từ 01/11/2026 đến 30/11/2026 (1 hồ sơ) vào {output}.\n"
    )


@pytest.mark.parametrize(
    ("agency", "date_from", "date_to", "message"),
    [
        ("999.99.99.H42", "2026-11-01", "2026-11-30", "Không tìm thấy cơ quan có mã định danh “999.99.99.H42”."),
        ("000.00.12.H42", "2026-11-31", "2026-11-30", "Ngày “2026-11-31” của --from không hợp lệ: ghi theo dạng YYYY-MM-DD, ví dụ 2026-11-30."),
        ("000.00.12.H42", "2026-11-30", "2026-11-01", "Ngày bắt đầu (30/11/2026) phải trước hoặc bằng ngày kết thúc (01/11/2026)."),
    ],
    ids=["unknown-agency", "bad-date", "reversed-dates"],
)  # fmt: skip
def test_tracking_register_command_refuses_bad_input(office, tmp_path, agency, date_from, date_to, message):
    output = tmp_path / "so.pdf"

    with pytest.raises(CommandError) as error:
        call_command(
            "tracking_register", "--agency", agency, "--from", date_from, "--to", date_to, "--output", str(output)
        )

    assert str(error.value) == message
    assert not output.exists()
