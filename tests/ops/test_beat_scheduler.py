"""The beat's scheduler (common/beat.py) against the test Redis: one lock holder sends, a lapsed
lock or a Redis that is away pauses a beat instead of ending it (RedBeat's own scheduler raised
out of tick(), and celery beat exited: the multi-node drill lost both beats to a 20 s cut)."""

import os
import time
import uuid
from unittest import mock

import pytest
import redis
from celery import Celery

from common.beat import PortalRedBeatScheduler

REDIS_URL = os.environ.get("REDIS_URL", "")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="needs Redis (REDIS_URL)")


@pytest.fixture
def app():
    prefix = f"dvctt-test-{uuid.uuid4().hex[:8]}:redbeat"
    app = Celery("beat-test", set_as_current=False)
    app.conf.update(
        broker_url="memory://",
        redbeat_redis_url=REDIS_URL,
        redbeat_redis_options={},
        redbeat_key_prefix=prefix,
        redbeat_lock_timeout=30,
        beat_max_loop_interval=1,
        beat_schedule={"sweep": {"task": "tests.sweep", "schedule": 1.0}},
    )
    yield app
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)


def beat(app):
    scheduler = PortalRedBeatScheduler(app=app)
    scheduler.apply_async = mock.Mock()  # what would be sent to the broker
    return scheduler


def test_one_beat_holds_the_lock_and_sends_the_other_stands_by(app):
    first, second = beat(app), beat(app)

    for _ in range(2):  # the job falls due a second after the schedule is stored
        first.tick()
        assert second.tick() == 1
        time.sleep(1.1)
    first.tick()
    second.tick()

    assert first.lock is not None
    assert first.apply_async.call_count >= 1
    assert second.lock is None
    assert second.apply_async.call_count == 0


def test_a_lapsed_lock_stands_the_beat_by_and_another_takes_over(app):
    first, second = beat(app), beat(app)
    first.tick()
    # the lock lapses (its holder could not renew it) and another beat takes it
    redis.Redis.from_url(REDIS_URL).delete(first.lock_key)
    second.tick()
    assert second.lock is not None

    # the first beat's next loop: no LockNotOwnedError out of tick, it stands by
    assert first.tick() == 1
    assert first.lock is None
    first.tick()
    assert first.lock is None  # the lock is the second's


def test_redis_away_pauses_the_beat_and_it_goes_on_when_it_is_back(app, caplog):
    scheduler = beat(app)
    scheduler.tick()
    sent = scheduler.apply_async.call_count
    alive, lock_client = app.redbeat_redis, scheduler.lock.redis
    dead = redis.Redis.from_url("redis://127.0.0.1:1/0", decode_responses=True)

    app.redbeat_redis = scheduler.lock.redis = dead
    assert scheduler.tick() == 1  # no ConnectionError out of tick
    assert "Redis unreachable" in caplog.text
    assert scheduler.apply_async.call_count == sent

    app.redbeat_redis, scheduler.lock.redis = alive, lock_client
    time.sleep(1.1)
    scheduler.tick()
    assert scheduler.lock is not None
    assert scheduler.apply_async.call_count > sent  # sending again
