from types import SimpleNamespace

import pytest

from common.tasks import publish_now


def fake_task(apply_async, eager=True):
    app = SimpleNamespace(conf=SimpleNamespace(task_always_eager=eager))
    return SimpleNamespace(name="thu", app=app, apply_async=apply_async)


def test_an_eager_task_runs_where_it_is_published():
    sent = []
    publish_now(fake_task(lambda args, **options: sent.append(args)), (7, "01"))
    assert sent == [(7, "01")]


def test_a_refused_publish_raises_at_once_for_the_caller_to_log():
    def down(args, **options):
        raise ConnectionRefusedError("[Errno 111] Connection refused")

    with pytest.raises(ConnectionRefusedError):
        publish_now(fake_task(down), (7,))
