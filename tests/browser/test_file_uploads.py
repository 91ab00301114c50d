"""Files in real Chromium: the progressive upload boxes and the officer page's files."""

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import RequestContext, Template
from django.test import RequestFactory
from django.urls import reverse
from playwright.sync_api import expect

from dossiers.attachments import attachment_add, attachments_move_to_dossier
from dossiers.attachments.selectors import attachment_components
from dossiers.constants import Channel
from dossiers.models import DossierDraft
from dossiers.services import dossier_submit
from tests.factories import AgencyFactory, ComponentFactory, ProcedureFactory, UserFactory, WorkflowVersionFactory
from tests.files import PDF

from .conftest import axe_violations

pytestmark = pytest.mark.browser

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 100


def upload(name, content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def session_for(user):
    """A logged-in session key for a browser cookie (the login page is not what is tested here)."""
    session = SessionStore()
    session[SESSION_KEY], session[BACKEND_SESSION_KEY] = str(user.pk), "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return session.session_key


@pytest.mark.django_db(transaction=True)
def test_progressive_upload_in_chromium_with_a_live_region_and_no_axe_violations(
    browser, live_server, settings, tmp_path
):
    """The component list as the citizen pages include it, driven in real Chromium: the script
    uploads with a progress bar, the file appears, a refused file shows its reason, axe is clean."""
    # given a citizen's draft with one component, and a page that includes the list
    settings.MEDIA_ROOT = tmp_path / "media"
    agency = AgencyFactory(code="000.00.12.H42")
    procedure = ProcedureFactory(agencies=[agency])
    component = ComponentFactory(procedure=procedure, name="Tờ khai đăng ký khai sinh", reusable=True)
    citizen = UserFactory()
    draft = DossierDraft.objects.create(owner=citizen, procedure=procedure, agency=agency)
    (tmp_path / "to-khai.pdf").write_bytes(PDF)
    (tmp_path / "virus.pdf").write_bytes(EXE)
    request = RequestFactory().get("/")
    request.user = citizen
    request.META["CSRF_COOKIE"] = "A" * 32
    page_html = Template(
        '{% extends "base.html" %}{% load static %}{% block content %}<h1>Hồ sơ đang soạn</h1>'
        '<h2>Giấy tờ kèm theo</h2>{% include "dossiers/files/component_list.html" %}{% endblock %}'
        '{% block scripts %}<script src="{% static "js/uploads.js" %}"></script>{% endblock %}'
    ).render(
        RequestContext(
            request, {"components": attachment_components(user=citizen, draft=draft), "draft": draft, "next_url": "/"}
        )
    )

    context = browser.new_context(viewport={"width": 375, "height": 800})
    context.add_cookies(
        [
            {"name": django_settings.SESSION_COOKIE_NAME, "value": session_for(citizen), "url": live_server.url},
            {"name": django_settings.CSRF_COOKIE_NAME, "value": "A" * 32, "url": live_server.url},
        ]
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.route(f"{live_server.url}/trang-thu/", lambda route: route.fulfill(body=page_html, content_type="text/html"))
    page.goto(f"{live_server.url}/trang-thu/")

    # when a real PDF is uploaded, then a program posing as one
    page.set_input_files("#file-" + str(component.pk), str(tmp_path / "to-khai.pdf"))
    page.click("form[data-upload] button[type=submit]")
    page.wait_for_selector(".attachment >> text=to-khai.pdf")
    expect(page.locator("[data-upload-live]")).to_have_text("Đã tải lên tệp “to-khai.pdf”.")
    page.set_input_files("#file-" + str(component.pk), str(tmp_path / "virus.pdf"))
    page.click("form[data-upload] button[type=submit]")
    page.wait_for_selector("[data-upload-error]:not([hidden])")
    error = page.inner_text("[data-upload-error]")
    violations = axe_violations(page)
    context.close()

    # then
    assert error == "Tệp “virus.pdf” không phải là PDF, JPEG hoặc PNG (nội dung tệp không khớp)."
    assert list(draft.attachments.values_list("name", flat=True)) == ["to-khai.pdf"]
    assert violations == []


@pytest.mark.django_db(transaction=True)
def test_the_officer_page_lists_files_with_preview_and_takes_a_desk_scan_without_axe_violations(
    browser, live_server, settings, tmp_path
):
    # given an online dossier with the citizen's file, and its agency's reception officer
    settings.MEDIA_ROOT = tmp_path / "media"
    agency = AgencyFactory(code="000.00.12.H42")
    procedure = ProcedureFactory(agencies=[agency])
    WorkflowVersionFactory(procedure=procedure)
    component = ComponentFactory(procedure=procedure, name="Giấy chứng sinh")
    citizen = UserFactory()
    officer = UserFactory(role="reception_officer", agencies=[agency])
    draft = DossierDraft.objects.create(owner=citizen, procedure=procedure, agency=agency)
    attachment_add(owner_user=citizen, draft=draft, component=component, upload=upload("Giấy chứng sinh.pdf"))
    dossier = dossier_submit(
        procedure=procedure, agency=agency, channel=Channel.ONLINE, applicant=citizen, applicant_name="Nguyễn Văn An"
    )
    attachments_move_to_dossier(draft=draft, dossier=dossier)
    (tmp_path / "scan.pdf").write_bytes(PDF + b"scan")

    context = browser.new_context()
    context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": session_for(officer), "url": live_server.url}]
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}{reverse('dossiers:detail', args=[dossier.code])}")
    preview = page.get_by_role("link", name="Giấy chứng sinh.pdf")
    preview_href = preview.get_attribute("href")
    preview_response = page.request.get(f"{live_server.url}{preview_href}")

    # when the officer uploads a desk scan from the page (no script needed)
    page.get_by_text("Tải lên bản scan tại quầy hoặc tệp kết quả").click()
    page.get_by_label("Thành phần hồ sơ", exact=True).select_option(label="Giấy chứng sinh")
    page.get_by_label("Chọn tệp", exact=True).set_input_files(str(tmp_path / "scan.pdf"))
    page.get_by_role("button", name="Tải lên", exact=True).click()
    page.wait_for_selector("text=Đã tải lên tệp “scan.pdf”.")
    violations = axe_violations(page)
    context.close()

    # then the preview opened inline, and the scan is on the dossier, digitised
    assert (preview_response.status, preview_response.headers["content-type"]) == (200, "application/pdf")
    assert preview_response.headers["content-disposition"].startswith("inline;")
    assert list(dossier.attachments.values_list("name", "digitised")) == [
        ("Giấy chứng sinh.pdf", False),
        ("scan.pdf", True),
    ]
    assert violations == []
