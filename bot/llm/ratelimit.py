"""A requests-per-minute and tokens-per-minute limiter shared by all workers.

Azure OpenAI charges each request against the deployment's quotas when it
arrives, counting ``prompt + max completion`` tokens. Every worker records
what it sends in one Redis sorted set (a sliding-window log, scored by the
Redis server's clock so workers need not agree on time); a Lua script admits
a request only when the last window's requests and tokens leave room for it,
and otherwise says how long until they will.

The window is kept a little longer than the quota's (``slack_seconds``)
because a request reaches the service a few milliseconds after it is
admitted here.

Neither service waits for a whole minute to enforce a requests-per-minute
quota: Azure OpenAI evaluates it over periods of 1 or 10 seconds, and OpenAI
says its limits may be enforced over shorter periods too. So requests are
also paced over each of ``request_periods``, at the quota's share of it (at
least one request), rather than sent in a burst that the service refuses.
"""

from __future__ import annotations

import asyncio
import math
import uuid
from collections.abc import Sequence

import redis.asyncio

from bot.errors import DocgenError

# ARGV: tokens, tokens quota (-1: none), window ms, member, then pairs of
# (period ms, requests allowed in it) -- the quota's window is one of them.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local tokens, tpm, window = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local wait = 0
for i = 5, #ARGV, 2 do
  local period, allowed = tonumber(ARGV[i]), tonumber(ARGV[i + 1])
  local inside = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. (now - period), '+inf', 'WITHSCORES')
  local count = #inside / 2
  if count + 1 > allowed then
    -- the oldest (count - allowed + 1) requests must leave the period first
    local k = count - allowed + 1
    wait = math.max(wait, tonumber(inside[2 * k]) + period - now)
  end
end
if tpm >= 0 then
  local log = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
  local sum = 0
  for i = 1, #log, 2 do
    sum = sum + tonumber(string.match(log[i], '^(%d+):'))
  end
  if sum + tokens > tpm then
    local freed = 0
    for i = 1, #log, 2 do
      freed = freed + tonumber(string.match(log[i], '^(%d+):'))
      if sum - freed + tokens <= tpm then
        wait = math.max(wait, tonumber(log[i + 1]) + window - now)
        break
      end
    end
  end
end
if wait > 0 then
  return wait
end
redis.call('ZADD', KEYS[1], now, tokens .. ':' .. ARGV[4])
redis.call('PEXPIRE', KEYS[1], window)
return 0
"""


class QuotaTooSmall(DocgenError):
    """One request needs more tokens than the whole per-minute quota allows."""


class SharedRateLimiter:
    """Admit requests under shared RPM/TPM quotas, waiting as long as they require."""

    def __init__(
        self,
        client: redis.asyncio.Redis,
        *,
        key: str,
        requests_per_minute: int | None,
        tokens_per_minute: int | None,
        window_seconds: float = 60.0,
        slack_seconds: float = 0.5,
        request_periods: Sequence[float] = (),
    ) -> None:
        self.key = key
        self.rpm = requests_per_minute
        self.tpm = tokens_per_minute
        self._window_ms = round((window_seconds + slack_seconds) * 1000)
        self._periods: list[int] = []  # (period ms, requests allowed) pairs, flattened
        if requests_per_minute is not None:
            self._periods += [self._window_ms, requests_per_minute]
            for period in request_periods:
                share = max(1, math.floor(requests_per_minute * period / window_seconds))
                slack = slack_seconds * period / window_seconds
                self._periods += [round((period + slack) * 1000), share]
        self._script = client.register_script(_ACQUIRE)

    async def try_acquire(self, tokens: int) -> float:
        """Record a request of ``tokens`` if the quotas allow; else return seconds to wait."""
        if self.tpm is not None and tokens > self.tpm:
            raise QuotaTooSmall(
                f"a request of {tokens:,} tokens can never fit a quota of {self.tpm:,} "
                "tokens per minute: lower the batch size or raise DOCGEN_TOKENS_PER_MINUTE"
            )
        tpm = -1 if self.tpm is None else self.tpm
        args: list[int | str] = [tokens, tpm, self._window_ms, uuid.uuid4().hex, *self._periods]
        wait_ms = await self._script(keys=[self.key], args=args)
        return int(wait_ms) / 1000

    async def acquire(self, tokens: int) -> float:
        """Wait until a request of ``tokens`` is admitted; return the seconds waited."""
        waited = 0.0
        while True:
            wait = await self.try_acquire(tokens)
            if wait <= 0:
                return waited
            # Sleep a hair past the point where room appears, so the retry lands after it.
            pause = wait + 0.005
            await asyncio.sleep(pause)
            waited += pause
