"""Asking for background work once the current transaction has committed, without ever
making the user wait for (or fail because of) the broker."""

import logging
import threading
from typing import Any

from celery import Task
from django.db import transaction

logger = logging.getLogger(__name__)

# One publishing connection per thread (kombu connections are not thread-safe), kept between
# requests: a commit costs one publish, not a connection.
_publisher = threading.local()


def publisher_reset() -> None:
    """Forget this thread's publishing connection (the broker's address changed)."""
    connection = getattr(_publisher, "connection", None)
    _publisher.connection = None
    if connection is not None:
        connection.release()


def publish_now(task: Task, args: tuple[Any, ...] = ()) -> None:
    """Publish `task(*args)` with no publish or connection retries: raises at once when the
    broker is down (kombu would otherwise retry for about 6 s per message). Eager tasks run here."""
    if task.app.conf.task_always_eager:
        task.apply_async(args)
        return
    connection = getattr(_publisher, "connection", None)
    if connection is None:
        connection = _publisher.connection = task.app.connection_for_write(transport_options={"max_retries": 0})
    try:
        task.apply_async(args, retry=False, connection=connection)
    except Exception:
        publisher_reset()
        raise


def enqueue_after_commit(task: Task, *args: Any) -> None:
    """Publish `task(*args)` after the commit, once, failing fast (see `publish_now`).

    With the broker down the publish fails at once and is logged: the change is saved and the
    user does not wait. The work must be recoverable without the message (a sweeper, an
    on-demand path, an idempotent task run later): callers say how in their docstrings. With
    eager tasks (no Redis) the task runs right after the commit, and its failure is logged
    too, never turned into an error for a change already saved.
    """

    def publish() -> None:
        try:
            publish_now(task, args)
        except Exception:  # the change is committed; the message is not essential (see above)
            logger.exception("could not enqueue %s%r after commit", task.name, args)

    publish.__qualname__ = f"enqueue_after_commit[{task.name}]"
    transaction.on_commit(publish)
