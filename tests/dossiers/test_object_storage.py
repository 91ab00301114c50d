"""Files in S3-compatible object storage (common/storage.py), against a real S3 server over
sockets (moto's standalone server, tests/s3.py): uploads land in the bucket, not on the web
machine's disk; the access policy decides before any address is handed out; a signed address is
short-lived and fixes the type and name; a storage that is down keeps nothing half stored; and a
PDF written by another process (a worker with a disk of its own) is downloaded by the web."""

import hashlib
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from pypdf import PdfReader

from accounts.constants import Role
from dossiers.attachments import attachment_add
from dossiers.constants import Channel
from dossiers.models import Attachment, DossierDocument, DossierDraft, StoredDocument
from dossiers.services import dossier_submit
from tests.emc_sync.drill_helpers import ROOT, run_database_url
from tests.factories import ComponentFactory, UserFactory
from tests.files import PDF
from tests.s3 import Bucket, MotoServer, storage_settings

NAME = "Giấy khai sinh.pdf"


def upload(name=NAME, content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "web-media"
    return settings.MEDIA_ROOT


def local_files(folder):
    return sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


@pytest.fixture
def citizen(office):
    return office["people"][Role.CITIZEN]


@pytest.fixture
def component(office):
    return ComponentFactory(procedure=office["procedure"], name="Giấy khai sinh", reusable=True)


@pytest.fixture
def draft(office, citizen):
    return DossierDraft.objects.create(owner=citizen, procedure=office["procedure"], agency=office["agency"])


@pytest.fixture
def attachment(s3_bucket, draft, citizen, component):
    return attachment_add(owner_user=citizen, draft=draft, component=component, upload=upload())


def test_an_upload_is_stored_in_the_bucket_and_not_on_the_web_machine(
    client, s3_bucket, media, draft, citizen, component
):
    # given
    client.force_login(citizen)

    # when the citizen uploads through the page's script
    response = client.post(
        reverse("dossiers:draft_upload", args=[draft.token]),
        {"component": component.pk, "file": upload()},
        headers={"accept": "application/json"},
    )

    # then the file is one object of the bucket, byte for byte, which the document store shares
    assert response.status_code == 201
    attachment = Attachment.objects.get()
    stored = StoredDocument.objects.get()
    assert s3_bucket.object_keys() == [attachment.file.name]
    assert stored.file.name == attachment.file.name
    assert hashlib.sha256(s3_bucket.read(attachment.file.name)).hexdigest() == attachment.sha256
    assert local_files(media) == []


def test_the_owner_is_sent_to_a_short_lived_signed_address_that_serves_the_file(client, s3_bucket, attachment, citizen):
    # given
    client.force_login(citizen)

    # when the owner downloads
    response = client.get(reverse("dossiers:attachment_download", args=[attachment.uuid]))

    # then a redirect to the bucket's object, signed for 60 s, with the type and name fixed in it
    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    location = urlsplit(response["Location"])
    query = parse_qs(location.query)
    assert f"{location.scheme}://{location.netloc}" == s3_bucket.server.url
    assert location.path == f"/{s3_bucket.name}/{attachment.file.name}"
    assert query["X-Amz-Expires"] == ["60"]
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert len(query["X-Amz-Signature"][0]) == 64
    assert query["response-content-type"] == ["application/pdf"]
    disposition = "inline; filename*=utf-8''" + quote(NAME)
    assert query["response-content-disposition"] == [disposition]
    # and the storage serves it there, as asked
    fetched = requests.get(response["Location"], timeout=10)
    assert fetched.status_code == 200
    assert hashlib.sha256(fetched.content).hexdigest() == attachment.sha256
    assert (fetched.headers["Content-Type"], fetched.headers["Content-Disposition"]) == ("application/pdf", disposition)
    assert fetched.headers["Cache-Control"] == "private, no-store"


def test_the_bucket_itself_refuses_an_unsigned_request(s3_bucket, attachment):
    answer = requests.get(f"{s3_bucket.server.url}/{s3_bucket.name}/{attachment.file.name}", timeout=10)

    assert answer.status_code == 403


def test_another_citizen_is_given_no_address(client, s3_bucket, attachment):
    # given someone else, signed in
    client.force_login(UserFactory(username="037090009999", role=Role.CITIZEN))
    stored = StoredDocument.objects.get()

    # when they try the owner's file and the owner's stored copy
    responses = [
        client.get(reverse("dossiers:attachment_download", args=[attachment.uuid])),
        client.get(reverse("dossiers:stored_document_download", args=[stored.uuid])),
    ]

    # then 404, and no address of the bucket anywhere in the answers
    assert [r.status_code for r in responses] == [404, 404]
    assert all("Location" not in r for r in responses)
    assert all(s3_bucket.server.url.encode() not in r.content for r in responses)


def test_streamed_downloads_read_the_bucket_through_the_web_process(client, settings, s3_bucket, attachment, citizen):
    # given a deployment whose bucket browsers cannot reach
    settings.FILE_DOWNLOADS = "stream"
    client.force_login(citizen)

    # when
    response = client.get(reverse("dossiers:attachment_download", args=[attachment.uuid]))

    # then the bytes come through the portal, with the portal's headers for served files
    assert response.status_code == 200
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == attachment.sha256
    assert response["Content-Disposition"] == "inline; filename*=utf-8''" + quote(NAME)
    assert response["Content-Security-Policy"] == "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    assert (response["X-Content-Type-Options"], response["Cache-Control"]) == ("nosniff", "private, no-cache")


def test_a_storage_that_is_down_refuses_the_upload_with_try_later_and_keeps_nothing(
    client, settings, media, draft, citizen, component
):
    # given a bucket whose server then goes away
    server = MotoServer()
    try:
        bucket = Bucket(server, "dvctt-down")
        server.client().create_bucket(Bucket=bucket.name)
        settings.STORAGES = {**settings.STORAGES, "default": storage_settings(bucket)}
    finally:
        server.stop()
    client.force_login(citizen)

    # when the citizen uploads, with and without the script
    started = time.monotonic()
    scripted = client.post(
        reverse("dossiers:draft_upload", args=[draft.token]),
        {"component": component.pk, "file": upload()},
        headers={"accept": "application/json"},
    )
    plain = client.post(
        reverse("dossiers:draft_upload", args=[draft.token]),
        {"component": component.pk, "file": upload(), "next": "/ho-so-cua-toi/"},
        follow=True,
    )
    took = time.monotonic() - started

    # then a clear "try later", within seconds, and no row points at a missing object
    message = "Kho lưu trữ tệp đang tạm thời gián đoạn, tệp chưa được lưu. Vui lòng thử lại sau ít phút."
    assert (scripted.status_code, scripted.json()) == (503, {"error": message})
    assert message in plain.content.decode()
    assert (Attachment.objects.count(), StoredDocument.objects.count()) == (0, 0)
    assert local_files(media) == []
    assert took < 20


def test_a_streamed_download_while_the_storage_is_down_answers_503(client, settings, s3_bucket, attachment, citizen):
    # given a streaming deployment whose storage then goes away
    settings.FILE_DOWNLOADS = "stream"
    server = MotoServer()
    server.stop()
    options = storage_settings(Bucket(server, s3_bucket.name))
    settings.STORAGES = {**settings.STORAGES, "default": options}
    client.force_login(citizen)

    response = client.get(reverse("dossiers:attachment_download", args=[attachment.uuid]))

    assert response.status_code == 503
    assert "Vui lòng thử lại sau ít phút." in response.content.decode()


def test_local_files_behind_nginx_are_handed_over_with_x_accel_redirect(
    client, settings, media, draft, citizen, component
):
    # given local files and nginx's internal location
    settings.FILE_DOWNLOADS = "accel"
    attachment = attachment_add(owner_user=citizen, draft=draft, component=component, upload=upload())
    client.force_login(citizen)
    url = reverse("dossiers:attachment_download", args=[attachment.uuid])

    # when
    response = client.get(url)

    # then an empty answer naming the file for nginx, with the type, name and headers nginx keeps
    assert response.status_code == 200
    assert response.content == b""
    assert response["X-Accel-Redirect"] == "/protected-media/" + quote(attachment.file.name)
    assert (media / attachment.file.name).is_file()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == "inline; filename*=utf-8''" + quote(NAME)
    # and a file gone from the disk is a 404, not a redirect nginx would fail on
    (media / attachment.file.name).unlink()
    assert client.get(url).status_code == 404


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two processes share the database: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_form_rendered_by_a_worker_process_is_downloaded_through_the_web(client, s3_bucket, media, office):
    # given a walk-in dossier: its receipt (form 01) is due, not yet issued
    citizen = office["people"][Role.CITIZEN]
    dossier = dossier_submit(
        procedure=office["procedure"], agency=office["agency"], channel=Channel.DIRECT, applicant=citizen,
        applicant_name="Nguyễn Văn An", actor=office["people"][Role.RECEPTION_OFFICER],
    )  # fmt: skip
    event = dossier.events.get()
    assert DossierDocument.objects.count() == 0

    # when a worker process, on a disk of its own, runs the task that issues it
    script = (
        "import json, django; django.setup()\n"
        "from django.conf import settings\n"
        "from dossiers.documents.tasks import document_issue_task\n"
        f"pk = document_issue_task.apply(args=({dossier.pk}, '01', {event.pk})).get()\n"
        "print(json.dumps({'pk': pk, 'media': str(settings.MEDIA_ROOT)}))\n"
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dvctt.settings.test",
        "DATABASE_URL": run_database_url(),
        "REDIS_URL": "",
        **s3_bucket.environment(),
    }
    done = subprocess.run(  # noqa: S603 - our own command line
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    worker = json.loads(done.stdout.strip().splitlines()[-1])

    # then the PDF is in the bucket only (nothing on either machine's disk) ...
    document = DossierDocument.objects.get()
    assert document.pk == worker["pk"]
    assert s3_bucket.object_keys() == [document.file.name]
    assert worker["media"] != str(media)
    assert local_files(media) == []
    assert local_files(Path(worker["media"])) == []
    # ... and the web, which never wrote it, hands it to the applicant
    client.force_login(citizen)
    response = client.get(reverse("dossiers:my_dossier_document", args=[dossier.code, "01"]))
    assert response.status_code == 302
    pdf = requests.get(response["Location"], timeout=10)
    assert pdf.status_code == 200
    assert hashlib.sha256(pdf.content).hexdigest() == document.sha256
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert dossier.code in text
    assert DossierDocument.objects.count() == 1  # the web issued nothing itself


def test_signed_addresses_name_the_endpoint_browsers_reach(client, settings, s3_bucket, attachment, citizen):
    # given the web reaches the storage at 127.0.0.1 and browsers at localhost (as minio:9000 and
    # localhost:9000 in docker-compose)
    public = s3_bucket.server.url.replace("127.0.0.1", "localhost")
    options = storage_settings(s3_bucket)
    options["OPTIONS"]["public_endpoint_url"] = public
    settings.STORAGES = {**settings.STORAGES, "default": options}
    client.force_login(citizen)

    # when
    response = client.get(reverse("dossiers:attachment_download", args=[attachment.uuid]))

    # then the address is signed for the public host, and serves the file there
    assert response.status_code == 302
    assert response["Location"].startswith(f"{public}/{s3_bucket.name}/{attachment.file.name}?")
    fetched = requests.get(response["Location"], timeout=10)
    assert hashlib.sha256(fetched.content).hexdigest() == attachment.sha256


def test_a_process_without_a_bucket_never_imports_boto3():
    """The S3 backend (and boto3: ~200 ms and tens of MB a process) is imported only where
    S3_BUCKET is set: the embedded default and local-file deployments serve downloads without it."""
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import django, sys; django.setup();"
        "from django.urls import resolve; import dvctt.urls, dossiers.downloads, common.storage;"
        "from django.core.files.storage import storages; storages['default'];"
        "print(sorted(m for m in ('boto3', 'storages.backends.s3') if m in sys.modules))"
    )
    env = {"DJANGO_SETTINGS_MODULE": "dvctt.settings.dev", "PATH": "/usr/bin:/bin"}
    root = Path(__file__).resolve().parent.parent.parent
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, env={**env, "PYTHONPATH": str(root)}, capture_output=True, text=True
    )

    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_a_fresh_process_whose_first_request_is_a_download_knows_its_bucket(s3_bucket):
    """default_storage is lazy: until a request had touched it, the S3 backend was not imported
    and a fresh web process's first download was streamed instead of signed (the multi-node drill's
    web B, which never wrote a file before a citizen downloaded one)."""
    code = (
        "import django; django.setup();"
        "from common.storage import _is_bucket; from dossiers.models import DossierDocument;"
        "print(_is_bucket(DossierDocument._meta.get_field('file').storage))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "dvctt.settings.test", "REDIS_URL": "", **s3_bucket.environment()}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False)

    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "True"
