import logging
from types import SimpleNamespace

from common.tasks import enqueue_after_commit


def fake_task(apply_async):
    app = SimpleNamespace(conf=SimpleNamespace(task_always_eager=True))
    return SimpleNamespace(name="thu", app=app, apply_async=apply_async)


def test_the_task_is_published_after_the_commit(db, django_capture_on_commit_callbacks):
    sent = []
    task = fake_task(lambda args, **options: sent.append(args))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enqueue_after_commit(task, 7, "01")
    assert sent == []  # nothing before the commit

    for callback in callbacks:
        callback()
    assert sent == [(7, "01")]


def test_a_failure_after_the_commit_is_logged_not_raised(db, django_capture_on_commit_callbacks, caplog):
    def down(args, **options):
        raise ConnectionRefusedError("[Errno 111] Connection refused")

    with caplog.at_level(logging.ERROR, logger="common.tasks"), django_capture_on_commit_callbacks(execute=True):
        enqueue_after_commit(fake_task(down), 7)

    assert "could not enqueue thu(7,) after commit" in caplog.text
