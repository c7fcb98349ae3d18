"""GitHub's rate limits, honoured by every worker alike, per installation, through Redis.

Every request githubkit sends for an installation passes through one
:class:`LimitThrottler` (githubkit's throttler hook wraps each HTTP send,
retries and token mints included), and every answer through its response hook
(an httpx event hook):

- **Primary limit.** An answer whose ``x-ratelimit-remaining`` is at or under
  ``LimitPolicy.reserve`` pauses the installation until ``x-ratelimit-reset``.
- **Secondary limit.** A 403 or 429 with ``retry-after``, a 429 without it, or a
  403 saying "secondary rate limit" pauses it for ``retry-after`` (else 60 s).
- The pause is one Redis key per installation (:func:`bot.keys.github_blocked_key`)
  whose time to live is the wait, so every worker sees it and no clock is compared.
  Before each request the throttler waits the pause out when it is short
  (``max_inline_wait``); a longer one raises :class:`GitHubBlocked`, which the job
  turns into arq's ``Retry(defer=...)`` instead of holding a worker for minutes.
- **Content creation** (POST, PATCH, PUT, DELETE) is spaced ``spacing`` seconds
  apart per installation, across workers (``SET NX PX`` on
  :func:`bot.keys.github_spacing_key`), as GitHub's guidance asks.

:class:`RetryPolicy` is githubkit's retry decision, the one place a failed
request is retried in place: at most ``MAX_ATTEMPTS`` sends per request, server
errors and connection failures after a jittered exponential backoff (a POST only
when it cannot have reached GitHub), rate limits after the shared pause.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import AsyncGenerator, Generator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import redis.asyncio
from githubkit.exception import GitHubException, RateLimitExceeded, RequestError, RequestFailed
from githubkit.retry import RetryOption
from githubkit.throttling import BaseThrottler

from bot import telemetry
from bot.keys import github_blocked_key, github_spacing_key

log = logging.getLogger("docgen.github")

MAX_ATTEMPTS = 4  # sends of one request, the first included
BACKOFF_BASE = 1.0  # seconds; doubled per retry, then a uniform draw below it
BACKOFF_CAP = 8.0
MUTATING = frozenset({"POST", "PATCH", "PUT", "DELETE"})
# Keep the pause only if it is longer than the one already set: two workers told
# different waits both honour the longer.
_BLOCK_LUA = (
    "if redis.call('PTTL', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end "
    "redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[1]) return 1"
)
_rng = random.Random()
# githubkit sleeps 60 s on a zero (falsy) timedelta: "at once" is one microsecond.
_AT_ONCE = timedelta(microseconds=1)


@dataclass(frozen=True)
class LimitPolicy:
    """How docgen paces itself against GitHub; seconds unless named otherwise."""

    spacing: float = 1.0  # between two writes of one installation
    max_inline_wait: float = 60.0  # a longer pause hands the job back to the queue
    reserve: int = 10  # primary calls left unspent: a pause starts at this many
    secondary_wait: float = 60.0  # GitHub's advice when a secondary limit names no wait
    max_primary_wait: float = 3600.0  # GitHub's window; a later reset is a clock problem
    concurrency: int = 10  # requests in flight per installation client (GitHub: < 100)
    backoff_base: float = BACKOFF_BASE  # the first retry of a 5xx waits up to this


class GitHubBlocked(Exception):
    """GitHub asked for a pause longer than a job waits in place; try again later."""

    def __init__(self, installation_id: int, wait: float, reason: str) -> None:
        super().__init__(f"installation {installation_id}: {reason}; calls resume in {wait:.0f} s")
        self.installation_id = installation_id
        self.wait = wait
        self.reason = reason


class InstallationLimits:
    """The Redis side of one installation's limits: the shared pause and write spacing."""

    def __init__(
        self, client: redis.asyncio.Redis, installation_id: int, policy: LimitPolicy
    ) -> None:
        self._redis = client
        self.installation_id = installation_id
        self.policy = policy
        self._blocked = github_blocked_key(installation_id)
        self._spacing = github_spacing_key(installation_id)

    async def pause(self, seconds: float, reason: str) -> None:
        """Make every worker wait ``seconds`` before calling GitHub for the installation."""
        millis = max(int(seconds * 1000), 1)
        script = self._redis.register_script(_BLOCK_LUA)
        if await script(keys=[self._blocked], args=[millis, reason]):
            log.warning(
                "github paused installation=%s seconds=%.1f reason=%s",
                self.installation_id,
                seconds,
                reason,
            )

    async def paused_for(self) -> tuple[float, str]:
        """Return how long calls must still wait (0 when they may go) and why."""
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.pttl(self._blocked)
            pipe.get(self._blocked)
            millis, reason = await pipe.execute()
        if millis is None or millis <= 0:
            return 0.0, ""
        text = reason.decode() if isinstance(reason, bytes) else str(reason or "")
        return millis / 1000, text

    async def wait_turn(self) -> None:
        """Wait out a short pause; raise GitHubBlocked for one longer than a job waits."""
        waited = 0.0
        while True:
            wait, reason = await self.paused_for()
            if wait <= 0:
                return
            if waited + wait > self.policy.max_inline_wait:
                raise GitHubBlocked(self.installation_id, wait, reason)
            await asyncio.sleep(wait)
            waited += wait

    async def space_write(self) -> None:
        """Wait until ``spacing`` has passed since the installation's last write, then claim it."""
        millis = int(self.policy.spacing * 1000)
        if millis <= 0:
            return
        waited = 0.0
        while not await self._redis.set(self._spacing, b"1", nx=True, px=millis):
            left = await self._redis.pttl(self._spacing)
            wait = max(left, 1) / 1000 + _rng.uniform(0, 0.01)  # spread waiting workers
            if waited + wait > self.policy.max_inline_wait:
                raise GitHubBlocked(self.installation_id, wait, "too many writes queued")
            await asyncio.sleep(wait)
            waited += wait

    async def observe(self, response: httpx.Response) -> None:
        """Read a rate limit from GitHub's answer and share the pause it asks for."""
        if response.request.url.path.endswith("/access_tokens"):
            return  # the App's own limit (its JWT), not the installation's
        wait = await self._secondary_wait(response)
        if wait is not None:
            await self.pause(wait, f"secondary rate limit (HTTP {response.status_code})")
            return
        wait = self._primary_wait(response.headers)
        if wait is not None:
            left = response.headers.get("x-ratelimit-remaining")
            await self.pause(wait, f"primary rate limit ({left} calls left until the reset)")

    async def _secondary_wait(self, response: httpx.Response) -> float | None:
        if response.status_code not in (403, 429):
            return None
        after = _seconds(response.headers.get("retry-after"))
        if after is not None:
            return max(after, 1.0)
        if response.status_code == 429:
            return self.policy.secondary_wait
        await response.aread()
        if "secondary rate limit" in _message(response.content).lower():
            return self.policy.secondary_wait
        return None

    def _primary_wait(self, headers: httpx.Headers) -> float | None:
        if headers.get("x-ratelimit-resource", "core") != "core":
            return None  # search and GraphQL keep their own windows; docgen uses neither
        left = _seconds(headers.get("x-ratelimit-remaining"))
        reset = _seconds(headers.get("x-ratelimit-reset"))
        if left is None or reset is None or left > self.policy.reserve:
            return None
        # One second over the reset: GitHub's clock and ours differ a little.
        return min(max(reset - time.time(), 0.0) + 1.0, self.policy.max_primary_wait)


class LimitThrottler(BaseThrottler):
    """githubkit's throttler for one installation: waits out pauses, spaces writes."""

    def __init__(self, limits: InstallationLimits) -> None:
        self.limits = limits
        self._gate = asyncio.Semaphore(limits.policy.concurrency)

    @contextmanager
    def acquire(self, request: httpx.Request) -> Generator[None, Any, Any]:
        """Refuse synchronous use: the worker only sends asynchronously."""
        if request.method:  # always: a bare raise would not make this a generator
            raise NotImplementedError("docgen's GitHub client is asynchronous only")
        yield  # pragma: no cover

    @asynccontextmanager
    async def async_acquire(self, request: httpx.Request) -> AsyncGenerator[None, Any]:
        """Hold a slot while ``request`` is sent, after any pause and write spacing."""
        async with self._gate:
            await self.limits.wait_turn()
            if request.method in MUTATING and not request.url.path.endswith("/access_tokens"):
                await self.limits.space_write()
            yield


class RetryPolicy:
    """githubkit's retry decision: whether a failed request is sent again, and when.

    The one place a GitHub request is retried in place: at most ``MAX_ATTEMPTS``
    sends. A rate limit is retried at once, because the throttler first waits out
    the shared pause (or hands the job back). Server errors and connection
    failures wait a jittered, doubling backoff (``backoff_base`` seconds first).
    """

    def __init__(self, backoff_base: float = BACKOFF_BASE) -> None:
        self.backoff_base = backoff_base

    def __call__(self, exc: GitHubException, retry_count: int) -> RetryOption:
        """Decide whether githubkit retries a failed request in place (counted when it does)."""
        option = self._decide(exc, retry_count)
        if option.do_retry:
            telemetry.retried("github_http")
        return option

    def _decide(self, exc: GitHubException, retry_count: int) -> RetryOption:
        """Decide for ``exc``, after ``retry_count`` retries of the request."""
        if retry_count + 1 >= MAX_ATTEMPTS:
            return RetryOption(False)
        if isinstance(exc, RateLimitExceeded) or _secondary_limited(exc):
            return RetryOption(True, _AT_ONCE)
        if isinstance(exc, RequestFailed):
            if exc.response.status_code >= 500 and _repeatable(exc.request):
                return RetryOption(True, self.backoff(retry_count))
            return RetryOption(False)
        if isinstance(exc, RequestError) and _may_resend(exc):
            return RetryOption(True, self.backoff(retry_count))
        return RetryOption(False)

    def backoff(self, retry_count: int) -> timedelta:
        """Return the pause before retry ``retry_count + 1``: full jitter, doubling, capped."""
        ceiling = min(BACKOFF_CAP, self.backoff_base * 2**retry_count)
        return max(timedelta(seconds=_rng.uniform(0, ceiling)), _AT_ONCE)


def _secondary_limited(exc: GitHubException) -> bool:
    # githubkit reads a 403 as a rate limit only with retry-after or remaining 0;
    # GitHub also signals a secondary limit by the message alone, or a bare 429.
    if not isinstance(exc, RequestFailed) or exc.response.status_code not in (403, 429):
        return False
    message = _message(exc.response.content).lower()
    return exc.response.status_code == 429 or "secondary rate limit" in message


def _repeatable(request: httpx.Request) -> bool:
    # A POST that failed with 5xx may still have created its comment or review:
    # the job's retry, which reads the markers already on the PR, posts it instead.
    # A token mint and a reaction are safe to repeat.
    path = request.url.path
    return request.method != "POST" or path.endswith(("/access_tokens", "/reactions"))


def _may_resend(exc: RequestError[Any]) -> bool:
    cause = exc.exc
    if isinstance(cause, httpx.ConnectError | httpx.ConnectTimeout):
        return True  # nothing reached GitHub
    try:
        request = cause.request
    except (AttributeError, RuntimeError):  # not an httpx error, or one without its request
        return False
    return isinstance(request, httpx.Request) and _repeatable(request)


def _seconds(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return None


def _message(body: bytes) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        return ""
    message = data.get("message") if isinstance(data, dict) else None
    return message if isinstance(message, str) else ""
