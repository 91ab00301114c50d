"""The beat's scheduler: celery-redbeat's, made to outlive an outage of its Redis.

RedBeat keeps the schedule and a lock in Redis (REDIS_LIMITS_URL); the beat holding the lock
sends the periodic jobs, the others wait. Its own scheduler lets any Redis error out of `tick()`,
and celery beat has nothing around `tick()`: the process exits. With Redis away for a moment
(the multi-node drill cuts the limits Redis for 20 s) every beat on every machine died and the
sweeps, payment checks and reminders stopped for good, with no one to hand over to. And a beat
whose lock lapsed during the outage (its renewal could not reach Redis) died on the next renewal
with LockNotOwnedError, or, started while Redis was down, on the first tick with no lock at all.

Here a Redis error pauses scheduling (logged) and the beat tries again on its next loop; a beat
that lost its lock, or never got it, stands by and asks for it without blocking on each loop.
Exactly one beat schedules at a time, as before: only the lock holder sends.
"""

import logging
from typing import Any

from redbeat.schedulers import LUA_EXTEND_TO_SCRIPT, RedBeatScheduler, get_redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import LockError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("celery.beat")

REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)


class PortalRedBeatScheduler(RedBeatScheduler):
    """RedBeatScheduler whose loop survives its Redis going away and its lock lapsing."""

    lock: Any = None  # redis-py's Lock while this beat holds it (RedBeat's beat_init handler sets it)

    def tick(self, min: Any = min, **kwargs: Any) -> float:  # noqa: A002 - celery's signature
        try:
            if self.lock_key and self.lock is None and not self._acquire():
                return float(self.max_interval)  # another beat schedules: wait
            return float(super().tick(min=min, **kwargs))
        except LockError:
            # The lock lapsed while this beat could not renew it; another beat may hold it now.
            logger.warning("beat: lost the lock %s; standing by", self.lock_key)
            self.lock = None
        except REDIS_DOWN as exc:
            logger.warning("beat: Redis unreachable (%s); no job sent until it is back", exc)
        return float(self.max_interval)

    def _acquire(self) -> bool:
        """Take the lock if it is free (never blocks): RedBeat's own start-up acquisition, once."""
        client = get_redis(self.app)
        lock = client.lock(self.lock_key, timeout=self.lock_timeout, sleep=self.max_interval)
        lock.lua_extend = client.register_script(LUA_EXTEND_TO_SCRIPT)
        if not lock.acquire(blocking=False):
            return False
        logger.info("beat: Acquired lock")
        self.lock = lock
        return True

    def close(self) -> None:
        try:
            super().close()
        except (LockError, *REDIS_DOWN) as exc:  # leaving with Redis away: the lock lapses by itself
            logger.warning("beat: lock not released (%s)", exc)
            self.lock = None
