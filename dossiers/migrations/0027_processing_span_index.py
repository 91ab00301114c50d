"""The span each dossier is being processed, GiST-indexed for the 766 counts of one period
(dossiers.periods), built online (common.migration_operations): the dossier table stays writable."""

import django.contrib.postgres.fields.ranges
import django.contrib.postgres.indexes
import django.db.models.functions.comparison
import django.db.models.lookups
from django.db import migrations, models

from common.migration_operations import AddIndexOnline


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ('dossiers', '0026_language_scan_state'),
    ]

    operations = [
        AddIndexOnline(
            model_name='dossier',
            index=django.contrib.postgres.indexes.GistIndex(models.Func(models.F('received_at'), models.Case(models.When(django.db.models.lookups.IsNull(django.db.models.functions.comparison.Coalesce('finished_at', 'returned_at', models.Case(models.When(status__in=(8, 7, 3), then=models.F('closed_at')), default=models.Value(None)), output_field=models.DateTimeField()), True), then=models.Value(None)), default=django.db.models.functions.comparison.Greatest(django.db.models.functions.comparison.Coalesce('finished_at', 'returned_at', models.Case(models.When(status__in=(8, 7, 3), then=models.F('closed_at')), default=models.Value(None)), output_field=models.DateTimeField()), models.F('received_at')), output_field=models.DateTimeField()), models.Value('[]'), function='tstzrange', output_field=django.contrib.postgres.fields.ranges.DateTimeRangeField()), condition=models.Q(('received_at__isnull', False)), name='dossier_processing_span_idx'),
        ),
    ]
