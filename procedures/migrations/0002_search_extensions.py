"""PostgreSQL search support: unaccent and pg_trgm, and a GiST trigram index on the search text.

GiST rather than GIN: it serves both the `%>` filter and the `<->>` distance ordering
(nearest first with LIMIT), and with it the planner stops choosing a sequential scan that
computes word_similarity on every row (measured in bench/catalogue_search.py).

On other databases (the SQLite embedded default) these operations do nothing: search
falls back to the same normalised text ranked in Python (procedures/selectors.py).
"""

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations


def create_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS procedure_search_trgm ON procedures_procedure "
            "USING gist (search_text gist_trgm_ops)"
        )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS procedure_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("procedures", "0001_initial")]

    operations = [
        UnaccentExtension(),
        TrigramExtension(),
        migrations.RunPython(create_trigram_index, drop_trigram_index),
    ]
