"""The console's pages: who may use them, the five steps posting through, the preview writing nothing."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.sessions.models import Session
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from console.constants import ConfigState, SetupState
from console.models import ProvinceTarget, ServiceChange, ServiceConfig
from console.services import service_config_draft_start
from dossiers.models import Attachment, Dossier, DossierDraft
from eforms.models import FormVersion
from procedures.constants import OnlineLevel
from procedures.models import Procedure
from tests.factories import ProcedureFactory, UserFactory
from workflows.models import WorkflowVersion
from workflows.selectors import working_calendar

pytestmark = pytest.mark.django_db

BASE = "/quan-tri/dich-vu/"
QUERIES = 11


@pytest.fixture
def signed_in(client, admin):
    client.force_login(admin)
    return client


def step_one_post(**changes):
    data = {
        "online_level": "full",
        "partial_reason": "",
        "channels": ["online", "post"],
        "paper_accepted": "",
        "online_payment": "on",
        "result_delivery": ["electronic"],
        "online_time_limit_value": "3",
        "phi-TOTAL_FORMS": "1",
        "phi-INITIAL_FORMS": "0",
        "phi-0-name": "",
        "phi-0-amount": "",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("url", ["", "2.000552/", "2.000552/buoc/dich-vu/", "2.000552/xem-thu/"])
def test_only_province_admins_may_open_the_console(client, procedure, url):
    client.force_login(UserFactory(role="leader"))

    assert client.get(BASE + url).status_code == 403


def test_the_list_shows_each_procedure_with_its_setup_state(signed_in, procedure):
    # given one published online procedure (configured before the console), one not started,
    # one with a draft
    ProcedureFactory(code="1.000001", name="Chưa bắt đầu", online_level=OnlineLevel.INFORMATION, draft=True)
    drafted = ProcedureFactory(code="1.000002", name="Đang làm", draft=True)
    service_config_draft_start(procedure=drafted)

    # when
    response = signed_in.get(BASE)

    # then
    states = {row.procedure.code: row.state for row in response.context["rows"]}
    assert states == {
        "2.000552": SetupState.PUBLISHED,
        "1.000001": SetupState.NOT_STARTED,
        "1.000002": SetupState.IN_PROGRESS,  # no workflow, no form, no component
    }
    assert "Chưa bắt đầu" in response.content.decode()

    # and the filter by state keeps only those
    filtered = signed_in.get(BASE, {"trang_thai": "not_started"})
    assert [row.procedure.code for row in filtered.context["rows"]] == ["1.000001"]

    # and a draft of the complete service is ready
    service_config_draft_start(procedure=procedure)
    ready = signed_in.get(BASE, {"trang_thai": "ready"})
    assert [(row.procedure.code, row.state) for row in ready.context["rows"]] == [("2.000552", SetupState.READY)]


def test_the_list_filters_by_sector_and_agency(signed_in, procedure):
    other = ProcedureFactory(code="1.000003")

    by_sector = signed_in.get(BASE, {"linh_vuc": other.sector.code})
    by_agency = signed_in.get(BASE, {"co_quan": "000.00.08.H42"})

    assert [row.procedure.code for row in by_sector.context["rows"]] == ["1.000003"]
    assert [row.procedure.code for row in by_agency.context["rows"]] == ["2.000552"]


def test_the_five_steps_save_and_continue_then_publish(signed_in, procedure):
    # step 1: save and continue goes to step 2, and starts the draft
    response = signed_in.post(f"{BASE}2.000552/buoc/dich-vu/", step_one_post(**{
        "phi-TOTAL_FORMS": "2", "phi-INITIAL_FORMS": "1",
        "phi-0-id": str(procedure.fees.get().pk), "phi-0-name": "Phí thẩm định", "phi-0-amount": "500000",
        "phi-0-online_discount_percent": "30",
    }))  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}2.000552/buoc/thanh-phan/"
    draft = ServiceConfig.objects.get(procedure=procedure, state=ConfigState.DRAFT)
    assert (draft.channels, draft.paper_accepted, draft.fees[0]["online_discount_percent"]) == (
        ["online", "post"],
        False,
        30,
    )

    # step 2: reorder (the second first), add one
    first, second = draft.components
    response = signed_in.post(
        f"{BASE}2.000552/buoc/thanh-phan/",
        {
            "tp-TOTAL_FORMS": "3", "tp-INITIAL_FORMS": "2",
            "tp-0-id": first["id"], "tp-0-name": first["name"], "tp-0-required": "on", "tp-0-original_copies": "1",
            "tp-0-copies": "0", "tp-0-allowed_types": ["pdf"], "tp-0-max_size_mb": "10", "tp-0-ORDER": "2",
            "tp-1-id": second["id"], "tp-1-name": second["name"], "tp-1-allowed_types": ["pdf", "png"],
            "tp-1-max_size_mb": "5", "tp-1-ORDER": "1",
            "tp-2-name": "Ảnh chân dung", "tp-2-required": "on", "tp-2-reusable": "on", "tp-2-ORDER": "3",
        },
    )  # fmt: skip
    assert response["Location"] == f"{BASE}2.000552/buoc/bieu-mau/"
    draft.refresh_from_db()
    assert [(c["name"], c["allowed_types"], c["id"]) for c in draft.components] == [
        ("Bản sao giấy phép cũ", "pdf,png", second["id"]),
        ("Đơn đề nghị", "pdf", first["id"]),
        ("Ảnh chân dung", "", None),
    ]

    # step 3 and 4: keep the versions in force
    form_version = FormVersion.objects.get(definition__procedure=procedure)
    response = signed_in.post(f"{BASE}2.000552/buoc/bieu-mau/", {"version": form_version.pk})
    assert response["Location"] == f"{BASE}2.000552/buoc/quy-trinh/"
    workflow_version = WorkflowVersion.objects.get(workflow__procedure=procedure)
    response = signed_in.post(f"{BASE}2.000552/buoc/quy-trinh/", {"version": workflow_version.pk})
    assert response["Location"] == f"{BASE}2.000552/buoc/cong-bo/"

    # step 5 names the problem: the form's file field names component 1, now "Bản sao giấy phép cũ"
    # (still a component), so the only gap is none; the page says it is ready
    page = signed_in.get(f"{BASE}2.000552/buoc/cong-bo/")
    assert page.context["problems"] == []
    assert 'aria-current="step"' in page.content.decode()

    # publish
    response = signed_in.post(f"{BASE}2.000552/cong-bo/")
    assert response["Location"] == f"{BASE}2.000552/"
    procedure.refresh_from_db()
    assert list(procedure.components.order_by("order").values_list("name", flat=True)) == [
        "Bản sao giấy phép cũ",
        "Đơn đề nghị",
        "Ảnh chân dung",
    ]
    assert procedure.fees.get().online_discount_percent == 30
    overview = signed_in.get(f"{BASE}2.000552/")
    assert overview.context["state"] == SetupState.PUBLISHED
    assert [c.field for c in overview.context["changes"]][0] == "Công bố"


def test_step_one_refuses_inconsistent_settings_and_saves_nothing(signed_in, procedure):
    response = signed_in.post(
        f"{BASE}2.000552/buoc/dich-vu/",
        step_one_post(channels=["direct"], online_level="partial", online_time_limit_value="9"),
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["channels"] == ["Dịch vụ trực tuyến phải nhận hồ sơ “Trực tuyến”."]
    assert errors["partial_reason"] == ["Dịch vụ trực tuyến một phần phải nêu lý do."]
    assert errors["paper_accepted"] == [
        "Đã chọn nhận hồ sơ “Trực tiếp”: phải nhận hồ sơ giấy tại bộ phận một cửa, hoặc bỏ cách thức đó."
    ]
    assert errors["online_time_limit_value"] == [
        "Thời hạn khi nộp trực tuyến không được dài hơn thời hạn giải quyết (5)."
    ]
    assert not ServiceConfig.objects.exists()


def test_publish_refused_shows_the_problems_with_links(signed_in, procedure, admin):
    # given a draft returning results at the desk only
    signed_in.post(f"{BASE}2.000552/buoc/dich-vu/", step_one_post(result_delivery=["desk"], channels=["online"]))
    before = Procedure.objects.filter(pk=procedure.pk).values().get()

    # when
    response = signed_in.post(f"{BASE}2.000552/cong-bo/", follow=True)

    # then
    page = response.content.decode()
    assert "Chưa công bố được dịch vụ:" in page
    assert "Dịch vụ trực tuyến toàn trình phải trả kết quả bản điện tử hoặc qua dịch vụ bưu chính công ích." in page
    assert f'href="{BASE}2.000552/buoc/dich-vu/#id_result_delivery"' in page
    assert Procedure.objects.filter(pk=procedure.pk).values().get() == before
    assert ServiceConfig.objects.get(procedure=procedure).state == ConfigState.DRAFT


def test_the_citizen_preview_writes_nothing(signed_in, procedure, admin):
    # given a draft
    service_config_draft_start(procedure=procedure, actor=admin)
    tables = (ServiceConfig, ServiceChange, Dossier, DossierDraft, Attachment, FormVersion, WorkflowVersion, LogEntry)
    before = {model: model.objects.count() for model in tables}
    sessions = Session.objects.count()

    # when the admin walks every page of the preview
    pages = [
        signed_in.get(f"{BASE}2.000552/xem-thu/", {"trang": slug})
        for slug in ("thong-tin", "to-khai", "giay-to", "le-phi")
    ]

    # then
    assert [p.status_code for p in pages] == [200, 200, 200, 200]
    assert all("Xem thử — không tạo hồ sơ." in p.content.decode() for p in pages)
    assert "Đơn đề nghị" in pages[2].content.decode()
    assert "250.000" in pages[3].content.decode()  # 500 000 đ with the 50% online discount
    assert "<li>Bản điện tử trên Cổng (tải về tại mục Hồ sơ của tôi)</li>" in pages[3].content.decode()
    assert {model: model.objects.count() for model in tables} == before
    assert Session.objects.count() == sessions


def test_step_pages_render_without_a_draft_and_change_nothing(signed_in, procedure):
    for step in ("dich-vu", "thanh-phan", "bieu-mau", "quy-trinh", "cong-bo"):
        response = signed_in.get(f"{BASE}2.000552/buoc/{step}/")
        assert response.status_code == 200, step
        assert response.content.decode().count('aria-current="step"') == 1
    assert not ServiceConfig.objects.exists()


def test_the_form_step_opens_the_builder_on_a_draft(signed_in, procedure):
    response = signed_in.post(f"{BASE}2.000552/bieu-mau/soan/")

    draft_form = FormVersion.objects.get(definition__procedure=procedure, state="draft")
    assert response["Location"] == f"/quan-tri/bieu-mau/{draft_form.pk}/sua/"
    assert ServiceConfig.objects.get(procedure=procedure).form_version == draft_form


def test_the_target_is_set_in_the_console(signed_in):
    # when
    response = signed_in.post(f"{BASE}chi-tieu/", {"year": "2026", "full_online_percent": "80"})

    # then
    assert response.status_code == 302
    assert ProvinceTarget.objects.get(year=2026).full_online_percent == 80
    assert LogEntry.objects.filter(change_message="Chỉ tiêu năm 2026: 80% thủ tục trực tuyến toàn trình").exists()


def components_post(draft, **extra):
    first, second = draft.components
    data = {
        "tp-TOTAL_FORMS": "2", "tp-INITIAL_FORMS": "2",
        "tp-0-id": first["id"], "tp-0-name": first["name"], "tp-0-required": "on", "tp-0-allowed_types": ["pdf"],
        "tp-0-max_size_mb": "10", "tp-0-ORDER": "1",
        "tp-1-id": second["id"], "tp-1-name": second["name"], "tp-1-allowed_types": ["pdf"], "tp-1-ORDER": "2",
    }  # fmt: skip
    data.update(extra)
    return data


def test_a_template_file_is_attached_to_a_component_and_published(signed_in, procedure, admin):
    # given
    draft = service_config_draft_start(procedure=procedure, actor=admin)
    upload = SimpleUploadedFile("mau-don.pdf", b"%PDF-1.4 mau don", content_type="application/pdf")

    # when the admin attaches the form template to the first component, then publishes
    signed_in.post(f"{BASE}2.000552/buoc/thanh-phan/", components_post(draft, **{"tp-0-upload": upload}))
    draft.refresh_from_db()
    stored = draft.components[0]["template_file"]
    signed_in.post(f"{BASE}2.000552/cong-bo/")

    # then
    assert stored.startswith("templates/mau-don")
    assert default_storage.open(stored).read() == b"%PDF-1.4 mau don"
    assert procedure.components.get(name="Đơn đề nghị").template_file.name == stored


def test_a_template_path_from_outside_the_templates_folder_is_refused(signed_in, procedure, admin):
    draft = service_config_draft_start(procedure=procedure, actor=admin)

    response = signed_in.post(
        f"{BASE}2.000552/buoc/thanh-phan/", components_post(draft, **{"tp-0-template_file": "../settings.py"})
    )

    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors["template_file"] == ["Tệp mẫu không hợp lệ."]
    draft.refresh_from_db()
    assert draft.components[0]["template_file"] == ""


def test_the_list_takes_a_fixed_number_of_queries(signed_in, procedure, django_assert_num_queries):
    # given six procedures, none with a draft
    for _n in range(5):
        ProcedureFactory()
    working_calendar()  # built once per process; afterwards its version check is one query

    # when / then: session, user, procedures, their agencies, configurations and components,
    # the share counts, the target, sectors and agencies for the filters, the calendar (its warning)
    with django_assert_num_queries(QUERIES):
        response = signed_in.get(BASE)
    assert len(response.context["rows"]) == 6


def test_every_readiness_link_lands_on_an_element_of_its_step(signed_in, procedure, admin):
    # given a draft failing every rule that links to a field of step 1 or to a component of step 2
    draft = service_config_draft_start(procedure=procedure, actor=admin)
    draft.channels = ["direct"]
    draft.online_level = OnlineLevel.PARTIAL
    draft.partial_reason = ""
    draft.online_payment = False
    draft.online_time_limit_value = 9
    draft.components[0]["allowed_types"] = ""
    draft.save()
    problems = signed_in.get(f"{BASE}2.000552/buoc/cong-bo/").context["problems"]
    anchored = [p for p in problems if p.anchor]
    assert {p.code for p in anchored} >= {"online_channel_missing", "partial_reason_missing", "online_payment_disabled",
                                          "online_time_limit_longer", "component_not_uploadable"}  # fmt: skip

    # when each link is followed, then its page has an element with that id
    for problem in anchored:
        path, anchor = problem.url.split("#")
        assert f'id="{anchor}"' in signed_in.get(path).content.decode(), problem.code
