"""The one bound on model requests: at most four HTTP requests per function in a run.

Four layers may each ask the model again, and they multiply:

1. HTTP attempts: a request is sent up to ``RetryPolicy.max_attempts`` (4) times
   on 429, 5xx, timeouts (``bot.llm.client``);
2. budget splits: a request a budget refuses is planned again in halves
   (``bot.llm.run``); a refused request is never sent, so only the parts count;
3. re-asking: ids an answer cut off, left out or spoilt are asked again once, in
   requests half the size (``bot.llm.run``);
4. the second round: answers refused by verification, the safety check or the
   repository's rules are asked for once more (``bot.engine.document``), and that
   round may re-ask (3) too.

Unbounded, one function alone in its requests could cost 4 attempts x 2 asks
(first and re-ask) x 2 rounds = **16 requests**. The bound: a run asked about *n*
functions sends at most ``MAX_REQUESTS_PER_FUNCTION`` x *n* = **4n requests**,
every HTTP attempt counted, whatever layer sent it. For one function that is, for
instance, a first ask that needed two attempts, one re-ask and one second round.
A batch of 20 functions gets 80, far above a run that goes well (1 request), so
only a run where the model keeps failing meets the bound.

It is enforced in one place: :func:`spend`, which ``OpenAICaller`` calls before
each HTTP attempt. The run's allowance travels in a context variable, so every
task a run starts (``asyncio.gather`` copies the context) spends from the same
one. ``bot.engine.document.document`` opens it for both rounds;
``bot.llm.run.generate`` opens one when called on its own. A request refused by
the bound raises :class:`RequestBoundReached`, a fatal ``CallFailed``: the run
stops asking and its functions are skipped (kind MODEL) with the reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from bot.llm.usage import CallFailed

MAX_REQUESTS_PER_FUNCTION = 4


@dataclass
class RequestAllowance:
    """The model requests a run may still send."""

    limit: int
    used: int = 0

    def take(self) -> bool:
        """Count one request; tell whether it is within the bound."""
        if self.used >= self.limit:
            return False
        self.used += 1
        return True


class RequestBoundReached(CallFailed):
    """The run has sent every model request its bound allows."""


_ALLOWANCE: ContextVar[RequestAllowance | None] = ContextVar("docgen_requests", default=None)


def request_bound(functions: int) -> int:
    """Return how many model requests a run asked about ``functions`` functions may send."""
    return MAX_REQUESTS_PER_FUNCTION * max(functions, 1)


@contextmanager
def bounded(functions: int) -> Iterator[RequestAllowance]:
    """Bound the requests sent inside the block; an enclosing run's bound is kept."""
    current = _ALLOWANCE.get()
    if current is not None:
        yield current
        return
    allowance = RequestAllowance(request_bound(functions))
    token = _ALLOWANCE.set(allowance)
    try:
        yield allowance
    finally:
        _ALLOWANCE.reset(token)


def spend(last_failure: str | None = None) -> None:
    """Count one HTTP request to the model; raise RequestBoundReached past the bound.

    ``last_failure`` is why the previous attempt failed, for the skip's reason.
    Outside a bounded run (``docgen doctor``'s one-token call) nothing is counted.
    """
    allowance = _ALLOWANCE.get()
    if allowance is None or allowance.take():
        return
    reason = (
        f"the run sent all {allowance.limit} model requests it may "
        f"({MAX_REQUESTS_PER_FUNCTION} per function)"
    )
    if last_failure:
        reason += f"; the last one failed: {last_failure}"
    raise RequestBoundReached(reason, fatal=True)
