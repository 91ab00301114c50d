"""Which legal forms an event calls for, and asking for them once the change has committed."""

from typing import Any

from common.tasks import publish_now
from dossiers.constants import Channel, DocumentKind
from dossiers.events import DossierApologised, DossierChange, DossierSubmitted
from workflows.constants import Action, Status

from .tasks import document_issue_task

# The form an officer's action hands to the citizen (or, at the return, completes the file).
FORMS_FOR_ACTION: dict[str, DocumentKind] = {
    Action.RECEIVE: DocumentKind.RECEIPT,
    Action.REQUEST_SUPPLEMENT: DocumentKind.SUPPLEMENT_REQUEST,
    Action.REFUSE: DocumentKind.REFUSAL,
    Action.STOP: DocumentKind.STOP_NOTICE,
    Action.RETURN_RESULT: DocumentKind.CONTROL_SHEET,
}


def documents_for_event(event: DossierChange) -> list[tuple[str, dict[str, Any]]]:
    """The papers (kind, data) an event issues: form 01 at a valid receipt (taken in at the desk,
    or received by an officer), the submission acknowledgement for an online filing not yet
    received, supplement request, refusal, stop notice, the completed control sheet when the
    result is returned, the apology letter when an officer records one (with its new date).
    Form 07 (the register, many dossiers) is never automatic.
    """
    if isinstance(event, DossierSubmitted):
        if event.to_status == Status.RECEIVED:  # taken in at the desk by the officer: received at once
            return [(DocumentKind.RECEIPT, {})]
        # Filed online: an acknowledgement that says it awaits receipt; form 01 follows the receipt.
        return [(DocumentKind.SUBMISSION_ACK, {})] if event.channel == Channel.ONLINE else []
    if isinstance(event, DossierApologised):
        return [(DocumentKind.APOLOGY, {"new_due_at": event.new_due_at.isoformat()})]
    kind = FORMS_FOR_ACTION.get(event.kind)
    return [(kind, {})] if kind is not None else []


def issue_documents(event: DossierChange) -> None:
    """After commit: one rendering task per form the event calls for.

    Recovery without the broker: a form not yet stored is issued on demand when someone opens
    it (the download views call document_issue). With eager tasks (no Redis) the PDF is rendered
    here, and a failure is logged by the registry, never turned into an error for a saved change.
    """
    for kind, data in documents_for_event(event):
        publish_now(document_issue_task, (event.dossier_id, kind, event.event_id, data))
