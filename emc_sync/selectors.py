import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Min, Q
from django.db.models.query import QuerySet
from django.utils import timezone

from .constants import OutboxState, Target
from .models import InboundFailure, OutboxRow

WAITING = (OutboxState.PENDING, OutboxState.SENDING)


@dataclass(frozen=True)
class TargetSummary:
    target: str
    label: str
    pending: int
    oldest_pending_age: dt.timedelta | None
    delivered_last_minute: int
    delivered_last_hour: int
    failed: int


def outbox_summary(*, now: dt.datetime | None = None) -> list[TargetSummary]:
    """Per target: waiting rows, age of the oldest, deliveries in the last minute and hour, failures.
    Two queries, whatever the size of the outbox (indexed by target, state)."""
    now = now or timezone.now()
    waiting = {
        row["target"]: row
        for row in OutboxRow.objects.filter(state__in=WAITING)
        .values("target")
        .annotate(n=Count("id"), oldest=Min("created_at"))
    }
    counts = {
        row["target"]: row
        for row in OutboxRow.objects.filter(
            Q(state=OutboxState.FAILED) | Q(state=OutboxState.DELIVERED, delivered_at__gte=now - dt.timedelta(hours=1))
        )
        .values("target")
        .annotate(
            failed=Count("id", filter=Q(state=OutboxState.FAILED)),
            minute=Count("id", filter=Q(delivered_at__gte=now - dt.timedelta(minutes=1))),
            hour=Count("id", filter=Q(state=OutboxState.DELIVERED)),
        )
    }
    summaries = []
    for target in Target:
        wait, count = waiting.get(target.value, {}), counts.get(target.value, {})
        oldest = wait.get("oldest")
        summaries.append(
            TargetSummary(
                target=target.value,
                label=str(target.label),
                pending=wait.get("n", 0),
                oldest_pending_age=(now - oldest) if oldest else None,
                delivered_last_minute=count.get("minute", 0),
                delivered_last_hour=count.get("hour", 0),
                failed=count.get("failed", 0),
            )
        )
    return summaries


def outbox_failed_list(*, target: str | None = None, limit: int = 100) -> QuerySet[OutboxRow]:
    rows = OutboxRow.objects.filter(state=OutboxState.FAILED).select_related("dossier").order_by("-id")
    if target:
        rows = rows.filter(target=target)
    return rows[:limit]


def inbound_failure_list(*, limit: int = 50) -> QuerySet[InboundFailure]:
    return InboundFailure.objects.filter(resolved_at__isnull=True).order_by("-created_at")[:limit]


def delivered_dossier_records(*, dossier_ids: list[int]) -> dict[int, dict[str, Any]]:
    """dossier id -> the newest dossier record the national portal accepted (a delivered
    DVCQG_HOSO outbox row): what the national side computes Decision 766 from. One query."""
    rows = (
        OutboxRow.objects.filter(target=Target.DVCQG_HOSO, state=OutboxState.DELIVERED, dossier_id__in=dossier_ids)
        .order_by("dossier_id", "-sequence", "-id")
        .distinct("dossier_id")
        .values_list("dossier_id", "payload")
    )
    return dict(rows)
