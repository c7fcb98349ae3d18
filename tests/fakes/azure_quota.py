"""Sliding-window quota of the fake Azure OpenAI server, and the record of what it charged.

Azure's limiter charges each request an estimate when it arrives, prompt tokens plus
the completion tokens requested (``max_tokens``/``max_completion_tokens``, else the
model's cap), not what the answer finally used; a request that would take a window
of ``window_seconds`` (60 s by default) over the tokens-per-minute or
requests-per-minute quota gets 429 with the time until enough of the window expires.
Refused requests are not charged.

Azure also evaluates the requests-per-minute quota over short periods (1 or 10
seconds): with ``request_period_seconds`` set, no period of that length may hold
more than its share of the quota (at least one request).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Quota:
    """Limits per sliding window; None means unlimited."""

    tokens_per_minute: int | None = None
    requests_per_minute: int | None = None
    window_seconds: float = 60.0
    request_period_seconds: float | None = None

    @property
    def period_share(self) -> int:
        """Return how many requests one short period may hold."""
        rpm, period = self.requests_per_minute, self.request_period_seconds
        if rpm is None or period is None:
            return UNLIMITED_REQUESTS
        return max(1, int(rpm * period / self.window_seconds))

    def __post_init__(self) -> None:
        limits = (self.tokens_per_minute, self.requests_per_minute)
        if any(v is not None and v < 1 for v in limits) or self.window_seconds <= 0:
            raise ValueError(f"quota limits and window must be positive: {self}")


@dataclass(frozen=True)
class Charge:
    """One request as the limiter saw it: when, how many tokens, and whether admitted."""

    time: float
    tokens: int
    admitted: bool


@dataclass(frozen=True)
class Verdict:
    """The limiter's decision: admitted, or refused with a wait and the limit that bit."""

    retry_after: float | None = None
    calls: bool = False

    @property
    def admitted(self) -> bool:
        """Tell whether the request was let through."""
        return self.retry_after is None


UNLIMITED_REQUESTS = 10_000
UNLIMITED_TOKENS = 10_000_000


class Ledger:
    """Charges of one deployment under one quota; not thread-safe on its own."""

    def __init__(self, quota: Quota | None = None) -> None:
        self.quota = quota or Quota()
        self.charges: list[Charge] = []

    def _window(self, now: float) -> list[Charge]:
        start = now - self.quota.window_seconds
        return [c for c in self.charges if c.admitted and c.time > start]

    def admit(self, now: float, tokens: int) -> Verdict:
        """Charge ``tokens`` at ``now`` if the window has room; else refuse with a wait."""
        verdict = self._judge(self._window(now), now, tokens)
        self.charges.append(Charge(now, tokens, verdict.admitted))
        return verdict

    def _judge(self, window: list[Charge], now: float, tokens: int) -> Verdict:
        q = self.quota
        limits = [(q.window_seconds, q.requests_per_minute)]
        if q.request_period_seconds is not None:
            limits.insert(0, (q.request_period_seconds, q.period_share))
        for period, allowed in limits:
            if allowed is None:
                continue
            # The window is ordered oldest first: wait until enough of the period expires.
            recent = [c for c in window if c.time > now - period]
            if len(recent) >= allowed:
                freeing = recent[len(recent) - allowed]
                return Verdict(freeing.time + period - now, calls=True)
        if q.tokens_per_minute is None:
            return Verdict()
        if tokens > q.tokens_per_minute:
            # Even an empty window cannot hold it: ask for a whole window.
            return Verdict(q.window_seconds)
        excess = sum(c.tokens for c in window) + tokens - q.tokens_per_minute
        if excess <= 0:
            return Verdict()
        for charge in window:
            excess -= charge.tokens
            if excess <= 0:
                return Verdict(charge.time + q.window_seconds - now)
        return Verdict(q.window_seconds)  # pragma: no cover - tokens <= quota frees in time

    def remaining(self, now: float) -> tuple[int, int]:
        """Return (requests, tokens) left in the current window."""
        window = self._window(now)
        requests = self.quota.requests_per_minute or UNLIMITED_REQUESTS
        tokens = self.quota.tokens_per_minute or UNLIMITED_TOKENS
        return max(requests - len(window), 0), max(tokens - sum(c.tokens for c in window), 0)

    def peak(self) -> tuple[int, int]:
        """Return the most (tokens, requests) admitted within any one window."""
        admitted = [c for c in self.charges if c.admitted]
        best_tokens = best_requests = 0
        for end in admitted:
            start = end.time - self.quota.window_seconds
            inside = [c for c in admitted if start < c.time <= end.time]
            best_tokens = max(best_tokens, sum(c.tokens for c in inside))
            best_requests = max(best_requests, len(inside))
        return best_tokens, best_requests
