"""The engine's inputs from our own database: per-service dossier counts in one grouped SQL query.

One aggregate over dossiers grouped by (procedure, agency) with a conditional count per fact
(`Count(filter=Q(...))`), each fact an uncorrelated `IN (subquery)` that PostgreSQL hashes once;
one query for the services (procedure × applying agency), one for the procedures' facts, one for
the complaints. Python only does the engine's arithmetic (indicators.engine). Keys and their
meaning: see the engine's docstring.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Length, Trim

from dossiers import periods
from dossiers.constants import AttachmentRole, Channel, PauseKind, PaymentStatus, ReplacementState
from dossiers.models import (
    Attachment,
    Complaint,
    ComponentReplacement,
    Dossier,
    DossierPause,
    Payment,
    Rating,
)
from procedures.constants import ApplicantType, OnlineLevel
from procedures.models import DossierComponent, Fee, Procedure
from workflows.constants import Status

from . import engine

ONLINE_CHANNELS = (Channel.ONLINE, Channel.NATIONAL_PORTAL)
ONLINE_LEVELS = (OnlineLevel.FULL, OnlineLevel.PARTIAL)
ENDED_WITHOUT_RESULT = periods.ENDED_WITHOUT_RESULT
DONE = (Status.PROCESSED, Status.RETURNED)
DISLIKE_MAX_SCORE = 2  # a rating of 1 or 2 of 5 stars is a dislike (5.4)


def _ids(qs: Any) -> Any:
    return qs.filter(dossier_id__isnull=False).values("dossier_id")


def fee_procedures_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}procedure_id__in": Fee.objects.filter(amount__gt=0).values("procedure_id")})


def paper_procedures() -> Any:
    """Procedures that return a document (kết quả bằng văn bản, giấy tờ): their result is named."""
    return Procedure.objects.annotate(result_length=Length(Trim("result_document"))).filter(result_length__gt=0)


def dossier_facts(period: engine.Period) -> dict[str, Q]:
    """Each fact of one dossier, as a condition over Dossier carrying the `end_of_processing` alias."""
    received = Q(received_at__gte=period.start, received_at__lt=period.end)
    ended_in = Q(end_of_processing__gte=period.start, end_of_processing__lt=period.end)
    running_at_end = Q(received_at__lt=period.end) & (
        Q(end_of_processing__isnull=True) | Q(end_of_processing__gte=period.end)
    )
    # Waiting for the applicant's supplement, asked before the due date: the request is the end.
    paused_in_time = Q(
        pk__in=DossierPause.objects.filter(
            kind=PauseKind.SUPPLEMENT, ended_at__isnull=True, started_at__lte=F("due_before")
        ).values("dossier_id")
    )
    on_time = Q(supplement_count__lte=1) & (
        (ended_in & Q(end_of_processing__lte=F("due_at")))
        | (running_at_end & (Q(due_at__gte=period.cutoff) | paused_in_time))
    )
    has_result = Q(pk__in=_ids(Attachment.objects.filter(role=AttachmentRole.RESULT)))
    has_component = Q(pk__in=_ids(Attachment.objects.exclude(role=AttachmentRole.RESULT)))
    from_store = Q(pk__in=_ids(Attachment.objects.exclude(role=AttachmentRole.RESULT).filter(from_national_store=True)))
    reused = Q(pk__in=_ids(Attachment.objects.filter(reused_from__isnull=False))) | Q(
        pk__in=_ids(ComponentReplacement.objects.filter(state=ReplacementState.READ))
    )
    vneid = Q(applicant_id__in=get_user_model().objects.filter(vneid_verified_at__isnull=False).values("pk"))
    paper = Q(procedure_id__in=paper_procedures().values("pk"))
    fee = fee_procedures_q()
    synced = Q(national_synced_at__isnull=False)
    online = Q(channel__in=ONLINE_CHANNELS)
    paid = Q(pk__in=_ids(Payment.objects.filter(status=PaymentStatus.PAID, obligation__isnull=True)))
    unhappy = Q(pk__in=_ids(Complaint.objects.filter(created_at__lt=period.end))) | Q(
        pk__in=_ids(Rating.objects.filter(score__lte=DISLIKE_MAX_SCORE, created_at__lt=period.end))
    )
    assessed = Q(received_at__isnull=False) & (ended_in | running_at_end)
    return {
        "received": received,
        "synced": received & synced,
        "online_received": received & online,
        # An online dossier of a paper-result procedure counts with its electronic result (code + link).
        "online_counted": received & online & (~paper | has_result),
        "assessed": assessed,
        "on_time": assessed & on_time,
        "unhappy": assessed & unhappy,
        "started_done": received & Q(status__in=DONE, finished_at__isnull=False),
        "fee_due": received & fee,
        "paid_online": received & fee & paid,
        "fee_synced": received & fee & synced,
        "paper_due": received & paper,
        "e_result": received & paper & has_result,
        "digitised": received & has_component & (~paper | has_result),
        "reused": received & reused,
        "shared": received & (from_store | (synced & has_result)),
        "population": received & (vneid | from_store | Q(population_checked_at__isnull=False)),
        # Received by channel (the monthly report's columns; not an indicator).
        **{f"received__{channel.value}": received & Q(channel=channel) for channel in Channel},
        # The parts the facts with a condition on the procedure are picked from, per service
        # (service_dossier_counts, _BY_PROCEDURE): the same facts without that condition.
        "online_with_result": received & online & has_result,
        "with_result": received & has_result,
        "with_component": received & has_component,
        "with_component_result": received & has_component & has_result,
        "paid": received & paid,
    }


def dossier_base(period: engine.Period, scope_q: Q, *, span_index: bool | None = None) -> Any:
    """Dossiers of the scope that any fact of the period can hold, with their end of processing:
    received before the period's end and not ended before its start.

    On PostgreSQL that is one overlap of the dossier's processing span with the period, which the
    GiST index `dossier_processing_span_idx` answers (dossiers.periods): used (`span_index`'s
    default) for periods up to INDICATORS_SPAN_INDEX_MAX_DAYS, where it reads a few rows of many;
    a year reads half the table, which a sequential scan does faster. Elsewhere, and for long
    periods, the same condition as plain comparisons.
    """
    if span_index is None:
        longest = dt.timedelta(days=settings.INDICATORS_SPAN_INDEX_MAX_DAYS)
        span_index = connection.vendor == "postgresql" and period.end - period.start <= longest
    qs = (
        Dossier.objects.filter(scope_q)
        .filter(received_at__isnull=False)
        .alias(end_of_processing=periods.end_of_processing())
    )
    if span_index:
        from django.db.backends.postgresql.psycopg_any import DateTimeTZRange

        return qs.alias(span=periods.processing_span()).filter(
            span__overlap=DateTimeTZRange(period.start, period.end, "[)")
        )
    return qs.filter(received_at__lt=period.end).filter(
        Q(received_at__gte=period.start) | Q(end_of_processing__isnull=True) | Q(end_of_processing__gte=period.start)
    )


# Facts with a condition on the procedure (it returns a paper document, it bears a fee): constant
# within a (procedure, agency) group, so the grouped query counts them without it (no per-row test
# of the procedure) and `service_dossier_counts` picks per group. fact -> (if paper/fee, otherwise).
_BY_PROCEDURE = {
    "online_counted": ("paper", "online_with_result", "online_received"),
    "paper_due": ("paper", "received", None),
    "e_result": ("paper", "with_result", None),
    "digitised": ("paper", "with_component_result", "with_component"),
    "fee_due": ("fee", "received", None),
    "paid_online": ("fee", "paid", None),
    "fee_synced": ("fee", "synced", None),
}


def service_dossier_counts(
    period: engine.Period, scope_q: Q, *, procedures: list[engine.ProcedureFacts]
) -> dict[tuple[int, int], dict[str, int]]:
    """(procedure_id, agency_id) -> counts of every fact of dossier_facts, one grouped query.

    `procedures`: the facts of every procedure the scope's dossiers may belong to (paper result,
    fee), for the facts of _BY_PROCEDURE; a procedure not among them counts as neither.
    """
    facts = {key: q for key, q in dossier_facts(period).items() if key not in _BY_PROCEDURE}
    aggregates: dict[str, Any] = {key: Count("pk", filter=q) for key, q in facts.items()}
    aggregates["started_done_time"] = Sum(
        ExpressionWrapper(F("finished_at") - F("received_at"), output_field=DurationField()),
        filter=facts["started_done"],
    )
    flags = {p.procedure_id: {"paper": p.paper_result, "fee": p.fee_bearing} for p in procedures}
    rows = dossier_base(period, scope_q).values("procedure_id", "agency_id").annotate(**aggregates).order_by()
    out: dict[tuple[int, int], dict[str, int]] = {}
    for row in rows:
        key = (row.pop("procedure_id"), row.pop("agency_id"))
        spent = row.pop("started_done_time")
        row["started_done_seconds"] = int(spent.total_seconds()) if spent else 0
        held = flags.get(key[0], {})
        for fact, (flag, when, otherwise) in _BY_PROCEDURE.items():
            source = when if held.get(flag) else otherwise
            row[fact] = row[source] if source is not None else 0
        out[key] = row
    return out


def procedure_facts(*, procedure_q: Q) -> list[engine.ProcedureFacts]:
    """Every procedure's facts (published, online, the seven items a–g, fee, citizen applicants)."""
    through = Procedure.implementing_agencies.through
    complete = (
        Q(steps_length__gt=0, has_components=True, has_agency=True)
        & ~Q(channels=[])
        & ~Q(applicant_types=[])
        & (Q(same_day_rule=True) | Q(time_limit_value__gt=0))
    )
    rows = (
        Procedure.objects.filter(procedure_q)
        .alias(
            steps_length=Length(Trim("steps")),
            has_components=Exists(DossierComponent.objects.filter(procedure_id=OuterRef("pk"))),
            has_agency=Exists(through.objects.filter(procedure_id=OuterRef("pk"))),
        )
        .annotate(
            complete=Case(When(complete, then=Value(True)), default=Value(False), output_field=BooleanField()),
            fee_bearing=Exists(Fee.objects.filter(procedure_id=OuterRef("pk"), amount__gt=0)),
            paper_result=Exists(paper_procedures().filter(pk=OuterRef("pk"))),
        )
        .values("pk", "is_published", "online_level", "complete", "fee_bearing", "paper_result", "applicant_types")
        .order_by("pk")
    )
    return [
        engine.ProcedureFacts(
            procedure_id=row["pk"],
            published=row["is_published"],
            online=row["online_level"] in ONLINE_LEVELS,
            level=row["online_level"],
            info_complete=row["complete"],
            fee_bearing=row["fee_bearing"],
            paper_result=row["paper_result"],
            citizen=ApplicantType.CITIZEN in (row["applicant_types"] or []),
        )
        for row in rows
    ]


@dataclass(frozen=True)
class Where:
    """Which dossiers and procedures: agencies (None: all), sector, procedure."""

    agency_ids: frozenset[int] | None = None
    sector_id: int | None = None
    procedure_id: int | None = None

    def procedure_q(self, prefix: str = "") -> Q:
        q = Q()
        if self.sector_id is not None:
            q &= Q(**{f"{prefix}sector_id": self.sector_id})
        if self.procedure_id is not None:
            q &= Q(**{f"{prefix}pk": self.procedure_id})
        return q

    def dossier_q(self, prefix: str = "") -> Q:
        q = self.procedure_q(f"{prefix}procedure__")
        if self.agency_ids is not None:
            q &= Q(**{f"{prefix}agency_id__in": sorted(self.agency_ids)})
        return q


def services(where: Where) -> list[tuple[int, int, bool]]:
    """(procedure_id, agency_id, is an online service) of every procedure × applying agency."""
    through = Procedure.implementing_agencies.through
    qs = through.objects.filter(where.procedure_q("procedure__"))
    if where.agency_ids is not None:
        qs = qs.filter(agency_id__in=sorted(where.agency_ids))
    rows = qs.values_list("procedure_id", "agency_id", "procedure__is_published", "procedure__online_level")
    return [(p, a, bool(published) and level in ONLINE_LEVELS) for p, a, published, level in rows]


def complaint_facts(
    *, period: engine.Period, where: Where, calendar: Any, working_days: int = 15
) -> list[engine.ComplaintFacts]:
    """The complaints 5.2 and 5.3 may count (sent before the period's end, not answered before its
    start), each with its deadline of `working_days` working days (the province's calendar)."""
    rows = (
        Complaint.objects.filter(created_at__lt=period.end)
        .filter(Q(answered_at__isnull=True) | Q(answered_at__gte=period.start))
        .filter(where.dossier_q("dossier__"))
        .values_list("pk", "dossier__procedure_id", "dossier__agency_id", "created_at", "answered_at")
        .order_by("pk")
    )
    return [
        engine.ComplaintFacts(
            complaint_id=pk,
            procedure_id=procedure_id,
            agency_id=agency_id,
            created=created,
            deadline=calendar.add_working_days(created, working_days),
            answered=answered,
        )
        for pk, procedure_id, agency_id, created, answered in rows
    ]


@dataclass(frozen=True)
class Catalogue:
    """What does not depend on the period: the procedures' facts and the services (two queries)."""

    procedures: list[engine.ProcedureFacts]
    services: list[tuple[int, int, bool]]


def catalogue(where: Where) -> Catalogue:
    return Catalogue(procedures=procedure_facts(procedure_q=where.procedure_q()), services=services(where))


def inputs(*, period: engine.Period, where: Where, calendar: Any, known: Catalogue | None = None) -> engine.Inputs:
    """The engine's inputs for a scope: four queries whatever the number of dossiers (two with `known`)."""
    known = known or catalogue(where)
    counts = service_dossier_counts(period, where.dossier_q(), procedures=known.procedures)
    out: list[engine.ServiceCounts] = []
    seen = set()
    for procedure_id, agency_id, online in known.services:
        seen.add((procedure_id, agency_id))
        out.append(
            engine.ServiceCounts(
                procedure_id=procedure_id,
                agency_id=agency_id,
                online=online,
                counts=counts.get((procedure_id, agency_id), {}),
            )
        )
    # Dossiers of an agency that does not (or no longer) apply the procedure still count.
    for (procedure_id, agency_id), row in counts.items():
        if (procedure_id, agency_id) not in seen:
            out.append(engine.ServiceCounts(procedure_id=procedure_id, agency_id=agency_id, counts=row))
    procedures = known.procedures
    if where.agency_ids is not None:
        applied = {s.procedure_id for s in out}
        procedures = [p for p in procedures if p.procedure_id in applied]
    return engine.Inputs(
        procedures=procedures,
        services=out,
        complaints=complaint_facts(period=period, where=where, calendar=calendar),
        province=where.agency_ids is None,
    )
