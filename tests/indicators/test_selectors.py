import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from accounts.constants import Role
from dossiers.constants import AttachmentRole, Channel, PaymentStatus
from dossiers.models import Attachment, Complaint, Dossier, Payment, Rating
from dossiers.services import dossier_act, dossier_submit, dossiers_mark_synced
from indicators.constants import FormulaKind, Measure, Outcome
from indicators.models import IndicatorRule
from indicators.selectors import (
    Scope,
    dossier_list_for_indicator,
    period_month,
    period_parse,
    period_year,
    points_for,
    procedures_costing_most,
    rules_in_force,
    scope_for_user,
    scorecard,
)
from tests.factories import FeeFactory, UserFactory, WorkflowVersionFactory
from workflows.constants import Action, Status

from .conftest import NOW, VN, at, make_dossier

OCTOBER = period_month(year=2026, month=10)


def test_seeded_rules_are_the_decision_766_values(db):
    # given the data migration
    # when
    rules = rules_in_force(on=dt.date(2026, 10, 1))

    # then
    table = {r.code: (r.max_points, r.formula_kind, r.threshold_percent) for r in rules.indicators}
    assert table["2.1"] == (Decimal(20), FormulaKind.RATIO, None)
    assert table["3.3"] == (Decimal(6), FormulaKind.THRESHOLD, Decimal(50))
    assert table["3.1"] == (Decimal(2), FormulaKind.THRESHOLD, Decimal(80))
    assert table["5.4"] == (Decimal(6), FormulaKind.THRESHOLD, Decimal(90))
    assert [(g.code, g.max_points) for g in rules.groups] == [
        ("1", 18), ("2", 20), ("3", 22), ("4", 22), ("5", 18),
    ]  # fmt: skip
    assert sum(g.max_points for g in rules.groups) == 100


def test_a_newer_rule_applies_from_its_date_and_not_before(db):
    # given the ministry raises 3.3's threshold to 60% from 2026-11-01
    old = IndicatorRule.objects.get(code="3.3")
    IndicatorRule.objects.create(
        code="3.3", group_code="3", name=old.name, measure=old.measure, max_points=Decimal(6),
        formula_kind=FormulaKind.THRESHOLD, threshold_percent=Decimal(60), effective_from=dt.date(2026, 11, 1),
    )  # fmt: skip

    # when
    october = {r.code: r for r in rules_in_force(on=dt.date(2026, 10, 1)).indicators}
    november = {r.code: r for r in rules_in_force(on=dt.date(2026, 11, 1)).indicators}

    # then
    assert october["3.3"].threshold_percent == Decimal(50)
    assert november["3.3"].threshold_percent == Decimal(60)


@pytest.mark.parametrize(("rate", "points"), [(Decimal(40), Decimal("4.80")), (Decimal(60), Decimal("6.00"))])
def test_online_rate_points_full_at_fifty_percent(db, rate, points):
    rule = IndicatorRule.objects.get(code="3.3")

    assert points_for(rule=rule, rate_percent=rate) == points


def test_seven_of_ten_on_time_gives_fourteen_points(province):
    # given 10 dossiers finished in October: 7 before their due date, 3 after it
    for day in range(1, 8):
        make_dossier(province["birth"], province["department"], received=at(day), due=at(day + 5), finished=at(day + 1))
    for day in range(1, 4):
        make_dossier(province["birth"], province["department"], received=at(day), due=at(day + 2), finished=at(day + 9))

    # when
    card = scorecard(period=OCTOBER, scope=Scope(), now=NOW)

    # then
    on_time = card.get("2.1")
    assert (on_time.numerator, on_time.denominator, on_time.rate, on_time.points) == (
        7,
        10,
        Decimal("70.00"),
        Decimal("14.00"),
    )


def test_two_supplement_requests_make_a_dossier_late(province):
    # given a dossier finished well before its due date but asked twice for more papers
    make_dossier(province["birth"], province["department"], due=at(20), finished=at(10), supplement_count=2)
    make_dossier(province["birth"], province["department"], due=at(20), finished=at(10), supplement_count=1)

    # when
    card = scorecard(period=OCTOBER, scope=Scope(), now=NOW)

    # then
    assert (card.get("2.1").numerator, card.get("2.1").denominator) == (1, 2)
    late = dossier_list_for_indicator(
        measure=Measure.ON_TIME, outcome=Outcome.MISSED, period=OCTOBER, scope=Scope(), now=NOW
    )
    assert [d.supplement_count for d in late] == [2]


def test_running_dossiers_count_late_once_past_due(province):
    # given two dossiers still in progress at the end of October: one past due, one not yet
    make_dossier(province["birth"], province["department"], received=at(1), due=at(20))
    make_dossier(province["birth"], province["department"], received=at(25), due=at(5, month=12))

    # when
    card = scorecard(period=OCTOBER, scope=Scope(), now=NOW)

    # then
    assert (card.get("2.1").numerator, card.get("2.1").denominator, card.get("2.1").points) == (1, 2, Decimal("10.00"))


def test_a_dossier_finished_after_its_first_due_date_is_on_time_when_the_supplement_pause_covers_it(db):
    # given a walk-in dossier (due 1/12), a supplement request answered 3 working days later
    # (due shifts to 4/12), processed on 3/12: after the first due date, before the shifted one
    from tests.factories import AgencyFactory, ProcedureFactory

    agency = AgencyFactory(code="000.00.12.H42", name="Sở Tư pháp")
    procedure = ProcedureFactory(code="1.000001", agencies=[agency])
    WorkflowVersionFactory(procedure=procedure)
    people = {
        role: UserFactory(role=role, agencies=[agency])
        for role in (Role.RECEPTION_OFFICER, Role.SPECIALIST, Role.LEADER, Role.CLERK)
    }
    citizen = UserFactory(role=Role.CITIZEN)
    with time_machine.travel(dt.datetime(2026, 11, 23, 9, 0, tzinfo=VN), tick=False):
        dossier = dossier_submit(
            procedure=procedure, agency=agency, channel=Channel.DIRECT, applicant=citizen,
            applicant_name="Nguyễn Văn An", actor=people[Role.RECEPTION_OFFICER],
        )  # fmt: skip
        dossier_act(
            dossier_id=dossier.pk,
            actor=people[Role.RECEPTION_OFFICER],
            action=Action.REQUEST_SUPPLEMENT,
            comment="Bổ sung bản sao",
        )
    with time_machine.travel(dt.datetime(2026, 11, 27, 9, 0, tzinfo=VN), tick=False):
        dossier_act(dossier_id=dossier.pk, actor=citizen, action=Action.PROVIDE_SUPPLEMENT)
    with time_machine.travel(dt.datetime(2026, 12, 3, 9, 0, tzinfo=VN), tick=False):
        for role, action, step in (
            (Role.RECEPTION_OFFICER, Action.FORWARD, "tham_dinh"),
            (Role.SPECIALIST, Action.FORWARD, "phe_duyet"),
            (Role.LEADER, Action.APPROVE, "van_thu"),
            (Role.CLERK, Action.NUMBER_DISPATCH, "tra_ket_qua"),
        ):
            dossier = dossier_act(dossier_id=dossier.pk, actor=people[role], action=action, to_step=step)
    assert dossier.status == Status.PROCESSED
    assert dossier.finished_at > dossier.pauses.get().due_before

    # when
    card = scorecard(period=period_month(year=2026, month=12), scope=Scope(), now=dt.datetime(2026, 12, 20, tzinfo=VN))

    # then
    assert (card.get("2.1").numerator, card.get("2.1").denominator, card.get("2.1").points) == (1, 1, Decimal("20.00"))


@pytest.mark.parametrize(
    ("online", "synced", "points"),
    [(4, 10, Decimal("4.80")), (6, 10, Decimal("6.00")), (6, 5, Decimal("3.60"))],
)
def test_online_dossiers_indicator(province, online, synced, points):
    # given 10 dossiers received in October, `online` of them online (each with its electronic
    # result: the procedure returns a paper document), `synced` of them synced to DVCQG
    dossiers = []
    for n in range(10):
        channel = Channel.ONLINE if n < online else Channel.DIRECT
        dossier = make_dossier(province["birth"], province["department"], received=at(n + 1), channel=channel)
        if n < online:
            Attachment.objects.create(
                dossier=dossier, role=AttachmentRole.RESULT, uploaded_by=dossier.applicant, name="kq.pdf", file="x",
                content_type="application/pdf", size=1, sha256="0" * 64,
            )  # fmt: skip
        dossiers.append(dossier)
    dossiers_mark_synced(dossier_ids={d.pk for d in dossiers[:synced]}, at=NOW)

    # when
    card = scorecard(period=OCTOBER, scope=Scope(), now=NOW)

    # then 3.3 = online / received × sync rate, full marks at 50%: 40% → 4.80; 60% → 6.00;
    # 60% × 5/10 = 30% → 30 / 50 × 6 = 3.60
    assert (card.get("3.3").numerator, card.get("3.3").denominator, card.get("3.3").points) == (online, 10, points)


def test_period_edges_are_midnight_in_vietnam(province):
    # given dossiers received just before and just after 1 October and 1 November, Vietnam time
    edges = [
        dt.datetime(2026, 9, 30, 23, 59, 59, tzinfo=VN),
        dt.datetime(2026, 10, 1, 0, 0, tzinfo=VN),  # 30/9 17:00 UTC: October in Vietnam
        dt.datetime(2026, 10, 31, 23, 59, 59, tzinfo=VN),
        dt.datetime(2026, 11, 1, 0, 0, tzinfo=VN),
    ]
    for received in edges:
        make_dossier(province["birth"], province["department"], received=received)

    # when
    card = scorecard(period=OCTOBER, scope=Scope(), now=NOW)

    # then
    assert card.get("3.3").denominator == 2
    assert OCTOBER.start == dt.datetime(2026, 9, 30, 17, 0, tzinfo=dt.UTC)
    assert period_parse("2026-10") == OCTOBER
    assert period_parse("2026") == period_year(year=2026)
    assert period_parse("2026-13") is None


def test_an_agency_score_includes_its_sub_agencies(province):
    # given one online dossier at the department, one at its ward, one direct at another department
    make_dossier(province["birth"], province["department"], channel=Channel.ONLINE)
    make_dossier(province["birth"], province["ward"], channel=Channel.ONLINE)
    make_dossier(province["building"], province["other"], channel=Channel.DIRECT)
    admin = UserFactory(province_admin=True)

    # when
    department = scorecard(period=OCTOBER, scope=scope_for_user(user=admin, agency=province["department"]), now=NOW)
    everyone = scorecard(period=OCTOBER, scope=scope_for_user(user=admin), now=NOW)

    # then (the share received online; 3.3 itself also asks for an electronic result and the sync rate)
    assert (department.rate_online, department.get("3.3").denominator) == (Decimal("100.00"), 2)
    assert (everyone.rate_online, everyone.get("3.3").denominator) == (Decimal("66.67"), 3)


def test_sector_and_procedure_narrow_the_scope(province):
    make_dossier(province["birth"], province["department"])
    make_dossier(province["building"], province["other"])

    by_sector = scorecard(period=OCTOBER, scope=Scope(sector_id=province["sector"].pk), now=NOW)
    by_procedure = scorecard(period=OCTOBER, scope=Scope(procedure_id=province["building"].pk), now=NOW)

    assert by_sector.get("3.3").denominator == 1
    assert by_procedure.get("3.3").denominator == 1
    assert by_procedure.get("3.1").denominator == 1


def test_payment_digitisation_reuse_authentication_satisfaction(province):
    # given a fee-bearing procedure; 4 dossiers received and finished in October
    FeeFactory(procedure=province["birth"], amount=50_000)
    verified = UserFactory(vneid_verified_at=at(1))
    dossiers = [
        make_dossier(province["birth"], province["department"], received=at(1), due=at(20), finished=at(2 + n))
        for n in range(4)
    ]
    dossiers[0].applicant = verified
    dossiers[0].save(update_fields=["applicant"])
    Payment.objects.create(ref="P1", dossier=dossiers[0], payer=verified, amount=50_000, status=PaymentStatus.PAID)
    Payment.objects.create(ref="P2", dossier=dossiers[1], payer=verified, amount=50_000, status=PaymentStatus.PENDING)
    for dossier in dossiers[:2]:
        for role in (AttachmentRole.FILED, AttachmentRole.RESULT):
            Attachment.objects.create(
                dossier=dossier, role=role, uploaded_by=verified, name="a.pdf", file="x", content_type="application/pdf",
                size=1, sha256="0" * 64,
            )  # fmt: skip
    Attachment.objects.create(
        dossier=dossiers[2], role=AttachmentRole.RESULT, uploaded_by=verified, name="kq.pdf", file="x",
        content_type="application/pdf", size=1, sha256="0" * 64, from_national_store=True,
    )  # fmt: skip
    # a rating, even a poor one, is not a complaint; one complaint (PAKN) in October, one after it
    Rating.objects.create(dossier=dossiers[0], score=1)
    Complaint.objects.create(dossier=dossiers[1], author=verified, content="Chậm", created_at=at(10))
    Complaint.objects.create(dossier=dossiers[2], author=verified, content="Sau kỳ", created_at=at(1, hour=0, month=11))
    # the national portal accepted the records of three of them (set by the national sync)
    dossiers_mark_synced(dossier_ids={d.pk for d in dossiers[:3]}, at=NOW)
    # the population registry confirmed the applicants of two of them (dossiers.population)
    Dossier.objects.filter(pk__in=[dossiers[1].pk, dossiers[3].pk]).update(population_checked_at=at(2))

    # when
    card = scorecard(period=OCTOBER, scope=Scope(), now=NOW)

    # then
    def line(code):
        r = card.get(code)
        return (r.numerator, r.denominator, r.points)

    assert line("3.6") == (1, 4, Decimal("1.50"))  # 25% × 6
    assert line("4.1") == (3, 4, Decimal("4.50"))  # 75% × 6
    assert line("4.2") == (2, 4, Decimal("2.50"))  # 50% / 80% × 4
    # 4.3 counts reuse of digitised data only (HoSoCoThanhPhanSoHoa), not a national-store file
    assert line("4.3") == (0, 4, Decimal("0.00"))
    # 4.4: a national-store component or a synced result link: 0, 1, 2 (synced with a result) → 75% × 4
    assert line("4.4") == (3, 4, Decimal("3.00"))
    # 4.5b: VNeID (0) or population data (1, 3) → 75% × 2; 4.5a: birth of the two citizen procedures → 50% × 2
    assert line("4.5b") == (3, 4, Decimal("1.50"))
    assert line("4.5a") == (1, 2, Decimal("1.00"))
    # 5.4: 100% on time − 25% complained about = 75%; 75 / 90 × 6 = 5.00
    assert card.get("5.4").rate == Decimal("75.00")
    assert card.get("5.4").points == Decimal("5.00")
    assert (card.get("5.4").numerator, card.get("5.4").denominator) == (3, 4)  # without complaint / finished
    assert line("1.4") == (3, 4, Decimal("4.50"))  # 75% × 6
    assert card.get("2.2").display == "2,5 ngày"


def test_procedure_indicators(province):
    # given the department's procedure is complete and online; add an information-only one with a fee
    from procedures.constants import OnlineLevel
    from tests.factories import ComponentFactory, ProcedureFactory

    ComponentFactory(procedure=province["birth"])
    info = ProcedureFactory(code="2.000001", online_level=OnlineLevel.INFORMATION, agencies=[province["department"]])
    FeeFactory(procedure=info, amount=10_000)
    make_dossier(province["birth"], province["ward"], channel=Channel.ONLINE)
    admin = UserFactory(province_admin=True)

    # when
    card = scorecard(period=OCTOBER, scope=scope_for_user(user=admin, agency=province["department"]), now=NOW)

    # then
    def line(code):
        r = card.get(code)
        return (r.numerator, r.denominator, r.points)

    # 1.3 is not computed below the province (the formula document)
    assert line("1.3") == (None, None, None)
    assert card.get("1.3").reason == "Chỉ tiêu chỉ tính cho cả tỉnh, không tính theo đơn vị cấp dưới."
    assert line("3.1") == (1, 2, Decimal("1.25"))  # 50% / 80% × 2
    # 3.2 counts services (procedure, agency): birth at the department and at the ward, one used
    assert line("3.2") == (1, 2, Decimal("2.00"))
    assert line("3.5") == (0, 1, Decimal("0.00"))


def test_procedures_costing_most_points(province):
    # given the building permit misses more dossiers than the birth registration
    for _ in range(3):
        make_dossier(province["building"], province["other"], due=at(3), finished=at(10))
    make_dossier(province["birth"], province["department"], due=at(3), finished=at(10))
    make_dossier(province["birth"], province["department"], due=at(20), finished=at(10))
    scope = Scope()
    rules = rules_in_force(on=OCTOBER.first_day)
    card = scorecard(period=OCTOBER, scope=scope, now=NOW, rules=rules)

    # when
    top = procedures_costing_most(card=card, scope=scope, rules=rules, now=NOW)

    # then every point lost is shared by what each procedure misses of it (birth, building):
    # 1.3 lost 2 (no components: 1, 1) → 1, 1; 1.4 lost 6 (none synced: 2, 3) → 2.4, 3.6;
    # 2.1 lost 16 (late 1, 3) → 4, 12; 3.2 lost 1.33 (the ward's birth service unused: 1, 0) → 1.33, 0;
    # 3.3, 4.1 lost 6 each (2, 3) → 2.4, 3.6 each; 4.2, 4.4 lost 4 each → 1.6, 2.4 each;
    # 4.3, 4.5b lost 2 each → 0.8, 1.2 each; 4.5a lost 2 (1, 1) → 1, 1;
    # 5.4 = 100 − 80% late = 20% → 1.33, lost 4.67 (missed 1, 3) → 1.1675, 3.5025
    # birth 20.4975 over 1+2+1+1+2+2+2+2+2+1+2+1 = 19; building 35.5025 over 29
    assert [(c.procedure.code, c.lost_points, c.missed) for c in top] == [
        ("1.009999", Decimal("35.50"), 29),
        ("1.001193", Decimal("20.50"), 19),
    ]


def test_a_leader_scope_refuses_an_agency_outside_it(province):
    from indicators.selectors import OutOfScope

    with pytest.raises(OutOfScope):
        scope_for_user(user=province["leader"], agency=province["other"])

    scope = scope_for_user(user=province["leader"], agency=province["ward"])
    assert scope.agency_ids == frozenset({province["ward"].pk})


def test_an_ended_months_counts_are_cached_and_the_running_month_is_not(province, settings):
    # given counts kept for a while once a period has ended
    from django.core.cache import cache

    settings.INDICATORS_CACHE_SECONDS = 60
    cache.clear()
    november = period_month(year=2026, month=11)  # NOW is 20 November: still running
    make_dossier(province["birth"], province["department"])
    make_dossier(province["birth"], province["department"], received=at(3, month=11), due=at(25, month=11))
    october_before = scorecard(period=OCTOBER, scope=Scope(), now=NOW).get("3.3").denominator
    november_before = scorecard(period=november, scope=Scope(), now=NOW).get("3.3").denominator

    # when another dossier arrives in each month
    make_dossier(province["birth"], province["department"])
    make_dossier(province["birth"], province["department"], received=at(4, month=11), due=at(25, month=11))

    # then October still shows the cached count, November the new one; after the delay, October too
    assert scorecard(period=OCTOBER, scope=Scope(), now=NOW).get("3.3").denominator == october_before == 1
    assert scorecard(period=november, scope=Scope(), now=NOW).get("3.3").denominator == november_before + 1 == 2
    # another scope is its own entry
    narrowed = Scope(procedure_id=province["birth"].pk)
    assert scorecard(period=OCTOBER, scope=narrowed, now=NOW).get("3.3").denominator == 2
    cache.clear()  # what INDICATORS_CACHE_SECONDS' expiry does
    assert scorecard(period=OCTOBER, scope=Scope(), now=NOW).get("3.3").denominator == 2
    cache.clear()
