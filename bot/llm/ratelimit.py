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
"""

from __future__ import annotations

import asyncio
import uuid

import redis.asyncio

from bot.errors import DocgenError

_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local log = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
local tokens, rpm, tpm = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local count, sum = #log / 2, 0
for i = 1, #log, 2 do
  sum = sum + tonumber(string.match(log[i], '^(%d+):'))
end
local wait = 0
if rpm >= 0 and count + 1 > rpm then
  wait = tonumber(log[2]) + window - now
end
if tpm >= 0 and sum + tokens > tpm then
  local freed = 0
  for i = 1, #log, 2 do
    freed = freed + tonumber(string.match(log[i], '^(%d+):'))
    if sum - freed + tokens <= tpm then
      wait = math.max(wait, tonumber(log[i + 1]) + window - now)
      break
    end
  end
end
if wait > 0 then
  return wait
end
redis.call('ZADD', KEYS[1], now, tokens .. ':' .. ARGV[5])
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
    ) -> None:
        self.key = key
        self.rpm = requests_per_minute
        self.tpm = tokens_per_minute
        self._window_ms = round((window_seconds + slack_seconds) * 1000)
        self._script = client.register_script(_ACQUIRE)

    async def try_acquire(self, tokens: int) -> float:
        """Record a request of ``tokens`` if the quotas allow; else return seconds to wait."""
        if self.tpm is not None and tokens > self.tpm:
            raise QuotaTooSmall(
                f"a request of {tokens:,} tokens can never fit a quota of {self.tpm:,} "
                "tokens per minute: lower the batch size or raise DOCGEN_TOKENS_PER_MINUTE"
            )
        rpm = -1 if self.rpm is None else self.rpm
        tpm = -1 if self.tpm is None else self.tpm
        args: list[int | str] = [tokens, rpm, tpm, self._window_ms, uuid.uuid4().hex]
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
