"""Enqueue review jobs in arq's own format, once per delivery, in one Redis round trip.

The job id is the delivery id, so a redelivery of a delivery whose job is
queued, running or done queues nothing. Unlike ``ArqRedis.enqueue_job``, a
redelivery of a delivery whose job *failed* queues it again: that is what
GitHub's "Redeliver" button is for. The stored failed result and arq's retry
counter are dropped first, so the new run starts again at try 1.

Pushes in a row (``synchronize`` bursts) collapse: such a job is deferred by
the debounce delay, and a newer push to the same pull request removes the
older job while it still waits, leaving a marker so that a redelivery of the
superseded delivery does not bring it back.

A delivery of a suspended installation queues nothing: the same script checks
the installation's suspended flag (``bot.keys.suspended_key``).

One Lua script does the checks and the writes atomically (arq's enqueue costs
several round trips with WATCH/MULTI), and the scripts of deliveries handled in
the same turn of the event loop share one pipelined round trip. Jobs are written
exactly as arq writes them (``serialize_job``, ``arq:job:<id>``, score in
``arq:queue``), so a stock arq worker runs them.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from string import Template
from typing import Any

from arq.connections import ArqRedis
from arq.constants import (
    default_queue_name,
    expires_extra_ms,
    in_progress_key_prefix,
    job_key_prefix,
    result_key_prefix,
    retry_key_prefix,
)
from arq.jobs import DeserializationError, deserialize_result, serialize_job
from redis.commands.core import AsyncScript
from redis.exceptions import NoScriptError

from bot.contract import JOB_FUNCTION, ReviewJob
from bot.keys import SUPERSEDED_PREFIX, SUSPENDED_PREFIX, latest_push_key

# A waiting job is only removed if it is due this much later than now, so a
# worker (which starts only jobs already due) can never be starting it.
SUPERSEDE_MARGIN_MS = 250

# Replies: {QUEUED}, {HELD, 'active'|'superseded', by}, {HAS_RESULT, result}, or
# {SUSPENDED}.
_HELD, _QUEUED, _HAS_RESULT, _SUSPENDED = 0, 1, 2, 3

# KEYS[1]: the queue. ARGV: job id, serialized job, score (due time, ms),
# supersede threshold (ms), latest-push key ("" unless collapsible),
# failed result to replace ("" on a first attempt), installation id. Key names
# are built here from bot.keys' prefixes (as bot.keys.superseded_key and
# suspended_key spell them) rather than passed, because every argument costs the
# web process encoding time. A superseded marker written before markers carried
# the installation is still read; those expire within a day.
_ENQUEUE_LUA = Template("""
local id = ARGV[1]
local installation = ARGV[7]
if redis.call('EXISTS', '$suspended' .. installation) == 1 then return {3} end
local job_key = '$job' .. id
if redis.call('EXISTS', job_key, '$in_progress' .. id) > 0 then return {0, 'active'} end
local by = redis.call('GET', '$superseded' .. installation .. ':' .. id)
  or redis.call('GET', '$superseded' .. id)
if by then return {0, 'superseded', by} end
local result_key = '$result' .. id
local result = redis.call('GET', result_key)
if result then
  if result ~= ARGV[6] then return {2, result} end
  redis.call('DEL', result_key, '$retry' .. id)
end
local ttl = $expires
if ARGV[5] ~= '' then
  ttl = ttl + $defer
  local prev = redis.call('GET', ARGV[5])
  if prev and prev ~= id then
    local score = redis.call('ZSCORE', KEYS[1], prev)
    if score and tonumber(score) > tonumber(ARGV[4])
        and redis.call('EXISTS', '$in_progress' .. prev) == 0 then
      redis.call('ZREM', KEYS[1], prev)
      redis.call('DEL', '$job' .. prev)
      redis.call('SET', '$superseded' .. installation .. ':' .. prev, id, 'PX', $expires)
    end
  end
  redis.call('SET', ARGV[5], id, 'PX', $expires)
end
redis.call('PSETEX', job_key, ttl, ARGV[2])
redis.call('ZADD', KEYS[1], ARGV[3], id)
return {1}
""")


def _enqueue_script(defer_ms: int) -> str:
    return _ENQUEUE_LUA.substitute(
        job=job_key_prefix,
        in_progress=in_progress_key_prefix,
        result=result_key_prefix,
        retry=retry_key_prefix,
        superseded=SUPERSEDED_PREFIX,
        suspended=SUSPENDED_PREFIX,
        expires=expires_extra_ms,
        defer=defer_ms,
    )


@dataclass(frozen=True, slots=True)
class Enqueued:
    """The outcome of an enqueue: ``created`` is False when the delivery was already handled.

    ``ignored`` is True when nothing was queued because the installation is suspended.
    """

    job_id: str
    created: bool
    detail: str
    ignored: bool = False


class JobQueue:
    """Put review jobs on arq's queue; one instance per process, shared by requests."""

    def __init__(
        self,
        redis: ArqRedis,
        *,
        debounce_seconds: float,
        queue_name: str = default_queue_name,
    ) -> None:
        self._debounce_ms = round(debounce_seconds * 1000)
        self._script = redis.register_script(_enqueue_script(self._debounce_ms))
        self._keys = [queue_name]
        self._batcher = _Batcher(redis, self._script, self._keys)

    @property
    def round_trips(self) -> int:
        """Return how many round trips to Redis enqueueing has taken so far."""
        return self._batcher.round_trips

    async def enqueue(self, spec: ReviewJob, *, delivery_id: str) -> Enqueued:
        """Queue the job of ``delivery_id`` unless it is queued, running, done or superseded."""
        job_id = delivery_id
        now_ms = int(time.time() * 1000)
        defer_ms = self._debounce_ms if spec.collapsible else 0
        kwargs = spec.for_delivery(delivery_id).to_kwargs()
        job = serialize_job(JOB_FUNCTION, (), kwargs, None, now_ms)
        pointer = latest_push_key(spec.repo, spec.number) if defer_ms else ""
        args: list[bytes | str | int] = [
            job_id,
            job,
            now_ms + defer_ms,
            now_ms + SUPERSEDE_MARGIN_MS,
            pointer,
            b"",
            spec.installation_id,
        ]
        reply = await self._batcher.call(args)
        requeued = False
        if reply[0] == _HAS_RESULT and _failed(reply[1]):
            args[5] = reply[1]  # drop exactly that failed result, unless it changed meanwhile
            reply = await self._batcher.call(args)
            requeued = True
        return _outcome(job_id, reply, defer_ms, requeued)


def _outcome(job_id: str, reply: list[Any], defer_ms: int, requeued: bool) -> Enqueued:
    if reply[0] == _SUSPENDED:
        return Enqueued(job_id, False, "installation suspended", ignored=True)
    if reply[0] == _QUEUED:
        if requeued:
            return Enqueued(job_id, True, "failed before; queued again")
        return Enqueued(job_id, True, f"deferred {defer_ms} ms" if defer_ms else "queued")
    if reply[0] == _HAS_RESULT:
        return Enqueued(job_id, False, "already done")
    if reply[1] == b"superseded":
        return Enqueued(job_id, False, f"superseded by {reply[2].decode()}")
    return Enqueued(job_id, False, "already queued or running")


def _failed(result: bytes) -> bool:
    try:
        return not deserialize_result(result).success
    except DeserializationError:
        return False  # not ours to judge: treat as done rather than run twice


class _Batcher:
    """Run the scripts of requests that reach Redis in the same loop turn in one round trip.

    Under load, many deliveries are parsed in one turn of the event loop; one
    pipeline for all of them costs about as much as a single call, so the cost
    per delivery falls as load rises. A lone request goes out on its own.
    """

    def __init__(self, redis: ArqRedis, script: AsyncScript, keys: list[str]) -> None:
        self._redis = redis
        self._script = script
        self._keys = keys
        self._pending: list[tuple[list[Any], asyncio.Future[Any]]] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self.round_trips = 0

    async def call(self, args: list[Any]) -> Any:
        """Return the script's reply for ``args``."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._pending.append((args, future))
        if len(self._pending) == 1:
            task = loop.create_task(self._send())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return await future

    async def _send(self) -> None:
        await asyncio.sleep(0)  # let the other requests of this turn join
        batch, self._pending = self._pending, []
        self.round_trips += 1
        try:
            if len(batch) == 1:
                replies: list[Any] = [await self._script(keys=self._keys, args=batch[0][0])]
            else:
                replies = await self._pipeline([args for args, _ in batch])
        except Exception as exc:
            replies = [exc] * len(batch)
        except BaseException:
            for _, future in batch:
                future.cancel()
            raise
        for (_, future), reply in zip(batch, replies, strict=True):
            if future.done():
                continue
            if isinstance(reply, Exception):
                future.set_exception(reply)
            else:
                future.set_result(reply)

    async def _pipeline(self, batch: list[list[Any]]) -> list[Any]:
        replies = await self._execute(batch)
        missing = [i for i, reply in enumerate(replies) if isinstance(reply, NoScriptError)]
        if missing:  # Redis restarted or its script cache was flushed
            await self._redis.script_load(self._script.script)
            again = await self._execute([batch[i] for i in missing])
            for i, reply in zip(missing, again, strict=True):
                replies[i] = reply
        return replies

    async def _execute(self, batch: list[list[Any]]) -> list[Any]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for args in batch:
                pipe.evalsha(self._script.sha, len(self._keys), *self._keys, *args)
            replies: list[Any] = await pipe.execute(raise_on_error=False)
        return replies
