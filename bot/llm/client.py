"""The thin edge to the model API: one planned request in, one answer out.

docgen owns the retry and timeout policy instead of the SDK (whose retry
gives up silently on a ``Retry-After`` over two minutes and whose default
timeout is ten minutes per attempt): the SDK client is built with
``max_retries=0`` and an explicit timeout. Retried, with exponential backoff
and full jitter, a bounded number of times: 429 (honouring ``retry-after-ms``
and ``retry-after``), 408, 500/502/503/504, timeouts and connection errors.
Never retried: other 4xx, among them ``context_length_exceeded`` (which the
planner rules out) and the content filter's 400. Every attempt first spends
from the run's request bound (``bot.llm.bound``), the one place that caps what
all the layers of retries together may send.

Like everything under ``bot/llm``, it takes plain values (an :class:`Endpoint`
and the model's facts), not the operator's settings: ``bot.wiring`` builds them.
"""

from __future__ import annotations

import asyncio
import email.utils
import math
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, Self, cast
from urllib.parse import urlsplit

import openai
import redis.asyncio
from openai.types.chat import ChatCompletion, ChatCompletionMessageParam
from pydantic import SecretStr

from bot import keys, telemetry
from bot.llm.bound import spend
from bot.llm.models import ModelFacts
from bot.llm.plan import PlannedRequest
from bot.llm.prompt import RESPONSE_FORMAT
from bot.llm.ratelimit import QuotaTooSmall, SharedRateLimiter
from bot.llm.usage import Answer, CallFailed, Usage
from bot.logctx import get_logger

log = get_logger("docgen.llm")

RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})
# The periods over which Azure OpenAI evaluates a requests-per-minute quota.
REQUEST_PERIODS = (1.0, 10.0)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry what can succeed."""

    max_attempts: int = 4
    base_delay: float = 1.0
    max_delay: float = 30.0
    max_retry_after: float = 300.0  # a longer requested wait fails the call, with that reason

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Return the pause after failed ``attempt`` (1-based): full jitter, capped."""
        return rng.uniform(0, min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Return the wait a response asks for, from ``retry-after-ms`` or ``retry-after``."""
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            value = float(millis) / 1000
        except ValueError:
            value = math.nan
        if math.isfinite(value) and value >= 0:
            return value
    seconds = headers.get("retry-after")
    if seconds is None:
        return None
    try:
        value = float(seconds)
    except ValueError:
        try:
            value = email.utils.parsedate_to_datetime(seconds).timestamp() - time.time()
        except (TypeError, ValueError):
            return None
    return max(value, 0.0) if math.isfinite(value) else None


@dataclass(frozen=True)
class _Verdict:
    retry: bool
    reason: str
    wait: float | None = None
    splittable: bool = False
    fatal: bool = False


def _status_verdict(exc: openai.APIStatusError) -> _Verdict:
    status, code = exc.status_code, exc.code or ""
    detail = f"HTTP {status}" + (f" {code}" if code and code != str(status) else "")
    if status == 429 and code == "insufficient_quota":
        return _Verdict(False, f"the account's quota is used up ({detail})", fatal=True)
    if status in RETRYABLE_STATUS:
        what = "kept rate-limiting docgen" if status == 429 else "kept failing"
        return _Verdict(True, f"the service {what} ({detail})", retry_after(exc.response.headers))
    if status == 400 and code == "content_filter":
        return _Verdict(False, "the service's content filter refused the prompt", splittable=True)
    if status in (401, 403):
        return _Verdict(False, f"the model API refused docgen's credentials ({detail})", fatal=True)
    if status == 404:
        return _Verdict(False, f"the model deployment was not found ({detail})", fatal=True)
    return _Verdict(False, f"the model API refused the request ({detail}: {exc.message[:200]})")


def attempt_outcome(exc: openai.APIError) -> str:
    """Return the ``docgen_llm_requests`` outcome of a failed attempt."""
    if isinstance(exc, openai.APITimeoutError):
        return "timeout"
    if isinstance(exc, openai.APIConnectionError):
        return "connection"
    if isinstance(exc, openai.APIStatusError):
        if exc.status_code == 429:
            return "rate_limited"
        return "server_error" if exc.status_code >= 500 else "refused"
    return "unreadable"


def verdict(exc: openai.APIError) -> _Verdict:
    """Decide whether a failed attempt can succeed if tried again, and say why it failed."""
    if isinstance(exc, openai.APITimeoutError):
        return _Verdict(True, "the model API timed out")
    if isinstance(exc, openai.APIConnectionError):
        return _Verdict(True, "the model API could not be reached")
    if isinstance(exc, openai.APIStatusError):
        return _status_verdict(exc)
    return _Verdict(False, f"the model API's answer could not be read ({type(exc).__name__})")


@dataclass(frozen=True, kw_only=True)
class Endpoint:
    """Where the model API is and how to reach it, as plain values.

    On Azure, ``url`` is the resource's endpoint and requests name the
    ``deployment``; elsewhere ``url`` is an OpenAI-compatible base URL (None:
    OpenAI's own) and requests name the ``model``. The key is a SecretStr, so
    it never shows in a repr, a log line or an error.
    """

    kind: Literal["azure", "openai"]
    url: str | None
    model: str
    api_key: SecretStr | None
    timeout: float
    deployment: str | None = None  # Azure only
    api_version: str | None = None  # Azure only

    @property
    def requested_model(self) -> str:
        """Return the name requests carry: the deployment on Azure, the model elsewhere."""
        return (self.deployment or "") if self.kind == "azure" else self.model

    @property
    def quota_name(self) -> str:
        """Return the name its callers share a quota under: host/deployment, or host/model."""
        if self.kind == "azure":
            return f"{urlsplit(self.url or '').hostname}/{self.deployment}"
        return f"{urlsplit(self.url or 'https://api.openai.com').hostname}/{self.model}"


class OpenAICaller:
    """Send planned requests to Azure OpenAI or an OpenAI-compatible server."""

    def __init__(
        self,
        client: openai.AsyncOpenAI,
        *,
        model: str,
        facts: ModelFacts,
        timeout: float,
        policy: RetryPolicy = RetryPolicy(),
        limiter: SharedRateLimiter | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._client = client
        self._model = model  # the deployment name on Azure, the model name elsewhere
        self._facts = facts
        self._timeout = timeout
        self._policy = policy
        self._limiter = limiter
        self._rng = rng or random.Random()

    async def aclose(self) -> None:
        """Close the SDK client's connections."""
        await self._client.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def params(self, request: PlannedRequest) -> dict[str, Any]:
        """Return the chat-completions parameters for ``request``."""
        params: dict[str, Any] = {
            "model": self._model,
            "messages": [dict(m) for m in request.messages],
            "response_format": RESPONSE_FORMAT,
            self._facts.token_param: request.max_completion,
        }
        if self._facts.takes_temperature:
            params["temperature"] = 0
        if self._facts.token_param == "max_completion_tokens":
            params["reasoning_effort"] = "low"  # reasoning models: keep hidden tokens few
        return params

    async def complete(self, request: PlannedRequest) -> Answer:
        """Send ``request``, retrying what can succeed; raise CallFailed otherwise."""
        params = self.params(request)
        messages = cast(list[ChatCompletionMessageParam], params.pop("messages"))
        last_failure: str | None = None
        for attempt in range(1, self._policy.max_attempts + 1):
            spend(last_failure)  # the run's bound on requests, every attempt counted
            await self._admit(request)
            try:
                completion = await self._client.chat.completions.create(
                    messages=messages, timeout=self._timeout, **params
                )
            except openai.APIError as exc:
                telemetry.MODEL_REQUESTS.labels(attempt_outcome(exc)).inc()
                found = verdict(exc)
                last_failure = found.reason
                await self._pause(found, attempt)
                continue
            telemetry.MODEL_REQUESTS.labels("ok").inc()
            return _answer(completion, attempt)
        raise AssertionError("unreachable: the last attempt raises")  # pragma: no cover

    async def _admit(self, request: PlannedRequest) -> None:
        if self._limiter is None:
            return
        try:
            await self._limiter.acquire(request.total_tokens)
        except QuotaTooSmall as exc:
            raise CallFailed(str(exc)) from None

    async def _pause(self, found: _Verdict, attempt: int) -> None:
        """Sleep before the next attempt, or raise CallFailed when there is none."""
        if not found.retry:
            raise _failed(
                CallFailed(found.reason, splittable=found.splittable, fatal=found.fatal), attempt
            )
        if attempt >= self._policy.max_attempts:
            raise _failed(CallFailed(f"{found.reason}, {attempt} attempts"), attempt)
        wait = found.wait
        if wait is None:
            wait = self._policy.backoff(attempt, self._rng)
        elif wait > self._policy.max_retry_after:
            raise _failed(
                CallFailed(
                    f"{found.reason}: the service asked to wait {wait:.0f} s, more than "
                    f"docgen waits ({self._policy.max_retry_after:.0f} s)"
                ),
                attempt,
            )
        else:
            wait += self._rng.uniform(0, 0.1 * wait)  # spread workers told the same moment
        telemetry.retried("model_http")
        log.info("model.retry", attempt=attempt, reason=found.reason, wait_s=round(wait, 3))
        await asyncio.sleep(wait)


def _failed(failure: CallFailed, attempts: int) -> CallFailed:
    log.warning("model.failed", attempts=attempts, reason=failure.reason, fatal=failure.fatal)
    return failure


def _answer(completion: ChatCompletion, attempts: int) -> Answer:
    choice = completion.choices[0] if completion.choices else None
    usage = completion.usage
    cached = 0
    if usage is not None and usage.prompt_tokens_details is not None:
        cached = usage.prompt_tokens_details.cached_tokens or 0
    reported = (
        Usage(usage.prompt_tokens, usage.completion_tokens, cached)
        if usage is not None
        else Usage(0, 0, 0)
    )
    if choice is None:
        return Answer(None, "empty", reported, attempts)
    return Answer(choice.message.content, str(choice.finish_reason), reported, attempts)


def open_caller(
    endpoint: Endpoint,
    facts: ModelFacts,
    *,
    policy: RetryPolicy = RetryPolicy(),
    limiter: SharedRateLimiter | None = None,
) -> OpenAICaller:
    """Return a caller of ``endpoint``, whose model has ``facts``.

    Use it as an async context manager, so the SDK's connections are closed.
    """
    return OpenAICaller(
        sdk_client(endpoint),
        model=endpoint.requested_model,
        facts=facts,
        timeout=endpoint.timeout,
        policy=policy,
        limiter=limiter,
    )


def sdk_client(endpoint: Endpoint) -> openai.AsyncOpenAI:
    """Return the SDK client for ``endpoint``, without the SDK's own retries.

    docgen's own policy retries (max_retries=0): the SDK's would hide long waits.
    """
    if endpoint.kind == "azure":
        return openai.AsyncAzureOpenAI(
            azure_endpoint=endpoint.url or "",
            azure_deployment=endpoint.deployment,
            api_version=endpoint.api_version,
            api_key=_secret(endpoint.api_key),
            max_retries=0,
            timeout=endpoint.timeout,
        )
    return openai.AsyncOpenAI(
        base_url=endpoint.url,
        api_key=_secret(endpoint.api_key),
        max_retries=0,
        timeout=endpoint.timeout,
    )


def _secret(value: SecretStr | None) -> str:
    # An empty key (never None) keeps the SDK from reading the process environment.
    return value.get_secret_value() if value is not None else ""


def shared_limiter(
    client: redis.asyncio.Redis,
    *,
    name: str,
    requests_per_minute: int | None,
    tokens_per_minute: int | None,
) -> SharedRateLimiter | None:
    """Return the limiter every worker calling ``name`` shares; None without quotas.

    ``name`` says whose quota it is (an :attr:`Endpoint.quota_name`).
    """
    if requests_per_minute is None and tokens_per_minute is None:
        return None
    return SharedRateLimiter(
        client,
        key=keys.ratelimit_key(name),
        requests_per_minute=requests_per_minute,
        tokens_per_minute=tokens_per_minute,
        request_periods=REQUEST_PERIODS,
    )
