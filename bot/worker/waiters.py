"""Waiting lines: a job that must wait for a lock or a slot is woken when it is free.

A job that finds what it needs taken queues itself again, deferred (its own next
look), and writes its job id in the line of what it waits for. Whoever lets that go
moves the first job in line that is still queued to the front of its turn, so it
runs at once; the deferred look remains only for a wake-up that went astray (the
job was listed a moment after the release, or the releasing worker died).
"""

from __future__ import annotations

import time

import redis.asyncio

LINE_SECONDS = 3600  # a line nobody joins for an hour is stale

# KEYS: the line, arq's queue; ARGV: now (ms). Wake the first job in line that is
# still queued (one may have run already, at its own next look).
_WAKE_LUA = """
while true do
  local first = redis.call('ZPOPMIN', KEYS[1])
  if #first == 0 then return 0 end
  if redis.call('ZSCORE', KEYS[2], first[1]) then
    redis.call('ZADD', KEYS[2], 'XX', ARGV[1], first[1])
    return 1
  end
end
"""


async def join(client: redis.asyncio.Redis, line: str, job_id: str) -> None:
    """Put the queued job ``job_id`` at the end of ``line``."""
    await client.zadd(line, {job_id: time.time()}, nx=True)
    await client.expire(line, LINE_SECONDS)


async def wake_first(client: redis.asyncio.Redis, line: str, queue_name: str) -> bool:
    """Move the first job of ``line`` still in arq's queue to the front of its turn.

    Return whether one was woken.
    """
    wake = client.register_script(_WAKE_LUA)
    return bool(await wake(keys=[line, queue_name], args=[int(time.time() * 1000)]))
