"""Several beats may run; exactly one schedules (it holds RedBeat's lock in Redis); killed, it hands
over to another within the lock's time, and the periodic jobs go on. Real processes: two
`celery -A dvctt beat` on a Redis database of their own."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.emc_sync.drill_helpers import NEEDS, ON_POSTGRES, REDIS_URL, ROOT, run_database_url

pytestmark = [pytest.mark.drill, pytest.mark.skipif(not (ON_POSTGRES and REDIS_URL), reason=NEEDS)]
LOCK_SECONDS = 10
SWEEP = "emc_sync.tasks.outbox_sweep_task"


def beat_redis() -> str:
    """The test Redis server, database 15: the beats' messages never reach the suite's broker."""
    return urlunsplit(urlsplit(REDIS_URL)._replace(path="/15"))


class Beat:
    def __init__(self, name: str, log_dir: Path) -> None:
        self.log_path = log_dir / f"beat-{name}.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "dvctt.settings.test",
            "DATABASE_URL": run_database_url(),
            "REDIS_URL": beat_redis(),
            "BEAT_LOCK_TIMEOUT_SECONDS": str(LOCK_SECONDS),
        }
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            [sys.executable, "-m", "celery", "-A", "dvctt", "beat", "-l", "info", "--pidfile="],
            cwd=ROOT,
            env=env,
            stdout=self.log_path.open("w", encoding="utf-8"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def holds_lock(self) -> bool:
        return "beat: Acquired lock" in self.log()

    def sent(self) -> list[str]:
        return re.findall(r"Scheduler: Sending due task \S+ \((\S+)\)", self.log())

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


def wait_for(condition, seconds: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if condition():
            return time.monotonic() - started
        time.sleep(0.2)
    raise AssertionError(f"not within {seconds} s")


@pytest.mark.django_db(transaction=True)
def test_one_beat_schedules_and_a_killed_one_hands_over(tmp_path):
    import redis

    redis.Redis.from_url(beat_redis()).flushdb()
    first = Beat("a", tmp_path)
    second = None
    try:
        wait_for(first.holds_lock, 60)
        second = Beat("b", tmp_path)
        wait_for(lambda: "beat: Starting..." in second.log(), 60)
        time.sleep(3)
        # while the first lives, the second waits and sends nothing
        assert not second.holds_lock()
        assert second.sent() == []

        first.kill()
        handed_over = wait_for(second.holds_lock, LOCK_SECONDS + 30)
        # and the new holder sends the sync sweep (every 30 s), picking up the schedule in Redis
        wait_for(lambda: SWEEP in second.sent(), 45)
        print(  # noqa: T201 - the drill's figure, asked for in the test output
            f"\nbeat hand-over: {handed_over:.1f} s after SIGKILL (lock {LOCK_SECONDS} s); "
            f"sent by the first {len(first.sent())}, by the second {len(second.sent())}"
        )
        assert handed_over <= LOCK_SECONDS + 10
    finally:
        first.kill()
        if second is not None:
            second.kill()
        redis.Redis.from_url(beat_redis()).flushdb()
