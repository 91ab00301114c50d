"""Lấy ý kiến: another agency is asked while the dossier goes on, answers once, and sees only that dossier."""

import pytest
from django.urls import reverse

from accounts.constants import Role
from dossiers.exceptions import ConsultationClosed, ConsultationInvalid, DossierNotFound
from dossiers.models import Consultation, DossierEvent
from dossiers.services import consultation_answer, dossier_act, dossier_consult
from procedures.constants import AgencyLevel
from tests.factories import AgencyFactory, DossierFactory, UserFactory
from workflows.constants import Action, Status

R, S, L = Role.RECEPTION_OFFICER, Role.SPECIALIST, Role.LEADER


@pytest.fixture
def case(office):
    """A dossier at the appraisal step of the Sở Tư pháp, and two other agencies' officers."""
    dossier = DossierFactory(procedure=office["procedure"], agency=office["agency"])
    dossier_act(dossier_id=dossier.pk, actor=office["people"][R], action=Action.RECEIVE)
    dossier_act(dossier_id=dossier.pk, actor=office["people"][R], action=Action.FORWARD, to_step="tham_dinh")
    land = AgencyFactory(code="000.01.06.H42", name="Văn phòng Đăng ký đất đai", level=AgencyLevel.DEPARTMENT)
    police = AgencyFactory(code="000.00.20.H42", name="Công an tỉnh", level=AgencyLevel.DEPARTMENT)
    return {
        **office,
        "dossier": dossier,
        "land": land,
        "land_officer": UserFactory(role=S, full_name="Vũ Thị Giang", agencies=[land]),
        "police_officer": UserFactory(role=S, full_name="Ngô Văn Hùng", agencies=[police]),
    }


def ask(case, key="k1"):
    return dossier_consult(
        dossier_id=case["dossier"].pk, actor=case["people"][S], agencies=[case["land"]],
        question="Thửa đất số 12 có đang tranh chấp không?", idempotency_key=key,
    )  # fmt: skip


def test_asking_another_agency_records_an_event_and_leaves_the_dossier_where_it_is(case):
    (consultation,) = ask(case)

    dossier = case["dossier"]
    dossier.refresh_from_db()
    assert (dossier.status, dossier.step_key) == (Status.PROCESSING, "tham_dinh")
    event = dossier.events.last()
    assert (event.action, event.comment, event.data) == (
        Action.CONSULT, "Thửa đất số 12 có đang tranh chấp không?", {"agencies": ["000.01.06.H42"]},
    )  # fmt: skip
    assert (consultation.agency, consultation.answered_at) == (case["land"], None)
    assert consultation.due_at > consultation.requested_at


def test_a_replay_asks_once(case):
    ask(case, key="same")
    ask(case, key="same")

    assert Consultation.objects.count() == 1
    assert case["dossier"].events.filter(action=Action.CONSULT).count() == 1


def test_the_dossier_goes_on_while_the_answer_is_awaited(case):
    ask(case)

    dossier_act(dossier_id=case["dossier"].pk, actor=case["people"][S], action=Action.FORWARD, to_step="phe_duyet")

    case["dossier"].refresh_from_db()
    assert case["dossier"].step_key == "phe_duyet"


def test_asking_ones_own_agency_is_refused_and_nothing_changes(case):
    before = DossierEvent.objects.count()

    with pytest.raises(ConsultationInvalid):
        dossier_consult(dossier_id=case["dossier"].pk, actor=case["people"][S], agencies=[case["agency"]], question="?")

    assert (DossierEvent.objects.count(), Consultation.objects.count()) == (before, 0)


def test_the_consulted_agency_answers_once_into_the_timeline(case):
    (consultation,) = ask(case)

    consultation_answer(consultation_id=consultation.pk, actor=case["land_officer"], answer="Không có tranh chấp.")

    consultation.refresh_from_db()
    assert (consultation.answer, consultation.answered_by) == ("Không có tranh chấp.", case["land_officer"])
    event = case["dossier"].events.last()
    assert (event.action, event.comment, event.from_status, event.to_status) == (
        "consultation_answer", "Không có tranh chấp.", Status.PROCESSING, Status.PROCESSING,
    )  # fmt: skip
    assert event.action_label == "Cơ quan được lấy ý kiến đã trả lời"
    with pytest.raises(ConsultationClosed):
        consultation_answer(consultation_id=consultation.pk, actor=case["land_officer"], answer="Lần hai")


def test_another_agency_can_neither_read_nor_answer(case, client):
    (consultation,) = ask(case)
    before = DossierEvent.objects.count()

    with pytest.raises(DossierNotFound):
        consultation_answer(consultation_id=consultation.pk, actor=case["police_officer"], answer="?")
    client.force_login(case["police_officer"])

    assert client.get(reverse("dossiers:detail", args=[case["dossier"].code])).status_code == 404
    assert DossierEvent.objects.count() == before


def test_the_consulted_officer_reads_the_dossier_but_cannot_act(case, client):
    ask(case)
    client.force_login(case["land_officer"])

    inbox = client.get(reverse("dossiers:consultations")).content.decode()
    page = client.get(reverse("dossiers:detail", args=[case["dossier"].code]))

    assert case["dossier"].code in inbox
    html = page.content.decode()
    assert page.status_code == 200
    assert "Cơ quan của bạn được lấy ý kiến về hồ sơ này" in html
    assert "Gửi ý kiến trả lời" in html
    assert 'name="action"' not in html
    with pytest.raises(DossierNotFound):
        dossier_act(
            dossier_id=case["dossier"].pk, actor=case["land_officer"], action=Action.FORWARD, to_step="phe_duyet"
        )


def test_consulting_and_answering_through_the_pages(case, client):
    client.force_login(case["people"][S])
    page = client.get(reverse("dossiers:detail", args=[case["dossier"].code])).content.decode()
    assert "Lấy ý kiến cơ quan khác" in page
    sequence = case["dossier"].events.last().sequence

    client.post(
        reverse("dossiers:consult", args=[case["dossier"].code]),
        {"agencies": [case["land"].pk], "question": "Xin ý kiến về nguồn gốc đất", "expected_sequence": sequence,
         "idempotency_key": "web-1"},
    )  # fmt: skip
    consultation = Consultation.objects.get()
    client.force_login(case["land_officer"])
    client.post(reverse("dossiers:consultation_reply", args=[consultation.pk]), {"answer": "Đất giao năm 1995."})

    consultation.refresh_from_db()
    assert consultation.answer == "Đất giao năm 1995."
