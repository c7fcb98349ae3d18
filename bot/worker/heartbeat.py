"""The worker's heartbeat: per process, proof that its arq loop still turns.

Every few seconds, from arq's poll loop, each worker process refreshes two marks:

- a file in the temporary folder (``/tmp/docgen-worker.heartbeat``; an emptyDir in
  Kubernetes) holding the time and the process id. The liveness probe reads it:
  ``python -m bot.worker.heartbeat`` exits 0 while it is fresh. It needs no Redis
  and no network, and each container has its own ``/tmp``, so the probe judges
  its own pod's worker and nobody else's.
- a Redis key per process (``bot.keys.worker_heartbeat_key``) that expires unless
  refreshed, so an operator can list the live workers of every pod
  (``SCAN MATCH bot.keys.WORKER_HEARTBEATS``).

The beat comes from the poll loop rather than a task of its own, so a worker whose
loop is stuck (a blocked event loop, a Redis call that never returns) stops
beating and is restarted. A Redis outage does not stop the file beat by itself:
arq ends the process on its own when Redis goes away, and a restart cannot bring
Redis back.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot.keys import worker_heartbeat_key
from bot.logctx import get_logger

if TYPE_CHECKING:  # the probe imports this module: it stays free of the redis package
    from redis.asyncio import Redis

BEAT_EVERY_SECONDS = 5.0
# A probe allows a few missed beats: a long GC pause or a slow disk is not a death.
STALE_AFTER_SECONDS = 30.0
KEY_TTL_SECONDS = int(STALE_AFTER_SECONDS)
REDIS_WRITE_TIMEOUT_SECONDS = 2.0
FILE_NAME = "docgen-worker.heartbeat"

log = get_logger("docgen.worker")


def default_path() -> Path:
    """Return where this container's worker writes its heartbeat file."""
    return Path(tempfile.gettempdir()) / FILE_NAME


class Heartbeat:
    """One worker process's heartbeat: a file for the probe and a Redis key for people."""

    def __init__(
        self,
        path: Path | None = None,
        *,
        every: float = BEAT_EVERY_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = path if path is not None else default_path()
        self.pid = os.getpid()
        self.key = worker_heartbeat_key(socket.gethostname(), self.pid)
        self._every = every
        self._clock = clock
        self._last: float | None = None
        self._redis_failing = False

    async def beat(self, redis: Redis) -> bool:
        """Refresh both marks unless they were refreshed under ``every`` seconds ago.

        Returns:
            Whether this call wrote them.
        """
        now = self._clock()
        if self._last is not None and now - self._last < self._every:
            return False
        self._last = now
        write_beat(self.path, now, self.pid)
        await self._mark_in_redis(redis, now)
        return True

    async def _mark_in_redis(self, redis: Redis, now: float) -> None:
        from redis.exceptions import RedisError

        value = json.dumps({"pid": self.pid, "at": now})
        try:
            await asyncio.wait_for(
                redis.set(self.key, value, ex=KEY_TTL_SECONDS), REDIS_WRITE_TIMEOUT_SECONDS
            )
        except (RedisError, OSError, TimeoutError) as exc:
            if not self._redis_failing:  # one line per outage, not one per beat
                log.warning("heartbeat.not_written", error=type(exc).__name__)
            self._redis_failing = True
            return
        self._redis_failing = False

    async def stop(self, redis: Redis) -> None:
        """Remove both marks: a worker that stopped cleanly is not alive."""
        from redis.exceptions import RedisError

        self.path.unlink(missing_ok=True)
        try:
            await asyncio.wait_for(redis.delete(self.key), REDIS_WRITE_TIMEOUT_SECONDS)
        except (RedisError, OSError, TimeoutError):
            pass  # the key expires by itself


def write_beat(path: Path, at: float, pid: int) -> None:
    """Write the heartbeat file atomically, so a probe never reads half of it."""
    tmp = path.with_name(f"{path.name}.{pid}.tmp")
    tmp.write_text(json.dumps({"pid": pid, "at": at}))
    tmp.replace(path)


def beat_age(path: Path, now: float) -> float | None:
    """Return how many seconds ago the heartbeat file was written, or None if unreadable."""
    try:
        at = json.loads(path.read_text())["at"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return now - float(at) if isinstance(at, int | float) else None


def check_alive(path: Path, max_age: float, now: float) -> tuple[bool, str]:
    """Tell whether the heartbeat at ``path`` is at most ``max_age`` seconds old, and why."""
    age = beat_age(path, now)
    if age is None:
        return False, f"no readable heartbeat at {path}"
    if age > max_age:
        return False, f"heartbeat is {age:.0f} s old (limit {max_age:.0f} s)"
    return True, f"heartbeat is {max(age, 0.0):.0f} s old"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the liveness check: exit 0 if this container's worker beat recently, else 1."""
    parser = argparse.ArgumentParser(
        prog="python -m bot.worker.heartbeat",
        description="Exit 0 while this container's docgen worker is alive.",
    )
    parser.add_argument("--max-age", type=float, default=STALE_AFTER_SECONDS, metavar="SECONDS")
    parser.add_argument("--file", type=Path, default=None, help=f"default: $TMPDIR/{FILE_NAME}")
    args = parser.parse_args(argv)
    alive, why = check_alive(args.file or default_path(), args.max_age, time.time())
    print(why, file=sys.stdout if alive else sys.stderr)
    return 0 if alive else 1


if __name__ == "__main__":
    sys.exit(main())
