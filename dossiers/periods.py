"""When a dossier's processing ends, and the span it is being processed, as SQL expressions.

The Decision 766 counts (indicators.counts) ask, for every period, which dossiers any fact of the
period can hold: received before the period's end and not ended before its start. On PostgreSQL
that is one overlap test of `processing_span()` with the period, answered by a GiST index on the
same expression (Dossier.Meta, `dossier_processing_span_idx`): a month then reads its own few
tens of thousands of rows instead of the whole table. The index and the query share these
functions, so they cannot drift apart (PostgreSQL uses an expression index only for the very
same expression).
"""

from __future__ import annotations

from django.contrib.postgres.fields import DateTimeRangeField
from django.db.models import Case, DateTimeField, F, Func, Value, When
from django.db.models.functions import Coalesce, Greatest
from django.db.models.lookups import IsNull

from workflows.constants import Status

# Ended without a result after receipt: the stop, the withdrawal or the refusal ends processing (2.1).
ENDED_WITHOUT_RESULT = (Status.STOPPED, Status.WITHDRAWN, Status.REFUSED)


def end_of_processing() -> Coalesce:
    """Finished, returned, or closed by a stop, a withdrawal or a refusal; NULL while running."""
    return Coalesce(
        "finished_at",
        "returned_at",
        Case(When(status__in=ENDED_WITHOUT_RESULT, then=F("closed_at")), default=Value(None)),
        output_field=DateTimeField(),
    )


def processing_span() -> Func:
    """[received, end of processing] as a tstzrange (PostgreSQL only); unbounded above while running.

    An end recorded before the receipt (bad data) is read as the receipt itself, so the range is
    never inverted (tstzrange would refuse it) and the overlap means exactly: received before the
    period's end, and running, or ended at or after the period's start, or received in it.
    """
    end = end_of_processing()
    upper = Case(
        When(IsNull(end, True), then=Value(None)),
        default=Greatest(end, F("received_at")),
        output_field=DateTimeField(),
    )
    return Func(F("received_at"), upper, Value("[]"), function="tstzrange", output_field=DateTimeRangeField())
