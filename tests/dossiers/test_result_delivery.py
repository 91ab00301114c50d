"""How the applicant receives the result: chosen on the last step among the procedure's ways,
kept on the dossier, shown to the officer and printed on the receipt."""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from accounts.constants import Role
from dossiers.models import Dossier, DossierDraft
from procedures.constants import Channel, OnlineLevel, ResultDelivery
from tests.dossiers.test_citizen_journey import fill_form, start_draft, upload
from tests.factories import ProcedureFactory

ADDRESS = "Số 12 đường Lê Hồng Phong, phường Hoa Lư, tỉnh Ninh Bình"


@pytest.fixture
def ready_draft(client, service):
    client.force_login(service["citizen"])
    draft = start_draft(client, service)
    fill_form(client, draft)
    upload(client, draft, service["component"])
    return draft


def review(client, draft, **data):
    return client.post(reverse("dossiers:draft_review", args=[draft.token]), {"declaration": "on", **data})


@pytest.mark.parametrize(
    ("channels", "level", "published", "ways"),
    [
        ([Channel.ONLINE, Channel.DIRECT], OnlineLevel.FULL, [], ["electronic", "desk"]),
        ([Channel.ONLINE, Channel.POST], OnlineLevel.FULL, [], ["electronic", "post"]),
        ([Channel.ONLINE], OnlineLevel.PARTIAL, [], ["electronic"]),
        ([Channel.DIRECT], OnlineLevel.INFORMATION, [], ["desk"]),
        ([Channel.ONLINE, Channel.DIRECT], OnlineLevel.FULL, ["post", "electronic"], ["post", "electronic"]),
        ([Channel.ONLINE], OnlineLevel.FULL, ["electronic", "fax"], ["electronic"]),
    ],
)
def test_the_ways_follow_what_the_province_published_or_else_the_channels(db, channels, level, published, ways):
    procedure = ProcedureFactory.build(channels=channels, online_level=level, result_delivery=published)

    assert procedure.result_delivery_ways() == ways


def test_the_last_step_offers_the_procedures_ways_with_the_first_chosen(client, ready_draft):
    page = client.get(reverse("dossiers:draft_review", args=[ready_draft.token])).content.decode()

    assert "<legend>Cách thức nhận kết quả</legend>" in page
    assert re.search(r'value="electronic"[^>]*checked', page)
    assert 'value="desk"' in page
    assert 'value="post"' not in page  # not a channel of this procedure


def test_the_chosen_way_is_kept_on_the_dossier_and_shown_to_the_officer(client, ready_draft, service):
    response = review(client, ready_draft, result_delivery="desk")

    dossier = Dossier.objects.get()
    assert response["Location"] == reverse("dossiers:my_dossier_submitted", args=[dossier.code])
    assert (dossier.result_delivery, dossier.result_address) == (ResultDelivery.DESK, "")
    client.force_login(service["people"][Role.RECEPTION_OFFICER])
    officer_page = client.get(reverse("dossiers:detail", args=[dossier.code])).content.decode()
    assert "Nhận trực tiếp tại bộ phận một cửa" in officer_page


def test_by_post_needs_an_address_and_nothing_is_lost_without_one(client, ready_draft, service):
    procedure = service["procedure"]
    procedure.result_delivery = [ResultDelivery.ELECTRONIC, ResultDelivery.POST]
    procedure.save(update_fields=["result_delivery"])

    # when: post chosen, the address left empty
    refused = review(client, ready_draft, result_delivery="post", result_address="   ")

    # then: a clear message, no dossier, the draft and its file still there
    assert refused.status_code == 400
    assert "Vui lòng nhập địa chỉ nhận kết quả qua dịch vụ bưu chính công ích." in refused.content.decode()
    assert Dossier.objects.count() == 0
    draft = DossierDraft.objects.get()
    assert draft.attachments.count() == 1
    assert draft.form_data["ho_ten"] == "Nguyễn Văn An"

    # when: with the address
    done = review(client, ready_draft, result_delivery="post", result_address=f"  {ADDRESS}  ")

    # then: kept, and printed on the submission acknowledgement
    dossier = Dossier.objects.get()
    assert done.status_code == 302
    assert (dossier.result_delivery, dossier.result_address) == (ResultDelivery.POST, ADDRESS)
    receipt = client.get(reverse("dossiers:my_dossier_document", args=[dossier.code, "xn"]))
    text = " ".join(PdfReader(io.BytesIO(b"".join(receipt.streaming_content))).pages[0].extract_text().split())
    assert f"qua dịch vụ bưu chính công ích, gửi đến {ADDRESS}" in text
    mine = client.get(reverse("dossiers:my_dossier", args=[dossier.code])).content.decode()
    assert f"Qua dịch vụ bưu chính công ích: {ADDRESS}" in mine


def test_a_way_the_procedure_does_not_offer_is_refused(client, ready_draft):
    response = review(client, ready_draft, result_delivery="post", result_address=ADDRESS)

    assert response.status_code == 400
    assert "Vui lòng kiểm tra lại:" in response.content.decode()
    assert Dossier.objects.count() == 0


def test_the_address_starts_from_the_citizens_profile(client, service):
    citizen = service["citizen"]
    citizen.address, citizen.province_code = "Số 5 phố Trần Hưng Đạo", 37
    citizen.save(update_fields=["address", "province_code"])
    procedure = service["procedure"]
    procedure.result_delivery = [ResultDelivery.POST]
    procedure.save(update_fields=["result_delivery"])
    client.force_login(citizen)
    draft = start_draft(client, service)

    page = client.get(reverse("dossiers:draft_review", args=[draft.token])).content.decode()

    assert 'value="Số 5 phố Trần Hưng Đạo, Ninh Bình"' in page


def test_an_electronic_result_cannot_be_returned_without_its_file(db, office, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dossiers.attachments.services import attachment_add
    from dossiers.constants import AttachmentRole
    from dossiers.exceptions import ResultFileMissing, ResultNotSigned
    from dossiers.services import dossier_act
    from dossiers.signing.services import dossier_sign
    from tests.factories import DossierFactory
    from tests.files import PDF
    from tests.signing_support import provision, use_files
    from workflows.constants import Action, Status

    dossier = DossierFactory(
        procedure=office["procedure"], agency=office["agency"], result_delivery=ResultDelivery.ELECTRONIC
    )
    people = office["people"]
    for action, role, to_step in (
        (Action.RECEIVE, "reception_officer", None),
        (Action.FORWARD, "reception_officer", "tham_dinh"),
        (Action.FORWARD, "specialist", "phe_duyet"),
        (Action.APPROVE, "leader", None),
        (Action.NUMBER_DISPATCH, "clerk", None),
    ):
        dossier_act(dossier_id=dossier.pk, actor=people[role], action=action, to_step=to_step)
    returner = people["reception_officer"]

    with pytest.raises(ResultFileMissing) as refused:
        dossier_act(dossier_id=dossier.pk, actor=returner, action=Action.RETURN_RESULT)
    attachment_add(
        owner_user=returner, dossier=dossier, component=None, upload=SimpleUploadedFile("ket-qua.pdf", PDF),
        role=AttachmentRole.RESULT,
    )  # fmt: skip
    # (uploaded after the leader signed: refused until signed again, "Ký số lại")
    with pytest.raises(ResultNotSigned):
        dossier_act(dossier_id=dossier.pk, actor=returner, action=Action.RETURN_RESULT)
    use_files(settings, tmp_path)
    provision(office["agency"])
    dossier_sign(dossier_id=dossier.pk)
    returned = dossier_act(dossier_id=dossier.pk, actor=returner, action=Action.RETURN_RESULT)

    assert "tải lên tệp kết quả" in str(refused.value)
    assert returned.status == Status.RETURNED
