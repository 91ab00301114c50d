"""Every readiness rule: passes on a complete service, fails with its exact message and link."""

from decimal import Decimal

import pytest

from common.constants import VersionState
from console.readiness import (
    check_components_provided,
    check_form,
    check_online_payment,
    check_published_components,
    check_removed_components,
    check_result_delivery,
    check_service_settings,
    check_workflow,
    readiness_problems,
)
from dossiers.models import Attachment
from eforms.models import FormVersion
from procedures.constants import OnlineLevel
from tests.factories import DossierFactory, UserFactory, WorkflowVersionFactory

from .conftest import form_schema

pytestmark = pytest.mark.django_db

STEP = "/quan-tri/dich-vu/2.000552/buoc/"


def messages(problems):
    return [(p.code, p.message, p.url) for p in problems]


def test_a_complete_service_is_ready(draft):
    # given the fixture's complete procedure and the draft started from it
    # when / then
    assert readiness_problems(draft) == []


# ---------------------------------------------------------------- the seven published components


def test_published_components_pass(draft):
    assert check_published_components(draft) == []


def test_published_components_missing_in_the_catalogue_link_to_the_catalogue_record(draft, procedure):
    # given a procedure whose published steps and result are empty
    procedure.steps = "  "
    procedure.result_document = ""
    procedure.save()

    # when
    problems = check_published_components(draft)

    # then
    admin_url = f"/admin/procedures/procedure/{procedure.pk}/change/"
    assert messages(problems) == [
        (
            "published_components",
            "Thủ tục chưa đủ bảy nội dung phải công bố (Nghị định 63/2010/NĐ-CP): thiếu “Trình tự thực hiện”.",
            admin_url,
        ),
        (
            "published_components",
            "Thủ tục chưa đủ bảy nội dung phải công bố (Nghị định 63/2010/NĐ-CP): thiếu “Kết quả thực hiện”.",
            admin_url,
        ),
    ]


def test_published_components_use_the_configured_channels_and_components(draft):
    # given a draft with no channel and no component (the catalogue still has both)
    draft.channels = []
    draft.components = []

    # when
    problems = check_published_components(draft)

    # then
    assert messages(problems) == [
        (
            "published_components",
            "Thủ tục chưa đủ bảy nội dung phải công bố (Nghị định 63/2010/NĐ-CP): thiếu “Cách thức thực hiện”.",
            f"{STEP}dich-vu/#id_channels",
        ),
        (
            "published_components",
            "Thủ tục chưa đủ bảy nội dung phải công bố (Nghị định 63/2010/NĐ-CP): thiếu “Thành phần, số lượng hồ sơ”.",
            f"{STEP}thanh-phan/",
        ),
    ]


# ---------------------------------------------------------------- step 1 settings


def test_service_settings_pass(draft):
    assert check_service_settings(draft) == []


def test_service_settings_fail(draft):
    # given no online channel, a partial service without reason, an online limit above the limit
    draft.channels = ["direct"]
    draft.online_level = OnlineLevel.PARTIAL
    draft.partial_reason = " "
    draft.online_time_limit_value = Decimal("6")

    # when
    problems = check_service_settings(draft)

    # then
    assert messages(problems) == [
        ("online_channel_missing", "Cách thức nộp hồ sơ phải có “Trực tuyến”.", f"{STEP}dich-vu/#id_channels"),
        ("partial_reason_missing", "Dịch vụ trực tuyến một phần phải nêu lý do.", f"{STEP}dich-vu/#id_partial_reason"),
        (
            "online_time_limit_longer",
            "Thời hạn khi nộp trực tuyến (6) không được dài hơn thời hạn giải quyết (5).",
            f"{STEP}dich-vu/#id_online_time_limit_value",
        ),
    ]


# ---------------------------------------------------------------- components provided


def test_components_provided_pass_with_upload_or_reuse(draft):
    # given the required component takes no file type but may come from the citizen's store
    draft.components[0]["allowed_types"] = ""
    draft.components[0]["reusable"] = True

    assert check_components_provided(draft) == []


@pytest.mark.parametrize(("allowed_types", "max_size_mb"), [("", 10), ("heic,gif", 10), ("pdf", 0)])
def test_a_required_component_without_upload_or_reuse_fails(draft, allowed_types, max_size_mb):
    # given the required component accepts no known type (or 0 MB) and is not reusable
    draft.components[0].update(allowed_types=allowed_types, max_size_mb=max_size_mb, reusable=False)

    # when
    problems = check_components_provided(draft)

    # then
    assert messages(problems) == [
        (
            "component_not_uploadable",
            "Thành phần hồ sơ bắt buộc “Đơn đề nghị” chưa có cách nộp trực tuyến: hãy chọn ít nhất một loại tệp "
            "được nhận (dung lượng tối thiểu 1 MB) hoặc cho phép lấy từ kho dữ liệu của công dân.",
            f"{STEP}thanh-phan/#thanh-phan-1",
        )
    ]


def test_an_optional_component_without_upload_passes(draft):
    draft.components[1].update(allowed_types="", reusable=False)

    assert check_components_provided(draft) == []


def test_a_form_file_field_naming_a_component_the_service_drops_fails(draft):
    # given the form's file field names component 1, and the draft has removed every component
    draft.components = [draft.components[1]]
    draft.components[0]["name"] = "Bản sao giấy phép cũ"
    draft.form_version.schema = form_schema(component="Đơn đề nghị")

    # when
    problems = check_components_provided(draft)

    # then
    assert messages(problems) == [
        (
            "form_file_field_unknown_component",
            "Trường tệp “to_khai” của biểu mẫu điện tử gắn với thành phần hồ sơ “Đơn đề nghị”, không có trong "
            "danh sách thành phần hồ sơ của dịch vụ.",
            f"{STEP}thanh-phan/",
        )
    ]


# ---------------------------------------------------------------- a dropped component still used


def test_dropping_an_unused_component_passes(draft):
    draft.components = draft.components[:1]

    assert check_removed_components(draft) == []


def test_dropping_a_component_files_point_to_fails(draft, procedure):
    # given a filed dossier with a file for the optional component, which the draft drops
    component = procedure.components.get(name="Bản sao giấy phép cũ")
    dossier = DossierFactory(procedure=procedure)
    Attachment.objects.create(
        dossier=dossier,
        component=component,
        uploaded_by=UserFactory(),
        name="giay-phep.pdf",
        file="x/giay-phep.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
    )
    draft.components = draft.components[:1]

    # when
    problems = check_removed_components(draft)

    # then
    assert messages(problems) == [
        (
            "component_in_use",
            "Không thể bỏ thành phần hồ sơ “Bản sao giấy phép cũ”: đã có 1 tệp của hồ sơ nộp kèm thành phần này. "
            "Hãy giữ thành phần (có thể đổi thành không bắt buộc).",
            f"{STEP}thanh-phan/",
        )
    ]


# ---------------------------------------------------------------- the form


def test_form_pass_with_a_valid_draft_version(draft):
    # given a draft version (published together with the service)
    version = draft.form_version
    draft.form_version = FormVersion.objects.create(
        definition=version.definition, number=2, schema=form_schema(), state=VersionState.DRAFT
    )

    assert check_form(draft) == []


def test_form_missing_fails(draft):
    draft.form_version = None

    assert messages(check_form(draft)) == [
        ("form_missing", "Chưa chọn biểu mẫu điện tử cho dịch vụ.", f"{STEP}bieu-mau/")
    ]


def test_an_invalid_form_fails(draft):
    # given a draft version whose only step has no fields
    version = draft.form_version
    draft.form_version = FormVersion.objects.create(
        definition=version.definition, number=2, schema={"steps": [{"key": "a", "title": "A", "fields": []}]}
    )

    # when
    problems = check_form(draft)

    # then
    assert messages(problems) == [
        (
            "form_invalid",
            "Biểu mẫu điện tử phiên bản 2 chưa hợp lệ: Bước 1: phải có ít nhất một trường.",
            f"{STEP}bieu-mau/",
        )
    ]


def test_a_superseded_published_form_fails(draft):
    # given a newer version was published in the builder after the draft chose version 1
    FormVersion.objects.create(
        definition=draft.form_version.definition,
        number=2,
        schema=form_schema(),
        state=VersionState.PUBLISHED,
        published_at="2026-02-01T08:00:00+07:00",
    )

    assert messages(check_form(draft)) == [
        (
            "form_superseded",
            "Biểu mẫu điện tử phiên bản 1 đã được thay bằng phiên bản 2; hãy chọn lại biểu mẫu.",
            f"{STEP}bieu-mau/",
        )
    ]


# ---------------------------------------------------------------- the workflow


def test_workflow_pass(draft):
    assert check_workflow(draft) == []


def test_workflow_missing_fails(draft):
    draft.workflow_version = None

    assert messages(check_workflow(draft)) == [
        ("workflow_missing", "Chưa chọn quy trình điện tử cho dịch vụ.", f"{STEP}quy-trinh/")
    ]


def test_a_workflow_without_return_result_fails(draft, procedure):
    # given a draft workflow whose last step cannot return the result
    definition = draft.workflow_version.definition
    definition["steps"][-1]["actions"] = [{"action": "send_back", "to": "van_thu"}]
    draft.workflow_version = WorkflowVersionFactory(
        procedure=procedure, number=2, state=VersionState.DRAFT, published_at=None, definition=definition
    )

    # when
    problems = check_workflow(draft)

    # then
    assert ("workflow_invalid", "Quy trình điện tử phiên bản 2: Quy trình phải có bước “Trả kết quả”.") in [
        (p.code, p.message) for p in problems
    ]


def test_workflow_shares_that_do_not_fit_the_limit_fail(draft, procedure):
    # given a service of 8 working hours, 1 hour online: the 5% step gets 3 minutes
    procedure.time_limit_unit = "hour"
    procedure.time_limit_value = Decimal(8)
    procedure.save()
    draft.online_time_limit_value = Decimal(1)

    # when
    problems = check_workflow(draft)

    # then: every step under 15 minutes is named (10%, 15%, 5%, 10% of one hour; not the 60% one)
    assert [p.message for p in problems] == [
        "Bước “Tiếp nhận hồ sơ” của quy trình chỉ được 6 phút làm việc (10% của thời hạn 1 giờ làm việc): "
        "mỗi bước cần ít nhất 15 phút.",
        "Bước “Phê duyệt, ký” của quy trình chỉ được 9 phút làm việc (15% của thời hạn 1 giờ làm việc): "
        "mỗi bước cần ít nhất 15 phút.",
        "Bước “Vào số, phát hành” của quy trình chỉ được 3 phút làm việc (5% của thời hạn 1 giờ làm việc): "
        "mỗi bước cần ít nhất 15 phút.",
        "Bước “Trả kết quả” của quy trình chỉ được 6 phút làm việc (10% của thời hạn 1 giờ làm việc): "
        "mỗi bước cần ít nhất 15 phút.",
    ]
    assert {p.url for p in problems} == {f"{STEP}quy-trinh/"}


# ---------------------------------------------------------------- payment and delivery


def test_online_payment_pass_when_enabled_or_free(draft):
    assert check_online_payment(draft) == []
    draft.online_payment = False
    draft.fees = [{**fee, "amount": 0} for fee in draft.fees]
    assert check_online_payment(draft) == []


def test_a_fee_bearing_service_without_online_payment_fails(draft):
    draft.online_payment = False

    assert messages(check_online_payment(draft)) == [
        (
            "online_payment_disabled",
            "Thủ tục có thu phí, lệ phí nhưng chưa bật thanh toán trực tuyến.",
            f"{STEP}dich-vu/#id_online_payment",
        )
    ]


@pytest.mark.parametrize("ways", [["electronic"], ["post"], ["desk", "post"]])
def test_result_delivery_pass(draft, ways):
    draft.result_delivery = ways

    assert check_result_delivery(draft) == []


def test_a_partial_service_may_return_at_the_desk_only(draft):
    draft.online_level = OnlineLevel.PARTIAL
    draft.result_delivery = ["desk"]

    assert check_result_delivery(draft) == []


def test_a_full_service_returning_at_the_desk_only_fails(draft):
    draft.result_delivery = ["desk"]

    assert messages(check_result_delivery(draft)) == [
        (
            "full_service_result_at_desk_only",
            "Dịch vụ trực tuyến toàn trình phải trả kết quả bản điện tử hoặc qua dịch vụ bưu chính công ích.",
            f"{STEP}dich-vu/#id_result_delivery",
        )
    ]


def test_a_same_day_department_workflow_fits(draft, procedure):
    # given the same-day rule (no limit in days): 8 working hours, the 5% step gets 24 minutes
    procedure.time_limit_value = Decimal(0)
    procedure.same_day_rule = True
    procedure.save()
    draft.online_time_limit_value = None

    assert check_workflow(draft) == []


def test_a_service_whose_agency_has_no_reception_officer_is_not_ready(procedure, admin):
    from accounts.models import User
    from console.readiness import readiness_problems
    from console.services import service_config_draft_start

    User.objects.filter(username="motcua.syt").update(is_active=False)
    config = service_config_draft_start(procedure=procedure, actor=admin)

    (problem,) = [p for p in readiness_problems(config) if p.code == "no_reception_officer"]
    assert problem.message == "Sở Y tế chưa có cán bộ tiếp nhận (một cửa): hồ sơ nộp về sẽ không ai tiếp nhận."
    assert problem.url == "/admin/accounts/user/"
