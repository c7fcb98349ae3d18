"""The controls and records of the fake Azure OpenAI server, shared with its HTTP thread.

Tests (in their own thread) configure deployments, queue faults, set quotas and choose
how carefully the fake model answers; the server (in its thread) records each request
and consumes faults. One lock guards it
all, and no lock is held across an await.
"""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from tests.fakes.azure_faults import Fault
from tests.fakes.azure_modes import AnswerMode
from tests.fakes.azure_quota import Charge, Ledger, Quota, Verdict

DEFAULT_API_KEY = "fake-azure-key"  # test-only value, never a real secret
DEFAULT_DEPLOYMENT = "docgen-test"
_REASONING = re.compile(r"^(o\d|gpt-5)")
_CL100K = re.compile(r"^(gpt-4($|-)|gpt-3\.5|gpt-35)")
_KEPT_PREFIXES = 64


@dataclass(frozen=True)
class Deployment:
    """One deployment: the model behind it, its tokenizer and limits, and fake-only knobs.

    ``schema_overhead_tokens`` is added to prompt_tokens of requests with a json_schema
    response_format, to model the real service counting the schema. With
    ``prompt_caching`` a prompt whose token prefix matches an earlier one reports that
    prefix as cached, in blocks of ``cache_block_tokens`` from ``cache_min_tokens`` on
    (OpenAI's documented 1024 and 128).
    """

    name: str
    model: str = "gpt-4o-mini"
    encoding: str = "o200k_base"
    context_window: int = 128_000
    max_output_tokens: int = 16_384
    reasoning: bool = False  # o-series/gpt-5: refuses max_tokens and temperature != 1
    structured_outputs: bool = True  # False: refuses a json_schema response_format
    schema_overhead_tokens: int = 0
    prompt_caching: bool = False
    cache_min_tokens: int = 1024
    cache_block_tokens: int = 128


def make_deployment(name: str, model: str = "gpt-4o-mini", **overrides: Any) -> Deployment:
    """Build a deployment with the model's usual facts, then ``overrides`` on top."""
    reasoning = bool(_REASONING.match(model))
    base = Deployment(
        name=name,
        model=model,
        encoding="cl100k_base" if _CL100K.match(model) else "o200k_base",
        context_window=200_000 if reasoning else 128_000,
        max_output_tokens=100_000 if reasoning else 16_384,
        reasoning=reasoning,
    )
    return replace(base, **overrides)


@dataclass
class RecordedRequest:
    """One request as the fake received it, completed with how it was answered."""

    api: str  # "azure" or "openai"
    path: str
    deployment: str | None
    api_version: str | None
    body: dict[str, Any] = field(repr=False)
    time: float
    headers: dict[str, str] = field(repr=False)
    prompt_tokens: int | None = None
    charged_tokens: int = 0
    status: int = 0
    response: dict[str, Any] | None = field(default=None, repr=False)


class FakeAzureState:
    """Deployments, queued faults, quotas and the request record of one fake server."""

    def __init__(
        self,
        *,
        api_key: str = DEFAULT_API_KEY,
        default_deployment: Deployment | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.api_key = api_key
        self._initial = default_deployment or make_deployment(DEFAULT_DEPLOYMENT)
        self.default_deployment = self._initial.name
        self.clock = clock
        self._lock = threading.Lock()
        self.generation = 0
        self.reset()

    def reset(self) -> None:
        """Forget everything but the default deployment (fresh state for the next test)."""
        with self._lock:
            self.generation += 1
            self._deployments = {self._initial.name: self._initial}
            self._faults: dict[str, deque[Fault]] = {}
            self._ledgers: dict[str, Ledger] = {}
            self._prefixes: dict[str, deque[list[int]]] = {}
            self._requests: list[RecordedRequest] = []
            # None holds the mode of deployments that were given none of their own.
            self._modes: dict[str | None, AnswerMode] = {}

    def add_deployment(self, name: str, model: str = "gpt-4o-mini", **facts: Any) -> Deployment:
        """Add (or replace) a deployment; ``facts`` override Deployment fields."""
        deployment = make_deployment(name, model, **facts)
        with self._lock:
            self._deployments[name] = deployment
        return deployment

    def deployment(self, name: str) -> Deployment | None:
        """Return the deployment called ``name``, if any."""
        with self._lock:
            return self._deployments.get(name)

    def deployment_for_model(self, model: str) -> Deployment | None:
        """Resolve an OpenAI-style ``model``: a deployment name, else a deployed model."""
        with self._lock:
            if model in self._deployments:
                return self._deployments[model]
            return next((d for d in self._deployments.values() if d.model == model), None)

    def queue_fault(self, *faults: Fault, deployment: str | None = None) -> None:
        """Queue faults for the next requests to ``deployment`` (default deployment if None)."""
        with self._lock:
            queue = self._faults.setdefault(deployment or self.default_deployment, deque())
            queue.extend(faults)

    def pending_faults(self, deployment: str | None = None) -> list[Fault]:
        """Return the faults not yet consumed for ``deployment``."""
        with self._lock:
            return list(self._faults.get(deployment or self.default_deployment, ()))

    def set_quota(
        self,
        deployment: str | None = None,
        *,
        tokens_per_minute: int | None = None,
        requests_per_minute: int | None = None,
        window_seconds: float = 60.0,
        request_period_seconds: float | None = None,
    ) -> None:
        """Enforce a sliding-window quota on ``deployment`` from now on."""
        period = request_period_seconds
        quota = Quota(tokens_per_minute, requests_per_minute, window_seconds, period)
        with self._lock:
            self._ledger(deployment or self.default_deployment).quota = quota

    def set_answer_mode(self, mode: AnswerMode | str, deployment: str | None = None) -> None:
        """Answer carelessly in ``mode`` from now on (see ``azure_modes``), until reset.

        With ``deployment``, only that deployment's answers; without, every deployment's
        that has no mode of its own. ``"careful"`` restores the default answers.
        """
        chosen = AnswerMode(mode)
        with self._lock:
            self._modes[deployment] = chosen

    def answer_mode(self, deployment: str | None = None) -> AnswerMode:
        """Return the mode ``deployment``'s answers are in (the default deployment if None)."""
        name = deployment or self.default_deployment
        with self._lock:
            return self._modes.get(name) or self._modes.get(None) or AnswerMode.CAREFUL

    @property
    def requests(self) -> list[RecordedRequest]:
        """Return every request received since the last reset, oldest first."""
        with self._lock:
            return list(self._requests)

    def requests_to(self, deployment: str | None = None) -> list[RecordedRequest]:
        """Return the requests addressed to ``deployment`` (default deployment if None)."""
        name = deployment or self.default_deployment
        return [r for r in self.requests if r.deployment == name]

    def quota_charges(self, deployment: str | None = None) -> list[Charge]:
        """Return what the limiter charged (or refused) per request, oldest first."""
        with self._lock:
            return list(self._ledger(deployment or self.default_deployment).charges)

    def peak_usage(self, deployment: str | None = None) -> tuple[int, int]:
        """Return the most (tokens, requests) admitted within any one quota window."""
        with self._lock:
            return self._ledger(deployment or self.default_deployment).peak()

    # The methods below are the HTTP side's.

    def record(self, request: RecordedRequest) -> RecordedRequest:
        """Append a request to the record and return it for later completion."""
        with self._lock:
            self._requests.append(request)
        return request

    def pop_fault(self, deployment: str) -> Fault | None:
        """Take the next queued fault for ``deployment``, if any."""
        with self._lock:
            queue = self._faults.get(deployment)
            return queue.popleft() if queue else None

    def admit(self, deployment: str, tokens: int) -> Verdict:
        """Charge ``tokens`` to the deployment's quota, or refuse with a wait."""
        with self._lock:
            return self._ledger(deployment).admit(self.clock(), tokens)

    def remaining(self, deployment: str) -> tuple[int, int]:
        """Return the (requests, tokens) left in the deployment's current window."""
        with self._lock:
            return self._ledger(deployment).remaining(self.clock())

    def cached_tokens(self, deployment: Deployment, tokens: list[int]) -> int:
        """Return the prompt tokens served from cache, remembering this prompt."""
        if not deployment.prompt_caching:
            return 0
        with self._lock:
            seen = self._prefixes.setdefault(deployment.name, deque(maxlen=_KEPT_PREFIXES))
            common = max((_common_prefix(tokens, s) for s in seen), default=0)
            seen.append(tokens)
        if common < deployment.cache_min_tokens:
            return 0
        return common - common % deployment.cache_block_tokens

    def _ledger(self, deployment: str) -> Ledger:
        return self._ledgers.setdefault(deployment, Ledger())


def _common_prefix(a: list[int], b: list[int]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def header_map(headers: Mapping[str, str]) -> dict[str, str]:
    """Return headers with lower-case names, as the record keeps them."""
    return {k.lower(): v for k, v in headers.items()}
