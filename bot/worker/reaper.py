"""The reaper: jobs whose worker died are handed back to the queue within seconds.

arq keeps a started job in its queue (a sorted set) until the job ends, and skips
it while ``arq:in-progress:<job id>`` exists. When the worker running it dies, that
mark would stay for the job timeout plus 10 s. Every ``REAP_EVERY_SECONDS`` one worker
(through a short Redis lock) looks at every in-progress mark and deletes those whose
job is still queued and has no lease (``bot.worker.lease``), unless the mark is younger
than ``START_GRACE_SECONDS`` (arq sets the mark a moment before the job takes its
lease). arq then starts the job again, on any worker, as its next try: ``max_tries``
still bounds how often one job runs.

A job held by a worker killed at time K is running again by about K + 21 s: its
lease lapses by K + 15 s (``LEASE_SECONDS``), the next pass comes within 5 s, and a
worker polls the queue every half second.
"""

from __future__ import annotations

import logging

import redis.asyncio
from arq.constants import in_progress_key_prefix

from bot.keys import lease_key, reaped_jobs_key, reaper_lock_key
from bot.worker.periodic import every

log = logging.getLogger("docgen.worker")

REAP_EVERY_SECONDS = 5.0
START_GRACE_SECONDS = 5.0
# Shorter than the interval, so the worker that made a pass can make the next one.
REAPER_LOCK_MS = 4000

# KEYS: in-progress mark, lease, queue, counter. ARGV: job id, the mark's full life
# (ms), grace (ms). Deletes the mark of a queued job nobody leases; 1 if it did.
_REAP_LUA = """
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
if not redis.call('ZSCORE', KEYS[3], ARGV[1]) then return 0 end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then return 0 end
if tonumber(ARGV[2]) - ttl < tonumber(ARGV[3]) then return 0 end
redis.call('DEL', KEYS[1])
redis.call('INCR', KEYS[4])
return 1
"""


class Reaper:
    """Hands back the jobs of dead workers; one pass at a time across all workers."""

    def __init__(
        self,
        *,
        holder: str,
        queue_name: str,
        in_progress_seconds: float,
        grace: float = START_GRACE_SECONDS,
        every: float = REAP_EVERY_SECONDS,
    ) -> None:
        self.holder = holder
        self.queue_name = queue_name
        self.mark_ms = int(in_progress_seconds * 1000)
        self.grace_ms = int(grace * 1000)
        self.every = every

    async def reap(self, client: redis.asyncio.Redis) -> list[str]:
        """Make one pass unless another worker just did; return the ids handed back."""
        if not await client.set(reaper_lock_key(), self.holder, nx=True, px=REAPER_LOCK_MS):
            return []
        script = client.register_script(_REAP_LUA)
        reaped: list[str] = []
        async for raw in client.scan_iter(match=in_progress_key_prefix + "*", count=500):
            key = raw.decode() if isinstance(raw, bytes) else str(raw)
            job_id = key[len(in_progress_key_prefix) :]
            keys = [key, lease_key(job_id), self.queue_name, reaped_jobs_key()]
            if await script(keys=keys, args=[job_id, self.mark_ms, self.grace_ms]):
                log.warning("reaped job=%s: its worker stopped renewing the lease", job_id)
                reaped.append(job_id)
        return reaped

    async def run(self, client: redis.asyncio.Redis) -> None:
        """Make a pass every ``every`` seconds, until cancelled."""
        await every(self.every, lambda: self.reap(client), "reaper pass failed")


async def reaped_count(client: redis.asyncio.Redis) -> int:
    """Return how many jobs the reapers of every worker have handed back so far."""
    value = await client.get(reaped_jobs_key())
    return int(value or 0)
