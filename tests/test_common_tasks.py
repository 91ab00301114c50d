import logging
from types import SimpleNamespace

from common.tasks import enqueue_after_commit


def test_the_task_is_published_after_the_commit_without_retries(db, django_capture_on_commit_callbacks):
    sent = []
    task = SimpleNamespace(name="thu", apply_async=lambda args, **options: sent.append((args, options)))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enqueue_after_commit(task, 7, "01")
    assert sent == []  # nothing before the commit

    for callback in callbacks:
        callback()
    assert sent == [((7, "01"), {"retry": False})]


def test_a_broker_that_is_down_is_logged_not_raised(db, django_capture_on_commit_callbacks, caplog):
    def down(args, **options):
        raise ConnectionRefusedError("[Errno 111] Connection refused")

    task = SimpleNamespace(name="thu", apply_async=down)

    with caplog.at_level(logging.ERROR, logger="common.tasks"), django_capture_on_commit_callbacks(execute=True):
        enqueue_after_commit(task, 7)

    assert "could not enqueue thu(7,) after commit" in caplog.text
