"""Drafting and publishing a service configuration: what changes, what never does."""

from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry

from common.constants import VersionState
from console.constants import ConfigState
from console.models import ServiceChange, ServiceConfig
from console.services import (
    ServiceNotReady,
    WrongVersion,
    service_config_choose_form,
    service_config_draft_start,
    service_config_form_draft_open,
    service_config_publish,
    service_config_save_components,
    service_config_save_service,
    service_config_workflow_from_default,
)
from dossiers.models import Attachment, Dossier
from eforms.models import FormVersion
from eforms.selectors import form_version_current
from procedures.constants import OnlineLevel
from procedures.models import DossierComponent, Fee, Procedure
from tests.factories import DossierFactory, ProcedureFactory, UserFactory
from workflows.models import WorkflowVersion
from workflows.selectors import workflow_version_current

pytestmark = pytest.mark.django_db


def step_one(procedure, admin, **changes):
    draft = ServiceConfig.objects.filter(procedure=procedure, state=ConfigState.DRAFT).first()
    values = {
        "online_level": draft.online_level if draft else OnlineLevel.FULL,
        "partial_reason": "",
        "channels": ["online", "direct"],
        "paper_accepted": True,
        "online_payment": True,
        "result_delivery": ["electronic"],
        "online_time_limit_value": Decimal(3),
        "fees": draft.fees if draft else [],
    }
    values.update(changes)
    return service_config_save_service(procedure=procedure, actor=admin, **values)


def catalogue_state(procedure):
    procedure = Procedure.objects.get(pk=procedure.pk)
    return (
        {
            f: getattr(procedure, f)
            for f in (
                "online_level",
                "partial_reason",
                "channels",
                "online_time_limit_value",
                "online_payment",
                "result_delivery",
            )
        },  # fmt: skip
        list(Fee.objects.filter(procedure=procedure).order_by("pk").values()),
        list(DossierComponent.objects.filter(procedure=procedure).order_by("pk").values()),
    )


def test_a_draft_starts_from_the_catalogue_and_is_started_once(procedure, admin):
    # when
    first = service_config_draft_start(procedure=procedure, actor=admin)
    again = service_config_draft_start(procedure=procedure, actor=admin)

    # then
    assert first.pk == again.pk
    assert first.number == 1
    assert [c["name"] for c in first.components] == ["Đơn đề nghị", "Bản sao giấy phép cũ"]
    assert [(f["name"], f["amount"], f["online_discount_percent"]) for f in first.fees] == [
        ("Phí thẩm định", 500_000, 50)
    ]
    assert first.form_version == form_version_current(procedure=procedure)
    assert first.workflow_version == workflow_version_current(procedure=procedure)
    assert ServiceConfig.objects.filter(procedure=procedure).count() == 1


def test_saving_a_step_logs_each_changed_field_and_audits(procedure, admin):
    # given
    service_config_draft_start(procedure=procedure, actor=admin)
    ServiceChange.objects.all().delete()

    # when the admin turns off paper at the desk and sets a two-day online limit
    step_one(procedure, admin, channels=["online"], paper_accepted=False, online_time_limit_value=Decimal(2))

    # then
    rows = list(ServiceChange.objects.order_by("id").values_list("actor__username", "step", "field", "before", "after"))
    assert rows == [
        # the channels by their labels, not their codes ("online, direct")
        ("quantri", "dich-vu", "Cách thức nộp hồ sơ", "Trực tuyến, Trực tiếp", "Trực tuyến"),
        ("quantri", "dich-vu", "Vẫn nhận hồ sơ giấy tại bộ phận một cửa", "Có", "Không"),
        ("quantri", "dich-vu", "Thời hạn khi nộp trực tuyến", "", "2"),
    ]
    assert LogEntry.objects.filter(change_message__startswith="Sửa bản nháp cấu hình dịch vụ v1 (dich-vu)").count() == 1


def test_publishing_applies_the_configuration_to_the_catalogue(procedure, admin):
    # given a draft that adds a component, reorders, changes a fee and takes the partial level
    draft = service_config_draft_start(procedure=procedure, actor=admin)
    fees = [{**draft.fees[0], "online_discount_percent": 20}, {"name": "Lệ phí cấp", "amount": 50_000}]
    step_one(
        procedure,
        admin,
        online_level=OnlineLevel.PARTIAL,
        partial_reason="Phải nộp bản chính khi nhận kết quả.",
        fees=fees,
    )
    first, second = draft.components
    service_config_save_components(
        procedure=procedure,
        components=[first, {**second, "required": True}, {"name": "Ảnh 4x6", "required": False}],
        actor=admin,
    )

    # when
    config = service_config_publish(procedure=procedure, actor=admin)

    # then
    procedure.refresh_from_db()
    assert config.state == ConfigState.PUBLISHED
    assert (procedure.online_level, procedure.partial_reason, procedure.online_time_limit_value) == (
        OnlineLevel.PARTIAL,
        "Phải nộp bản chính khi nhận kết quả.",
        Decimal(3),
    )
    assert list(procedure.fees.order_by("order").values_list("name", "amount", "online_discount_percent")) == [
        ("Phí thẩm định", 500_000, 20),
        ("Lệ phí cấp", 50_000, 0),
    ]
    components = list(procedure.components.order_by("order").values_list("id", "name", "required"))
    assert [(name, required) for _pk, name, required in components] == [
        ("Đơn đề nghị", True),
        ("Bản sao giấy phép cũ", True),
        ("Ảnh 4x6", False),
    ]
    assert (components[0][0], components[1][0]) == (first["id"], second["id"])  # updated in place
    assert [c["id"] for c in config.components] == [pk for pk, _name, _required in components]
    assert ServiceChange.objects.filter(config=config, field="Công bố", after="phiên bản 1").exists()


def test_publishing_a_failing_service_is_refused_and_nothing_changes(procedure, admin):
    # given a draft that returns the result at the desk only and drops a component
    draft = service_config_draft_start(procedure=procedure, actor=admin)
    step_one(procedure, admin, result_delivery=["desk"], channels=["online"], paper_accepted=False)
    service_config_save_components(procedure=procedure, components=draft.components[:1], actor=admin)
    before = catalogue_state(procedure)
    changes = ServiceChange.objects.count()
    audits = LogEntry.objects.count()

    # when
    with pytest.raises(ServiceNotReady) as refused:
        service_config_publish(procedure=procedure, actor=admin)

    # then
    assert [p.code for p in refused.value.problems] == ["full_service_result_at_desk_only"]
    assert str(refused.value) == (
        "Chưa công bố được dịch vụ: Dịch vụ trực tuyến toàn trình phải trả kết quả bản điện tử "
        "hoặc qua dịch vụ bưu chính công ích."
    )
    assert catalogue_state(procedure) == before
    assert ServiceConfig.objects.get(pk=draft.pk).state == ConfigState.DRAFT
    assert ServiceChange.objects.count() == changes
    assert LogEntry.objects.count() == audits


def test_a_component_files_point_to_is_never_deleted(procedure, admin):
    # given a filed dossier with a file for the optional component, and a draft dropping it
    component = procedure.components.get(name="Bản sao giấy phép cũ")
    dossier = DossierFactory(procedure=procedure)
    Attachment.objects.create(
        dossier=dossier,
        component=component,
        uploaded_by=UserFactory(),
        name="a.pdf",
        file="x/a.pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
    )
    draft = service_config_draft_start(procedure=procedure, actor=admin)
    service_config_save_components(procedure=procedure, components=draft.components[:1], actor=admin)

    # when
    with pytest.raises(ServiceNotReady) as refused:
        service_config_publish(procedure=procedure, actor=admin)

    # then
    assert [p.code for p in refused.value.problems] == ["component_in_use"]
    assert DossierComponent.objects.filter(pk=component.pk).exists()


def test_a_new_published_version_leaves_filed_dossiers_on_their_versions(procedure, admin):
    # given a dossier filed with form v1 and workflow v1
    old_form = form_version_current(procedure=procedure)
    old_workflow = workflow_version_current(procedure=procedure)
    dossier = DossierFactory(procedure=procedure, form_version=old_form, workflow_version=old_workflow)
    filed = Dossier.objects.filter(pk=dossier.pk).values().get()

    # when the admin opens a new form draft, takes a default workflow draft, and publishes
    service_config_form_draft_open(procedure=procedure, actor=admin)
    service_config_workflow_from_default(procedure=procedure, kind="ward", actor=admin)
    config = service_config_publish(procedure=procedure, actor=admin)

    # then new dossiers get version 2 of both, the filed one is untouched
    assert (config.form_version.number, config.form_version.state) == (2, VersionState.PUBLISHED)
    assert (config.workflow_version.number, config.workflow_version.state) == (2, VersionState.PUBLISHED)
    assert form_version_current(procedure=procedure) == config.form_version
    assert workflow_version_current(procedure=procedure) == config.workflow_version
    assert Dossier.objects.filter(pk=dossier.pk).values().get() == filed
    assert FormVersion.objects.get(pk=old_form.pk).schema == old_form.schema
    assert WorkflowVersion.objects.get(pk=old_workflow.pk).definition == old_workflow.definition


def test_editing_a_published_service_starts_a_new_draft_and_keeps_the_published_one(procedure, admin):
    # given version 1 published
    service_config_draft_start(procedure=procedure, actor=admin)
    published = service_config_publish(procedure=procedure, actor=admin)

    # when the admin changes the online discount
    draft = step_one(procedure, admin, fees=[{**published.fees[0], "online_discount_percent": 10}])

    # then a draft v2 holds the change; v1 and the catalogue are unchanged until v2 is published
    published.refresh_from_db()
    assert (draft.number, draft.state) == (2, ConfigState.DRAFT)
    assert published.state == ConfigState.PUBLISHED
    assert published.fees[0]["online_discount_percent"] == 50
    assert Fee.objects.get(procedure=procedure).online_discount_percent == 50

    # and publishing v2 retires v1
    service_config_publish(procedure=procedure, actor=admin)
    published.refresh_from_db()
    assert published.state == ConfigState.RETIRED
    assert Fee.objects.get(procedure=procedure).online_discount_percent == 10


def test_a_not_started_procedure_is_put_online_in_the_catalogue(procedure, admin):
    # given an information-only procedure, not in the public catalogue
    Procedure.objects.filter(pk=procedure.pk).update(online_level=OnlineLevel.INFORMATION, is_published=False)
    procedure.refresh_from_db()
    draft = service_config_draft_start(procedure=procedure, actor=admin)
    assert (draft.online_level, draft.online_payment, draft.result_delivery) == (OnlineLevel.FULL, False, ["desk"])

    # when step 1 is completed (payment online, result electronic) and published
    step_one(procedure, admin)
    service_config_publish(procedure=procedure, actor=admin)

    # then
    procedure.refresh_from_db()
    assert (procedure.is_published, procedure.online_level) == (True, OnlineLevel.FULL)


def test_a_version_of_another_procedure_cannot_be_chosen(procedure, admin):
    other = ProcedureFactory()
    service_config_form_draft_open(procedure=other, actor=admin)
    foreign = FormVersion.objects.get(definition__procedure=other)

    with pytest.raises(WrongVersion):
        service_config_choose_form(procedure=procedure, form_version=foreign, actor=admin)
