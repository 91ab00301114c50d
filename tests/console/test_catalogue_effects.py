"""What a published configuration's step-1 choices do outside the console: paper at the desk,
online payment and the ways the result is returned reach the catalogue, the desk intake, the
citizen's fee step and indicator 3.5."""

import pytest
from django.urls import reverse

from console.services import service_config_draft_start, service_config_publish
from dossiers.constants import Channel
from dossiers.exceptions import ProcedureNotOpen
from dossiers.models import DossierDraft
from dossiers.payments.exceptions import OnlinePaymentOff
from dossiers.payments.services import payment_start
from dossiers.services import dossier_submit
from indicators.selectors import Scope, procedure_counts
from procedures.models import Procedure
from tests.factories import UserFactory

from .test_services import step_one

pytestmark = pytest.mark.django_db


def publish(procedure, admin, **changes):
    service_config_draft_start(procedure=procedure, actor=admin)
    step_one(procedure, admin, **changes)
    service_config_publish(procedure=procedure, actor=admin)
    return Procedure.objects.get(pk=procedure.pk)


def desk_intake(procedure):
    return dossier_submit(
        procedure=procedure,
        agency=procedure.implementing_agencies.get(),
        channel=Channel.DIRECT,
        applicant_name="Nguyễn Văn An",
        actor=UserFactory(role="reception_officer", agencies=list(procedure.implementing_agencies.all())),
    )


def test_an_online_only_service_is_refused_at_the_desk(procedure, admin):
    # given the admin stops taking paper at the desk (an "online only" pilot)
    online_only = publish(procedure, admin, channels=["online"], paper_accepted=False)
    assert online_only.channels == ["online"]
    # then the desk intake refuses it, saying why
    with pytest.raises(ProcedureNotOpen) as refused:
        desk_intake(online_only)
    assert "chỉ nhận hồ sơ trực tuyến, không nhận hồ sơ giấy tại bộ phận một cửa" in str(refused.value)


def test_paper_accepted_keeps_the_desk_open(procedure, admin):
    with_paper = publish(procedure, admin, channels=["online", "direct"], paper_accepted=True)
    assert "direct" in with_paper.channels
    assert desk_intake(with_paper).channel == Channel.DIRECT


def test_fees_at_the_desk_only_close_online_payment_and_cost_indicator_3_5(procedure, admin, client):
    # given a fee-bearing service whose fees are taken at the desk only: the console refuses to
    # publish that (readiness), so it is set in the catalogue (Django admin, catalogue import)
    published = publish(procedure, admin)
    assert published.online_payment is True
    before = procedure_counts(scope=Scope())["procedure_online_payment__num"]
    Procedure.objects.filter(pk=published.pk).update(online_payment=False)
    desk_fees = Procedure.objects.get(pk=published.pk)
    # then the citizen's fee step says so and payment cannot be started
    citizen = UserFactory()
    draft = DossierDraft.objects.create(
        owner=citizen, procedure=desk_fees, agency=desk_fees.implementing_agencies.get()
    )
    with pytest.raises(OnlinePaymentOff):
        payment_start(draft=draft, payer=citizen)
    client.force_login(citizen)
    page = client.get(reverse("dossiers:payment_start", args=[draft.token])).content.decode()
    assert "bạn nộp phí, lệ phí tại bộ phận một cửa khi nhận kết quả" in page
    assert "Thanh toán trực tuyến</button>" not in page
    # and 3.5 no longer counts it as taking payment online
    assert procedure_counts(scope=Scope())["procedure_online_payment__num"] == before - 1
    assert (
        "nộp phí, lệ phí tại bộ phận một cửa"
        in client.get(reverse("procedures:detail", args=[desk_fees.code])).content.decode()
    )


def test_the_ways_the_result_is_returned_are_published(procedure, admin, client):
    published = publish(procedure, admin, result_delivery=["electronic", "post"])
    assert published.result_delivery == ["electronic", "post"]
    page = client.get(reverse("procedures:detail", args=[published.code])).content.decode()
    assert "Cách thức nhận kết quả" in page
    assert "Qua dịch vụ bưu chính công ích" in page
