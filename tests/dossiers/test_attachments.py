import hashlib
import io
import threading
import zipfile
from pathlib import Path

import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import close_old_connections, connection
from PIL import Image

from common.errors import DomainError
from dossiers.attachments import (
    attachment_add,
    attachment_check_complete,
    attachment_remove,
    attachment_reuse,
    attachments_move_to_dossier,
    sanitise_name,
    size_text,
)
from dossiers.constants import AttachmentRole, Channel, StoredDocumentKind
from dossiers.exceptions import (
    AttachmentLocked,
    ComponentNotReusable,
    DossierFilesTooLarge,
    DossierNotFound,
    FileHeicRefused,
    FileTooLarge,
    FileTypeRefused,
    StoredDocumentNotFound,
)
from dossiers.models import Attachment, DossierDraft, StoredDocument
from dossiers.services import dossier_act, dossier_submit
from tests.factories import ComponentFactory, UserFactory
from tests.files import HEIC, JPEG, PDF, PNG
from tests.signing_support import PAPER_READY
from workflows.constants import Action

MB = 1024 * 1024
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 100


def ooxml(folder):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}/document.xml", "<w/>")
    return buffer.getvalue()


def upload(name, content, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def files_on_disk(root):
    return sorted(str(p.relative_to(root)) for p in Path(root).rglob("*") if p.is_file())


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def citizen(office):
    return office["people"]["citizen"]


@pytest.fixture
def draft(office, citizen):
    return DossierDraft.objects.create(owner=citizen, procedure=office["procedure"], agency=office["agency"])


@pytest.fixture
def component(office):
    return ComponentFactory(procedure=office["procedure"], name="Tờ khai đăng ký", reusable=True)


def test_an_exe_renamed_to_pdf_is_refused_and_nothing_is_stored(draft, citizen, component, media):
    # given a Windows program named like a PDF, sent with the PDF content type
    exe = upload("to-khai.pdf", EXE)

    # when the citizen attaches it
    with pytest.raises(FileTypeRefused) as refused:
        attachment_add(owner_user=citizen, draft=draft, component=component, upload=exe)

    # then it is refused by its content, and no row, stored document or file exists
    assert str(refused.value) == "Tệp “to-khai.pdf” không phải là PDF, JPEG hoặc PNG (nội dung tệp không khớp)."
    assert Attachment.objects.count() == 0
    assert StoredDocument.objects.count() == 0
    assert files_on_disk(media) == []


def test_an_11_mb_file_is_refused(draft, citizen, component, media):
    # given a real PDF of 11 MB (the component takes 10 MB)
    big = upload("ban-scan.pdf", PDF + b"0" * (11 * MB - len(PDF)))

    # when
    with pytest.raises(FileTooLarge) as refused:
        attachment_add(owner_user=citizen, draft=draft, component=component, upload=big)

    # then
    assert str(refused.value) == "Tệp “ban-scan.pdf” có dung lượng 11 MB, vượt quá 10 MB cho phép."
    assert Attachment.objects.count() == 0
    assert files_on_disk(media) == []


def test_a_path_traversal_name_is_stored_safely_under_our_own_name(draft, citizen, component, media):
    # when a file named to climb out of the media folder is attached
    attachment = attachment_add(
        owner_user=citizen, draft=draft, component=component, upload=upload("../../etc/passwd.pdf", PDF)
    )

    # then the name is cut to its last part and the file lives under attachments/ as our UUID
    assert attachment.name == "passwd.pdf"
    stored = Path(attachment.file.path).resolve()
    assert stored.is_relative_to((Path(media) / "attachments").resolve())
    assert stored.name == str(attachment.uuid)
    assert stored.read_bytes() == PDF
    assert attachment.content_type == "application/pdf"
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\An\\Giấy khai sinh.pdf", "Giấy khai sinh.pdf"),
        ("..", "tep-dinh-kem.pdf"),
        ("ảnh\x00\x1b[31m đỏ.jpg", "ảnh[31m đỏ.pdf"),
        (".htaccess", "htaccess.pdf"),
        ("Quyết định", "Quyết định.pdf"),
        ("bang-ke.xlsx", "bang-ke.pdf"),
        ("a" * 300 + ".pdf", "a" * 146 + ".pdf"),
    ],
)
def test_names_are_sanitised_keeping_vietnamese_letters(raw, expected):
    from dossiers.attachments.content import KINDS

    assert sanitise_name(raw, kind=KINDS["pdf"]) == expected


def test_decomposed_vietnamese_is_normalised_to_composed_letters():
    # macOS sends "ờ" as "o" + combining marks
    assert sanitise_name("To\u031b\u0300 khai.pdf") == "Tờ khai.pdf"


@pytest.mark.parametrize(
    ("size", "text"), [(1, "1 KB"), (350 * 1024, "350 KB"), (11 * MB, "11 MB"), (10 * MB + 1, "10,1 MB")]
)
def test_sizes_are_written_the_vietnamese_way(size, text):
    assert size_text(size) == text


def test_the_dossier_total_is_limited(settings, draft, citizen, office):
    # given a limit of 1 MB per dossier and a first file of 600 KB
    settings.DOSSIER_MAX_TOTAL_MB = 1
    first = ComponentFactory(procedure=office["procedure"], name="Tờ khai")
    second = ComponentFactory(procedure=office["procedure"], name="Bản sao")
    attachment_add(owner_user=citizen, draft=draft, component=first, upload=upload("a.pdf", PDF + b"1" * 600 * 1024))

    # when a second file of 600 KB is added
    with pytest.raises(DossierFilesTooLarge) as refused:
        attachment_add(
            owner_user=citizen, draft=draft, component=second, upload=upload("b.pdf", PDF + b"2" * 600 * 1024)
        )

    # then
    assert str(refused.value) == (
        "Không thể thêm tệp “b.pdf”: tổng dung lượng các tệp của hồ sơ sẽ là 1,2 MB, vượt quá 1 MB cho phép."
    )
    assert list(draft.attachments.values_list("name", flat=True)) == ["a.pdf"]


def test_office_documents_are_recognised_from_the_zip_directory(draft, citizen, office):
    # given a component taking Word files, and one taking the defaults
    word = ComponentFactory(procedure=office["procedure"], name="Bản thuyết minh", allowed_types="pdf,docx")
    default = ComponentFactory(procedure=office["procedure"], name="Tờ khai")

    # when
    accepted = attachment_add(owner_user=citizen, draft=draft, component=word, upload=upload("tm", ooxml("word")))
    with pytest.raises(FileTypeRefused) as excel:
        attachment_add(owner_user=citizen, draft=draft, component=word, upload=upload("bang.docx", ooxml("xl")))
    with pytest.raises(FileTypeRefused) as plain_zip:
        attachment_add(owner_user=citizen, draft=draft, component=default, upload=upload("x.docx", ooxml("word")))

    # then
    assert (accepted.name, accepted.content_type) == (
        "tm.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    assert str(excel.value) == "Tệp “bang.docx” không phải là PDF hoặc Word (DOCX) (nội dung tệp không khớp)."
    assert "không phải là PDF, JPEG hoặc PNG" in str(plain_zip.value)
    assert draft.attachments.count() == 1


def test_phone_photos_jpeg_and_png_are_accepted_and_heic_is_converted_to_jpeg(draft, citizen, component):
    # when
    photo = attachment_add(owner_user=citizen, draft=draft, component=component, upload=upload("IMG_1.JPG", JPEG))
    screenshot = attachment_add(owner_user=citizen, draft=draft, component=component, upload=upload("s.png", PNG))
    iphone = attachment_add(owner_user=citizen, draft=draft, component=component, upload=upload("IMG_2.HEIC", HEIC))

    # then the iPhone photo is stored as a JPEG an officer's PC opens
    assert (photo.name, photo.content_type) == ("IMG_1.JPG", "image/jpeg")
    assert (screenshot.name, screenshot.content_type) == ("s.png", "image/png")
    assert (iphone.name, iphone.content_type) == ("IMG_2.jpg", "image/jpeg")
    with iphone.file.open("rb") as stored:
        assert Image.open(stored).format == "JPEG"
    assert draft.attachments.count() == 3


def test_heic_is_refused_with_advice_where_the_component_takes_no_jpeg(draft, citizen, office):
    pdf_only = ComponentFactory(procedure=office["procedure"], name="Đơn", allowed_types="pdf")

    with pytest.raises(FileHeicRefused) as heic:
        attachment_add(owner_user=citizen, draft=draft, component=pdf_only, upload=upload("IMG_2.HEIC", HEIC))

    assert str(heic.value).startswith("Tệp “IMG_2.HEIC” là ảnh HEIC")


def test_the_same_file_twice_keeps_one_stored_document(office, citizen, component):
    # given two drafts of the same citizen
    first = DossierDraft.objects.create(owner=citizen, procedure=office["procedure"])
    second = DossierDraft.objects.create(owner=citizen, procedure=office["procedure"])

    # when the same content is attached to both (and twice to the first: a double click)
    a = attachment_add(owner_user=citizen, draft=first, component=component, upload=upload("cccd.pdf", PDF))
    again = attachment_add(owner_user=citizen, draft=first, component=component, upload=upload("cccd.pdf", PDF))
    b = attachment_add(owner_user=citizen, draft=second, component=component, upload=upload("ban-khac.pdf", PDF))

    # then two attachments, one stored document
    assert again.pk == a.pk
    assert Attachment.objects.count() == 2
    stored = StoredDocument.objects.get()
    assert (stored.owner, stored.kind, stored.name, stored.title, stored.sha256) == (
        citizen,
        StoredDocumentKind.UPLOAD,
        "cccd.pdf",
        "Tờ khai đăng ký",
        a.sha256,
    )
    assert b.sha256 == a.sha256
    # kept once: the stored document is the first upload's own object, not a copy
    assert stored.file.name == a.file.name


def test_reuse_from_the_own_store_is_marked(draft, citizen, component):
    # given a document in the citizen's store
    other_draft = DossierDraft.objects.create(owner=citizen, procedure=draft.procedure)
    attachment_add(owner_user=citizen, draft=other_draft, component=component, upload=upload("cccd.pdf", PDF))
    stored = StoredDocument.objects.get()

    # when the citizen fills the component from the store
    reused = attachment_reuse(owner_user=citizen, draft=draft, component=component, stored_document=stored)

    # then it is the stored file (the same object: the content unchanged by the checks), marked as reused
    assert reused.reused is True
    assert reused.reused_from == stored
    assert (reused.draft, reused.component, reused.name, reused.sha256) == (draft, component, "cccd.pdf", stored.sha256)
    assert reused.file.name == stored.file.name
    assert Path(reused.file.path).read_bytes() == PDF
    assert StoredDocument.objects.count() == 1


def test_reuse_of_another_citizens_document_is_not_found(draft, citizen, component):
    # given someone else's stored document
    stranger = UserFactory()
    stranger_draft = DossierDraft.objects.create(owner=stranger, procedure=draft.procedure)
    attachment_add(owner_user=stranger, draft=stranger_draft, component=component, upload=upload("x.pdf", PDF))
    theirs = StoredDocument.objects.get(owner=stranger)

    # when / then
    with pytest.raises(StoredDocumentNotFound):
        attachment_reuse(owner_user=citizen, draft=draft, component=component, stored_document=theirs)
    assert draft.attachments.count() == 0


def test_reuse_needs_a_reusable_component(draft, citizen, component, office):
    # given a stored document and a component that does not take documents from the store
    attachment_add(owner_user=citizen, draft=draft, component=component, upload=upload("x.pdf", PDF))
    closed = ComponentFactory(procedure=office["procedure"], name="Đơn đề nghị", reusable=False)

    # when / then
    with pytest.raises(ComponentNotReusable):
        attachment_reuse(
            owner_user=citizen, draft=draft, component=closed, stored_document=StoredDocument.objects.get()
        )
    assert draft.attachments.count() == 1


def test_required_components_without_a_file_are_listed(draft, citizen, office):
    # given two required components and an optional one; one required has a file
    filled = ComponentFactory(procedure=office["procedure"], name="Tờ khai", order=1)
    missing = ComponentFactory(procedure=office["procedure"], name="Bản sao CCCD", order=2)
    ComponentFactory(procedure=office["procedure"], name="Ảnh", order=3, required=False)
    attachment_add(owner_user=citizen, draft=draft, component=filled, upload=upload("x.pdf", PDF))

    # when / then
    assert attachment_check_complete(draft=draft) == [missing]


def submitted(office, draft):
    dossier = dossier_submit(
        procedure=office["procedure"],
        agency=office["agency"],
        channel=Channel.ONLINE,
        applicant=draft.owner,
        applicant_name="Nguyễn Văn An",
    )
    attachments_move_to_dossier(draft=draft, dossier=dossier)
    DossierDraft.objects.filter(pk=draft.pk).update(dossier=dossier)
    draft.refresh_from_db()
    return dossier


def test_files_move_to_the_dossier_on_submission_and_can_no_longer_be_removed(office, draft, citizen, component):
    # given a file on a draft, which the citizen may still remove before submitting
    kept = attachment_add(owner_user=citizen, draft=draft, component=component, upload=upload("a.pdf", PDF))
    dropped = attachment_add(owner_user=citizen, draft=draft, component=component, upload=upload("b.png", PNG))
    attachment_remove(user=citizen, attachment=dropped)

    # when the draft is submitted
    dossier = submitted(office, draft)

    # then the file belongs to the dossier and is part of the record
    kept.refresh_from_db()
    assert (kept.dossier, kept.draft) == (dossier, draft)
    assert list(dossier.attachments.all()) == [kept]
    with pytest.raises(AttachmentLocked):
        attachment_remove(user=citizen, attachment=kept)
    with pytest.raises(AttachmentLocked) as late:
        attachment_add(owner_user=citizen, draft=draft, component=component, upload=upload("c.pdf", PDF + b"c"))
    assert str(late.value) == "Không thể thay đổi tệp “c.pdf”: hồ sơ đã được nộp."
    assert list(Attachment.objects.all()) == [kept]


def test_an_officer_upload_at_the_desk_is_digitised_and_audited(office, draft, component):
    # given an online dossier
    dossier = submitted(office, draft)
    officer = office["people"]["reception_officer"]

    # when the reception officer scans a paper component
    scan = attachment_add(
        owner_user=officer, dossier=dossier, component=component, upload=upload("scan.pdf", PDF), digitised=True
    )

    # then it is marked digitised, audited, and does not enter anybody's store
    assert (scan.dossier, scan.role, scan.digitised, scan.uploaded_by) == (dossier, AttachmentRole.FILED, True, officer)
    entry = LogEntry.objects.get()
    assert (entry.user, entry.object_id) == (officer, str(scan.pk))
    assert entry.change_message == f"Tải lên bản số hóa “scan.pdf” ({scan.sha256[:12]}) cho hồ sơ {dossier.code}"
    assert StoredDocument.objects.count() == 0


def test_an_officer_of_another_agency_cannot_upload(office, draft, component):
    dossier = submitted(office, draft)
    outsider = UserFactory(role="reception_officer", agencies=[])

    with pytest.raises(DossierNotFound):
        attachment_add(owner_user=outsider, dossier=dossier, component=component, upload=upload("s.pdf", PDF))
    assert dossier.attachments.count() == 0
    assert LogEntry.objects.count() == 0


def test_the_result_joins_the_citizens_store_when_returned(office, citizen):
    # given a walk-in dossier of a citizen with an account, processed up to the return
    people = office["people"]
    dossier = dossier_submit(
        procedure=office["procedure"], agency=office["agency"], channel=Channel.DIRECT, applicant=citizen,
        applicant_name="Nguyễn Văn An", actor=people["reception_officer"],
    )  # fmt: skip
    for role, action in [
        ("reception_officer", Action.FORWARD),
        ("specialist", Action.FORWARD),
        ("leader", Action.APPROVE),
        ("clerk", Action.NUMBER_DISPATCH),
    ]:
        dossier_act(dossier_id=dossier.pk, actor=people[role], action=action)
    result = attachment_add(
        owner_user=people["reception_officer"], dossier=dossier, component=None,
        upload=upload("Giấy khai sinh.pdf", PDF), role=AttachmentRole.RESULT,
    )  # fmt: skip
    assert StoredDocument.objects.count() == 0

    # when the result is returned
    dossier_act(dossier_id=dossier.pk, actor=people["reception_officer"], action=Action.RETURN_RESULT, data=PAPER_READY)

    # then the result file is in the citizen's store, as a result of this dossier
    stored = StoredDocument.objects.get()
    assert (stored.owner, stored.kind, stored.name, stored.sha256, stored.source_dossier) == (
        citizen,
        StoredDocumentKind.RESULT,
        "Giấy khai sinh.pdf",
        result.sha256,
        dossier,
    )
    assert stored.title == "Quyết định"
    # and a result can no longer be added after the return
    with pytest.raises(AttachmentLocked):
        attachment_add(
            owner_user=people["clerk"], dossier=dossier, component=None, upload=upload("x.pdf", PDF + b"x"),
            role=AttachmentRole.RESULT,
        )  # fmt: skip


def at_once(*calls):
    """Run the calls in two threads released together; the name of each outcome."""
    start = threading.Barrier(len(calls))
    outcomes: list[str] = []

    def run(call):
        try:
            start.wait()
            call()
            outcomes.append("ok")
        except DomainError as exc:
            outcomes.append(type(exc).__name__)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(outcomes)


@pytest.mark.django_db(transaction=True)
def test_two_uploads_at_once_cannot_both_pass_the_dossier_total(settings, office, citizen, component, media):
    if connection.vendor != "postgresql":
        pytest.skip("row locks (SELECT ... FOR UPDATE) need PostgreSQL")
    # given a 1 MB limit and two files of 600 KB sent at the same moment
    settings.DOSSIER_MAX_TOTAL_MB = 1
    draft = DossierDraft.objects.create(owner=citizen, procedure=office["procedure"])
    other = ComponentFactory(procedure=office["procedure"], name="Bản sao")

    # when
    outcomes = at_once(
        lambda: attachment_add(
            owner_user=citizen, draft=draft, component=component, upload=upload("a.pdf", PDF + b"a" * 600 * 1024)
        ),
        lambda: attachment_add(
            owner_user=citizen, draft=draft, component=other, upload=upload("b.pdf", PDF + b"b" * 600 * 1024)
        ),
    )

    # then one waited for the other's lock, saw its file, and was refused
    assert outcomes == ["DossierFilesTooLarge", "ok"]
    assert draft.attachments.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_content_stored_at_once_from_two_drafts_keeps_one_copy(office, citizen, component, media):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's concurrent transactions")
    # given two drafts of one citizen
    drafts = [DossierDraft.objects.create(owner=citizen, procedure=office["procedure"]) for _ in range(2)]

    # when the same file is attached to both at the same moment
    outcomes = at_once(
        *[
            (lambda d=d: attachment_add(owner_user=citizen, draft=d, component=component, upload=upload("a.pdf", PDF)))
            for d in drafts
        ]
    )

    # then both attachments exist, the store holds one row, pointing at one of their objects (no copy)
    assert outcomes == ["ok", "ok"]
    assert Attachment.objects.count() == 2
    stored = StoredDocument.objects.get()
    uploads = sorted(Attachment.objects.values_list("file", flat=True))
    assert stored.file.name in uploads
    assert sorted(files_on_disk(media)) == uploads
