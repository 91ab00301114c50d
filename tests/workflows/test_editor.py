from django.contrib.admin.models import LogEntry
from django.urls import reverse

from accounts.constants import Role
from accounts.services import user_ensure
from common.constants import VersionState
from tests.factories import ProcedureFactory, UserFactory, WorkflowVersionFactory
from workflows.defaults import ward_definition
from workflows.forms import step_initial
from workflows.models import WorkflowVersion


def admin_client(client):
    admin, _created = user_ensure(username="quantri", password="x", role=Role.PROVINCE_ADMIN, full_name="Quản trị")
    client.force_login(admin)
    return client


def formset_data(steps):
    data = {
        "steps-TOTAL_FORMS": str(len(steps)),
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "20",
    }
    for index, step in enumerate(steps):
        for key, value in {**step_initial(step), "ORDER": index + 1}.items():
            if value is True:
                data[f"steps-{index}-{key}"] = "on"
            elif value is not None:
                data[f"steps-{index}-{key}"] = str(value)
    return data


def normalised(definition):
    """The editor lists a step's actions in a fixed order; the order carries no meaning."""
    return [{**step, "actions": sorted(step["actions"], key=lambda a: a["action"])} for step in definition["steps"]]


def test_editor_is_for_province_admins(client, db):
    procedure = ProcedureFactory()
    client.force_login(UserFactory(role=Role.SPECIALIST))

    assert client.get(reverse("workflows:edit", args=[procedure.code])).status_code == 403


def test_admin_builds_saves_and_publishes_a_workflow(client, db):
    procedure = ProcedureFactory()
    client = admin_client(client)

    saved = client.post(reverse("workflows:edit", args=[procedure.code]), formset_data(ward_definition()["steps"]))
    assert saved.status_code == 302
    draft = WorkflowVersion.objects.get(workflow__procedure=procedure)
    assert draft.state == VersionState.DRAFT
    assert normalised(draft.definition) == normalised(ward_definition())

    client.post(reverse("workflows:publish", args=[procedure.code]))
    draft.refresh_from_db()
    assert draft.state == VersionState.PUBLISHED
    trail = list(LogEntry.objects.order_by("id").values_list("user__username", "change_message"))
    assert trail == [("quantri", "Tạo bản nháp quy trình v1"), ("quantri", "Ban hành quy trình v1")]


def test_an_invalid_workflow_is_explained_and_not_saved(client, db):
    procedure = ProcedureFactory()
    steps = ward_definition()["steps"]
    steps[1]["share"] = 10  # shares now add up to 50%
    client = admin_client(client)

    response = client.post(reverse("workflows:edit", args=[procedure.code]), formset_data(steps))

    assert response.status_code == 200
    assert "Tổng tỷ lệ thời gian các bước phải bằng 100% (hiện là 50%)." in response.content.decode()
    assert not WorkflowVersion.objects.exists()


def test_a_published_version_is_changed_only_through_a_new_draft(client, db):
    version = WorkflowVersionFactory()
    code = version.workflow.procedure.code
    client = admin_client(client)
    steps = version.definition["steps"]
    steps[0]["name"] = "Tiếp nhận tại bộ phận một cửa"

    client.post(reverse("workflows:edit", args=[code]), formset_data(steps))

    version.refresh_from_db()
    assert version.definition["steps"][0]["name"] == "Tiếp nhận hồ sơ"  # the published one is untouched
    draft = WorkflowVersion.objects.get(state=VersionState.DRAFT)
    assert (draft.number, draft.definition["steps"][0]["name"]) == (version.number + 1, "Tiếp nhận tại bộ phận một cửa")


def test_editor_page_renders_the_current_steps(client, db):
    version = WorkflowVersionFactory()
    client = admin_client(client)

    html = client.get(reverse("workflows:edit", args=[version.workflow.procedure.code])).content.decode()

    assert "Phê duyệt, ký" in html
    assert "Vào số, phát hành" in html
    assert client.get(reverse("workflows:index")).status_code == 200
