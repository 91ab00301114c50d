"""The province's progress figures agree with the public catalogue API and the indicators dashboard."""

from decimal import Decimal

import pytest
from django.utils import timezone

from console.selectors import online_shares
from indicators.constants import Measure
from procedures.constants import OnlineLevel
from procedures.selectors import ProcedureFilters
from tests.factories import AgencyFactory, ProcedureFactory, SectorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(db):
    """Published: 3 full, 2 partial, 2 information only; not published: 2 (never counted)."""
    sector = SectorFactory(code="HOTICH")
    agency = AgencyFactory(code="000.00.41.H42")
    for _n in range(3):
        ProcedureFactory(sector=sector, agencies=[agency])
    for _n in range(2):
        ProcedureFactory(partial=True)
    for _n in range(2):
        ProcedureFactory(online_level=OnlineLevel.INFORMATION, sector=sector)
    ProcedureFactory(draft=True)
    ProcedureFactory(draft=True, online_level=OnlineLevel.INFORMATION)


def api_count(client, **params):
    return client.get("/api/v1/procedures/", params).json()["count"]


def test_the_shares_agree_with_the_catalogue_api(client, catalogue):
    # when
    shares = online_shares()

    # then
    assert (shares.total, shares.full, shares.partial, shares.not_online) == (7, 3, 2, 2)
    assert shares.total == api_count(client)
    assert shares.full == api_count(client, level="full")
    assert shares.partial == api_count(client, level="partial")
    assert shares.not_online == api_count(client, level="information")
    assert (shares.full_percent, shares.partial_percent, shares.not_online_percent) == (
        Decimal("42.86"),
        Decimal("28.57"),
        Decimal("28.57"),
    )


def test_filtered_shares_agree_with_the_filtered_api(client, catalogue):
    by_sector = online_shares(filters=ProcedureFilters(sector="HOTICH"))
    by_agency = online_shares(filters=ProcedureFilters(agency="000.00.41.H42"))

    assert (by_sector.total, by_sector.full) == (api_count(client, sector="HOTICH"), 3)
    assert by_sector.not_online == api_count(client, sector="HOTICH", level="information") == 2
    assert (by_agency.total, by_agency.full) == (api_count(client, agency="000.00.41.H42"), 3)


def test_the_shares_agree_with_the_indicators_dashboard(client, catalogue, admin):
    # given the dashboard, province-wide, as the province admin sees it
    client.force_login(admin)
    card = client.get("/chi-so/").context["card"]

    # when
    shares = online_shares()

    # then: the same counts by level, and the "procedures provided online" indicator is full + partial
    assert (card.counts["level__full"], card.counts["level__partial"], card.counts["level__information"]) == (
        shares.full,
        shares.partial,
        shares.not_online,
    )
    assert card.rate(Measure.PROCEDURE_ONLINE) == shares.online_percent == Decimal("71.43")


def test_the_console_page_shows_the_figures_and_the_target(client, catalogue, admin):
    client.force_login(admin)
    client.post("/quan-tri/dich-vu/chi-tieu/", {"year": timezone.localdate().year, "full_online_percent": "60"})

    page = client.get("/quan-tri/dich-vu/")

    shares = page.context["province_shares"]
    assert (shares.full_percent, shares.target_gap) == (Decimal("42.86"), Decimal("17.14"))
    assert '<dd data-share="full">42,86% <span class="hint">(3/7 thủ tục)</span></dd>' in page.content.decode()
