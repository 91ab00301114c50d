"""The receiving desk's queue index, built online (common.migration_operations): the dossier table
stays writable while it builds."""

from django.db import migrations, models

from common.migration_operations import AddIndexOnline


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("dossiers", "0022_dossier_access"),
    ]

    operations = [
        AddIndexOnline(
            model_name="dossier",
            index=models.Index(
                condition=models.Q(("receiving_agency__isnull", False)),
                fields=["receiving_agency", "due_at", "id"],
                name="dossier_receiving_due_idx",
            ),
        ),
    ]
