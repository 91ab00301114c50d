"""A new index on a table that already holds data is built online (CREATE INDEX CONCURRENTLY,
common.migration_operations.AddIndexOnline): a plain CREATE INDEX locks the dossier tables against
every write while it runs, minutes on a province's event table."""

from django.db import migrations, models
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import AddIndex

from common.migration_operations import AddIndexOnline

# Applied by every running installation before this rule, on tables then small: left as they are.
BEFORE_THE_RULE = {("dossiers", "0003_queue_indexes")}


def plain_index_additions(all_migrations) -> list[str]:
    """`app.migration: model.index` for each plain AddIndex on a model the migration did not create."""
    found = []
    for migration in all_migrations:
        created = {op.name.lower() for op in migration.operations if isinstance(op, migrations.CreateModel)}
        for op in migration.operations:
            plain = isinstance(op, AddIndex) and not isinstance(op, AddIndexOnline)
            if (
                plain
                and op.model_name.lower() not in created
                and (migration.app_label, migration.name) not in BEFORE_THE_RULE
            ):
                found.append(f"{migration.app_label}.{migration.name}: {op.model_name}.{op.index.name}")
    return found


def ours(loader: MigrationLoader):
    return [m for (app, _name), m in loader.disk_migrations.items() if not m.__module__.startswith("django.")]


def test_no_migration_adds_a_plain_index_to_an_existing_table():
    loader = MigrationLoader(None, ignore_no_migrations=True)

    assert plain_index_additions(ours(loader)) == []


def test_online_index_migrations_run_outside_a_transaction():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    online = [m for m in ours(loader) if any(isinstance(op, AddIndexOnline) for op in m.operations)]

    assert online
    assert all(m.atomic is False for m in online)


def test_a_planted_plain_index_is_found():
    planted = migrations.Migration("0099_planted", "dossiers")
    planted.operations = [migrations.AddIndex("dossier", models.Index(fields=["code"], name="planted_idx"))]

    assert plain_index_additions([planted]) == ["dossiers.0099_planted: dossier.planted_idx"]
