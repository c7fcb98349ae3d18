"""Fair shares: at most a few reviews of one installation run at once, on all workers.

Every running review holds a slot in its installation's sorted set in Redis, scored
by when the slot lapses; a review that finds every slot taken waits its turn (the job
queues itself again, as for a pull request's lock), so one organisation's burst never
holds every worker while the others wait.

Under a worker that takes leases (``bot.worker.lease``) a slot lives with its job's
lease: taken for the lease's time to live and renewed with it, so a dead worker's
slot lapses within seconds. Elsewhere it lapses after ``SLOT_SECONDS``.

A review waiting for a slot also joins the installation's waiting line
(``bot.worker.waiters``); the review that gives a slot back wakes the first in line,
so a freed slot is taken at once rather than at the waiter's next look.
"""

from __future__ import annotations

import time
from typing import Any

import redis.asyncio

from bot.keys import slot_waiters_key, slots_key
from bot.worker.lease import leasing
from bot.worker.waiters import wake_first

SLOT_SECONDS = 660  # a little over the job timeout, as for the pull request's lock

# KEYS[1] the slots; ARGV: holder, now (ms), lapse (ms), cap. Drop lapsed slots, then
# take one if fewer than the cap are held (or this holder has one already).
_TAKE_LUA = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
if redis.call('ZSCORE', KEYS[1], ARGV[1]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[4]) then
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl < 0 or ttl < tonumber(ARGV[3]) - tonumber(ARGV[2]) then
    redis.call('PEXPIREAT', KEYS[1], ARGV[3])
  end
  return 1
end
return 0
"""


async def take_slot(
    client: redis.asyncio.Redis,
    installation_id: int,
    holder: str,
    cap: int,
    *,
    seconds: float = SLOT_SECONDS,
) -> bool:
    """Take one of the installation's ``cap`` review slots for ``holder``; tell whether it did."""
    now = int(time.time() * 1000)
    take = client.register_script(_TAKE_LUA)
    lapse = now + int(seconds * 1000)
    return bool(await take(keys=[slots_key(installation_id)], args=[holder, now, lapse, cap]))


async def take_job_slot(
    ctx: dict[str, Any], client: redis.asyncio.Redis, installation_id: int, holder: str, cap: int
) -> bool:
    """Take a slot for the job of ``ctx``: it lives with the job's lease when there is one."""
    held = leasing(ctx)
    if held is None:
        return await take_slot(client, installation_id, holder, cap)
    leases, lease = held
    taken = await take_slot(client, installation_id, holder, cap, seconds=leases.ttl_ms / 1000)
    if taken:
        leases.keep_slot(lease, slots_key(installation_id), holder)
    return taken


async def give_slot(
    client: redis.asyncio.Redis, installation_id: int, holder: str, *, queue_name: str | None = None
) -> None:
    """Give the holder's slot back and wake the installation's first waiting review.

    ``queue_name`` is arq's queue the waiters are in; without it nobody is woken.
    """
    removed = await client.zrem(slots_key(installation_id), holder)
    if removed and queue_name is not None:
        await wake_first(client, slot_waiters_key(installation_id), queue_name)
