import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.constants import Role
from indicators.models import AgencyTarget, IndicatorRule
from procedures.constants import AgencyLevel
from tests.factories import AgencyFactory, UserFactory

from .conftest import at, make_dossier

DASHBOARD = reverse("indicators:dashboard")
DRILL = reverse("indicators:dossiers")


def test_a_leader_sees_the_score_of_their_agency_and_its_ward_only(client, october, frozen):
    # given the department's leader
    client.force_login(october["leader"])

    # when
    response = client.get(DASHBOARD, {"ky": "2026-10"})

    # then: 4 of 6 on time (3 department + 1 ward of 6), other department not counted
    assert response.status_code == 200
    card = response.context["card"]
    on_time = card.get("2.1")
    assert (on_time.numerator, on_time.denominator, on_time.points) == (4, 6, Decimal("13.33"))
    assert [row.agency.name for row in response.context["data"].ranking] == ["UBND phường Hoa Lư", "Sở Tư pháp"]
    assert "Sở Xây dựng" not in response.content.decode()


def test_a_leader_cannot_ask_for_another_agency(client, october, frozen):
    client.force_login(october["leader"])

    response = client.get(DASHBOARD, {"ky": "2026-10", "co_quan": october["other"].pk})

    assert response.status_code == 400
    assert "card" not in response.context


@pytest.mark.parametrize("role", [Role.CITIZEN, Role.SPECIALIST, Role.RECEPTION_OFFICER])
def test_others_may_not_see_the_dashboard(client, october, role):
    client.force_login(UserFactory(role=role, agencies=[october["department"]] if role != Role.CITIZEN else None))

    assert client.get(DASHBOARD).status_code == 403
    assert client.get(reverse("api:indicator-scorecard")).status_code == 403


def test_dashboard_query_count_does_not_grow_with_the_data(client, october, frozen, django_assert_num_queries):
    # given a province admin looking at October (10 trend months: January to October)
    admin = UserFactory(province_admin=True)
    client.force_login(admin)
    client.get(DASHBOARD, {"ky": "2026-10"})  # warm caches (content types, sessions)

    # when / then: the same number of queries before and after doubling the dossiers
    # (the rules and the catalogue once, two queries a month for the trend: dossiers and complaints)
    with django_assert_num_queries(46) as first:
        client.get(DASHBOARD, {"ky": "2026-10"})
    for day in range(1, 10):
        make_dossier(october["building"], october["other"], received=at(day), due=at(day + 1), finished=at(day + 3))
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(DASHBOARD, {"ky": "2026-10"})


def test_drilling_from_on_time_lists_the_late_dossiers_in_scope(client, october, frozen):
    client.force_login(october["leader"])

    response = client.get(DRILL, {"ky": "2026-10", "chi_so": "2.1", "ket_qua": "chua-dat"})

    assert response.status_code == 200
    late = list(response.context["page"])
    assert sorted((d.agency.name, d.received_at.day) for d in late) == [("Sở Tư pháp", 4), ("Sở Tư pháp", 5)]
    body = response.content.decode()
    assert body.count("Xử lý xong sau ngày hẹn trả") == 1
    assert body.count("Đang xử lý, đã quá hạn") == 1


def test_every_drillable_figure_links_to_as_many_dossiers(client, october, frozen):
    # given the dashboard's figures for a province admin
    client.force_login(UserFactory(province_admin=True))
    card = client.get(DASHBOARD, {"ky": "2026-10"}).context["card"]

    # when / then: each indicator's drill-down lists exactly its numerator and denominator
    for item in card.indicators:
        if not item.drillable:
            continue
        met = client.get(DRILL, {"ky": "2026-10", "chi_so": item.code, "ket_qua": "dat"}).context["page"]
        every = client.get(DRILL, {"ky": "2026-10", "chi_so": item.code, "ket_qua": "tat-ca"}).context["page"]
        assert (met.paginator.count, every.paginator.count) == (item.numerator, item.denominator), item.code


def test_unknown_indicator_is_a_404(client, october):
    client.force_login(october["leader"])

    assert client.get(DRILL, {"chi_so": "9.9"}).status_code == 404


def test_dashboard_and_api_agree(client, october, frozen):
    # given
    client.force_login(october["leader"])
    params = {"ky": "2026-10", "co_quan": october["department"].pk}

    # when
    card = client.get(DASHBOARD, params).context["card"]
    api = client.get(reverse("api:indicator-scorecard"), params).json()

    # then
    assert Decimal(api["total_points"]) == card.total_points
    assert {i["code"]: (i["numerator"], i["denominator"], i["points"]) for i in api["indicators"]} == {
        i.code: (i.numerator, i.denominator, None if i.points is None else str(i.points)) for i in card.indicators
    }
    assert [(g["code"], Decimal(g["points"])) for g in api["groups"]] == [(g.code, g.points) for g in card.groups]


def test_targets_flag_agencies_behind(client, october, frozen):
    # given targets for 2026: the department must reach 90% on time, the ward 50% online
    AgencyTarget.objects.create(
        agency=october["department"], year=2026, online_rate=50, on_time_rate=90, online_payment_rate=0
    )
    AgencyTarget.objects.create(
        agency=october["ward"], year=2026, online_rate=50, on_time_rate=50, online_payment_rate=0
    )
    client.force_login(october["leader"])

    # when
    ranking = client.get(reverse("api:indicator-agencies"), {"ky": "2026-10"}).json()

    # then: the department is at 60% on time (3 of 5), the ward at 100%
    assert [(r["agency_name"], r["on_time_rate"], r["behind"]) for r in ranking] == [
        ("UBND phường Hoa Lư", "100.00", []),
        ("Sở Tư pháp", "60.00", ["Tỷ lệ hồ sơ đúng hạn"]),
    ]


def test_api_schema_documents_the_indicator_endpoints(client, db):
    schema = client.get(reverse("api-schema")).content.decode()

    assert "/api/v1/indicators/" in schema
    assert "/api/v1/indicators/agencies/" in schema


def test_trend_has_one_bar_per_month_so_far(client, october, frozen):
    client.force_login(october["leader"])

    bars = client.get(DASHBOARD, {"ky": "2026"}).context["bars"]

    assert [b["label"] for b in bars] == [f"{m:02d}" for m in range(1, 12)]
    assert bars[9]["card"].total_points > 0
    assert bars[0]["card"].get("2.1").points is None  # no dossier in January
    assert bars[10]["card"].period.first_day == dt.date(2026, 11, 1)
    assert bars[9]["card"].get("2.1").numerator == 4


def test_ranking_counts_each_agency_online_services_that_received_a_dossier(client, october, frozen):
    # given a province admin; the building permit only had a dossier at the desk
    client.force_login(UserFactory(province_admin=True))

    # when
    ranking = client.get(DASHBOARD, {"ky": "2026-10"}).context["data"].ranking

    # then
    used = {row.agency.name: (row.card.get("3.2").numerator, row.card.get("3.2").denominator) for row in ranking}
    assert used == {"Sở Tư pháp": (1, 1), "UBND phường Hoa Lư": (1, 1), "Sở Xây dựng": (0, 1)}


def test_drilldown_query_count_does_not_grow_with_the_rows(client, october, frozen, django_assert_num_queries):
    # given a province admin listing every dossier counted in 2.1
    client.force_login(UserFactory(province_admin=True))
    params = {"ky": "2026-10", "chi_so": "2.1", "ket_qua": "tat-ca"}
    client.get(DRILL, params)

    # when / then: the same queries with 7 rows and with 16
    with django_assert_num_queries(6) as first:
        assert client.get(DRILL, params).context["page"].paginator.count == 7
    for day in range(1, 10):
        make_dossier(october["building"], october["other"], received=at(day), due=at(day + 1), finished=at(day + 3))
    with django_assert_num_queries(len(first.captured_queries)):
        assert client.get(DRILL, params).context["page"].paginator.count == 16


def test_the_chosen_agency_sees_its_targets_against_its_subtree(client, october, frozen):
    # given the department must reach 50% online and 70% on time in 2026
    AgencyTarget.objects.create(
        agency=october["department"], year=2026, online_rate=50, on_time_rate=70, online_payment_rate=0
    )
    client.force_login(october["leader"])

    # when
    response = client.get(DASHBOARD, {"ky": "2026-10", "co_quan": october["department"].pk})

    # then: department and ward together, 4 of 6 online, 4 of 6 on time
    progress = [(t.label, t.target, t.actual, t.behind) for t in response.context["targets"]]
    assert progress == [
        ("Tỷ lệ hồ sơ trực tuyến", Decimal(50), Decimal("66.67"), False),
        ("Tỷ lệ hồ sơ đúng hạn", Decimal(70), Decimal("66.67"), True),
        ("Tỷ lệ thanh toán trực tuyến", Decimal(0), None, False),
    ]
    assert "Chỉ tiêu năm 2026" in response.content.decode()


def test_an_agency_with_no_procedures_reads_plainly_not_a_zero(client, province, frozen):
    # given a leader of a new ward that applies no procedure and has received no dossier
    ward = AgencyFactory(code="000.31.99.H42", name="UBND phường Mới", level=AgencyLevel.WARD)
    client.force_login(UserFactory(role=Role.LEADER, full_name="Lãnh đạo phường", agencies=[ward]))

    # when
    response = client.get(DASHBOARD, {"ky": "2026-10"})

    # then: a page, not a 500; each figure says why it is not computed, and the total scores nothing
    assert response.status_code == 200
    card = response.context["card"]
    assert card.scored_max == 0
    body = response.content.decode()
    assert "Chưa có thủ tục hành chính trong phạm vi." in body
    assert "Không có hồ sơ trong kỳ." in body
    assert card.get("2.1").points is None
    assert card.get("2.1").reason == "Không có hồ sơ trong kỳ."


def test_a_rule_whose_dates_leave_a_gap_is_left_out_of_the_total(client, october, frozen):
    # given 2.1's only version ends before October (no newer version takes over)
    client.force_login(UserFactory(province_admin=True))
    before = client.get(DASHBOARD, {"ky": "2026-10"}).context["card"]
    assert before.get("2.1").points is not None
    rule = IndicatorRule.objects.filter(code="2.1").order_by("-effective_from").first()
    IndicatorRule.objects.filter(code="2.1").update(effective_to=dt.date(2026, 9, 30))

    # when
    response = client.get(DASHBOARD, {"ky": "2026-10"})

    # then: 2.1 says there is no rule, and its maximum leaves N
    assert response.status_code == 200
    card = response.context["card"]
    assert card.get("2.1").points is None
    assert "Chưa có quy tắc áp dụng cho kỳ này." in response.content.decode()
    assert card.scored_max == before.scored_max - rule.max_points
