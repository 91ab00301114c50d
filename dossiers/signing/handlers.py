"""When a dossier is to be signed: the leader's "approve and sign", the clerk's issuing step."""

from common.tasks import publish_now
from dossiers.events import DossierActed, DossierSigningRequested
from workflows.constants import Action

from .services import dossier_signing_request
from .tasks import dossier_sign_task

SIGNING_ACTIONS = frozenset({Action.APPROVE, Action.NUMBER_DISPATCH})


def request_signature(event: DossierActed) -> None:
    """In the approving transaction: the signature is due (kept even if the broker drops the task:
    the officer's page shows it pending, with "Ký số lại")."""
    if event.action in SIGNING_ACTIONS:
        dossier_signing_request(dossier=event.dossier, actor=event.record.actor, at=event.at)


def sign_after_commit(event: DossierActed | DossierSigningRequested) -> None:
    """After commit: the signing task. Recovery without the broker: "Ký số lại" on the dossier."""
    if isinstance(event, DossierSigningRequested) or event.action in SIGNING_ACTIONS:
        publish_now(dossier_sign_task, (event.dossier_id,))
