"""An upload's content is stored once: the citizen's stored document points at the attachment's
own object (the same sha256), a reuse of unchanged content points at it too, and an object is
deleted only when no attachment or stored document refers to it any longer. (An abuse drill
found every upload stored twice: the 300 MB daily quota cost 600 MB of disk.)"""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dossiers.attachments import attachment_add, attachment_remove, attachment_reuse
from dossiers.drafts.services import draft_delete
from dossiers.models import Attachment, DossierDraft, StoredDocument
from tests.factories import ComponentFactory
from tests.files import PDF, pdf_bytes


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def citizen(office):
    return office["people"]["citizen"]


@pytest.fixture
def component(office):
    return ComponentFactory(procedure=office["procedure"], name="Giấy chứng sinh", reusable=True)


def new_draft(office, citizen):
    return DossierDraft.objects.create(owner=citizen, procedure=office["procedure"], agency=office["agency"])


def on_disk(media) -> list[Path]:
    return [p for p in Path(media).rglob("*") if p.is_file()]


def test_an_upload_and_its_stored_document_are_one_object(office, citizen, component, media):
    # when a citizen uploads one file
    attachment = attachment_add(
        owner_user=citizen, draft=new_draft(office, citizen), component=component,
        upload=SimpleUploadedFile("giay-chung-sinh.pdf", PDF),
    )  # fmt: skip

    # then the store has it, and the disk holds its bytes once
    document = StoredDocument.objects.get(owner=citizen)
    assert (document.sha256, document.file.name) == (attachment.sha256, attachment.file.name)
    assert [p.read_bytes() for p in on_disk(media)] == [PDF]


def test_the_stored_document_outlives_the_upload_removed_from_its_draft(
    client, office, citizen, component, media, django_capture_on_commit_callbacks
):
    draft = new_draft(office, citizen)
    attachment = attachment_add(
        owner_user=citizen, draft=draft, component=component, upload=SimpleUploadedFile("a.pdf", PDF)
    )

    # when the citizen takes the file off the draft
    with django_capture_on_commit_callbacks(execute=True):
        attachment_remove(user=citizen, attachment=attachment)

    # then the object stays for the store, which still serves it
    assert not Attachment.objects.exists()
    assert [p.read_bytes() for p in on_disk(media)] == [PDF]
    client.force_login(citizen)
    document = StoredDocument.objects.get()
    response = client.get(reverse("dossiers:stored_document_download", args=[document.uuid]))
    assert b"".join(response.streaming_content if response.streaming else [response.content]) == PDF


def test_a_reuse_shares_the_object_and_deleting_drafts_keeps_it_for_the_store(
    office, citizen, component, media, django_capture_on_commit_callbacks
):
    # given a file uploaded to one draft and reused in a second
    first, second = new_draft(office, citizen), new_draft(office, citizen)
    upload = attachment_add(
        owner_user=citizen, draft=first, component=component, upload=SimpleUploadedFile("a.pdf", PDF)
    )
    document = StoredDocument.objects.get()
    reused = attachment_reuse(owner_user=citizen, draft=second, component=component, stored_document=document)
    assert reused.file.name == upload.file.name == document.file.name
    assert len(on_disk(media)) == 1

    # when both drafts are deleted
    with django_capture_on_commit_callbacks(execute=True):
        draft_delete(draft=first)
    with django_capture_on_commit_callbacks(execute=True):
        draft_delete(draft=second)

    # then the store's object is still there
    assert [p.read_bytes() for p in on_disk(media)] == [PDF]


def test_an_object_no_row_refers_to_is_deleted(office, citizen, component, media, django_capture_on_commit_callbacks):
    # given an upload whose stored document is gone (the account's store emptied)
    draft = new_draft(office, citizen)
    content = pdf_bytes(pages=2)
    attachment_add(owner_user=citizen, draft=draft, component=component, upload=SimpleUploadedFile("b.pdf", content))
    StoredDocument.objects.all().delete()

    # when the draft is deleted, its object goes with it
    with django_capture_on_commit_callbacks(execute=True):
        draft_delete(draft=draft)

    assert on_disk(media) == []
