"""The read-replica router (common/replica.py) on real connections: the "replica" alias of the test
settings points at the same server and test database (a mirror), so what each query reached is
seen by capturing each connection's queries. Transactional tests: a replica sees committed rows."""

import logging

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.constants import Role
from common.replica import PIN_COOKIE, ReplicaRouter, forget_replica_health, reading_from_replica, replica_fresh
from procedures.models import Sector
from tests.factories import AgencyFactory, ProcedureFactory, UserFactory
from tests.s3 import free_port

on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="the replica alias is PostgreSQL's")
both = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture
def replica_on(settings):
    settings.DATABASE_REPLICA_READS = True
    forget_replica_health()
    yield
    forget_replica_health()


def tables(captured) -> str:
    return " ".join(query["sql"] for query in captured.captured_queries)


def page_reads(client, url):
    """The page's answer, and the SQL each database received for it."""
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        response = client.get(url)
    return response, tables(primary), tables(replica)


@pytest.mark.parametrize(
    ("in_recovery", "lag", "fresh"),
    [(False, None, True), (True, 2.0, True), (True, 30.0, True), (True, 30.5, False), (True, None, False)],
)
def test_a_replica_is_fresh_when_it_is_a_primary_or_within_the_allowed_lag(in_recovery, lag, fresh):
    assert replica_fresh(in_recovery=in_recovery, lag_seconds=lag, max_lag_seconds=30) is fresh


def test_writes_and_migrations_always_go_to_the_primary():
    router = ReplicaRouter()

    assert router.db_for_write(Sector) == "default"
    assert (router.allow_migrate("default", "procedures"), router.allow_migrate("replica", "procedures")) == (
        True,
        False,
    )
    assert router.db_for_read(Sector) is None  # outside a replica view: Django's own choice, the primary


@on_postgres
@both
def test_the_public_catalogue_is_read_from_the_replica(client, replica_on):
    # given a published procedure
    procedure = ProcedureFactory(code="1.001193", name="Đăng ký khai sinh", agencies=[AgencyFactory()])

    # when its page is read
    response, primary, replica = page_reads(client, reverse("procedures:detail", args=[procedure.code]))

    # then from the replica only
    assert response.status_code == 200
    assert "Đăng ký khai sinh" in response.content.decode()
    assert "procedures_procedure" in replica
    assert "procedures_procedure" not in primary


@on_postgres
@both
def test_the_indicator_dashboard_is_read_from_the_replica_the_user_from_the_primary(client, replica_on):
    leader = UserFactory(username="lanhdao", role=Role.LEADER, agencies=[AgencyFactory()])
    client.force_login(leader)

    response, primary, replica = page_reads(client, reverse("indicators:dashboard"))

    assert response.status_code == 200
    assert "dossiers_dossier" in replica
    assert "dossiers_dossier" not in primary
    assert "django_session" in primary  # the signed-in user and the session: never from a replica
    assert "django_session" not in replica


@on_postgres
@both
def test_a_browser_that_just_wrote_reads_from_the_primary(client, replica_on, settings):
    # given a published procedure, and a browser that has just posted a form (the language switch)
    procedure = ProcedureFactory(code="1.000894", name="Đăng ký kết hôn", agencies=[AgencyFactory()])
    posted = client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    assert posted.status_code == 302
    assert (posted.cookies[PIN_COOKIE].value, posted.cookies[PIN_COOKIE]["max-age"]) == ("1", 15)

    # when it reads the catalogue right after
    response, primary, replica = page_reads(client, reverse("procedures:detail", args=[procedure.code]))

    # then the primary answers: it sees what it just did, whatever the replica's lag
    assert response.status_code == 200
    assert "procedures_procedure" in primary
    assert replica == ""


@on_postgres
@both
def test_inside_a_replica_block_reads_go_to_the_replica_and_writes_to_the_primary(replica_on):
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
        reading_from_replica() as used,
    ):
        Sector.objects.create(code="HOTICH", name="Hộ tịch")
        count = Sector.objects.filter(code="HOTICH").count()

    assert (used, count) == (True, 1)
    assert "INSERT" in tables(primary)
    assert "SELECT" not in tables(primary)
    assert "INSERT" not in tables(replica)
    assert 'FROM "procedures_sector"' in tables(replica)


@on_postgres
@both
def test_a_replica_that_does_not_answer_is_skipped_and_the_primary_reads(client, replica_on, monkeypatch, caplog):
    # given the replica's address is a port nobody listens on
    procedure = ProcedureFactory(code="1.000656", name="Đăng ký khai tử", agencies=[AgencyFactory()])
    connections["replica"].close()
    monkeypatch.setitem(connections["replica"].settings_dict, "PORT", free_port())

    # when the catalogue is read
    with caplog.at_level(logging.WARNING, logger="dvctt.stores"), CaptureQueriesContext(connections["default"]) as q:
        response = client.get(reverse("procedures:detail", args=[procedure.code]))
    primary = tables(q)

    # then the page works, from the primary, and the incident is logged
    assert response.status_code == 200
    assert "procedures_procedure" in primary
    assert any("read replica unusable" in record.getMessage() for record in caplog.records)
    connections["replica"].close()


@on_postgres
@both
def test_without_replica_reads_nothing_goes_to_the_replica_and_no_browser_is_pinned(client, settings):
    settings.DATABASE_REPLICA_READS = False
    procedure = ProcedureFactory(code="1.000689", agencies=[AgencyFactory()])

    posted = client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    response, primary, replica = page_reads(client, reverse("procedures:detail", args=[procedure.code]))

    assert PIN_COOKIE not in posted.cookies
    assert response.status_code == 200
    assert (replica, "procedures_procedure" in primary) == ("", True)
