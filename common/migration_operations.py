"""Migration operations that keep a busy table open while they run.

`AddIndexOnline`: CREATE INDEX CONCURRENTLY on PostgreSQL (writes to the table go on while the
index is built; a plain CREATE INDEX holds a lock that stops every dossier change for minutes on a
large table), a plain CREATE INDEX on the embedded SQLite default, which has no such option. Its
migration declares `atomic = False` (CONCURRENTLY cannot run in a transaction). An index only
PostgreSQL can build (GiST, GIN, ...: django.contrib.postgres.indexes) is left out on SQLite, where
the queries it serves take their plain path (indicators.counts).
tests/test_migrations.py fails on a new plain AddIndex on a table that already exists.
"""

from typing import Any

from django.contrib.postgres.indexes import PostgresIndex
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db.migrations.operations import AddIndex


class AddIndexOnline(AddIndexConcurrently):
    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)
        elif not isinstance(self.index, PostgresIndex):
            AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
        elif not isinstance(self.index, PostgresIndex):
            AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)
