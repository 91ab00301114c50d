"""Rate limits (django-ratelimit, counted in the cache) on login, registration and citizen uploads,
the daily upload quota, and the request size limit agreeing with nginx."""

import datetime as dt
import re
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.constants import Role
from dossiers.models import Attachment, DossierDraft
from tests.accounts.test_views import registration
from tests.factories import AgencyFactory, ComponentFactory, ProcedureFactory, UserFactory
from tests.files import PDF
from tests.stores import clear_caches

ROOT = Path(__file__).resolve().parent.parent.parent
TOO_MANY = "Bạn đã gửi quá nhiều yêu cầu trong thời gian ngắn. Vui lòng chờ ít phút rồi thử lại."


@pytest.fixture(autouse=True)
def fresh_counters():
    clear_caches()
    yield
    clear_caches()


def test_login_posts_from_one_address_are_limited(client, db, settings):
    # given: 3 posts per 10 minutes from one address
    settings.LOGIN_RATE_PER_ADDRESS = "3/10m"
    url = reverse("accounts:login")

    # when: three different user names (so no lockout is involved), then a fourth
    answers = [client.post(url, {"username": f"user{n}", "password": "x"}).status_code for n in range(3)]
    fourth = client.post(url, {"username": "user9", "password": "x"})
    other_address = client.post(url, {"username": "user9", "password": "x"}, REMOTE_ADDR="198.51.100.20")

    # then: the Vietnamese 429 page; another address is not affected; reading the page is never limited
    assert answers == [200, 200, 200]
    assert fourth.status_code == 429
    assert fourth.templates[0].name == "429.html"
    assert TOO_MANY in fourth.content.decode()
    assert other_address.status_code == 200
    assert client.get(url).status_code == 200


def test_registrations_from_one_address_are_limited(client, db, settings):
    settings.REGISTER_RATE_PER_ADDRESS = "2/h"
    url = reverse("accounts:register")

    statuses = [
        client.post(url, registration(citizen_id=f"03719000432{n}", password1="x", password2="x")).status_code
        for n in range(3)
    ]

    assert statuses == [200, 200, 429]


def test_a_429_answers_json_to_scripts(client, db, settings):
    settings.LOGIN_RATE_PER_ADDRESS = "1/m"
    url = reverse("accounts:login")
    client.post(url, {"username": "a", "password": "x"})

    response = client.post(url, {"username": "a", "password": "x"}, HTTP_ACCEPT="application/json")

    assert (response.status_code, response.json()) == (429, {"error": TOO_MANY})


@pytest.fixture
def draft_setup(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    agency = AgencyFactory()
    procedure = ProcedureFactory(agencies=[agency])
    citizen = UserFactory(username="037090001234", role=Role.CITIZEN)
    draft = DossierDraft.objects.create(owner=citizen, procedure=procedure, agency=agency)
    component = ComponentFactory(procedure=procedure, name="Tờ khai")
    return citizen, draft, component


def post_file(client, draft, component, name="to-khai.pdf", content=PDF):
    return client.post(
        reverse("dossiers:draft_upload", args=[draft.token]),
        {"component": component.pk, "file": SimpleUploadedFile(name, content, content_type="application/pdf")},
        HTTP_ACCEPT="application/json",
    )


def test_a_citizen_s_uploads_are_rate_limited(client, draft_setup, settings):
    # given
    settings.UPLOAD_RATE_PER_USER = "2/10m"
    citizen, draft, component = draft_setup
    client.force_login(citizen)

    # when
    statuses = [post_file(client, draft, component, f"tep-{n}.pdf", PDF + bytes([n])).status_code for n in range(3)]
    refused = post_file(client, draft, component, "tep-9.pdf", PDF + b"9")

    # then: the third is refused and not stored
    assert statuses == [201, 201, 429]
    assert refused.json() == {
        "error": "Bạn đã tải lên quá nhiều tệp trong thời gian ngắn. Vui lòng chờ ít phút rồi thử lại."
    }
    assert sorted(draft.attachments.values_list("name", flat=True)) == ["tep-0.pdf", "tep-1.pdf"]


def test_the_daily_upload_quota_counts_today_s_files_and_opens_again_tomorrow(client, draft_setup, settings):
    # given: 1 MB a day; 700 kB already uploaded this morning (Asia/Ho_Chi_Minh)
    settings.UPLOAD_DAILY_QUOTA_MB = 1
    citizen, draft, component = draft_setup
    client.force_login(citizen)
    morning = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)  # 08:00 in Hà Nội
    with time_machine.travel(morning, tick=False):
        assert post_file(client, draft, component, "a.pdf", PDF + b"0" * 700_000).status_code == 201

        # when: 400 kB more the same day
        over = post_file(client, draft, component, "b.pdf", PDF + b"0" * 400_000)
        # a plain form post gets the page, not JSON
        page = client.post(
            reverse("dossiers:draft_upload", args=[draft.token]),
            {"component": component.pk, "file": SimpleUploadedFile("c.pdf", PDF + b"0" * 400_000)},
        )

    # then
    assert over.status_code == 429
    assert over.json()["error"].startswith("Mỗi tài khoản được tải lên tối đa 1 MB mỗi ngày; hôm nay bạn đã tải lên ")
    assert page.status_code == 429
    assert "Vui lòng tiếp tục vào ngày mai" in page.content.decode()
    assert Attachment.objects.count() == 1

    # the next day (after midnight in Hà Nội, 17:00 UTC) the quota is open again
    with time_machine.travel(dt.datetime(2026, 3, 2, 17, 5, tzinfo=dt.UTC), tick=False):
        client.force_login(citizen)  # the session of the morning has long expired
        assert post_file(client, draft, component, "b.pdf", PDF + b"0" * 400_000).status_code == 201


# --- request size: Django and nginx agree -----------------------------------------------------------


def nginx_body_limits_mb(text: str) -> list[int]:
    return [int(size) for size in re.findall(r"client_max_body_size\s+(\d+)m;", text)]


def test_the_request_size_limit_matches_nginx_in_the_deployment_guide(settings):
    # given: what the guide tells nginx, and what the portal accepts
    guide = (ROOT / "docs" / "deployment.md").read_text()
    security = (ROOT / "docs" / "security.md").read_text()
    env_example = re.search(r"^UPLOAD_MAX_REQUEST_MB=(\d+)", guide, re.M)

    # then: one figure everywhere (nginx's "m" is MiB, as the portal's MB)
    assert nginx_body_limits_mb(guide) == [settings.UPLOAD_MAX_REQUEST_MB] == [60]
    assert nginx_body_limits_mb(security) == [settings.UPLOAD_MAX_REQUEST_MB]
    assert env_example is not None
    assert int(env_example.group(1)) == settings.UPLOAD_MAX_REQUEST_MB
    # form fields and in-memory files stay far below the request cap; files beyond go to disk
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= settings.UPLOAD_MAX_REQUEST_MB * 1024 * 1024
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= settings.UPLOAD_MAX_REQUEST_MB * 1024 * 1024
    # a whole dossier's files fit in one request's allowance
    assert settings.DOSSIER_MAX_TOTAL_MB <= settings.UPLOAD_MAX_REQUEST_MB


def test_the_size_parser_reads_nginx_lines():
    assert nginx_body_limits_mb("    client_max_body_size 60m;\n  client_max_body_size   8m;") == [60, 8]
