"""Fair shares: at most a few reviews of one installation run at once, on all workers.

Every running review holds a slot in its installation's sorted set in Redis, scored
by when the slot lapses; a review that finds every slot taken waits its turn (the job
queues itself again, as for a pull request's lock), so one organisation's burst never
holds every worker while the others wait. A slot of a worker that died lapses by
itself after ``SLOT_SECONDS``.
"""

from __future__ import annotations

import time

import redis.asyncio

from bot.keys import slots_key

SLOT_SECONDS = 660  # a little over the job timeout, as for the pull request's lock

# KEYS[1] the slots; ARGV: holder, now (ms), lapse (ms), cap. Drop lapsed slots, then
# take one if fewer than the cap are held (or this holder has one already).
_TAKE_LUA = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
if redis.call('ZSCORE', KEYS[1], ARGV[1]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[4]) then
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
  redis.call('PEXPIREAT', KEYS[1], ARGV[3])
  return 1
end
return 0
"""


async def take_slot(
    client: redis.asyncio.Redis, installation_id: int, holder: str, cap: int
) -> bool:
    """Take one of the installation's ``cap`` review slots for ``holder``; tell whether it did."""
    now = int(time.time() * 1000)
    take = client.register_script(_TAKE_LUA)
    lapse = now + SLOT_SECONDS * 1000
    return bool(await take(keys=[slots_key(installation_id)], args=[holder, now, lapse, cap]))


async def give_slot(client: redis.asyncio.Redis, installation_id: int, holder: str) -> None:
    """Give the holder's slot back, so the installation's next review may start."""
    await client.zrem(slots_key(installation_id), holder)
