"""Receipt regardless of administrative boundary (Decree 118/2025): a ward's desk receives a
department's procedure, hands it over in the same action, keeps sight of it and returns the result."""

import pytest
from django.urls import reverse

from accounts.constants import Role
from dossiers.constants import Channel, EventKind
from dossiers.documents.services import document_html, handover_rows
from dossiers.events import DossierHandedOver, Phase, Subscription, registry
from dossiers.exceptions import DossierNotFound, ProcedureNotOpen
from dossiers.models import Dossier, DossierDraft, DossierEvent
from dossiers.selectors import QueueTab, dossier_get_for_user, dossier_list_for_user, dossier_queue
from dossiers.services import dossier_act, dossier_submit
from emc_sync import mapping
from emc_sync.constants import EMC_ASSIGNED, Target
from emc_sync.models import OutboxRow
from procedures.constants import AgencyLevel
from tests.factories import AgencyFactory, UserFactory
from tests.signing_support import PAPER_READY
from workflows.constants import Action, Status
from workflows.selectors import working_calendar

R, S, L, C = Role.RECEPTION_OFFICER, Role.SPECIALIST, Role.LEADER, Role.CLERK


@pytest.fixture
def wards(office):
    """Two wards' one-stop desks; neither implements the department's procedure."""
    ward = AgencyFactory(code="000.00.41.H42", name="UBND phường Hoa Lư", level=AgencyLevel.WARD)
    other = AgencyFactory(code="000.00.42.H42", name="UBND phường Nam Định", level=AgencyLevel.WARD)
    return {
        "ward": ward,
        "other": other,
        "desk": UserFactory(username="motcua_hoalu", role=R, full_name="Trần Thị Bình", agencies=[ward]),
        "other_desk": UserFactory(username="motcua_namdinh", role=R, agencies=[other]),
        "ward_specialist": UserFactory(username="chuyenvien_hoalu", role=S, agencies=[ward]),
    }


def walk_in(office, wards, **extra):
    return dossier_submit(
        procedure=office["procedure"], agency=office["agency"], receiving_agency=wards["ward"],
        channel=Channel.DIRECT, applicant_name="Nguyễn Văn An", applicant_id_number="037090001234",
        actor=wards["desk"], **extra,
    )  # fmt: skip


def test_a_ward_desk_receives_a_department_procedure_and_hands_it_over_in_the_same_action(office, wards):
    # given a ward desk and a procedure only the department implements
    heard = []
    listening = Subscription(DossierHandedOver, heard.append, Phase.IN_TRANSACTION)

    # when the ward's reception officer takes the dossier in at the desk
    with registry.subscribed(listening):
        dossier = walk_in(office, wards)

    # then it is received at the ward, numbered by the ward, and in the department's specialist step
    dossier.refresh_from_db()
    assert (dossier.receiving_agency, dossier.agency) == (wards["ward"], office["agency"])
    assert dossier.code.startswith("000.00.41.H42-")
    assert (dossier.status, dossier.step_key, dossier.step_role) == (Status.PROCESSING, "tham_dinh", S)
    assert dossier.received_at is not None
    rows = list(dossier.events.order_by("sequence").values_list("action", "from_status", "to_status", "to_step"))
    assert rows == [
        (EventKind.SUBMIT, None, Status.RECEIVED, "tiep_nhan"),
        (EventKind.HANDOVER, Status.RECEIVED, Status.PROCESSING, "tham_dinh"),
    ]
    handover = dossier.events.get(action=EventKind.HANDOVER)
    assert handover.actor == wards["desk"]
    assert handover.data == {
        "from_agency": wards["ward"].pk, "to_agency": office["agency"].pk,
        "from_agency_name": "UBND phường Hoa Lư", "to_agency_name": "Sở Tư pháp",
    }  # fmt: skip
    assert [(e.from_agency_id, e.to_agency_id, e.dossier_code) for e in heard] == [
        (wards["ward"].pk, office["agency"].pk, dossier.code)
    ]


def test_a_desk_receiving_for_its_own_agency_hands_nothing_over(office):
    dossier = dossier_submit(
        procedure=office["procedure"], agency=office["agency"], channel=Channel.DIRECT,
        applicant_name="Nguyễn Văn An", actor=office["people"][R],
    )  # fmt: skip

    assert dossier.receiving_agency == office["agency"]
    assert (dossier.status, dossier.step_key) == (Status.RECEIVED, "tiep_nhan")
    assert list(dossier.events.values_list("action", flat=True)) == [EventKind.SUBMIT]


def test_submission_refuses_a_competent_agency_that_does_not_handle_the_procedure_not_a_receiving_desk(office, wards):
    # a receiving desk that does not implement the procedure is accepted (Decree 118/2025)
    assert walk_in(office, wards).receiving_agency == wards["ward"]
    # but the competent agency must implement it, and nothing is created when it does not
    before = Dossier.objects.count()
    with pytest.raises(ProcedureNotOpen, match="UBND phường Nam Định không thực hiện thủ tục này"):
        dossier_submit(
            procedure=office["procedure"], agency=wards["other"], receiving_agency=wards["ward"],
            channel=Channel.DIRECT, applicant_name="Nguyễn Văn An", actor=wards["desk"],
        )  # fmt: skip
    assert Dossier.objects.count() == before


def test_the_receiving_desk_sees_its_handed_over_dossier_another_ward_does_not(office, wards):
    # given a dossier received at the Hoa Lư desk and handed over to the department
    dossier = walk_in(office, wards)

    # then the Hoa Lư desk finds it and lists it; the Nam Định desk does not
    assert dossier_get_for_user(user=wards["desk"], code=dossier.code) == dossier
    assert list(dossier_list_for_user(user=wards["desk"])) == [dossier]
    with pytest.raises(DossierNotFound):
        dossier_get_for_user(user=wards["other_desk"], code=dossier.code)
    assert list(dossier_list_for_user(user=wards["other_desk"])) == []


def test_the_receiving_desk_cannot_act_on_the_competent_agencys_steps(office, wards):
    # given a handed-over dossier at the department's specialist step
    dossier = walk_in(office, wards)
    before = list(DossierEvent.objects.filter(dossier=dossier).values())

    # when the ward's own specialist tries the department's step, then it is not found, nothing changes
    with pytest.raises(DossierNotFound):
        dossier_act(dossier_id=dossier.pk, actor=wards["ward_specialist"], action=Action.FORWARD)
    dossier.refresh_from_db()
    assert (dossier.status, dossier.step_key) == (Status.PROCESSING, "tham_dinh")
    assert list(DossierEvent.objects.filter(dossier=dossier).values()) == before


def test_queue_placement_follows_the_step_processing_at_the_competent_agency_return_at_the_desk(office, wards):
    people = office["people"]
    dossier = walk_in(office, wards)

    def my_step(user):
        return [d.code for d in dossier_queue(user=user, tab=QueueTab.MY_STEP).items]

    # then processing is queued at the department, and the desk follows it under "all"
    assert my_step(people[S]) == [dossier.code]
    assert my_step(wards["desk"]) == []
    assert [d.code for d in dossier_queue(user=wards["desk"], tab=QueueTab.ALL).items] == [dossier.code]

    # when the department processes it up to the return step
    for role, action in ((S, Action.FORWARD), (L, Action.APPROVE), (C, Action.NUMBER_DISPATCH)):
        dossier_act(dossier_id=dossier.pk, actor=people[role], action=action)

    # then the return is queued at the desk it was handed in at, not at the department's desk
    assert my_step(wards["desk"]) == [dossier.code]
    assert my_step(people[R]) == []
    assert my_step(wards["other_desk"]) == []

    # and the ward desk returns the result
    returned = dossier_act(dossier_id=dossier.pk, actor=wards["desk"], action=Action.RETURN_RESULT, data=PAPER_READY)
    assert returned.status == Status.RETURNED


def test_an_online_dossier_to_hand_in_at_a_ward_waits_at_that_desk_and_is_handed_over_on_receipt(office, wards):
    # given a citizen's online dossier that names the Hoa Lư desk for paper and result
    dossier = dossier_submit(
        procedure=office["procedure"], agency=office["agency"], receiving_agency=wards["ward"],
        channel=Channel.ONLINE, applicant=office["people"][Role.CITIZEN], applicant_name="Nguyễn Văn An",
    )  # fmt: skip

    def to_receive(user):
        return [d.code for d in dossier_queue(user=user, tab=QueueTab.TO_RECEIVE).items]

    # then it waits in the Hoa Lư desk's queue, not the department's desk nor another ward's
    assert to_receive(wards["desk"]) == [dossier.code]
    assert to_receive(office["people"][R]) == []
    assert to_receive(wards["other_desk"]) == []

    # when the ward desk receives it, it is handed over in the same action
    dossier_act(dossier_id=dossier.pk, actor=wards["desk"], action=Action.RECEIVE)
    dossier.refresh_from_db()
    assert (dossier.status, dossier.step_key) == (Status.PROCESSING, "tham_dinh")
    assert list(dossier.events.order_by("sequence").values_list("action", flat=True)) == [
        EventKind.SUBMIT, EventKind.RECEIVE, EventKind.HANDOVER,
    ]  # fmt: skip


def test_the_national_records_name_where_it_was_handed_in_and_who_decides(office, wards):
    # given a handed-over dossier
    dossier = Dossier.objects.select_related("agency", "receiving_agency", "procedure__sector").get(
        pk=walk_in(office, wards).pk
    )
    handover = dossier.events.get(action=EventKind.HANDOVER)

    # then the dossier record names both, the progress record the desk, EMC hears a transfer
    record = mapping.dossier_record(dossier)
    assert (record["NoiNopHoSo"], record["DonViXuLy"]) == ("000.00.41.H42", "000.00.12.H42")
    assert mapping.progress_record(dossier, handover)["PhongBanXuLy"] == "UBND phường Hoa Lư"
    assert mapping.emc_event(dossier, handover)["Status"] == EMC_ASSIGNED
    # and the outbox rows written with the change carry the same
    outbox = OutboxRow.objects.get(target=Target.DVCQG_HOSO, dossier=dossier, sequence=handover.sequence)
    assert (outbox.payload["NoiNopHoSo"], outbox.payload["DonViXuLy"]) == ("000.00.41.H42", "000.00.12.H42")
    assert OutboxRow.objects.get(target=Target.EMC, event=handover).payload["Status"] == EMC_ASSIGNED


def test_form_06_data_has_the_handover_row_with_giver_and_receiver(office, wards):
    dossier = walk_in(office, wards)

    rows = handover_rows(dossier=Dossier.objects.get(pk=dossier.pk), calendar=working_calendar())

    handovers = [r for r in rows if r.note == "Chuyển hồ sơ đến cơ quan giải quyết"]
    assert [(r.giver_unit, r.receiver_unit) for r in handovers] == [("UBND phường Hoa Lư", "Sở Tư pháp")]
    assert handovers[0].giver.startswith("Trần Thị Bình")


def test_form_01_is_issued_by_the_receiving_desk(office, wards):
    dossier = walk_in(office, wards)

    html = document_html(dossier=dossier, kind="01", event=dossier.events.get(action=EventKind.SUBMIT))

    assert "ỦY BAN NHÂN DÂN PHƯỜNG HOA LƯ" in html.upper()  # the issuer's name in full (Decree 30)
    assert "Sở Tư pháp".upper() not in html.upper()


def test_walk_in_intake_offers_choosing_the_competent_agency(client, office, wards):
    # given the Hoa Lư desk officer at the intake form
    client.force_login(wards["desk"])
    page = client.get(reverse("dossiers:intake"))
    assert page.status_code == 200
    assert "Cơ quan giải quyết" in page.content.decode()
    assert f'<option value="{office["agency"].pk}">Sở Tư pháp</option>' in page.content.decode()

    # when they take in the department's procedure for the department
    response = client.post(
        reverse("dossiers:intake"),
        {
            "procedure": office["procedure"].pk, "agency": office["agency"].pk, "applicant_name": "Nguyễn Văn An",
            "applicant_id_number": "037090001234", "idempotency_key": "intake-1",
        },
    )  # fmt: skip

    # then the dossier is received at the ward and handed over to the department
    dossier = Dossier.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("dossiers:detail", args=[dossier.code])
    assert (dossier.receiving_agency, dossier.agency, dossier.status) == (
        wards["ward"], office["agency"], Status.PROCESSING,
    )  # fmt: skip
    # and the desk's page says it was handed over, with no action left for the desk now
    detail = client.get(response["Location"]).content.decode()
    assert "đã chuyển đến cơ quan giải quyết" in detail
    assert 'name="action"' not in detail


def test_walk_in_intake_without_a_competent_agency_takes_the_only_one(client, office, wards):
    client.force_login(wards["desk"])

    client.post(
        reverse("dossiers:intake"),
        {"procedure": office["procedure"].pk, "applicant_name": "Nguyễn Văn An", "idempotency_key": "intake-2"},
    )

    assert Dossier.objects.get().agency == office["agency"]


def test_the_citizen_chooses_where_to_hand_in_paper_and_collect_the_result(client, office, wards):
    citizen = office["people"][Role.CITIZEN]
    client.force_login(citizen)

    response = client.post(
        reverse("dossiers:start", args=[office["procedure"].code]),
        {"agency": office["agency"].pk, "receiving_agency": wards["ward"].pk},
    )

    draft = DossierDraft.objects.get(owner=citizen)
    assert response.status_code == 302
    assert (draft.agency, draft.receiving_agency) == (office["agency"], wards["ward"])
