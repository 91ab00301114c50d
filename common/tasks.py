"""Asking for background work once the current transaction has committed, without ever
making the user wait for (or fail because of) the broker."""

import logging
from typing import Any, Protocol

from django.db import transaction

logger = logging.getLogger(__name__)


class _Task(Protocol):
    name: str

    def apply_async(self, args: tuple[Any, ...] = ..., **options: Any) -> Any: ...


def enqueue_after_commit(task: _Task, *args: Any) -> None:
    """Publish `task(*args)` after the commit, once, with no publish retries.

    With the broker down, kombu would retry each publish for seconds while the citizen waits;
    here the publish fails at once and is logged. The work must be recoverable without the
    message (a sweeper, an on-demand path, an idempotent task run later): callers say how in
    their docstrings. With eager tasks (no Redis) the task runs right after the commit, and
    its failure is logged too, never turned into an error for a change already saved.
    """

    def publish() -> None:
        try:
            task.apply_async(args, retry=False)
        except Exception:  # the change is committed; the message is not essential (see above)
            logger.exception("could not enqueue %s%r after commit", task.name, args)

    publish.__qualname__ = f"enqueue_after_commit[{task.name}]"
    transaction.on_commit(publish)
