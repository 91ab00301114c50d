"""After a change commits: ask for the messages it calls for (the registry runs these)."""

from common.tasks import publish_now
from dossiers.events import ComplaintAnswered, DossierChange

from .services import should_notify
from .tasks import complaint_answer_mail_task, notify_applicant_task


def notify_applicant_of_change(event: DossierChange) -> None:
    """The applicant's e-mail and text message about the change. Without the broker the message
    waits, not the change: tasks.notifications_resend_task finds events never recorded as sent."""
    if should_notify(kind=event.kind, from_status=event.from_status, to_status=event.to_status):
        publish_now(notify_applicant_task, (event.event_id,))


def tell_complaint_answered(event: ComplaintAnswered) -> None:
    """The applicant's e-mail with the officer's answer (lost with the broker: the answer is on
    the dossier's page, where the applicant reads it)."""
    publish_now(complaint_answer_mail_task, (event.complaint_id,))
