"""The builder pages: only province admins (and superusers) get in; saves go through the services,
a refused save lists every problem and changes nothing; publish, clone, import/export, live preview."""

import json

import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from common.constants import VersionState
from eforms.models import FormDefinition, FormVersion
from eforms.services import form_draft_save, form_export, form_version_publish
from tests.eforms.builders import field, form, step
from tests.factories import ComponentFactory, ProcedureFactory, UserFactory

pytestmark = pytest.mark.django_db


def two_step_form(label="Họ và tên"):
    return form(
        step(
            "nguoi_khai",
            field("ho_ten", "text", label, required=True),
            field(
                "co_con",
                "radio",
                "Có con nhỏ",
                options=[{"value": "co", "label": "Có"}, {"value": "khong", "label": "Không"}],
            ),
            field("so_con", "integer", "Số con", visible_if={"field": "co_con", "op": "equals", "value": "co"}),
            title="Người khai",
        ),
        step("giay_to", field("to_khai", "file", "Tờ khai", component="Tờ khai", required=True), title="Giấy tờ"),
    )


@pytest.fixture
def procedure():
    procedure = ProcedureFactory(code="1.001193", name="Đăng ký khai sinh")
    ComponentFactory(procedure=procedure, name="Tờ khai", order=1)
    return procedure


@pytest.fixture
def admin():
    return UserFactory(province_admin=True, username="quantri")


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


@pytest.fixture
def draft(procedure):
    return form_draft_save(procedure=procedure, schema=two_step_form())


def state():
    return (
        list(FormVersion.objects.order_by("pk").values_list("number", "state", "schema")),
        LogEntry.objects.count(),
    )


# --- who gets in ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["citizen", "specialist", "reception_officer"])
def test_citizens_and_officers_are_refused_every_builder_page(client, draft, role):
    # given a signed-in citizen or officer
    client.force_login(UserFactory(role=role))
    before = state()
    code = draft.definition.procedure.code
    # when they open or post to each builder page
    answers = [
        client.get(reverse("eforms:index")).status_code,
        client.get(reverse("eforms:procedure", args=[code])).status_code,
        client.post(reverse("eforms:start", args=[code])).status_code,
        client.get(reverse("eforms:edit", args=[draft.pk])).status_code,
        client.post(reverse("eforms:edit", args=[draft.pk]), {"schema": "{}"}).status_code,
        client.post(reverse("eforms:live_preview", args=[draft.pk]), {"schema": "{}"}).status_code,
        client.post(reverse("eforms:publish", args=[draft.pk])).status_code,
        client.post(reverse("eforms:clone", args=[draft.pk])).status_code,
        client.get(reverse("eforms:export", args=[draft.pk])).status_code,
    ]
    # then every answer is 403 and nothing changed
    assert answers == [403] * 9
    assert state() == before


def test_anonymous_visitors_are_sent_to_the_login_page(client, draft):
    # when someone not signed in opens the editor
    response = client.get(reverse("eforms:edit", args=[draft.pk]))
    # then they are redirected to sign in
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_superuser_may_use_the_builder(client, draft):
    # given a superuser without the province admin role
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    # when they open the editor
    response = client.get(reverse("eforms:edit", args=[draft.pk]))
    # then it is shown
    assert response.status_code == 200


# --- lists ---------------------------------------------------------------------------------------


def test_index_lists_each_procedure_with_its_published_and_draft_versions(admin_client, procedure, draft):
    # given version 1 published and version 2 a draft
    form_version_publish(version=draft)
    second = form_draft_save(procedure=procedure, schema=two_step_form("Họ tên"))
    ProcedureFactory(code="2.000001", name="Thủ tục chưa có biểu mẫu")
    # when the admin opens the list
    response = admin_client.get(reverse("eforms:index"))
    # then each procedure shows what it has
    assert [(r["procedure"].code, r["published"], r["draft"]) for r in response.context["rows"]] == [
        ("1.001193", draft, second),
        ("2.000001", None, None),
    ]
    assert reverse("eforms:edit", args=[second.pk]) in response.content.decode()


def test_index_needs_a_fixed_number_of_queries(admin_client, procedure, django_assert_num_queries):
    # given ten procedures with a form each
    for n in range(10):
        other = ProcedureFactory(code=f"2.00000{n}")
        ComponentFactory(procedure=other, name="Tờ khai", order=1)
        form_draft_save(procedure=other, schema=two_step_form())
    # when the list is shown, then the queries do not grow with the procedures
    with django_assert_num_queries(5):  # session, user, procedures with sectors, definitions, versions
        admin_client.get(reverse("eforms:index"))


def test_the_procedure_page_lists_versions_newest_first_with_their_actions(admin_client, procedure, draft):
    # given version 1 published, version 2 a draft
    form_version_publish(version=draft)
    second = form_draft_save(procedure=procedure, schema=two_step_form("Họ tên"))
    # when the admin opens the procedure's page
    response = admin_client.get(reverse("eforms:procedure", args=["1.001193"]))
    # then the versions are listed with links to edit, preview and export
    assert [v.number for v in response.context["versions"]] == [2, 1]
    page = response.content.decode()
    for url in [
        reverse("eforms:edit", args=[second.pk]),
        reverse("eforms:publish", args=[second.pk]),
        reverse("eforms:preview", args=[draft.pk]),
        reverse("eforms:export", args=[draft.pk]),
    ]:
        assert url in page
    # and no clone button while a draft exists
    assert reverse("eforms:clone", args=[draft.pk]) not in page


# --- start, save ---------------------------------------------------------------------------------


def test_start_creates_a_starter_draft_once(admin_client, admin, procedure):
    # when the admin starts a form twice
    first = admin_client.post(reverse("eforms:start", args=["1.001193"]))
    second = admin_client.post(reverse("eforms:start", args=["1.001193"]))
    # then there is one draft, with the starter schema, and both answers open it
    version = FormVersion.objects.get()
    assert first["Location"] == second["Location"] == reverse("eforms:edit", args=[version.pk])
    assert version.schema["steps"] == [
        {
            "key": "thong_tin_chung",
            "title": "Thông tin chung",
            "fields": [{"key": "ho_ten", "type": "text", "label": "Họ và tên", "required": True}],
        }
    ]
    assert list(LogEntry.objects.values_list("user_id", "change_message")) == [(admin.pk, "Tạo bản nháp biểu mẫu v1")]


def test_start_after_a_publication_copies_the_newest_published_version(admin_client, procedure, draft):
    # given version 1 published
    form_version_publish(version=draft)
    # when the admin starts a draft
    admin_client.post(reverse("eforms:start", args=["1.001193"]))
    # then version 2 is a draft with version 1's content
    new = FormVersion.objects.get(state=VersionState.DRAFT)
    assert (new.number, new.schema) == (2, draft.schema)


def test_the_editor_shows_the_draft_as_json_and_the_builder_settings(admin_client, draft):
    # when the admin opens the editor
    response = admin_client.get(reverse("eforms:edit", args=[draft.pk]))
    # then the JSON box holds the draft and the script gets the types, components and prefill sources
    assert json.loads(response.context["form"].initial["schema"]) == draft.schema
    config = response.context["config"]
    assert len(config["types"]) == 20
    assert config["components"] == ["Tờ khai"]
    assert {"value": "profile.full_name", "label": "Tài khoản người nộp – Họ và tên"} in config["prefill"]
    assert {"value": "dan_cu.HoVaTen", "label": "CSDLQG về dân cư – Họ và tên"} in config["prefill"]
    assert config["previewUrl"] == reverse("eforms:live_preview", args=[draft.pk])


def test_saving_a_valid_definition_replaces_the_draft_and_is_audited(admin_client, admin, draft):
    # given an edited definition
    edited = two_step_form("Họ, chữ đệm và tên")
    # when the admin saves it
    response = admin_client.post(reverse("eforms:edit", args=[draft.pk]), {"schema": json.dumps(edited)})
    # then the draft holds it and the change is in the audit trail
    assert response.status_code == 302
    assert response["Location"] == reverse("eforms:edit", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.schema == edited
    assert list(LogEntry.objects.values_list("user_id", "change_message")) == [(admin.pk, "Sửa bản nháp biểu mẫu v1")]


def test_saving_an_invalid_definition_lists_every_problem_and_saves_nothing(admin_client, draft):
    # given a definition with an unknown type, a rule on a missing field and an unknown prefill source
    broken = two_step_form()
    broken["steps"][0]["fields"][0]["prefill"] = "ho_so.ten"
    broken["steps"][0]["fields"][2]["visible_if"] = {"field": "khong_co", "op": "filled"}
    broken["steps"][1]["fields"].append({"key": "la", "type": "mau_la", "label": "Lạ"})
    before = state()
    # when the admin saves it
    response = admin_client.post(reverse("eforms:edit", args=[draft.pk]), {"schema": json.dumps(broken)})
    # then the page lists every shape problem (the meaning is checked once the shape is right) ...
    assert response.status_code == 400
    assert response.context["errors"] == ["Bước 2, trường “la”: loại trường “mau_la” không được hỗ trợ."]
    # ... keeps what was typed, and nothing changed
    assert json.loads(response.context["form"]["schema"].value()) == broken
    assert state() == before


def test_saving_lists_meaning_problems_and_unknown_prefill_sources(admin_client, draft):
    # given a shape-valid definition whose rule points at a missing field and with an unknown source
    broken = two_step_form()
    broken["steps"][0]["fields"][0]["prefill"] = "ho_so.ten"
    broken["steps"][0]["fields"][2]["visible_if"] = {"field": "khong_co", "op": "filled"}
    before = state()
    # when the admin saves it
    response = admin_client.post(reverse("eforms:edit", args=[draft.pk]), {"schema": json.dumps(broken)})
    # then the rule problem is listed, and nothing changed
    assert response.status_code == 400
    assert response.context["errors"] == [
        "Bước 1, trường “so_con”, điều kiện hiển thị: trường “khong_co” không tồn tại."
    ]
    assert state() == before
    # when the rule is fixed, then the unknown source is what remains
    broken["steps"][0]["fields"][2]["visible_if"] = {"field": "co_con", "op": "filled"}
    response = admin_client.post(reverse("eforms:edit", args=[draft.pk]), {"schema": json.dumps(broken)})
    assert response.context["errors"] == [
        "Bước 1, trường “ho_ten”: nguồn điền sẵn “ho_so” không có (các nguồn: dan_cu, profile)."
    ]
    assert state() == before


def test_malformed_json_is_refused_with_its_line_and_column(admin_client, draft):
    before = state()
    # when the admin posts broken JSON from the text box
    response = admin_client.post(reverse("eforms:edit", args=[draft.pk]), {"schema": '{"steps": [\n  {"key": }]}'})
    # then the error says where, and nothing changed
    assert response.status_code == 400
    assert response.context["errors"] == ["Tệp JSON sai cú pháp ở dòng 2, cột 11: thiếu giá trị."]
    assert state() == before


def test_a_published_version_cannot_be_saved_over(admin_client, draft):
    # given version 1 published
    form_version_publish(version=draft)
    before = state()
    # when a stale editor posts to it
    response = admin_client.post(reverse("eforms:edit", args=[draft.pk]), {"schema": json.dumps(two_step_form("X"))})
    # then it is refused and nothing changed
    assert response.status_code == 400
    assert response.context["errors"] == [
        "Phiên bản biểu mẫu đã ban hành không được sửa; hãy tạo bản sao để chỉnh sửa."
    ]
    assert state() == before


# --- publish, clone --------------------------------------------------------------------------------


def test_publishing_asks_for_confirmation_then_publishes(admin_client, admin, draft):
    # when the admin opens the publish page
    page = admin_client.get(reverse("eforms:publish", args=[draft.pk]))
    # then nothing is published yet
    assert page.status_code == 200
    assert "Xác nhận ban hành" in page.content.decode()
    draft.refresh_from_db()
    assert draft.state == VersionState.DRAFT
    # when they confirm
    response = admin_client.post(reverse("eforms:publish", args=[draft.pk]))
    # then it is published and audited
    assert response["Location"] == reverse("eforms:procedure", args=["1.001193"])
    draft.refresh_from_db()
    assert draft.state == VersionState.PUBLISHED
    assert list(LogEntry.objects.values_list("user_id", "change_message")) == [(admin.pk, "Ban hành biểu mẫu v1")]


def test_publishing_a_draft_the_procedure_no_longer_fits_is_refused(admin_client, procedure, draft):
    # given the file field's component was removed since the draft was saved
    procedure.components.all().delete()
    before = state()
    # when the admin confirms publishing
    response = admin_client.post(reverse("eforms:publish", args=[draft.pk]))
    # then the reason is shown and it stays a draft
    assert response.status_code == 400
    assert response.context["errors"] == ["Bước 2, trường “to_khai”: thủ tục không có thành phần hồ sơ “Tờ khai”."]
    assert state() == before


def test_cloning_a_published_version_opens_a_new_draft(admin_client, admin, draft):
    # given version 1 published
    form_version_publish(version=draft)
    # when the admin clones it
    response = admin_client.post(reverse("eforms:clone", args=[draft.pk]))
    # then version 2 is a draft with the same content, opened in the editor
    new = FormVersion.objects.get(number=2)
    assert (new.state, new.schema) == (VersionState.DRAFT, draft.schema)
    assert response["Location"] == reverse("eforms:edit", args=[new.pk])
    assert LogEntry.objects.filter(user=admin).last().change_message == "Sao chép v1 thành bản nháp v2"


def test_cloning_while_a_draft_exists_is_refused(admin_client, procedure, draft):
    # given version 1 published and version 2 a draft
    form_version_publish(version=draft)
    form_draft_save(procedure=procedure, schema=two_step_form("Khác"))
    before = state()
    # when the admin clones version 1
    response = admin_client.post(reverse("eforms:clone", args=[draft.pk]), follow=True)
    # then the reason is shown and nothing changed
    assert [str(m) for m in response.context["messages"]] == [
        "Biểu mẫu đã có một bản nháp (phiên bản 2); hãy sửa bản nháp đó."
    ]
    assert state() == before


# --- import, export ------------------------------------------------------------------------------


def test_export_then_import_into_another_procedure_gives_the_same_definition(admin_client, draft):
    # given another procedure with the same component
    other = ProcedureFactory(code="1.000001")
    ComponentFactory(procedure=other, name="Tờ khai", order=1)
    # when the admin exports version 1 and imports the file into the other procedure
    exported = admin_client.get(reverse("eforms:export", args=[draft.pk]))
    upload = SimpleUploadedFile("bieu-mau.json", exported.content, content_type="application/json")
    response = admin_client.post(reverse("eforms:import", args=["1.000001"]), {"file": upload})
    # then the download is the service's export, and the other procedure's draft holds the same definition
    assert exported["Content-Disposition"] == 'attachment; filename="bieu-mau-1.001193-v1.json"'
    draft.refresh_from_db()  # the stored document (PostgreSQL's jsonb orders keys its own way)
    assert exported.content.decode() == form_export(version=draft)
    imported = FormVersion.objects.get(definition__procedure=other)
    assert imported.schema == draft.schema
    assert response["Location"] == reverse("eforms:edit", args=[imported.pk])


def test_importing_a_broken_file_lists_the_problem_and_creates_nothing(admin_client, procedure):
    before = (FormDefinition.objects.count(), state())
    # when the admin imports a file with an unknown field type
    raw = json.dumps(form(step("a", field("x", "mau_la", "X")))).encode()
    upload = SimpleUploadedFile("bieu-mau.json", raw, content_type="application/json")
    response = admin_client.post(reverse("eforms:import", args=["1.001193"]), {"file": upload})
    # then the page says why and nothing was created
    assert response.status_code == 400
    assert response.context["import_errors"] == ["Bước 1, trường “x”: loại trường “mau_la” không được hỗ trợ."]
    assert (FormDefinition.objects.count(), state()) == before


# --- live preview --------------------------------------------------------------------------------


def preview(client, version, schema, step_key=""):
    response = client.post(
        reverse("eforms:live_preview", args=[version.pk]), {"schema": json.dumps(schema), "step": step_key}
    )
    assert response.status_code == 200
    return response.json()


def test_live_preview_renders_the_asked_step_with_the_citizens_renderer(admin_client, draft):
    # when the builder asks for the first step of an unsaved edit
    answer = preview(admin_client, draft, two_step_form("Họ tên người khai"), "nguoi_khai")
    # then the step is rendered, the conditional field marked for the browser, nothing saved
    assert answer["errors"] == []
    html = answer["html"]
    assert "Bước 1/2" in html
    assert "Người khai" in html
    assert 'name="xem-truoc-ho_ten"' in html
    assert "Họ tên người khai" in html
    assert "data-visible-if" in html
    draft.refresh_from_db()
    assert draft.schema == two_step_form()


def test_live_preview_escapes_the_admins_text(admin_client, draft):
    # given a label, help text and option that try to inject a script
    evil = two_step_form("<script>alert(1)</script>")
    evil["steps"][0]["fields"][0]["help_text"] = '<img src=x onerror="alert(2)">'
    evil["steps"][0]["fields"][1]["options"][0]["label"] = "<b onmouseover=alert(3)>Có</b>"
    # when the preview renders it
    html = preview(admin_client, draft, evil, "nguoi_khai")["html"]
    # then every piece is text, not markup
    assert "<script>" not in html
    assert "<img" not in html
    assert "<b " not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in html
    assert "&lt;b onmouseover=alert(3)&gt;Có&lt;/b&gt;" in html


def test_live_preview_returns_what_a_save_would_refuse(admin_client, draft):
    # given an edit whose rule points at a missing field
    broken = two_step_form()
    broken["steps"][0]["fields"][2]["visible_if"] = {"field": "khong_co", "op": "filled"}
    # when the builder asks for a preview
    answer = preview(admin_client, draft, broken)
    # then it gets the save's error and no HTML
    assert answer == {
        "errors": ["Bước 1, trường “so_con”, điều kiện hiển thị: trường “khong_co” không tồn tại."],
        "html": "",
    }


def test_live_preview_of_an_unknown_step_shows_the_first(admin_client, draft):
    answer = preview(admin_client, draft, two_step_form(), "khong_co")
    assert "Bước 1/2" in answer["html"]


def test_the_nav_links_province_admins_to_the_builder(admin_client, client):
    # when a province admin opens any page, then the nav has the builder
    page = admin_client.get(reverse("eforms:index")).content.decode()
    assert f'<a href="{reverse("eforms:index")}">Biểu mẫu điện tử</a>' in page
