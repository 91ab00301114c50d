"""One audit trail for changes made outside the Django admin (which logs its own).

Written to the admin's LogEntry table, so a province admin reads every change, wherever it
was made, in one place: /admin/admin/logentry/.
"""

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.db import models

__all__ = ["ADDITION", "CHANGE", "audit_log"]


def audit_log(*, actor: models.Model | None, obj: models.Model, action_flag: int, message: str) -> None:
    if actor is None:
        return
    LogEntry.objects.log_actions(
        user_id=actor.pk,
        queryset=[obj],
        action_flag=action_flag,
        change_message=message,
        single_object=True,
    )
