"""Signing in the background (queue "documents"): the PKCS#11 token is used by workers only."""

from celery import Task, shared_task

from .exceptions import SigningUnavailable
from .services import dossier_sign

# A token plugged back, a PIN corrected (worker restarted), a certificate renewed: within minutes
# of that the dossier is signed. Capped at 10 minutes between tries, for about two days.
RETRY_MAX_SECONDS = 600
MAX_RETRIES = 300


def retry_countdown(retries: int) -> int:
    return int(min(RETRY_MAX_SECONDS, 15 * 2**retries))


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES, queue="documents")
def dossier_sign_task(self: Task, dossier_id: int) -> list[int]:
    """Sign the dossier's unsigned result PDFs and forms; returns the new DocumentSignature ids.

    Idempotent through `dossier_sign` (a file already signed is skipped: a redelivered task adds
    no second signature). SigningUnavailable (token, PIN, certificate) is recorded for the leader
    and retried with capped backoff; run eagerly (no broker), it is not retried in place: the
    officer's "Ký số lại" asks again.
    """
    try:
        return [s.pk for s in dossier_sign(dossier_id=dossier_id)]
    except SigningUnavailable as exc:
        if self.request.is_eager:
            raise
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc
