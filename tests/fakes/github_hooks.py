"""The App's webhook in the fake GitHub: deliveries it sends, and every attempt it made.

A test points `url` at the web app and sends events through `send`, so the fake knows
what each attempt was answered, as GitHub does; `GET /app/hook/deliveries` lists the
attempts and `POST /app/hook/deliveries/{id}/attempts` sends one again, with the same
body and the same `X-GitHub-Delivery` (GitHub keeps the event's GUID on a redelivery).
Unlike GitHub, which answers 202 and redelivers a little later, the fake has sent the
redelivery by the time it answers: tests see its outcome at once.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

# GitHub gives up on an answer after 10 s (github.com; "Handling webhook deliveries").
DELIVERY_TIMEOUT_S = 10.0
HOOK_ID = 512209731


@dataclass(frozen=True)
class HookAttempt:
    """One attempt to deliver an event, as GitHub records it."""

    id: int
    guid: str
    event: str
    action: str | None
    installation_id: int | None
    repository_id: int | None
    delivered_at: datetime
    redelivery: bool
    status_code: int  # 0: no answer (refused, reset, timed out)
    status: str
    duration: float
    body: bytes
    headers: Mapping[str, str]


class HookLog:
    """Where the App's webhook points, and the attempts made, oldest first."""

    def __init__(self, app_id: int) -> None:
        self.lock = threading.RLock()
        self.app_id = app_id
        self.url: str | None = None
        self.secret: str | None = None
        self._attempts: list[HookAttempt] = []
        self._ids = itertools.count(93_000_000_001)

    def configure(self, url: str, secret: str) -> None:
        """Point the webhook at ``url``, signing deliveries with ``secret``."""
        with self.lock:
            self.url, self.secret = url, secret

    def attempts(self) -> list[HookAttempt]:
        """Return every attempt, newest first (as the API lists them)."""
        with self.lock:
            return list(reversed(self._attempts))

    def attempt(self, attempt_id: int) -> HookAttempt | None:
        """Return one attempt by id, or None."""
        with self.lock:
            return next((a for a in self._attempts if a.id == attempt_id), None)

    def send(self, event: str, body: bytes, *, guid: str | None = None) -> HookAttempt:
        """Deliver an event to the webhook, signed, and record the attempt and its answer."""
        with self.lock:
            if self.url is None or self.secret is None:
                raise RuntimeError("configure the webhook first")
            signature = hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "GitHub-Hookshot/8f3e1a2",
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": guid or str(uuid.uuid4()),
            "X-GitHub-Hook-ID": str(HOOK_ID),
            "X-GitHub-Hook-Installation-Target-Type": "integration",
            "X-GitHub-Hook-Installation-Target-ID": str(self.app_id),
            "X-Hub-Signature-256": f"sha256={signature}",
        }
        return self._post(event, body, headers, redelivery=False)

    def redeliver(self, attempt_id: int) -> HookAttempt | None:
        """Send an attempt's event again, as it was; None when there is no such attempt."""
        original = self.attempt(attempt_id)
        if original is None:
            return None
        return self._post(original.event, original.body, original.headers, redelivery=True)

    def record(
        self,
        event: str,
        body: bytes,
        *,
        status_code: int,
        guid: str | None = None,
        delivered_at: datetime | None = None,
        redelivery: bool = False,
    ) -> HookAttempt:
        """Record an attempt without sending it (a delivery made before the test began)."""
        headers = {"X-GitHub-Event": event, "X-GitHub-Delivery": guid or str(uuid.uuid4())}
        return self._keep(
            event, body, headers, status_code, 0.1, redelivery, delivered_at or datetime.now(UTC)
        )

    def _post(
        self, event: str, body: bytes, headers: Mapping[str, str], *, redelivery: bool
    ) -> HookAttempt:
        started, at = time.monotonic(), datetime.now(UTC)
        try:
            response = httpx.post(
                self.url or "", content=body, headers=dict(headers), timeout=DELIVERY_TIMEOUT_S
            )
            status_code = response.status_code
        except httpx.TransportError:
            status_code = 0
        duration = time.monotonic() - started
        return self._keep(event, body, headers, status_code, duration, redelivery, at)

    def _keep(
        self,
        event: str,
        body: bytes,
        headers: Mapping[str, str],
        status_code: int,
        duration: float,
        redelivery: bool,
        at: datetime,
    ) -> HookAttempt:
        payload = _payload(body)
        with self.lock:
            attempt = HookAttempt(
                id=next(self._ids),
                guid=headers["X-GitHub-Delivery"],
                event=event,
                action=payload.get("action"),
                installation_id=(payload.get("installation") or {}).get("id"),
                repository_id=(payload.get("repository") or {}).get("id"),
                delivered_at=at,
                redelivery=redelivery,
                status_code=status_code,
                status=_status_text(status_code),
                duration=round(duration, 2),
                body=body,
                headers=dict(headers),
            )
            self._attempts.append(attempt)
            return attempt


def _payload(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _status_text(status_code: int) -> str:
    if status_code == 0:
        return "failed to connect to host"
    if 200 <= status_code < 300:
        return "OK"
    return f"Invalid HTTP Response: {status_code}"
