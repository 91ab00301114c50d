from unittest import mock

import pytest
from django.conf import settings

from dvctt import views


@pytest.fixture(autouse=True)
def _fresh_migrations_cache():
    views._migrations_checked.clear()
    yield
    views._migrations_checked.clear()


def test_readyz_is_ok_when_database_migrations_and_broker_are_fine(client, db):
    # when
    response = client.get("/readyz")

    # then
    assert response.status_code == 200
    expected = {"database": True, "migrations": True}
    if settings.REDIS_URL:
        expected["broker"] = True
    assert response.json() == {"status": "ok", "checks": expected, "failing": []}


def test_readyz_names_the_unreachable_broker(client, db, settings):
    # given
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1

    # when
    response = client.get("/readyz")

    # then
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "checks": {"database": True, "migrations": True, "broker": False},
        "failing": ["broker"],
    }


def test_readyz_without_a_broker_does_not_check_one(client, db, settings):
    # given
    settings.REDIS_URL = ""

    # when
    response = client.get("/readyz")

    # then
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": True, "migrations": True}


def test_readyz_is_503_when_a_migration_is_not_applied(client, db):
    # given: the database forgets the latest migration of dossiers
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.recorder import MigrationRecorder

    leaf = next(name for app, name in MigrationLoader(connection).graph.leaf_nodes() if app == "dossiers")
    assert MigrationRecorder.Migration.objects.filter(app="dossiers", name=leaf).delete()[0] == 1

    # when
    response = client.get("/readyz")

    # then
    assert response.status_code == 503
    assert response.json()["failing"] == ["migrations"]


def test_readyz_reuses_the_migrations_answer_for_a_few_seconds(client, db):
    # given: one probe has read the migrations
    client.get("/readyz")

    # when
    with mock.patch.object(views, "MigrationExecutor") as executor:
        response = client.get("/readyz")

    # then
    assert response.status_code == 200
    executor.assert_not_called()


def test_readyz_is_503_when_the_database_is_unreachable(client, db):
    # given
    with mock.patch.object(views, "_database_ok", return_value=False):
        # when
        response = client.get("/readyz")

    # then
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] is False
    assert response.json()["failing"][:2] == ["database", "migrations"]
