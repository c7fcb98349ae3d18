"""The web process: receive GitHub webhooks, verify, decide, enqueue, answer (thin).

``POST /api/github/webhooks`` answers in this order of checks: 413 for a body
over 25 MiB (read no further), 401 for a missing or wrong signature, 400 for
missing headers or a body the event cannot use, 200 with a reason for a valid
delivery that asks nothing of docgen (or was already handled, or comes from a
suspended installation) and for an installation change carried out, 202 with
the job id when a job was queued, 503 when Redis cannot be reached (GitHub then
marks the delivery failed, and it can be redelivered).

Probes: ``GET /livez`` is 200 while the process serves requests and never asks
Redis (liveness); ``GET /readyz`` is 200 when Redis answers within a second, else
503 (readiness: a pod that cannot queue jobs should get no deliveries).
``GET /healthz`` is ``/readyz`` under the name older deployments probe.

Installation changes (suspended, deleted, repositories removed) are carried out
here, in Redis, before answering: they need no GitHub call (see bot.lifecycle).

The webhook route is a bare ASGI callable, reached before Starlette's
middleware: it reads the raw body once, decodes only what the decision needs
and writes a small JSON answer, because this is the one path GitHub times.
Nothing is read from the environment at import; uvicorn builds the app with
``app_from_env`` (``factory=True``).
"""

from __future__ import annotations

import asyncio
import math
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import msgspec
from arq.connections import ArqRedis
from arq.constants import default_queue_name
from redis.asyncio import ConnectionPool
from redis.exceptions import RedisError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from bot import lifecycle
from bot.contract import ReviewJob
from bot.logctx import bind, get_logger, log_context
from bot.logging_setup import Throttle, configure_logging
from bot.settings import Front, Settings, load_settings, redact_url
from bot.web.events import HANDLED_EVENTS, BadPayload, Ignore, InstallationChange, decide
from bot.web.metrics import CONTENT_TYPE, WebhookMetrics
from bot.web.queue import JobQueue
from bot.web.webhook import MAX_BODY_BYTES, SignatureVerifier, valid_delivery_id

WEBHOOK_PATH = "/api/github/webhooks"
LIVENESS_PATH = "/livez"
READINESS_PATH = "/readyz"
LEGACY_HEALTH_PATH = "/healthz"
HEALTH_TIMEOUT_SECONDS = 1.0

log = get_logger("docgen.web")

_EVENT = re.compile(rb"[a-z_]{1,64}")
_JSON = (b"content-type", b"application/json")
_CLOSE = (b"connection", b"close")


class _Disconnected(Exception):
    """The client went away before the body was read."""


class _Runtime:
    """What the app holds between start-up and shutdown: the Redis pool and the queue."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.redis: ArqRedis | None = None
        self.queue: JobQueue | None = None

    @asynccontextmanager
    async def lifespan(self, app: Starlette) -> AsyncIterator[None]:
        pool = ConnectionPool.from_url(
            self.settings.redis_url.get_secret_value(),
            socket_connect_timeout=2.0,
            socket_timeout=5.0,
        )
        self.redis = ArqRedis(pool_or_conn=pool)
        self.queue = JobQueue(
            self.redis, debounce_seconds=self.settings.docgen_sync_debounce_seconds
        )
        # Serve even if Redis is down: /healthz says so and deliveries get a 503.
        if not await _ping(self.redis):
            url = redact_url(self.settings.redis_url.get_secret_value())
            log.warning("redis.unavailable_at_startup", redis=url)
        try:
            yield
        finally:
            await self.redis.aclose(close_connection_pool=True)


async def _ping(redis: ArqRedis | None) -> bool:
    if redis is None:
        return False
    try:
        return bool(await asyncio.wait_for(redis.ping(), HEALTH_TIMEOUT_SECONDS))
    except (RedisError, OSError, TimeoutError):
        return False


async def _queue_depth(redis: ArqRedis | None) -> float:
    """Return how many jobs wait in arq's queue, or NaN when Redis does not answer."""
    if redis is None:
        return math.nan
    try:
        jobs = await asyncio.wait_for(redis.zcard(default_queue_name), HEALTH_TIMEOUT_SECONDS)
        return float(jobs)
    except (RedisError, OSError, TimeoutError):
        return math.nan


async def _respond(send: Send, status: int, payload: dict[str, Any], close: bool = False) -> None:
    body = msgspec.json.encode(payload)
    headers = [_JSON, (b"content-length", str(len(body)).encode())]
    if close:
        headers.append(_CLOSE)
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """Return the body, or None as soon as it exceeds ``limit`` (the rest is never read)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _Disconnected
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        if not message.get("more_body", False):
            if not chunks:
                return chunk
            chunks.append(chunk)
            return b"".join(chunks)
        chunks.append(chunk)


def _untrusted(value: bytes | None) -> str:
    """Return a header value from an unverified request, cut short, for a log line."""
    return "-" if value is None else value[:80].decode("ascii", "replace")


class WebhookEndpoint:
    """The ASGI callable behind ``POST /api/github/webhooks``."""

    def __init__(self, runtime: _Runtime, metrics: WebhookMetrics) -> None:
        self._runtime = runtime
        self._metrics = metrics
        self._verifier = SignatureVerifier(runtime.settings.webhook_secrets())
        self._review_drafts = runtime.settings.docgen_review_drafts
        self._rejections = Throttle(1.0)
        self._too_large = Throttle(1.0)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        length = signature = event = delivery = None
        for name, value in scope["headers"]:
            if name == b"content-length":
                length = value
            elif name == b"x-hub-signature-256":
                signature = value
            elif name == b"x-github-event":
                event = value
            elif name == b"x-github-delivery":
                delivery = value
        # Every line about this delivery carries its id (cut short: it is not verified yet).
        with log_context(delivery_id=_untrusted(delivery)):
            await self._handle(send, receive, length, signature, event, delivery)

    async def _handle(
        self,
        send: Send,
        receive: Receive,
        length: bytes | None,
        signature: bytes | None,
        event: bytes | None,
        delivery: bytes | None,
    ) -> None:
        try:
            if length is not None and length.isdigit() and int(length) > MAX_BODY_BYTES:
                return await self._refuse_too_large(send)
            body = await _read_body(receive, MAX_BODY_BYTES)
            if body is None:
                return await self._refuse_too_large(send)
            if not self._verifier.verify(body, signature):
                return await self._refuse_signature(send, signature)
            await self._verified(send, body, event, delivery)
        except _Disconnected:
            return
        except Exception:
            log.exception("delivery.failed")
            self._metrics.delivery(_untrusted(event), "error")
            await _respond(send, 500, {"error": "internal error"})

    async def _refuse_too_large(self, send: Send) -> None:
        self._metrics.too_large()
        held = self._too_large.allow()
        if held is not None:
            log.warning("delivery.too_large", others_since_last_line=held)
        # Closing the connection stops the client from sending the rest.
        await _respond(send, 413, {"error": "body over 25 MiB"}, close=True)

    async def _refuse_signature(self, send: Send, signature: bytes | None) -> None:
        self._metrics.signature_rejected()
        held = self._rejections.allow()
        if held is not None:
            problem = "missing" if signature is None else "wrong"
            log.warning(f"signature.{problem}", others_since_last_line=held)
        error = "missing X-Hub-Signature-256" if signature is None else "wrong signature"
        await _respond(send, 401, {"error": error})

    async def _verified(
        self, send: Send, body: bytes, event_h: bytes | None, delivery_h: bytes | None
    ) -> None:
        if delivery_h is None or not valid_delivery_id(delivery_h):
            error = "missing or malformed X-GitHub-Delivery"
            return await self._bad(send, "-", error)
        delivery = delivery_h.decode()
        if event_h is None or _EVENT.fullmatch(event_h) is None:
            return await self._bad(send, "-", "missing or malformed X-GitHub-Event")
        event = event_h.decode()
        try:
            decision = decide(event, body, review_drafts=self._review_drafts)
        except BadPayload as exc:
            return await self._bad(send, event, str(exc))
        if isinstance(decision, Ignore):
            self._metrics.delivery(event, "ignored")
            log.info("delivery.ignored", event=event, reason=decision.reason)
            return await _respond(send, 200, {"reason": decision.reason})
        if isinstance(decision, InstallationChange):
            return await self._change(send, event, delivery, decision)
        await self._enqueue(send, event, delivery, decision)

    async def _change(
        self, send: Send, event: str, delivery: str, change: InstallationChange
    ) -> None:
        redis = self._runtime.redis
        if redis is None:
            raise RuntimeError("the app's lifespan has not started")
        bind(installation=change.installation_id)
        try:
            deleted, reason = await _carry_out(redis, change)
        except (RedisError, OSError, TimeoutError) as exc:
            self._metrics.delivery(event, "unavailable")
            log.error("delivery.redis_unavailable", event=event, error=type(exc).__name__)
            return await _respond(send, 503, {"error": "redis unavailable"})
        self._metrics.delivery(event, "handled")
        log.info(
            "installation.changed",
            event=change.name,
            action=change.action,
            repos=len(change.repos),
            keys_deleted=deleted,
        )
        await _respond(send, 200, {"reason": reason, "keys_deleted": deleted})

    async def _enqueue(self, send: Send, event: str, delivery: str, spec: ReviewJob) -> None:
        queue = self._runtime.queue
        if queue is None:
            raise RuntimeError("the app's lifespan has not started")
        bind(installation=spec.installation_id, repo=spec.repo, pr=spec.number)
        started = time.perf_counter()
        try:
            outcome = await queue.enqueue(spec, delivery_id=delivery)
        except (RedisError, OSError, TimeoutError) as exc:
            self._metrics.delivery(event, "unavailable")
            log.error("delivery.queue_unavailable", event=event, error=type(exc).__name__)
            return await _respond(send, 503, {"error": "queue unavailable"})
        self._metrics.enqueue_seconds(time.perf_counter() - started)
        if outcome.ignored:
            self._metrics.delivery(event, "ignored")
            reason = f"installation {spec.installation_id} is suspended"
            log.info("delivery.ignored", event=event, reason=reason)
            return await _respond(send, 200, {"reason": reason})
        self._metrics.delivery(event, "queued" if outcome.created else "duplicate")
        log.info(
            "delivery.queued" if outcome.created else "delivery.duplicate",
            trigger=spec.trigger,
            job_id=outcome.job_id,
            detail=outcome.detail,
        )
        if outcome.created:
            return await _respond(send, 202, {"job_id": outcome.job_id})
        await _respond(send, 200, {"job_id": outcome.job_id, "reason": outcome.detail})

    async def _bad(self, send: Send, event: str, error: str) -> None:
        self._metrics.delivery(event, "bad_request")
        log.warning("delivery.bad_request", event=event, error=error)
        await _respond(send, 400, {"error": error})


async def _carry_out(redis: ArqRedis, change: InstallationChange) -> tuple[int, str]:
    """Apply an installation change to Redis; return the keys deleted and a reason."""
    name, installation = change.name, change.installation_id
    if change.action == "deleted":
        deleted = await lifecycle.forget_installation(redis, installation, change.repos)
        return deleted, f"{name}: forgot installation {installation}"
    if change.action == "suspend":
        await lifecycle.suspend(redis, installation)
        return 0, f"{name}: deliveries of installation {installation} are ignored"
    if change.action == "unsuspend":
        deleted = await lifecycle.unsuspend(redis, installation)
        return deleted, f"{name}: installation {installation} is served again"
    if change.action == "removed":
        deleted = await lifecycle.forget_repositories(redis, change.repos)
        return deleted, f"{name}: forgot {len(change.repos)} repositories"
    return 0, f"{name}: nothing stored"


class _App(Starlette):
    """Starlette, but a webhook POST goes straight to its endpoint.

    The middleware stack and router add work to every request; the webhook
    endpoint has its own catch-all, and GitHub times this path.
    """

    def __init__(self, webhook: WebhookEndpoint, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._webhook = webhook

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == WEBHOOK_PATH and scope["method"] == "POST":
            return await self._webhook(scope, receive, send)
        await super().__call__(scope, receive, send)


def create_app(settings: Settings) -> Starlette:
    """Build the web app; its lifespan opens and closes the Redis pool."""
    settings.require(Front.WEB)
    runtime = _Runtime(settings)
    metrics = WebhookMetrics(HANDLED_EVENTS)

    async def livez(request: Request) -> Response:
        # Alive while the event loop serves requests; Redis is not asked, so an
        # outage of Redis never gets the web pods restarted (it cannot mend it).
        return PlainTextResponse("ok\n")

    async def readyz(request: Request) -> Response:
        if await _ping(runtime.redis):
            return PlainTextResponse("ok\n")
        return PlainTextResponse("redis is not answering\n", status_code=503)

    async def metrics_text(request: Request) -> Response:
        metrics.queue_depth(await _queue_depth(runtime.redis))
        return Response(metrics.render(), media_type=CONTENT_TYPE)

    webhook = WebhookEndpoint(runtime, metrics)
    routes = [
        Route(WEBHOOK_PATH, webhook, methods=["POST"]),
        Route(LIVENESS_PATH, livez, methods=["GET"]),
        Route(READINESS_PATH, readyz, methods=["GET"]),
        Route(LEGACY_HEALTH_PATH, readyz, methods=["GET"]),  # readiness, under its old name
        Route("/metrics", metrics_text, methods=["GET"]),
    ]
    return _App(webhook, routes=routes, lifespan=runtime.lifespan)


def app_from_env() -> Starlette:
    """Build the app from the process environment (uvicorn's ``factory=True`` entry point)."""
    settings = load_settings(Front.WEB)
    configure_logging(settings.docgen_log_level, settings.docgen_log_format)
    return create_app(settings)
