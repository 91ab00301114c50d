from pathlib import Path

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.messages import get_messages
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from dossiers.attachments import attachment_add, attachments_move_to_dossier
from dossiers.attachments.selectors import attachment_components
from dossiers.constants import Channel
from dossiers.models import Attachment, DossierDraft, StoredDocument
from dossiers.services import dossier_act, dossier_submit
from tests.factories import AgencyFactory, ComponentFactory, UserFactory
from tests.files import PDF
from workflows.constants import Action

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 100


def upload(name, content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def citizen(office):
    return office["people"]["citizen"]


@pytest.fixture
def component(office):
    return ComponentFactory(procedure=office["procedure"], name="Tờ khai đăng ký", reusable=True)


@pytest.fixture
def draft(office, citizen):
    return DossierDraft.objects.create(owner=citizen, procedure=office["procedure"], agency=office["agency"])


@pytest.fixture
def dossier_with_file(office, draft, citizen, component):
    attachment_add(owner_user=citizen, draft=draft, component=component, upload=upload("Giấy khai sinh.pdf"))
    dossier = dossier_submit(
        procedure=office["procedure"], agency=office["agency"], channel=Channel.ONLINE, applicant=citizen,
        applicant_name="Nguyễn Văn An",
    )  # fmt: skip
    attachments_move_to_dossier(draft=draft, dossier=dossier)
    return dossier


def test_upload_without_javascript_redirects_back_to_a_local_next(client, draft, citizen, component):
    # given
    client.force_login(citizen)
    url = reverse("dossiers:draft_upload", args=[draft.token])

    # when the plain form is posted
    response = client.post(
        url, {"component": component.pk, "file": upload("tờ khai.pdf"), "next": "/ho-so-cua-toi/nhap/?buoc=2"}
    )

    # then back to the page, with a message, and the file on the draft
    assert response.status_code == 302
    assert response["Location"] == "/ho-so-cua-toi/nhap/?buoc=2"
    attachment = draft.attachments.get()
    assert (attachment.name, attachment.component) == ("tờ khai.pdf", component)
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Đã tải lên tệp “tờ khai.pdf”."]


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"])
def test_upload_never_redirects_off_site(client, draft, citizen, component, next_url):
    client.force_login(citizen)

    response = client.post(
        reverse("dossiers:draft_upload", args=[draft.token]),
        {"component": component.pk, "file": upload("a.pdf"), "next": next_url},
    )

    assert (response.status_code, response["Location"]) == (302, reverse("home"))


def test_upload_answers_json_for_the_progress_bar(client, draft, citizen, component):
    # given
    client.force_login(citizen)

    # when the script posts with Accept: application/json
    response = client.post(
        reverse("dossiers:draft_upload", args=[draft.token]),
        {"component": component.pk, "file": upload("../giay to.pdf")},
        headers={"accept": "application/json"},
    )

    # then
    assert response.status_code == 201
    body = response.json()
    attachment = Attachment.objects.get()
    assert body["message"] == "Đã tải lên tệp “giay to.pdf”."
    assert {k: v for k, v in body["attachment"].items() if k != "html"} == {
        "uuid": str(attachment.uuid),
        "name": "giay to.pdf",
        "size": len(PDF),
        "size_text": "1 KB",
        "content_type": "application/pdf",
        "reused": False,
        "digitised": False,
        "scan_state": "clean",
        "download_url": f"/tep-dinh-kem/{attachment.uuid}/",
        "remove_url": f"/tep-dinh-kem/{attachment.uuid}/xoa/",
    }
    assert f'data-attachment="{attachment.uuid}"' in body["attachment"]["html"]


def test_a_refused_file_answers_json_with_the_reason_and_stores_nothing(client, draft, citizen, component, media):
    client.force_login(citizen)

    response = client.post(
        reverse("dossiers:draft_upload", args=[draft.token]),
        {"component": component.pk, "file": upload("setup.pdf", EXE)},
        headers={"accept": "application/json"},
    )

    assert response.status_code == 400
    assert response.json() == {"error": "Tệp “setup.pdf” không phải là PDF, JPEG hoặc PNG (nội dung tệp không khớp)."}
    assert Attachment.objects.count() == 0
    assert [p for p in Path(media).rglob("*") if p.is_file()] == []


def test_a_request_body_over_the_limit_gets_a_vietnamese_page_not_a_500(client, settings, draft, citizen, component):
    # given a limit of 1 MB per request
    settings.UPLOAD_MAX_REQUEST_MB = 1
    client.force_login(citizen)

    # when 2 MB are sent
    response = client.post(
        reverse("dossiers:draft_upload", args=[draft.token]),
        {"component": component.pk, "file": upload("lon.pdf", PDF + b"0" * 2 * 1024 * 1024)},
    )

    # then
    assert response.status_code == 413
    text = response.content.decode()
    assert "Tệp quá lớn" in text
    assert "vượt quá 1 MB cho phép trong một lần tải" in text
    assert Attachment.objects.count() == 0


def test_another_citizens_draft_and_files_are_not_found(client, draft, citizen, component, dossier_with_file):
    # given a stranger, logged in
    stranger = UserFactory()
    client.force_login(stranger)
    attachment = dossier_with_file.attachments.get()
    stored = StoredDocument.objects.get()

    # when / then: uploading to the draft, downloading the file or the stored document, removing it: 404
    assert (
        client.post(
            reverse("dossiers:draft_upload", args=[draft.token]), {"component": component.pk, "file": upload("x.pdf")}
        ).status_code
        == 404
    )
    assert client.get(reverse("dossiers:attachment_download", args=[attachment.uuid])).status_code == 404
    assert client.get(reverse("dossiers:stored_document_download", args=[stored.uuid])).status_code == 404
    assert client.post(reverse("dossiers:attachment_remove", args=[attachment.uuid])).status_code == 404
    assert Attachment.objects.count() == 1


def test_reusing_another_citizens_stored_document_is_not_found(client, office, citizen, component):
    # given a stranger's stored document and the citizen's draft
    stranger = UserFactory()
    theirs_draft = DossierDraft.objects.create(owner=stranger, procedure=office["procedure"])
    attachment_add(owner_user=stranger, draft=theirs_draft, component=component, upload=upload("cccd.pdf"))
    theirs = StoredDocument.objects.get()
    draft = DossierDraft.objects.create(owner=citizen, procedure=office["procedure"])
    client.force_login(citizen)

    # when
    response = client.post(
        reverse("dossiers:draft_reuse", args=[draft.token]), {"component": component.pk, "document": theirs.uuid}
    )

    # then
    assert response.status_code == 404
    assert draft.attachments.count() == 0


def test_reuse_from_the_store_with_one_click(client, office, citizen, component):
    # given a document in the citizen's store and a new draft
    earlier = DossierDraft.objects.create(owner=citizen, procedure=office["procedure"])
    attachment_add(owner_user=citizen, draft=earlier, component=component, upload=upload("cccd.pdf"))
    stored = StoredDocument.objects.get()
    draft = DossierDraft.objects.create(owner=citizen, procedure=office["procedure"])
    client.force_login(citizen)

    # when
    response = client.post(
        reverse("dossiers:draft_reuse", args=[draft.token]),
        {"component": component.pk, "document": stored.uuid, "next": "/nhap/"},
    )

    # then
    assert (response.status_code, response["Location"]) == (302, "/nhap/")
    assert draft.attachments.get().reused_from == stored


def test_the_owner_downloads_inline_with_a_vietnamese_file_name(client, citizen, dossier_with_file):
    client.force_login(citizen)
    attachment = dossier_with_file.attachments.get()

    response = client.get(reverse("dossiers:attachment_download", args=[attachment.uuid]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == "inline; filename*=utf-8''Gi%E1%BA%A5y%20khai%20sinh.pdf"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_officers_in_scope_see_files_and_others_get_404(client, office, dossier_with_file):
    attachment = dossier_with_file.attachments.get()
    url = reverse("dossiers:attachment_download", args=[attachment.uuid])
    elsewhere = UserFactory(role="reception_officer", agencies=[AgencyFactory(code="000.00.99.H42")])

    client.force_login(elsewhere)
    assert client.get(url).status_code == 404
    client.force_login(office["people"]["specialist"])
    assert client.get(url).status_code == 200


def test_media_is_never_served_directly(client, citizen, dossier_with_file):
    client.force_login(citizen)
    attachment = dossier_with_file.attachments.get()

    assert client.get(f"/media/{attachment.file.name}").status_code == 404


def test_an_officer_scans_at_the_desk_from_the_dossier_page(client, office, dossier_with_file, component):
    # given the reception officer on the dossier page
    officer = office["people"]["reception_officer"]
    client.force_login(officer)
    page = client.get(reverse("dossiers:detail", args=[dossier_with_file.code])).content.decode()
    assert reverse("dossiers:officer_upload", args=[dossier_with_file.code]) in page
    assert "Giấy khai sinh.pdf" in page

    # when a scan is uploaded
    response = client.post(
        reverse("dossiers:officer_upload", args=[dossier_with_file.code]),
        {"kind": "digitised", "component": component.pk, "file": upload("scan-cccd.pdf", PDF + b"scan")},
    )

    # then it is on the dossier, digitised, audited; back on the page
    assert response.status_code == 302
    assert response["Location"] == reverse("dossiers:detail", args=[dossier_with_file.code]) + "#files-title"
    scan = dossier_with_file.attachments.get(name="scan-cccd.pdf")
    assert (scan.digitised, scan.uploaded_by, scan.role) == (True, officer, "filed")
    assert LogEntry.objects.get().object_id == str(scan.pk)


def test_an_officer_of_another_agency_cannot_upload(client, dossier_with_file):
    client.force_login(UserFactory(role="reception_officer", agencies=[AgencyFactory(code="000.00.98.H42")]))

    response = client.post(
        reverse("dossiers:officer_upload", args=[dossier_with_file.code]),
        {"kind": "result", "file": upload("kq.pdf")},
    )

    assert response.status_code == 404
    assert dossier_with_file.attachments.count() == 1


def test_the_component_list_costs_three_queries_and_shows_the_store(
    django_assert_num_queries, office, draft, citizen, component
):
    # given three components, files on two, and four documents in the store
    other = ComponentFactory(procedure=office["procedure"], name="Bản sao CCCD", reusable=True)
    ComponentFactory(procedure=office["procedure"], name="Ảnh 4x6", allowed_types="jpeg,png")
    earlier = DossierDraft.objects.create(owner=citizen, procedure=office["procedure"])
    attachment_add(owner_user=citizen, draft=earlier, component=component, upload=upload("cu.pdf", PDF + b"1"))
    attachment_add(owner_user=citizen, draft=earlier, component=component, upload=upload("cu2.pdf", PDF + b"2"))
    attachment_add(owner_user=citizen, draft=draft, component=component, upload=upload("moi.pdf"))
    attachment_add(owner_user=citizen, draft=draft, component=other, upload=upload("cccd.pdf", PDF + b"3"))
    request = RequestFactory().get("/nhap/")
    request.user = citizen

    # when the boxes are read and rendered
    with django_assert_num_queries(3):
        boxes = attachment_components(user=citizen, draft=draft)
        html = render_to_string(
            "dossiers/files/component_list.html",
            {"components": boxes, "draft": draft, "next_url": "/nhap/"},
            request=request,
        )

    # then
    assert [(b.name, b.required, b.types_text, [a.name for a in b.attachments]) for b in boxes] == [
        ("Tờ khai đăng ký", True, "PDF, JPEG hoặc PNG", ["moi.pdf"]),
        ("Bản sao CCCD", True, "PDF, JPEG hoặc PNG", ["cccd.pdf"]),
        ("Ảnh 4x6", True, "JPEG hoặc PNG", []),
    ]
    assert [d.name for d in boxes[0].stored_documents] == ["cccd.pdf", "cu2.pdf", "cu.pdf"]
    assert [d.name for d in boxes[1].stored_documents] == ["moi.pdf", "cu2.pdf", "cu.pdf"]
    assert boxes[2].stored_documents == []  # not reusable
    assert html.count("Chọn từ kho dữ liệu") == 2
    assert 'accept=".jpg,.jpeg,.jpe,.png,image/jpeg,image/png"' in html


def test_a_10_mb_scan_goes_through_the_real_upload_path(client, draft, citizen, component):
    # given a PDF just under the component's 10 MB (spooled to a temporary file, not memory)
    client.force_login(citizen)
    content = PDF + b"0" * (10 * 1024 * 1024 - len(PDF) - 1)

    # when
    response = client.post(
        reverse("dossiers:draft_upload", args=[draft.token]),
        {"component": component.pk, "file": upload("ban-scan.pdf", content)},
        headers={"accept": "application/json"},
    )

    # then
    assert response.status_code == 201
    assert Path(draft.attachments.get().file.path).stat().st_size == 10 * 1024 * 1024 - 1


@pytest.fixture
def supplement_requested(office, citizen):
    people = office["people"]
    dossier = dossier_submit(
        procedure=office["procedure"], agency=office["agency"], channel=Channel.DIRECT, applicant=citizen,
        applicant_name="Nguyễn Văn An", actor=people["reception_officer"],
    )  # fmt: skip
    dossier_act(dossier_id=dossier.pk, actor=people["reception_officer"], action=Action.FORWARD)
    dossier_act(
        dossier_id=dossier.pk, actor=people["specialist"], action=Action.REQUEST_SUPPLEMENT, comment="Bổ sung CCCD"
    )
    return dossier


def test_the_applicant_answers_a_supplement_request_and_may_remove_until_sent(
    client, office, citizen, component, supplement_requested
):
    # given the applicant on the supplement page
    client.force_login(citizen)
    request_event = supplement_requested.events.get(action=Action.REQUEST_SUPPLEMENT)
    url = reverse("dossiers:supplement_upload", args=[supplement_requested.code])

    # when two files are sent against the request and one is taken back
    client.post(url, {"component": component.pk, "file": upload("cccd.pdf"), "next": "/bo-sung/"})
    client.post(url, {"component": "", "file": upload("nham.pdf", PDF + b"x"), "next": "/bo-sung/"})
    wrong = supplement_requested.attachments.get(name="nham.pdf")
    removed = client.post(reverse("dossiers:attachment_remove", args=[wrong.uuid]), {"next": "/bo-sung/"})

    # then one supplement file remains, tied to the request, and the removal redirected back
    assert removed["Location"] == "/bo-sung/"
    kept = supplement_requested.attachments.get()
    assert (kept.name, kept.role, kept.event, kept.component) == ("cccd.pdf", "supplement", request_event, component)

    # and once the supplement is sent, the file is part of the record
    dossier_act(dossier_id=supplement_requested.pk, actor=citizen, action=Action.PROVIDE_SUPPLEMENT)
    refused = client.post(
        reverse("dossiers:attachment_remove", args=[kept.uuid]), headers={"accept": "application/json"}
    )
    assert refused.status_code == 409
    assert refused.json() == {"error": "Không thể thay đổi tệp “cccd.pdf”: tệp đã thuộc hồ sơ được nộp."}
    late = client.post(url, {"component": component.pk, "file": upload("muon.pdf", PDF + b"y")})
    assert late.status_code == 302
    assert list(supplement_requested.attachments.values_list("name", flat=True)) == ["cccd.pdf"]


def test_the_supplement_component_list_has_an_other_documents_box(office, citizen, component, supplement_requested):
    request_event = supplement_requested.events.get(action=Action.REQUEST_SUPPLEMENT)

    boxes = attachment_components(user=citizen, dossier=supplement_requested, supplement_event=request_event)

    assert [(b.name, b.reusable) for b in boxes] == [("Tờ khai đăng ký", False), ("Giấy tờ khác", False)]


def session_for(user):
    """A logged-in session key for a browser cookie (the login page is not what is tested here)."""
    session = SessionStore()
    session[SESSION_KEY], session[BACKEND_SESSION_KEY] = str(user.pk), "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return session.session_key


def test_my_document_store_lists_only_my_documents_in_constant_queries(
    client, django_assert_num_queries, office, citizen, component
):
    # given three of my documents and a stranger's
    draft = DossierDraft.objects.create(owner=citizen, procedure=office["procedure"])
    for n in range(3):
        attachment_add(
            owner_user=citizen, draft=draft, component=component, upload=upload(f"giay-{n}.pdf", PDF + b"%d" % n)
        )
    stranger = UserFactory()
    theirs = DossierDraft.objects.create(owner=stranger, procedure=office["procedure"])
    attachment_add(owner_user=stranger, draft=theirs, component=component, upload=upload("cua-nguoi-khac.pdf"))
    client.force_login(citizen)

    # when (session, user, documents)
    with django_assert_num_queries(3):
        page = client.get(reverse("dossiers:stored_document_list")).content.decode()

    # then
    assert page.count("giay-") == 3
    assert "cua-nguoi-khac.pdf" not in page
    assert "Kho dữ liệu của tôi" in page
