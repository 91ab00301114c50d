"""Rendering legal forms in the background (queue "documents")."""

from typing import Any

from celery import Task, shared_task

from common.storage import STORAGE_ERRORS
from dossiers.models import Dossier

from .services import document_issue


@shared_task(
    bind=True, acks_late=True, autoretry_for=STORAGE_ERRORS, retry_backoff=True, max_retries=5, queue="documents"
)
def document_issue_task(
    self: Task, dossier_id: int, kind: str, event_id: int | None = None, data: dict[str, Any] | None = None
) -> int:
    """Issue form `kind` for a dossier (and event); returns the DossierDocument id.

    Idempotent through `document_issue`: a redelivered or retried task returns the row
    already stored. Storage errors (disk or object storage unreachable, STORAGE_ERRORS) retry with exponential backoff and jitter;
    a missing dossier or event, or bad `data`, fails at once (a retry would fail the same way).
    """
    dossier = Dossier.objects.select_related("procedure", "agency__parent", "workflow_version", "handler").get(
        pk=dossier_id
    )
    event = dossier.events.select_related("actor").get(pk=event_id) if event_id is not None else None
    return document_issue(dossier=dossier, kind=kind, event=event, data=data).pk
