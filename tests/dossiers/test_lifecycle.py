import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.constants import Role
from dossiers import events
from dossiers.constants import Channel, EventKind
from dossiers.exceptions import CommentRequired, DossierChangedMeanwhile, DossierNotFound, ProcedureNotOpen
from dossiers.models import Dossier, DossierEvent, DossierPause, FinancialObligation
from dossiers.services import dossier_act, dossier_submit
from tests.factories import AgencyFactory, DossierFactory, UserFactory
from tests.signing_support import returning
from workflows.constants import Action, Status
from workflows.exceptions import ActionNotAllowed

VN = ZoneInfo("Asia/Ho_Chi_Minh")
R, S, L, C, CIT = Role.RECEPTION_OFFICER, Role.SPECIALIST, Role.LEADER, Role.CLERK, Role.CITIZEN

# (step, status) -> {action: (to_step, to_status)}: the department workflow, written out by
# hand from the one-stop-shop rules so the engine is checked against an independent table.
ALLOWED = {
    ("tiep_nhan", Status.NEW): {
        Action.RECEIVE: ("tiep_nhan", Status.RECEIVED),
        Action.REFUSE: ("tiep_nhan", Status.REFUSED),
        Action.REQUEST_SUPPLEMENT: ("tiep_nhan", Status.SUPPLEMENT_REQUESTED),
        Action.WITHDRAW: ("tiep_nhan", Status.WITHDRAWN),
    },
    ("tiep_nhan", Status.RECEIVED): {
        Action.REFUSE: ("tiep_nhan", Status.REFUSED),
        Action.REQUEST_SUPPLEMENT: ("tiep_nhan", Status.SUPPLEMENT_REQUESTED),
        Action.FORWARD: ("tham_dinh", Status.PROCESSING),
        Action.WITHDRAW: ("tiep_nhan", Status.WITHDRAWN),
    },
    ("tiep_nhan", Status.SUPPLEMENT_REQUESTED): {
        Action.PROVIDE_SUPPLEMENT: ("tiep_nhan", Status.RECEIVED),  # resumes the status before the pause
        Action.WITHDRAW: ("tiep_nhan", Status.WITHDRAWN),
    },
    ("tiep_nhan", Status.PROCESSING): {
        Action.REQUEST_SUPPLEMENT: ("tiep_nhan", Status.SUPPLEMENT_REQUESTED),
        Action.FORWARD: ("tham_dinh", Status.PROCESSING),
        Action.WITHDRAW: ("tiep_nhan", Status.WITHDRAWN),
    },
    ("tham_dinh", Status.PROCESSING): {
        Action.FORWARD: ("phe_duyet", Status.PROCESSING),
        Action.SEND_BACK: ("tiep_nhan", Status.PROCESSING),
        Action.REQUEST_SUPPLEMENT: ("tham_dinh", Status.SUPPLEMENT_REQUESTED),
        Action.CONSULT: ("tham_dinh", Status.PROCESSING),
        Action.REQUEST_PAYMENT: ("tham_dinh", Status.PAYMENT_REQUESTED),
        Action.STOP: ("tham_dinh", Status.STOPPED),
        Action.WITHDRAW: ("tham_dinh", Status.WITHDRAWN),
    },
    # Status 6: a financial obligation (land levy, taxes) asked for at the specialist's step.
    ("tham_dinh", Status.PAYMENT_REQUESTED): {
        Action.SETTLE_PAYMENT: ("tham_dinh", Status.PROCESSING),  # an officer confirms the payment
        Action.STOP: ("tham_dinh", Status.STOPPED),
        Action.WITHDRAW: ("tham_dinh", Status.WITHDRAWN),
    },
    ("phe_duyet", Status.PROCESSING): {
        Action.APPROVE: ("van_thu", Status.PROCESSING),
        Action.SEND_BACK: ("tham_dinh", Status.PROCESSING),
        Action.WITHDRAW: ("phe_duyet", Status.WITHDRAWN),
    },
    ("van_thu", Status.PROCESSING): {
        Action.NUMBER_DISPATCH: ("tra_ket_qua", Status.PROCESSED),
        Action.WITHDRAW: ("van_thu", Status.WITHDRAWN),
    },
    ("tra_ket_qua", Status.PROCESSED): {Action.RETURN_RESULT: ("tra_ket_qua", Status.RETURNED)},
    ("tiep_nhan", Status.REFUSED): {},
    ("tham_dinh", Status.STOPPED): {},
    ("tra_ket_qua", Status.RETURNED): {},
    ("tiep_nhan", Status.WITHDRAWN): {},
}
# What a request for a financial obligation states besides its content (the comment).
OBLIGATION = {"amount": 1_250_000, "pay_at": "Thuế cơ sở 1 tỉnh Ninh Bình"}
STEP_ROLE = {"tiep_nhan": R, "tham_dinh": S, "phe_duyet": L, "van_thu": C, "tra_ket_qua": R}
CASES = [(step, status, action) for (step, status) in ALLOWED for action in Action]


def snapshot(dossier):
    dossier.refresh_from_db()
    return (
        {f.attname: getattr(dossier, f.attname) for f in Dossier._meta.concrete_fields},
        list(DossierEvent.objects.filter(dossier=dossier).values()),
        list(DossierPause.objects.filter(dossier=dossier).values()),
    )


@pytest.mark.parametrize(("step", "status", "action"), CASES, ids=lambda v: getattr(v, "name", v))
def test_transition_matrix(office, step, status, action):
    # given a dossier at (step, status), and the person whose turn it would be
    people = office["people"]
    dossier = DossierFactory(
        procedure=office["procedure"],
        agency=office["agency"],
        applicant=people[CIT],
        step_key=step,
        step_role=STEP_ROLE[step],
        status=status,
    )
    if status == Status.SUPPLEMENT_REQUESTED:
        DossierPause.objects.create(
            dossier=dossier, kind="supplement", started_at=dossier.submitted_at, resume_status=Status.RECEIVED
        )
    if status == Status.PAYMENT_REQUESTED:
        requested = DossierEvent.objects.create(
            dossier=dossier, sequence=1, action=EventKind.REQUEST_PAYMENT, at=dossier.submitted_at,
            from_status=Status.PROCESSING, to_status=status, from_step=step, to_step=step, data=OBLIGATION,
        )  # fmt: skip
        FinancialObligation.objects.create(
            dossier=dossier, requested_event=requested, description="Lệ phí trước bạ", amount=1_250_000,
            pay_at="Thuế cơ sở 1", requested_by=people[S], requested_at=dossier.submitted_at,
        )  # fmt: skip
    actor = people[CIT] if action in (Action.WITHDRAW, Action.PROVIDE_SUPPLEMENT) else people[STEP_ROLE[step]]
    expected = ALLOWED[(step, status)].get(action)
    data = OBLIGATION if action == Action.REQUEST_PAYMENT else returning(action)
    before = snapshot(dossier)
    events_before = DossierEvent.objects.filter(dossier=dossier).count()

    if expected is None:
        # when a forbidden action is tried, then it is refused and nothing changes
        with pytest.raises(ActionNotAllowed):
            dossier_act(dossier_id=dossier.pk, actor=actor, action=action, comment="Lý do", data=data)
        assert snapshot(dossier) == before
        return

    # when the allowed action is taken
    result = dossier_act(dossier_id=dossier.pk, actor=actor, action=action, comment="Lý do", data=data)

    # then the dossier moves as the one-stop-shop rules say, with one event
    assert (result.step_key, result.status, result.step_role) == (*expected, STEP_ROLE[expected[0]])
    assert DossierEvent.objects.filter(dossier=dossier).count() == events_before + 1
    event = DossierEvent.objects.filter(dossier=dossier).latest("sequence")
    assert (event.action, event.actor, event.from_status, event.to_status, event.from_step, event.to_step) == (
        action, actor, status, expected[1], step, expected[0],
    )  # fmt: skip


def test_the_right_action_by_the_wrong_role_changes_nothing(office):
    dossier = DossierFactory(procedure=office["procedure"], agency=office["agency"], step_key="phe_duyet", status=4)
    before = snapshot(dossier)

    with pytest.raises(ActionNotAllowed, match="do vai trò khác thực hiện"):
        dossier_act(dossier_id=dossier.pk, actor=office["people"][S], action=Action.APPROVE)

    assert snapshot(dossier) == before


@time_machine.travel(dt.datetime(2026, 11, 25, 9, 0, tzinfo=VN), tick=False)
def test_submission_numbers_dossiers_per_agency_per_day(office):
    people = office["people"]
    other = AgencyFactory(code="000.00.41.H42", name="UBND phường Hoa Lư")
    office["procedure"].implementing_agencies.add(other)

    codes = [
        dossier_submit(
            procedure=office["procedure"], agency=agency, channel=Channel.ONLINE, applicant=people[CIT],
            applicant_name="Nguyễn Văn An",
        ).code
        for agency in (office["agency"], office["agency"], other)
    ]  # fmt: skip

    assert codes == ["000.00.12.H42-261125-0001", "000.00.12.H42-261125-0002", "000.00.41.H42-261125-0001"]
    first = Dossier.objects.get(code=codes[0])
    assert (first.status, first.step_key, first.received_at) == (Status.NEW, "tiep_nhan", None)
    assert list(first.events.values_list("sequence", "action", "to_status")) == [(1, "submit", Status.NEW)]


@time_machine.travel(dt.datetime(2026, 11, 25, 9, 0, tzinfo=VN), tick=False)
def test_a_walk_in_dossier_is_received_at_once_with_its_due_date(office):
    officer = office["people"][R]

    dossier = dossier_submit(
        procedure=office["procedure"], agency=office["agency"], channel=Channel.DIRECT, applicant_name="Trần Thị Bình",
        actor=officer,
    )  # fmt: skip

    assert (dossier.status, dossier.handler, dossier.received_at) == (Status.RECEIVED, officer, dossier.submitted_at)
    # 5 working days from Wednesday 25/11 09:00 is Wednesday 2/12 09:00
    assert dossier.due_at == dt.datetime(2026, 12, 2, 9, 0, tzinfo=VN)


def test_submission_is_idempotent(office):
    kwargs = {
        "procedure": office["procedure"], "agency": office["agency"], "channel": Channel.ONLINE,
        "applicant": office["people"][CIT], "applicant_name": "Nguyễn Văn An", "idempotency_key": "form-123",
    }  # fmt: skip

    first = dossier_submit(**kwargs)
    second = dossier_submit(**kwargs)

    assert first.pk == second.pk
    assert Dossier.objects.count() == 1


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (
            lambda o: o["procedure"].__class__.objects.filter(pk=o["procedure"].pk).update(is_published=False),
            "chưa được công bố",
        ),
        (lambda o: o["procedure"].implementing_agencies.clear(), "Sở Tư pháp không thực hiện thủ tục này"),
        (lambda o: o["procedure"].workflows.all().delete(), "chưa có quy trình điện tử được ban hành"),
    ],
)
def test_submission_to_a_procedure_not_open_is_refused(office, setup, message):
    setup(office)
    office["procedure"].refresh_from_db()

    with pytest.raises(ProcedureNotOpen, match=message):
        dossier_submit(
            procedure=office["procedure"], agency=office["agency"], channel=Channel.ONLINE, applicant_name="An"
        )
    assert Dossier.objects.count() == 0


def test_replaying_an_action_is_a_no_op(office):
    dossier = DossierFactory(procedure=office["procedure"], agency=office["agency"])
    officer = office["people"][R]

    dossier_act(dossier_id=dossier.pk, actor=officer, action=Action.RECEIVE, idempotency_key="click-1")
    again = dossier_act(dossier_id=dossier.pk, actor=officer, action=Action.RECEIVE, idempotency_key="click-1")

    assert again.status == Status.RECEIVED
    assert DossierEvent.objects.filter(dossier=dossier).count() == 1


def test_acting_on_a_stale_page_is_refused_with_who_did_what(office):
    dossier = DossierFactory(procedure=office["procedure"], agency=office["agency"])
    first, second = office["people"][R], UserFactory(role=R, full_name="Lê Thị Cúc", agencies=[office["agency"]])
    dossier_act(dossier_id=dossier.pk, actor=first, action=Action.RECEIVE, expected_sequence=None)
    before = snapshot(dossier)

    with pytest.raises(
        DossierChangedMeanwhile, match=r"Hồ sơ vừa được Cán bộ reception_officer cập nhật lúc .* \(tiếp nhận hồ sơ\)"
    ):
        dossier_act(
            dossier_id=dossier.pk, actor=second, action=Action.REFUSE, comment="Thiếu giấy tờ", expected_sequence=0
        )

    assert snapshot(dossier) == before


def test_refusing_needs_a_reason(office):
    dossier = DossierFactory(procedure=office["procedure"], agency=office["agency"])

    with pytest.raises(CommentRequired, match="Vui lòng nhập lý do"):
        dossier_act(dossier_id=dossier.pk, actor=office["people"][R], action=Action.REFUSE, comment="   ")
    assert DossierEvent.objects.count() == 0


def test_officer_of_another_agency_cannot_see_or_act(office):
    dossier = DossierFactory(procedure=office["procedure"], agency=office["agency"])
    outsider = UserFactory(role=R, agencies=[AgencyFactory(code="000.00.99.H42")])
    stranger = UserFactory(role=CIT)
    before = snapshot(dossier)

    for actor in (outsider, stranger):
        with pytest.raises(DossierNotFound):
            dossier_act(dossier_id=dossier.pk, actor=actor, action=Action.RECEIVE)

    assert snapshot(dossier) == before


def test_supplement_pause_shifts_the_due_date_by_the_paused_working_time(office):
    people = office["people"]
    with time_machine.travel(dt.datetime(2026, 11, 23, 9, 0, tzinfo=VN), tick=False):  # Monday
        dossier = dossier_submit(
            procedure=office["procedure"], agency=office["agency"], channel=Channel.DIRECT, applicant=people[CIT],
            applicant_name="Nguyễn Văn An", actor=people[R],
        )  # fmt: skip
        assert dossier.due_at == dt.datetime(2026, 12, 1, 9, 0, tzinfo=VN)  # 5 working days, 24/11 is a holiday
        dossier_act(dossier_id=dossier.pk, actor=people[R], action=Action.REQUEST_SUPPLEMENT, comment="Bổ sung bản sao")
    with time_machine.travel(dt.datetime(2026, 11, 27, 9, 0, tzinfo=VN), tick=False):  # Friday: 3 working days later
        dossier = dossier_act(dossier_id=dossier.pk, actor=people[CIT], action=Action.PROVIDE_SUPPLEMENT)

    assert dossier.status == Status.RECEIVED
    assert dossier.supplement_count == 1
    assert dossier.due_at == dt.datetime(2026, 12, 4, 9, 0, tzinfo=VN)
    pause = dossier.pauses.get()
    assert (pause.due_before, pause.due_after) == (dt.datetime(2026, 12, 1, 9, 0, tzinfo=VN), dossier.due_at)


def _received_monday_30_november_07_00(office):
    people = office["people"]
    with time_machine.travel(dt.datetime(2026, 11, 30, 7, 0, tzinfo=VN), tick=False):
        dossier = dossier_submit(
            procedure=office["procedure"], agency=office["agency"], channel=Channel.DIRECT, applicant=people[CIT],
            applicant_name="Nguyễn Văn An", actor=people[R],
        )  # fmt: skip
    assert dossier.due_at == dt.datetime(2026, 12, 4, 17, 0, tzinfo=VN)  # 5 working days from 07:00: Friday 17:00
    return dossier


def _supplement_round(office, dossier, requested_at, provided_at):
    people = office["people"]
    with time_machine.travel(requested_at, tick=False):
        dossier_act(dossier_id=dossier.pk, actor=people[R], action=Action.REQUEST_SUPPLEMENT, comment="Bổ sung bản sao")
    with time_machine.travel(provided_at, tick=False):
        return dossier_act(dossier_id=dossier.pk, actor=people[CIT], action=Action.PROVIDE_SUPPLEMENT)


def test_a_supplement_answered_within_seconds_keeps_the_17_00_appointment(office):
    # given
    dossier = _received_monday_30_november_07_00(office)

    # when: asked Tuesday 10:00:00, supplied 20 seconds later
    dossier = _supplement_round(
        office, dossier, dt.datetime(2026, 12, 1, 10, 0, tzinfo=VN), dt.datetime(2026, 12, 1, 10, 0, 20, tzinfo=VN)
    )

    # then: still Friday 17:00, not Monday 07:00
    assert dossier.due_at == dt.datetime(2026, 12, 4, 17, 0, tzinfo=VN)
    pause = dossier.pauses.get()
    assert (pause.due_before, pause.due_after) == (dossier.due_at, dossier.due_at)


def test_a_pause_of_minutes_moves_a_17_00_appointment_by_those_minutes(office):
    # given
    dossier = _received_monday_30_november_07_00(office)

    # when: 25 minutes 40 seconds of working time paused
    dossier = _supplement_round(
        office, dossier, dt.datetime(2026, 12, 1, 10, 0, tzinfo=VN), dt.datetime(2026, 12, 1, 10, 25, 40, tzinfo=VN)
    )

    # then: 25 working minutes after Friday 17:00 is Monday 07:25
    assert dossier.due_at == dt.datetime(2026, 12, 7, 7, 25, tzinfo=VN)


def test_a_pause_over_a_weekend_moves_the_appointment_by_its_working_time_only(office):
    # given
    dossier = _received_monday_30_november_07_00(office)

    # when: asked Thursday 16:00, supplied Monday 08:00 (Thu 1 h + Fri 8 h + Mon 1 h; the weekend counts nothing)
    dossier = _supplement_round(
        office, dossier, dt.datetime(2026, 12, 3, 16, 0, tzinfo=VN), dt.datetime(2026, 12, 7, 8, 0, tzinfo=VN)
    )

    # then: Friday 17:00 + 10 working hours = Tuesday 09:00
    assert dossier.due_at == dt.datetime(2026, 12, 8, 9, 0, tzinfo=VN)


def test_subscribers_hear_every_change_inside_the_transaction(office):
    heard = []

    def listener(change):
        heard.append((type(change).__name__, change.dossier_code, change.kind, change.dossier.status))

    with events.registry.subscribed(events.Subscription(events.DossierChange, listener, events.Phase.IN_TRANSACTION)):
        dossier = DossierFactory(procedure=office["procedure"], agency=office["agency"])
        dossier_act(dossier_id=dossier.pk, actor=office["people"][R], action=Action.RECEIVE)

    assert heard == [("DossierReceived", dossier.code, EventKind.RECEIVE, Status.RECEIVED)]


def test_a_failing_subscriber_rolls_the_change_back(office):
    dossier = DossierFactory(procedure=office["procedure"], agency=office["agency"])
    before = snapshot(dossier)

    def broken(change):
        raise RuntimeError("outbox unavailable")

    with (
        events.registry.subscribed(events.Subscription(events.DossierChange, broken, events.Phase.IN_TRANSACTION)),
        pytest.raises(RuntimeError),
    ):
        dossier_act(dossier_id=dossier.pk, actor=office["people"][R], action=Action.RECEIVE)

    assert snapshot(dossier) == before
