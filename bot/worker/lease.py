"""Leases: a worker proves every few seconds that it still runs the jobs it holds.

arq marks a running job with ``arq:in-progress:<job id>`` for the job timeout plus
10 s, and runs it again only once that mark is gone: a worker killed with SIGKILL
would strand its jobs for ten minutes. So each running job also holds a short lease
(``bot.keys.lease_key``, ``LEASE_SECONDS``) that the process running it renews every
``RENEW_EVERY_SECONDS``; the reaper (``bot.worker.reaper``) clears the in-progress
mark of a job whose lease lapsed, and arq runs it again.

The pull request's lock a review takes (``bot.worker.job``) is tied to its job's
lease: taken for the lease's remaining time to live and renewed with it in one
script, it lapses just before the lease (``LOCK_MARGIN_MS``), so a dead worker's
lock never blocks the run that replaces it, and a live review never loses it.

A job's installation slot (``bot.worker.fairness``) is kept alive the same way: its
score, the slot's end, moves on with every renewal of the lease, so a dead worker's
slot lapses with its lease.

A process whose event loop stalls for longer than a lease loses its jobs: when it
wakes, the renewal finds someone else's token (or none), cancels the job and leaves
its arq bookkeeping to the run that replaced it.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import redis.asyncio

from bot.keys import lease_key
from bot.worker.periodic import every

log = logging.getLogger("docgen.worker")

LEASE_SECONDS = 15.0
# Two renewals may be missed (a slow Redis, a long pause) before a lease lapses.
RENEW_EVERY_SECONDS = 5.0

# KEYS: what the jobs hold; ARGV[2i - 1], ARGV[2i]: the token and time to live (ms)
# of KEYS[i]. Returns the positions (1-based) of the keys no longer holding their token.
_RENEW_LUA = """
local lost = {}
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[2 * i - 1] then
    redis.call('PEXPIRE', key, ARGV[2 * i])
  else
    table.insert(lost, i)
  end
end
return lost
"""
# A job's locks lapse this much before its lease, never after it.
LOCK_MARGIN_MS = 100
# KEYS: the lock, the job's lease; ARGV: the token, the margin (ms).
# Returns 1 taken, 0 held by another, -1 the lease is lost (or all but lapsed).
_HOLD_LUA = """
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return -1 end
local ttl = redis.call('PTTL', KEYS[2]) - tonumber(ARGV[2])
if ttl <= 0 then return -1 end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ttl) then return 1 end
return 0
"""
# KEYS: slot sets; ARGV[i]: the member of KEYS[i], then the new end (ms) and time to
# live (ms). Moves a slot's end on only if it is still held (XX): one given back stays so.
_KEEP_SLOTS_LUA = """
local n = #KEYS
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, 'XX', ARGV[n + 1], ARGV[i])
  if redis.call('PTTL', key) < tonumber(ARGV[n + 2]) then
    redis.call('PEXPIRE', key, ARGV[n + 2])
  end
end
return n
"""
# Delete a key only if it still holds this holder's token: it may have lapsed and been
# taken by another run.
_RELEASE_LUA = (
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"
)


class LeaseLost(RuntimeError):
    """The job's lease lapsed or went to another run: this run must stop."""


def holder_name() -> str:
    """Return this process's name in leases: ``hostname:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def holder_pid(token: str) -> int:
    """Return the process id in a lease token (``hostname:pid:run``)."""
    return int(token.rsplit(":", 2)[1])


@dataclass
class JobLease:
    """One run of one job: its token and the keys it holds (its lease, then its locks)."""

    job_id: str
    token: str
    keys: list[str] = field(default_factory=list)
    lost: bool = False
    slots: list[tuple[str, str]] = field(default_factory=list)  # (slot set, member)


class Leases:
    """The leases of one worker process, renewed by ``run`` while their jobs run."""

    def __init__(
        self,
        holder: str | None = None,
        *,
        ttl: float = LEASE_SECONDS,
        every: float = RENEW_EVERY_SECONDS,
        on_lost: Callable[[str], None] | None = None,
    ) -> None:
        self.holder = holder or holder_name()
        self.ttl_ms = int(ttl * 1000)
        self.every = every
        self.on_lost = on_lost
        self.held: dict[str, JobLease] = {}

    async def take(self, client: redis.asyncio.Redis, job_id: str) -> JobLease:
        """Write the lease of a job this process starts and keep it renewed."""
        lease = JobLease(job_id, f"{self.holder}:{uuid.uuid4().hex[:12]}", [lease_key(job_id)])
        await client.set(lease.keys[0], lease.token, px=self.ttl_ms)
        self.held[job_id] = lease
        return lease

    async def hold(self, client: redis.asyncio.Redis, lease: JobLease, key: str) -> bool:
        """Take the lock ``key`` for as long as the lease lives; False if another holds it.

        Raises:
            LeaseLost: The lease lapsed before the lock could be taken.
        """
        script = client.register_script(_HOLD_LUA)
        taken = int(await script(keys=[key, lease.keys[0]], args=[lease.token, LOCK_MARGIN_MS]))
        if taken < 0:
            self._lose(lease)
            raise LeaseLost(f"job {lease.job_id}: lease lost before taking {key}")
        if taken:
            lease.keys.append(key)
        return bool(taken)

    def keep_slot(self, lease: JobLease, key: str, member: str) -> None:
        """Renew the slot ``member`` of the sorted set ``key`` with the lease from now on."""
        if (key, member) not in lease.slots:
            lease.slots.append((key, member))

    def forget(self, lease: JobLease, key: str) -> None:
        """Stop renewing ``key``: the job is about to release it."""
        if key in lease.keys[1:]:
            lease.keys.remove(key)

    def is_lost(self, job_id: str) -> bool:
        """Tell whether the running job ``job_id`` lost its lease."""
        lease = self.held.get(job_id)
        return lease is not None and lease.lost

    async def drop(self, client: redis.asyncio.Redis, job_id: str) -> None:
        """Delete a finished job's lease (if still this run's) and stop renewing it."""
        lease = self.held.pop(job_id, None)
        if lease is not None and not lease.lost:
            await release_lock(client, lease.keys[0], lease.token)

    async def renew(self, client: redis.asyncio.Redis) -> list[str]:
        """Renew every lease and lock held; return the ids of the jobs that lost theirs."""
        leases = [x for x in self.held.values() if not x.lost]
        keys = [k for x in leases for k in x.keys]
        if not keys:
            return []
        script = client.register_script(_RENEW_LUA)
        args: list[str | int] = []
        for x in leases:
            for n, _ in enumerate(x.keys):  # the lease first, then its locks
                args += [x.token, self.ttl_ms if n == 0 else self.ttl_ms - LOCK_MARGIN_MS]
        missing = {keys[i - 1] for i in await script(keys=keys, args=args)}
        # Judge by what each job holds now: it may have let a lock go, or ended,
        # while the script ran.
        lost = [x for x in leases if self.held.get(x.job_id) is x and missing.intersection(x.keys)]
        for lease in lost:
            self._lose(lease)
        await self._keep_slots(client, [x for x in leases if not x.lost])
        return [x.job_id for x in lost]

    async def _keep_slots(self, client: redis.asyncio.Redis, leases: list[JobLease]) -> None:
        slots = [slot for x in leases for slot in x.slots]
        if not slots:
            return
        script = client.register_script(_KEEP_SLOTS_LUA)
        end = int(time.time() * 1000) + self.ttl_ms
        await script(keys=[k for k, _ in slots], args=[*(m for _, m in slots), end, self.ttl_ms])

    def _lose(self, lease: JobLease) -> None:
        lease.lost = True
        log.warning("lease lost job=%s: another run has it now; stopping this one", lease.job_id)
        if self.on_lost is not None:
            self.on_lost(lease.job_id)

    async def run(self, client: redis.asyncio.Redis) -> None:
        """Renew the leases every ``every`` seconds, until cancelled."""
        await every(self.every, lambda: self.renew(client), "leases not renewed")


async def release_lock(client: redis.asyncio.Redis, key: str, owner: str) -> bool:
    """Delete the lock ``key`` if ``owner`` still holds it; tell whether it did."""
    release = client.register_script(_RELEASE_LUA)
    return bool(await release(keys=[key], args=[owner]))


def current_lease(ctx: dict[str, Any]) -> JobLease | None:
    """Return the lease of the job running with ``ctx``, if its worker takes leases."""
    lease = ctx.get("lease")
    return lease if isinstance(lease, JobLease) else None


def leasing(ctx: dict[str, Any]) -> tuple[Leases, JobLease] | None:
    """Return the worker's leases and the lease of the job of ``ctx``; None without leases."""
    lease, leases = current_lease(ctx), ctx.get("leases")
    return (leases, lease) if lease is not None and isinstance(leases, Leases) else None


def lock_owner(ctx: dict[str, Any], fallback: str) -> str:
    """Return the token a job's locks carry: its run's lease token, else ``fallback``."""
    lease = current_lease(ctx)
    return lease.token if lease is not None else fallback


async def take_lock(
    ctx: dict[str, Any], client: redis.asyncio.Redis, key: str, owner: str, *, seconds: int
) -> bool:
    """Take the lock ``key`` for the job of ``ctx``; False if another run holds it.

    Under a leasing worker the lock lives and lapses with the job's lease; without
    one (a bare arq worker) it expires after ``seconds``.
    """
    held = leasing(ctx)
    if held is None:
        return bool(await client.set(key, owner, nx=True, ex=seconds))
    leases, lease = held
    return await leases.hold(client, lease, key)


def forget_lock(ctx: dict[str, Any], key: str) -> None:
    """Stop renewing the lock ``key`` before the job of ``ctx`` releases it."""
    held = leasing(ctx)
    if held is not None:
        leases, lease = held
        leases.forget(lease, key)
