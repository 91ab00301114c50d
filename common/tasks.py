"""Publishing background work without ever making the user wait for (or fail because of) the
broker. Running it after the commit is the event registry's job (dossiers.events)."""

import logging
import threading
from typing import Any

from celery import Task

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
