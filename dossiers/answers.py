"""The one answer to a question answered once (dossiers.models.AnsweredOnce: a consultation, a
complaint). The caller holds the row locked (select_for_update) and has checked who may answer;
two officers answering at once: the second finds it answered."""

import datetime as dt

from django.utils import timezone

from accounts.models import User
from common.errors import DomainError

from .models import AnsweredOnce


def answer_once(
    question: AnsweredOnce, *, text: str, actor: User, closed: DomainError, empty: DomainError
) -> dt.datetime:
    """Write `text` as the answer, by `actor`, now; `closed` when it has an answer already, `empty`
    when the text is blank. Returns the time of the answer."""
    if question.answered_at is not None:
        raise closed
    if not text:
        raise empty
    now = timezone.now()
    question.answer, question.answered_by, question.answered_at = text, actor, now  # type: ignore[attr-defined]
    question.save(update_fields=["answer", "answered_by", "answered_at"])
    return now
