import pytest
from django.apps import apps
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunPython


@pytest.fixture
def new_year_2026(db):
    """The official New Year 2026 swap, as the workflows data migration writes it.

    A transactional test (the browser tests) flushes every table, data-migration rows included,
    so tests that need the shipped data run the migration's own function again (idempotent).
    Found by name, not by migration number: the number changes when branches are merged.
    """
    loader = MigrationLoader(None, ignore_no_migrations=True)
    found = [
        operation.code
        for (app, _name), migration in loader.disk_migrations.items()
        if app == "workflows"
        for operation in migration.operations
        if isinstance(operation, RunPython) and operation.code.__name__ == "add_new_year_2026"
    ]
    assert len(found) == 1
    found[0](apps, None)
