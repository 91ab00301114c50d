"""The citizen's pages end to end through the Django client: start, e-form, files, submit, track,
supplement, withdraw, rate. (The browser journey in tests/browser does the same in Chromium.)"""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from accounts.constants import Role
from dossiers.attachments.selectors import attachment_components
from dossiers.constants import AttachmentRole, Status
from dossiers.models import Attachment, Dossier, DossierDraft, DossierEvent, Rating
from dossiers.services import dossier_act
from tests.factories import ComponentFactory, UserFactory
from tests.files import PDF
from tests.signing_support import sign
from workflows.constants import Action

R, S, L, C = Role.RECEPTION_OFFICER, Role.SPECIALIST, Role.LEADER, Role.CLERK


def start_draft(client, service) -> DossierDraft:
    response = client.post(
        reverse("dossiers:start", args=[service["procedure"].code]), {"agency": service["agency"].pk}
    )
    draft = DossierDraft.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("dossiers:draft_form", args=[draft.token])
    return draft


def fill_form(client, draft):
    url = reverse("dossiers:draft_form", args=[draft.token])
    client.get(url)
    step = f"eform_draftformwizard_{draft.form_version_id}_{draft.token}-current_step"
    step_1 = {
        step: "nguoi_yeu_cau",
        "nguoi_yeu_cau-ho_ten": "Nguyễn Văn An",
        "nguoi_yeu_cau-dien_thoai": "0912345678",
    }
    assert client.post(url, step_1).status_code == 302
    draft.refresh_from_db()
    assert draft.form_data == {"ho_ten": "Nguyễn Văn An", "dien_thoai": "0912345678"}  # autosaved
    assert client.post(url, {step: "noi_dung", "noi_dung-ly_do": "Đăng ký lần đầu"}).status_code == 302
    response = client.post(url, {step: "kiem-tra"})
    assert response.status_code == 302
    assert response["Location"] == reverse("dossiers:draft_files", args=[draft.token])


def upload(client, draft, component, content=PDF, name="giay-chung-sinh.pdf"):
    return client.post(
        reverse("dossiers:draft_upload", args=[draft.token]),
        {"component": component.pk, "file": SimpleUploadedFile(name, content), "next": "/"},
    )


def submit(client, draft, declaration=True):
    data = {"declaration": "on"} if declaration else {}
    return client.post(reverse("dossiers:draft_review", args=[draft.token]), data)


@pytest.fixture
def submitted(client, service):
    client.force_login(service["citizen"])
    draft = start_draft(client, service)
    fill_form(client, draft)
    upload(client, draft, service["component"])
    response = submit(client, draft)
    dossier = Dossier.objects.get()
    assert response["Location"] == reverse("dossiers:my_dossier_submitted", args=[dossier.code])
    return dossier


def officer(service, role):
    return service["people"][role]


def test_the_whole_filing_creates_one_dossier_with_its_answers_files_and_receipt(client, submitted, service):
    # then the dossier holds the clean answers, the file, status 1 and the first event
    assert submitted.status == Status.NEW
    assert submitted.form_data == {"ho_ten": "Nguyễn Văn An", "dien_thoai": "0912345678", "ly_do": "Đăng ký lần đầu"}
    assert submitted.applicant == service["citizen"]
    assert submitted.applicant_phone == "0912345678"
    assert list(submitted.attachments.values_list("name", "role")) == [("giay-chung-sinh.pdf", AttachmentRole.FILED)]
    assert list(submitted.events.values_list("action", flat=True)) == ["submit"]
    # and the confirmation shows the code, the receipt is a real PDF naming it
    page = client.get(reverse("dossiers:my_dossier_submitted", args=[submitted.code])).content.decode()
    assert submitted.code in page
    assert "Tải giấy xác nhận nộp hồ sơ trực tuyến (PDF)" in page
    # nobody has received it yet: an acknowledgement that says so, and no form 01
    ack = client.get(reverse("dossiers:my_dossier_document", args=[submitted.code, "xn"]))
    text = " ".join(PdfReader(io.BytesIO(b"".join(ack.streaming_content))).pages[0].extract_text().split())
    assert submitted.code in text
    assert "GIẤY XÁC NHẬN NỘP HỒ SƠ TRỰC TUYẾN" in text
    assert "Hồ sơ đang chờ tiếp nhận." in text
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" not in text
    assert client.get(reverse("dossiers:my_dossier_document", args=[submitted.code, "01"])).status_code == 404


def test_a_double_submit_makes_one_dossier(client, submitted, service):
    draft = DossierDraft.objects.get()

    again = submit(client, draft)

    assert Dossier.objects.count() == 1
    assert again.status_code == 302
    assert again["Location"] == reverse("dossiers:my_dossier", args=[submitted.code])


def test_without_the_declaration_nothing_is_submitted(client, service):
    client.force_login(service["citizen"])
    draft = start_draft(client, service)
    fill_form(client, draft)
    upload(client, draft, service["component"])

    response = submit(client, draft, declaration=False)

    assert response.status_code == 400
    assert "Vui lòng đánh dấu vào ô cam đoan" in response.content.decode()
    assert Dossier.objects.count() == 0


def test_a_missing_required_document_is_named_and_nothing_is_submitted(client, service):
    client.force_login(service["citizen"])
    draft = start_draft(client, service)
    fill_form(client, draft)

    response = submit(client, draft)

    assert response.status_code == 400
    assert "Chưa đính kèm: Giấy chứng sinh." in response.content.decode()
    assert Dossier.objects.count() == 0


def test_my_dossiers_lists_drafts_and_dossiers(client, submitted, service):
    other = DossierDraft.objects.create(owner=service["citizen"], procedure=service["procedure"])

    page = client.get(reverse("dossiers:my_dossiers")).content.decode()

    assert submitted.code in page
    assert reverse("dossiers:draft_form", args=[other.token]) in page
    assert "Mới đăng ký" in page


def test_another_citizen_sees_nothing(client, submitted, service):
    draft = DossierDraft.objects.get()
    client.force_login(UserFactory(role=Role.CITIZEN))

    for url in (
        reverse("dossiers:my_dossier", args=[submitted.code]),
        reverse("dossiers:my_dossier_document", args=[submitted.code, "xn"]),
        reverse("dossiers:draft_form", args=[draft.token]),
        reverse("dossiers:draft_review", args=[draft.token]),
        reverse("dossiers:attachment_download", args=[submitted.attachments.get().uuid]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("dossiers:my_dossier_withdraw", args=[submitted.code]), {}).status_code == 404


def test_officers_cannot_use_the_citizen_pages(client, service):
    client.force_login(officer(service, R))

    response = client.post(
        reverse("dossiers:start", args=[service["procedure"].code]), {"agency": service["agency"].pk}
    )

    assert response.status_code == 403
    assert DossierDraft.objects.count() == 0


def test_the_timeline_names_the_agency_and_the_officer(client, submitted, service):
    dossier_act(dossier_id=submitted.pk, actor=officer(service, R), action=Action.RECEIVE)

    page = client.get(reverse("dossiers:my_dossier", args=[submitted.code])).content.decode()

    assert "Được tiếp nhận" in page
    assert "Sở Tư pháp" in page
    assert "Cán bộ reception_officer" in page


def test_a_supplement_request_is_answered_with_files_and_the_clock_resumes(client, submitted, service):
    # given the officer asks for more
    dossier_act(
        dossier_id=submitted.pk, actor=officer(service, R), action=Action.REQUEST_SUPPLEMENT,
        comment="Bổ sung bản sao giấy chứng sinh có chứng thực",
    )  # fmt: skip
    page = client.get(reverse("dossiers:my_dossier", args=[submitted.code])).content.decode()
    assert "Bổ sung bản sao giấy chứng sinh có chứng thực" in page
    url = reverse("dossiers:my_dossier_supplement", args=[submitted.code])

    # when the citizen sends without a file, nothing moves
    client.post(url, {"note": "", "idempotency_key": "k1"})
    submitted.refresh_from_db()
    assert submitted.status == Status.SUPPLEMENT_REQUESTED

    # when they upload a file against the request and send it
    client.post(
        reverse("dossiers:supplement_upload", args=[submitted.code]),
        {"component": service["component"].pk, "file": SimpleUploadedFile("ban-sao.pdf", PDF), "next": "/"},
    )
    client.post(url, {"note": "Đã bổ sung", "idempotency_key": "k2"})
    client.post(url, {"note": "Đã bổ sung", "idempotency_key": "k2"})  # a double click

    # then the dossier is back with the officer, the pause closed, one event
    submitted.refresh_from_db()
    assert submitted.status == Status.NEW
    assert submitted.pauses.get().ended_at is not None
    assert submitted.events.filter(action=Action.PROVIDE_SUPPLEMENT).count() == 1
    supplement = Attachment.objects.get(role=AttachmentRole.SUPPLEMENT)
    assert supplement.dossier == submitted


def test_withdraw_needs_a_reason(client, submitted):
    url = reverse("dossiers:my_dossier_withdraw", args=[submitted.code])

    client.post(url, {"reason": "", "idempotency_key": "w1"})
    submitted.refresh_from_db()
    assert submitted.status == Status.NEW

    client.post(url, {"reason": "Tôi nộp nhầm thủ tục", "idempotency_key": "w2"})
    submitted.refresh_from_db()
    assert submitted.status == Status.WITHDRAWN
    assert submitted.events.last().comment == "Tôi nộp nhầm thủ tục"


def returned(submitted, service):
    # an electronic result is returned with its file (dossiers.services refuses it otherwise)
    Attachment.objects.create(
        dossier=submitted, role=AttachmentRole.RESULT, uploaded_by=officer(service, R), name="ket-qua.pdf",
        file=SimpleUploadedFile("kq.pdf", PDF), content_type="application/pdf", size=len(PDF), sha256="cd" * 32,
    )  # fmt: skip
    for role, action, to_step in (
        (R, Action.RECEIVE, None),
        (R, Action.FORWARD, "tham_dinh"),
        (S, Action.FORWARD, "phe_duyet"),
        (L, Action.APPROVE, "van_thu"),
        (C, Action.NUMBER_DISPATCH, "tra_ket_qua"),
        (R, Action.RETURN_RESULT, None),
    ):
        if action == Action.RETURN_RESULT:  # the electronic result the citizen chose: signed first
            sign(submitted)
        dossier_act(dossier_id=submitted.pk, actor=officer(service, role), action=action, to_step=to_step)
    submitted.refresh_from_db()
    return submitted


def test_rating_comes_after_the_result_and_only_once(client, submitted, service):
    url = reverse("dossiers:my_dossier_rate", args=[submitted.code])
    client.post(url, {"score": "5"})
    assert Rating.objects.count() == 0  # no result yet

    returned(submitted, service)
    client.post(url, {"score": "4", "comment": "Nhanh, cán bộ hướng dẫn tận tình"})
    client.post(url, {"score": "1"})

    assert list(Rating.objects.values_list("score", "comment")) == [(4, "Nhanh, cán bộ hướng dẫn tận tình")]
    page = client.get(reverse("dossiers:my_dossier", args=[submitted.code])).content.decode()
    assert "Bạn đã đánh giá 4/5" in page


def test_a_score_outside_one_to_five_is_refused(client, submitted, service):
    returned(submitted, service)

    client.post(reverse("dossiers:my_dossier_rate", args=[submitted.code]), {"score": "9"})

    assert Rating.objects.count() == 0


def test_the_result_reaches_the_citizen_and_their_store(client, submitted, service):
    # given the officer attaches the electronic result before returning it
    reception = officer(service, R)
    dossier_act(dossier_id=submitted.pk, actor=reception, action=Action.RECEIVE)
    Attachment.objects.create(
        dossier=submitted, role=AttachmentRole.RESULT, uploaded_by=reception, name="giay-khai-sinh.pdf",
        file=SimpleUploadedFile("x.pdf", PDF), content_type="application/pdf", size=len(PDF), sha256="ab" * 32,
    )  # fmt: skip
    for role, action, to_step in (
        (R, Action.FORWARD, "tham_dinh"), (S, Action.FORWARD, "phe_duyet"), (L, Action.APPROVE, "van_thu"),
        (C, Action.NUMBER_DISPATCH, "tra_ket_qua"), (R, Action.RETURN_RESULT, None),
    ):  # fmt: skip
        if action == Action.RETURN_RESULT:  # the electronic result the citizen chose: signed first
            sign(submitted)
        dossier_act(dossier_id=submitted.pk, actor=officer(service, role), action=action, to_step=to_step)

    page = client.get(reverse("dossiers:my_dossier", args=[submitted.code])).content.decode()

    assert "Kết quả giải quyết" in page
    assert "giay-khai-sinh.pdf" in page
    assert service["citizen"].documents.filter(kind="result", name="giay-khai-sinh.pdf").exists()


def test_a_procedure_offered_for_information_only_cannot_be_started(client, service):
    procedure = service["procedure"]
    procedure.online_level = "information"
    procedure.save()
    client.force_login(service["citizen"])

    response = client.post(reverse("dossiers:start", args=[procedure.code]), {"agency": service["agency"].pk})

    assert response.status_code == 404
    assert DossierDraft.objects.count() == 0


def test_nothing_of_the_submission_is_lost_when_the_event_log_refuses(client, service, monkeypatch):
    # given a failure inside the submission's transaction (after the dossier row was written)
    client.force_login(service["citizen"])
    draft = start_draft(client, service)
    fill_form(client, draft)
    upload(client, draft, service["component"])

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("dossiers.drafts.services.payment_attach_to_dossier", broken)
    with pytest.raises(RuntimeError):
        submit(client, draft)

    # then no dossier, no event, and the draft keeps its answers and file for the next try
    assert Dossier.objects.count() == 0
    assert DossierEvent.objects.count() == 0
    draft.refresh_from_db()
    assert draft.dossier is None
    assert json.dumps(draft.form_data, ensure_ascii=False).count("Nguyễn Văn An") == 1
    assert draft.attachments.count() == 1


def page_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_citizen_pages_cost_the_same_queries_however_long_the_history(client, submitted, service):
    # given the dossier's pages once received, then after more history, files and a new draft
    dossier_act(dossier_id=submitted.pk, actor=officer(service, R), action=Action.RECEIVE)
    detail = reverse("dossiers:my_dossier", args=[submitted.code])
    listing = reverse("dossiers:my_dossiers")
    before = (page_queries(client, detail), page_queries(client, listing))
    dossier_act(dossier_id=submitted.pk, actor=officer(service, R), action=Action.FORWARD, to_step="tham_dinh")
    for n in range(3):
        Attachment.objects.create(
            dossier=submitted, role=AttachmentRole.FILED, uploaded_by=service["citizen"], name=f"them-{n}.pdf",
            file=SimpleUploadedFile("x.pdf", PDF), content_type="application/pdf", size=len(PDF), sha256="ab" * 32,
        )  # fmt: skip
    draft = start_draft_again(client, service)

    # then neither page asks the database more often
    assert (page_queries(client, detail), page_queries(client, listing)) == before
    assert draft is not None


def start_draft_again(client, service):
    client.post(reverse("dossiers:start", args=[service["procedure"].code]), {"agency": service["agency"].pk})
    return DossierDraft.objects.filter(dossier__isnull=True).first()


def _component_box(page: str, component) -> str:
    start = page.index(f'aria-labelledby="component-{component.pk}-title"')
    return page[start : page.index("</section>", start)]


def test_the_application_form_filled_by_the_eform_is_not_marked_required(client, service):
    """Issue 20: the "Giấy tờ" step said the e-form's application form need not be uploaded,
    yet marked it "Bắt buộc". One message now, and submitting does not ask for it."""
    # given a procedure whose required application form has a template, filled online
    application = ComponentFactory(
        procedure=service["procedure"], name="Tờ khai đăng ký", required=True, template_name="Mẫu tờ khai", order=0
    )
    client.force_login(service["citizen"])
    draft = start_draft(client, service)
    fill_form(client, draft)

    # when the citizen opens the documents step
    page = client.get(reverse("dossiers:draft_files", args=[draft.token])).content.decode()

    # then the application form says it is in the e-form, not "Bắt buộc"; the birth certificate still is
    form_box, other_box = _component_box(page, application), _component_box(page, service["component"])
    assert "Đã có trong tờ khai điện tử" in form_box
    assert "không cần tải lên" in form_box
    assert "Bắt buộc" not in form_box
    assert "Bắt buộc" in other_box
    assert "Đã có trong tờ khai điện tử" not in other_box
    # and uploading only the birth certificate is enough to submit
    upload(client, draft, service["component"])
    assert submit(client, draft).status_code == 302
    assert Dossier.objects.count() == 1


def test_without_an_eform_the_application_form_must_be_uploaded(service):
    # given a draft with no e-form version (the procedure's form not used) and a templated component
    application = ComponentFactory(procedure=service["procedure"], name="Tờ khai", required=True, template_name="Mẫu")
    draft = DossierDraft.objects.create(owner=service["citizen"], procedure=service["procedure"])

    # when
    boxes = {box.component: box for box in attachment_components(user=service["citizen"], draft=draft)}

    # then it is an upload like any other
    assert (boxes[application].required, boxes[application].by_eform) == (True, False)
