"""Budgets: per run in memory, per installation and UTC month in Redis.

Before a call, its worst case (prompt + max completion tokens, and their
price) is reserved; after it, the reservation is replaced by the usage the
API reported, in one atomic step. A Lua script checks and reserves at once,
so concurrent workers can never together pass a limit. A reservation carries
an expiry: if its worker dies before settling, the hold lapses by itself and
the money it held becomes available again.

Keys: ``docgen:budget:{installation_id}:{YYYY-MM}`` (a hash of what was spent)
and the same with ``:held`` (a hash of live reservations). Money is kept in
integer nano-dollars so Redis adds it exactly.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

import redis.asyncio

from bot import keys

NANO = 1_000_000_000
KEEP_SECONDS = 400 * 86_400  # a month's record outlives the month, for the record

_RESERVE = """
local now = tonumber(redis.call('TIME')[1])
local held_tokens, held_nano = 0, 0
local held = redis.call('HGETALL', KEYS[2])
for i = 1, #held, 2 do
  local t, n, exp = string.match(held[i + 1], '^(%d+):(%d+):(%d+)$')
  if tonumber(exp) <= now then
    redis.call('HDEL', KEYS[2], held[i])
  else
    held_tokens = held_tokens + tonumber(t)
    held_nano = held_nano + tonumber(n)
  end
end
local spent_tokens = tonumber(redis.call('HGET', KEYS[1], 'tokens') or '0')
local spent_nano = tonumber(redis.call('HGET', KEYS[1], 'nano_usd') or '0')
local tokens, nano = tonumber(ARGV[2]), tonumber(ARGV[3])
local used_tokens, used_nano = spent_tokens + held_tokens, spent_nano + held_nano
if used_tokens + tokens > tonumber(ARGV[5]) then
  return {0, 'tokens', used_tokens, used_nano}
end
if used_nano + nano > tonumber(ARGV[6]) then
  return {0, 'cost', used_tokens, used_nano}
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2] .. ':' .. ARGV[3] .. ':' .. (now + tonumber(ARGV[4])))
redis.call('EXPIRE', KEYS[1], ARGV[7])
redis.call('EXPIRE', KEYS[2], ARGV[7])
return {1, 'ok', used_tokens + tokens, used_nano + nano}
"""

_SETTLE = """
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HINCRBY', KEYS[1], 'tokens', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'nano_usd', ARGV[3])
redis.call('HINCRBY', KEYS[1], 'calls', 1)
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1
"""

_USED = """
local now = tonumber(redis.call('TIME')[1])
local tokens = tonumber(redis.call('HGET', KEYS[1], 'tokens') or '0')
local nano = tonumber(redis.call('HGET', KEYS[1], 'nano_usd') or '0')
local held = redis.call('HGETALL', KEYS[2])
for i = 1, #held, 2 do
  local t, n, exp = string.match(held[i + 1], '^(%d+):(%d+):(%d+)$')
  if tonumber(exp) > now then
    tokens = tokens + tonumber(t)
    nano = nano + tonumber(n)
  end
end
return {tokens, nano}
"""


def to_nano(usd: float) -> int:
    """Return ``usd`` in nano-dollars, rounded up so reservations never fall short."""
    return math.ceil(round(usd * NANO, 3))


def month_of(moment: datetime) -> str:
    """Return the UTC month ``moment`` falls in, as ``YYYY-MM``."""
    return moment.astimezone(UTC).strftime("%Y-%m")


@dataclass(frozen=True)
class Reservation:
    """A hold on a budget, to be settled with real usage or released."""

    id: str
    month: str
    tokens: int
    nano_usd: int


@dataclass(frozen=True)
class Refusal:
    """Why a budget refused a call, in words for the summary."""

    reason: str


@dataclass(frozen=True)
class Left:
    """What remains of a budget: cost in USD and tokens (None when unlimited)."""

    cost_usd: float | None
    tokens: int | None
    period: str  # "run" or the UTC month


@dataclass(frozen=True)
class Spent:
    """What an installation spent in one UTC month (settled calls only) and its limits."""

    month: str
    cost_usd: float
    tokens: int
    calls: int
    max_cost_usd: float
    max_tokens: int


class MonthlyBudget:
    """An installation's monthly limits on cost and tokens, shared through Redis."""

    def __init__(
        self,
        client: redis.asyncio.Redis,
        *,
        installation_id: int,
        max_cost_usd: float,
        max_tokens: int,
        hold_seconds: int = 900,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._redis = client
        self._installation = installation_id
        self._max_nano = to_nano(max_cost_usd)
        self._max_cost = max_cost_usd
        self._max_tokens = max_tokens
        self._hold = hold_seconds
        self._clock = clock
        self._reserve = client.register_script(_RESERVE)
        self._settle = client.register_script(_SETTLE)
        self._used = client.register_script(_USED)

    def _keys(self, month: str) -> list[str]:
        return [
            keys.budget_key(self._installation, month),
            keys.budget_held_key(self._installation, month),
        ]

    async def reserve(self, *, tokens: int, cost_usd: float) -> Reservation | Refusal:
        """Hold ``tokens`` and ``cost_usd`` this month, or say which limit refuses."""
        month = month_of(self._clock())
        res = Reservation(uuid.uuid4().hex, month, tokens, to_nano(cost_usd))
        args: list[int | str] = [res.id, tokens, res.nano_usd, self._hold]
        args += [self._max_tokens, self._max_nano, KEEP_SECONDS]
        ok, which, used_tokens, used_nano = await self._reserve(keys=self._keys(month), args=args)
        if ok == 1:
            return res
        if which == b"tokens":
            return Refusal(
                f"monthly token budget reached ({used_tokens:,} of {self._max_tokens:,} "
                f"tokens used or held in {month}; this call needs up to {tokens:,})"
            )
        return Refusal(
            f"monthly cost budget reached ({used_nano / NANO:.4f} of {self._max_cost:.2f} USD "
            f"used or held in {month}; this call may cost up to {cost_usd:.4f} USD)"
        )

    async def settle(self, reservation: Reservation, *, tokens: int, cost_usd: float) -> None:
        """Replace ``reservation`` by the usage the API reported, atomically."""
        args: list[int | str] = [reservation.id, tokens, to_nano(cost_usd), KEEP_SECONDS]
        await self._settle(keys=self._keys(reservation.month), args=args)

    async def release(self, reservation: Reservation) -> None:
        """Drop ``reservation`` unused (the call was never answered)."""
        await cast(
            Awaitable[int], self._redis.hdel(self._keys(reservation.month)[1], reservation.id)
        )

    async def spent(self) -> Spent:
        """Return what the installation spent this month, as the API reported it."""
        month = month_of(self._clock())
        values = await cast(
            Awaitable[list[bytes | None]],
            self._redis.hmget(self._keys(month)[0], ["tokens", "nano_usd", "calls"]),
        )
        tokens, nano, calls = (int(v or 0) for v in values)
        return Spent(month, nano / NANO, tokens, calls, self._max_cost, self._max_tokens)

    async def left(self) -> Left:
        """Return what remains this month after spending and live holds."""
        month = month_of(self._clock())
        tokens, nano = await self._used(keys=self._keys(month))
        return Left(
            max(self._max_nano - int(nano), 0) / NANO,
            max(self._max_tokens - int(tokens), 0),
            month,
        )


class RunBudget:
    """One run's limits on prompt tokens and cost, with holds like the monthly one."""

    def __init__(self, *, max_prompt_tokens: int | None, max_cost_usd: float | None) -> None:
        self.max_prompt_tokens = max_prompt_tokens
        self.max_cost_usd = max_cost_usd
        self.prompt_tokens = 0  # spent and held
        self.cost_usd = 0.0

    def carry(self, prompt_tokens: int, cost_usd: float) -> None:
        """Count what the run's earlier work items spent, as reported, against its limits."""
        self.prompt_tokens += prompt_tokens
        self.cost_usd += cost_usd

    def reserve(self, *, prompt_tokens: int, cost_usd: float) -> Refusal | None:
        """Hold a call's prompt tokens and worst-case cost; a Refusal if that passes a limit."""
        if self.max_prompt_tokens is not None:
            if self.prompt_tokens + prompt_tokens > self.max_prompt_tokens:
                return Refusal(
                    f"run prompt-token limit reached ({self.prompt_tokens:,} of "
                    f"{self.max_prompt_tokens:,} used or held; this call needs {prompt_tokens:,})"
                )
        if self.max_cost_usd is not None and self.cost_usd + cost_usd > self.max_cost_usd:
            return Refusal(
                f"run cost limit reached ({self.cost_usd:.4f} of {self.max_cost_usd:.2f} USD "
                f"used or held; this call may cost up to {cost_usd:.4f} USD)"
            )
        self.prompt_tokens += prompt_tokens
        self.cost_usd += cost_usd
        return None

    def settle(self, *, held: tuple[int, float], used: tuple[int, float]) -> None:
        """Replace a hold of (prompt tokens, cost) by what was used."""
        self.prompt_tokens += used[0] - held[0]
        self.cost_usd += used[1] - held[1]

    def left(self) -> Left:
        """Return what remains of this run's limits."""
        cost = None if self.max_cost_usd is None else max(self.max_cost_usd - self.cost_usd, 0.0)
        tokens = None
        if self.max_prompt_tokens is not None:
            tokens = max(self.max_prompt_tokens - self.prompt_tokens, 0)
        return Left(cost, tokens, "run")
