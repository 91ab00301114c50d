"""Security settings and the Content-Security-Policy (issue 9, item 1; docs/security.md)."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from accounts.constants import Role
from dvctt.csp import outside_origins
from tests.factories import AgencyFactory, ProcedureFactory, UserFactory, WorkflowVersionFactory
from tests.test_settings_prod import PRODUCTION

ROOT = Path(__file__).resolve().parent.parent


# --- production settings ---------------------------------------------------------------------------


def test_production_settings_pass_the_deployment_checklist():
    # given: production settings with a real-looking secret key; the browser tests' switch for
    # Playwright (DJANGO_ALLOW_ASYNC_UNSAFE) is theirs, never production's
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "dvctt.settings.prod",
        **PRODUCTION,
        "SECRET_KEY": secrets.token_urlsafe(64)[:50],
    }

    # when
    out = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )

    # then: not one warning
    assert (out.returncode, out.stdout.strip()) == (0, "System check identified no issues (0 silenced).")


# --- headers on every page -------------------------------------------------------------------------

PAYMENT_URL = "https://thanhtoan.dichvucong.gov.vn/api/pay"
VNEID_ISSUER = "https://sso.vneid.gov.vn/oidc"
EMC_TRACKING_URL = "https://emc.dichvucong.gov.vn:8443/emc"
EXPECTED_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "https://emc.dichvucong.gov.vn:8443"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:", "https://emc.dichvucong.gov.vn:8443"],
    "font-src": ["'self'"],
    "connect-src": ["'self'", "https://emc.dichvucong.gov.vn:8443"],
    "form-action": ["'self'", "https://thanhtoan.dichvucong.gov.vn", "https://sso.vneid.gov.vn"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
}


def policy(header: str) -> dict[str, list[str]]:
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {name: values for name, *values in directives}


@pytest.fixture
def outside_systems(settings):
    settings.PAYMENT_URL = PAYMENT_URL
    settings.VNEID_ISSUER = VNEID_ISSUER
    settings.EMC_TRACKING_URL = EMC_TRACKING_URL
    settings.EMC_TRACKING_ENABLED = True


@pytest.fixture
def site(db):
    agency = AgencyFactory(code="000.00.12.H42", name="Sở Tư pháp")
    procedure = ProcedureFactory(code="1.001193", name="Đăng ký khai sinh", agencies=[agency])
    WorkflowVersionFactory(procedure=procedure)
    return {
        None: None,
        "citizen": UserFactory(role=Role.CITIZEN),
        "officer": UserFactory(role=Role.RECEPTION_OFFICER, agencies=[agency]),
        "admin": UserFactory(province_admin=True),
    }


PAGES = [
    ("home", {}, None),
    ("procedures:index", {}, None),
    ("procedures:detail", {"code": "1.001193"}, None),
    ("procedures:sectors", {}, None),
    ("procedures:agencies", {}, None),
    ("accounts:login", {}, None),
    ("accounts:register", {}, None),
    ("dossiers:public_status_search", {}, None),
    ("api-docs", {}, None),
    ("dossiers:my_dossiers", {}, "citizen"),
    ("accounts:profile", {}, "citizen"),
    ("dossiers:queue", {}, "officer"),
    ("dossiers:consultations", {}, "officer"),
    ("eforms:index", {}, "admin"),
    ("workflows:index", {}, "admin"),
    ("workflows:edit", {"code": "1.001193"}, "admin"),
]


@pytest.mark.parametrize(("name", "kwargs", "who"), PAGES, ids=[page[0] for page in PAGES])
def test_every_page_carries_the_strict_policy_and_the_security_headers(
    client, outside_systems, site, name, kwargs, who
):
    # given
    if who:
        client.force_login(site[who])

    # when
    response = client.get(reverse(name, kwargs=kwargs))

    # then
    assert response.status_code == 200
    assert policy(response["Content-Security-Policy"]) == EXPECTED_POLICY
    assert (response["X-Frame-Options"], response["X-Content-Type-Options"], response["Referrer-Policy"]) == (
        "DENY",
        "nosniff",
        "same-origin",
    )


def test_swagger_ui_loads_its_start_up_script_as_a_file(client, db):
    # when
    page = client.get(reverse("api-docs"))
    script = client.get(reverse("api-docs"), {"script": ""})

    # then: no inline script or style on the page; the script is served as JavaScript
    assert re.findall(r"<script[^>]*>", page.content.decode()) == [
        '<script src="/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js">',
        '<script src="/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-standalone-preset.js">',
        '<script src="/api/docs/?script=">',
    ]
    assert b"<style" not in page.content
    assert (script.status_code, script["Content-Type"]) == (200, "application/javascript")
    assert b"SwaggerUIBundle" in script.content


def test_the_stand_in_portal_is_left_out_of_the_policy(client, db):
    # when: a page of the stand-in (not production; it has inline styles)
    response = client.get("/mock/vneid/.well-known/openid-configuration")

    # then
    assert response.status_code == 200
    assert "Content-Security-Policy" not in response


def test_outside_origins_come_from_the_settings_and_leave_our_own_origin_to_self(settings):
    # given: the payment platform on our own host, VNeID elsewhere, no EMC script
    settings.PAYMENT_URL = "https://dichvucong.example.vn/mock/thanhtoan"
    settings.VNEID_ISSUER = "https://sso.vneid.gov.vn/oidc"
    settings.EMC_TRACKING_ENABLED = False

    # when
    update = outside_origins(own_origin="https://dichvucong.example.vn")

    # then
    assert update == {"form-action": ["https://sso.vneid.gov.vn"]}


# --- no inline script in templates -----------------------------------------------------------------

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
TAG = re.compile(r"<[a-zA-Z][^>]*>")
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)


def template_files() -> list[Path]:
    folders = [p for p in ROOT.rglob("templates") if p.is_dir() and ".venv" not in p.parts]
    return sorted(f for folder in folders for f in folder.rglob("*.html"))


def served(path: Path) -> bool:
    """Templates a browser gets under the policy: not the PDFs (WeasyPrint) nor the stand-in (/mock/)."""
    relative = path.relative_to(ROOT).as_posix()
    return not relative.endswith("_pdf.html") and not relative.startswith("emc_sync/mock_portal/")


def problems(text: str) -> list[str]:
    found = [f"inline script {match}" for match in INLINE_SCRIPT.findall(text)]
    found += [f"event handler in {tag}" for tag in TAG.findall(text) if HANDLER.search(tag)]
    return found


def test_the_scanner_finds_inline_script_and_handlers():
    # given
    text = (
        '<script src="/static/a.js"></script><script>alert(1)</script>'
        '<script type="application/json">{}</script><button class="x" onclick="go()">'
        "<p>one=two, only text</p>"
    )

    # then
    assert problems(text) == ["inline script <script>", 'event handler in <button class="x" onclick="go()">']


def test_no_template_has_inline_script_or_event_handlers():
    # given
    files = template_files()

    # when
    found = {str(f.relative_to(ROOT)): problems(f.read_text()) for f in files}

    # then
    assert len(files) > 50
    assert {name: found_here for name, found_here in found.items() if found_here} == {}


def test_no_served_template_has_inline_styles():
    # when
    found = [str(f.relative_to(ROOT)) for f in template_files() if served(f) and INLINE_STYLE.search(f.read_text())]

    # then
    assert found == []


# --- headers every answer carries (issue 18, item 7) -------------------------------------------------


@pytest.mark.django_db
def test_a_signed_in_persons_pages_are_kept_by_no_cache(client):
    citizen = UserFactory(role=Role.CITIZEN)
    client.force_login(citizen)

    mine = client.get(reverse("dossiers:my_dossiers"))
    public = client.logout() or client.get(reverse("procedures:index"))

    assert mine.status_code == 200
    assert set(mine["Cache-Control"].replace(" ", "").split(",")) == {"private", "no-store"}
    assert "no-store" not in public.get("Cache-Control", "")


def test_static_files_carry_the_frame_and_permissions_headers(client):
    response = client.get("/static/favicon.svg")

    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_an_over_long_address_gets_414_in_json_on_the_api_and_a_page_elsewhere(client):
    long_query = "q=" + "a" * 5000

    api = client.get(f"/api/v1/procedures/?{long_query}")
    page = client.get(f"/?{long_query}")

    assert api.status_code == 414
    assert api["Content-Type"].startswith("application/json")
    assert api.json() == {"detail": "Địa chỉ yêu cầu quá dài."}
    assert page.status_code == 414
    assert "Địa chỉ quá dài" in page.content.decode()
