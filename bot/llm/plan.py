"""Pure batch planning: requests that fit the model by construction.

For every request the planner builds, ``prompt + max_completion`` is at most
the context window minus a safety margin (and at most the per-request cap a
tokens-per-minute quota implies), where ``prompt`` is the exact count of the
messages plus the response schema's overhead and ``max_completion`` is what
the batch's docstrings can need: an allowance per function that grows with
the function's size, capped by the model's output limit. It never asks for
"whatever is left of the window".

Functions of one file stay side by side, after the imports they use and
their class headers; a request may hold several files. A function too large
for any request has the middle of its body elided; only one whose signature
alone does not fit is skipped.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from bot.core.skips import Skip, SkipKind
from bot.llm import prompt
from bot.llm.models import ModelFacts
from bot.llm.prompt import PromptFunction, Style
from bot.llm.tokens import TokenCounter

_SLACK = 4  # tokens per joined part: where parts meet, the tokenizer may split differently


@dataclass(frozen=True)
class PlanConfig:
    """Knobs of the planner; the defaults suit docstrings of everyday functions."""

    style: Style = "google"
    safety_margin: int = 256  # kept free below the window for counting drift
    schema_overhead: int = 0  # prompt tokens the response schema adds, margin included
    max_request_tokens: int | None = None  # e.g. the tokens-per-minute quota
    # Twenty docstrings are about 2,000 answer tokens: one request, well inside the timeout.
    max_batch_functions: int = 20
    max_batch_prompt_tokens: int = 6_000  # a soft cap: one function alone may pass it
    answer_overhead: int = 12  # {"docstrings":[...]} around the entries
    entry_overhead: int = 12  # {"id":"...","docstring":"..."} around one text
    per_function_base: int = 40
    per_param: int = 24
    size_ratio: float = 0.1  # completion tokens per source token
    per_function_cap: int = 500
    reasoning_allowance: int = 0  # hidden reasoning tokens, for o-series and gpt-5
    completion_scale: float = 1.0  # raised when a retry follows a truncated answer


@dataclass(frozen=True)
class PlannedRequest:
    """One model call: the functions as sent, the messages, and its token bounds."""

    functions: tuple[PromptFunction, ...]
    messages: tuple[Mapping[str, str], ...]
    counted_tokens: int  # the messages, counted as the service does
    prompt_tokens: int  # counted_tokens + schema overhead: what the plan relies on
    max_completion: int
    elided: tuple[str, ...] = ()  # ids whose body was shortened to fit

    @property
    def ids(self) -> tuple[str, ...]:
        """Return the ids of the functions in this request, in prompt order."""
        return tuple(fn.id for fn in self.functions)

    @property
    def total_tokens(self) -> int:
        """Return the most tokens this request can use: prompt + max completion."""
        return self.prompt_tokens + self.max_completion


@dataclass(frozen=True)
class Plan:
    """Every request to make, every function skipped, and the worst case they cost."""

    requests: tuple[PlannedRequest, ...]
    skipped: tuple[Skip, ...]
    worst_case_cost_usd: float

    @property
    def prompt_tokens(self) -> int:
        """Return the prompt tokens of all requests together."""
        return sum(r.prompt_tokens for r in self.requests)

    @property
    def max_completion_tokens(self) -> int:
        """Return the completion tokens all requests may use together."""
        return sum(r.max_completion for r in self.requests)


@dataclass(frozen=True)
class _Item:
    """A function ready to pack: as it will be sent, its allowance and its estimated size."""

    fn: PromptFunction
    allowance: int
    section: int  # tokens its ``### id`` line and fenced source add, slack included
    elided: bool = False
    context: tuple[str, ...] = ()  # the imports it uses and its class header, as shown


@dataclass(frozen=True)
class Planner:
    """Build requests for one model under one configuration."""

    facts: ModelFacts
    counter: TokenCounter
    config: PlanConfig = PlanConfig()

    @property
    def request_limit(self) -> int:
        """Return the most ``prompt + max_completion`` one request may use."""
        limit = self.facts.context_window - self.config.safety_margin
        if self.config.max_request_tokens is not None:
            limit = min(limit, self.config.max_request_tokens)
        return limit

    def section_tokens(self, fn: PromptFunction) -> int:
        """Return about what ``fn``'s ``### id`` line and fenced source add to a prompt."""
        return self.counter.text(prompt.function_section(fn)) + _SLACK

    def allowance(self, fn: PromptFunction, size: int | None = None) -> int:
        """Return the completion tokens ``fn``'s docstring may need, its JSON entry included.

        ``size`` is ``fn``'s section tokens, when already counted.
        """
        cfg = self.config
        # A class's docstring documents its constructor's parameters.
        node = prompt.class_init(fn.source) if fn.is_class else prompt.parse_signature(fn.signature)
        if node is not None:
            args = node.args
            every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
            params = sum(1 for a in every if a is not None and a.arg not in ("self", "cls"))
        else:
            params = fn.signature.count(",") + 1
        if size is None:
            size = self.section_tokens(fn)
        text = cfg.per_function_base + cfg.per_param * params
        text += math.ceil(cfg.size_ratio * size)
        entry = min(text, cfg.per_function_cap) + cfg.entry_overhead + self.counter.text(fn.id)
        return math.ceil(entry * cfg.completion_scale)

    @functools.cached_property
    def _empty_prompt(self) -> int:
        """Return the prompt tokens of a request before any file or function is added."""
        return self.counter.messages(prompt.build_messages([], self.config.style)) + _SLACK

    def request(self, functions: Sequence[PromptFunction]) -> PlannedRequest:
        """Render ``functions`` as one request and count it exactly."""
        return self._request([_Item(fn, self.allowance(fn), 0) for fn in functions])

    def _request(self, items: Sequence[_Item]) -> PlannedRequest:
        functions = [item.fn for item in items]
        messages = tuple(prompt.build_messages(functions, self.config.style))
        counted = self.counter.messages(messages)
        completion = self.config.answer_overhead + self.config.reasoning_allowance
        completion = min(completion + sum(i.allowance for i in items), self.facts.max_output_tokens)
        return PlannedRequest(
            tuple(functions),
            messages,
            counted,
            counted + self.config.schema_overhead,
            completion,
            tuple(i.fn.id for i in items if i.elided),
        )

    def fits(self, request: PlannedRequest) -> bool:
        """Tell whether ``request`` is within the window, margin and per-request cap."""
        return request.total_tokens <= self.request_limit

    def plan(self, functions: Sequence[PromptFunction], max_functions: int | None = None) -> Plan:
        """Plan requests for ``functions``: same file together, in the given order."""
        skipped: list[Skip] = []
        if max_functions is not None and len(functions) > max_functions:
            s = "" if max_functions == 1 else "s"
            reason = f"function limit reached: at most {max_functions} function{s} per run"
            rest = functions[max_functions:]
            skipped += [Skip(fn.id, reason, kind=SkipKind.LIMIT) for fn in rest]
            functions = functions[:max_functions]
        requests, too_large = self.batch(functions)
        return Plan(tuple(requests), tuple(skipped + too_large), self.worst_case_cost(requests))

    def batch(self, functions: Sequence[PromptFunction]) -> tuple[list[PlannedRequest], list[Skip]]:
        """Pack ``functions`` into requests greedily, a file's functions side by side.

        Files come in the order they are first seen; one request may hold the
        end of one file and the start of the next, so the system prompt and
        the schema are paid per request, not per file.
        """
        by_path: dict[str, list[PromptFunction]] = {}
        for fn in functions:
            by_path.setdefault(fn.path, []).append(fn)
        items: list[_Item] = []
        skipped: list[Skip] = []
        for fn in itertools.chain.from_iterable(by_path.values()):
            item = self._item(fn)
            if isinstance(item, Skip):
                skipped.append(item)
            else:
                items.append(item)
        return self._pack(items, skipped), skipped

    def _pack(self, items: Sequence[_Item], skipped: list[Skip]) -> list[PlannedRequest]:
        """Cut the items into requests, in order: estimate greedily, then count exactly."""
        out: list[PlannedRequest] = []
        start = 0
        while start < len(items):
            end = self._greedy_end(items, start)
            request = self._request(items[start:end])
            # The estimates are built to err high; should one ever err low, shrink.
            while end - start > 1 and not self._acceptable(request, items[start:end]):
                end -= 1
                request = self._request(items[start:end])
            if not self.fits(request):  # a lone function: count it exactly this time
                item = self._item(items[start].fn, trust_estimate=False)
                if isinstance(item, Skip):
                    skipped.append(item)
                    start = end
                    continue
                request = self._request([item])
            out.append(request)
            start = end
        return out

    def _acceptable(self, request: PlannedRequest, items: Sequence[_Item]) -> bool:
        budget = self.config.answer_overhead + self.config.reasoning_allowance
        needed = budget + sum(item.allowance for item in items)
        return (
            self.fits(request)
            and request.prompt_tokens <= self.config.max_batch_prompt_tokens
            and needed <= self.facts.max_output_tokens
        )

    def _greedy_end(self, items: Sequence[_Item], start: int) -> int:
        """Return the end of the longest run of items from ``start`` estimated to fit."""
        cfg = self.config
        first = items[start]
        prompt = self._estimate_alone(first)
        completion = cfg.answer_overhead + cfg.reasoning_allowance + first.allowance
        shown = _shown_by(first)
        end = start + 1
        while end < len(items) and end - start < cfg.max_batch_functions:
            item = items[end]
            extra = item.section + self._added_context(item, shown)
            grown_completion = completion + item.allowance
            if (
                prompt + extra > cfg.max_batch_prompt_tokens
                or prompt + extra + grown_completion > self.request_limit
                or grown_completion > self.facts.max_output_tokens
            ):
                break
            prompt, completion = prompt + extra, grown_completion
            shown |= _shown_by(item)
            end += 1
        return end

    def _added_context(self, item: _Item, shown: set[tuple[str, str]]) -> int:
        """Return at least what ``item``'s file heading and context add beyond ``shown``.

        Each function's own imports are counted whole, so imports two functions
        share are counted twice: an estimate that errs high, as packing needs.
        """
        path = item.fn.path
        if (path, "") not in shown:
            return self._heading_tokens(item)
        new = [block for block in item.context if (path, block) not in shown]
        return sum(self.counter.text(block) + _SLACK for block in new)

    def _heading_tokens(self, item: _Item) -> int:
        """Return at least what ``item``'s file heading adds with its context."""
        heading = prompt.file_header(item.fn.path, item.context) + "\n\n"
        return self.counter.text(heading) + 2 * _SLACK

    def _item(self, fn: PromptFunction, trust_estimate: bool = True) -> _Item | Skip:
        """Return ``fn`` ready to pack, its body's middle elided if needed, or why it cannot fit."""
        section = self.section_tokens(fn)
        allowance = self.allowance(fn, section)
        item = _Item(fn, allowance, section, context=_context_of(fn))
        completion = self.config.answer_overhead + self.config.reasoning_allowance + allowance
        if trust_estimate and self._estimate_alone(item) + completion <= self.request_limit:
            return item  # the estimate errs high, and _pack counts the request exactly
        if self.fits(self._request([item])):
            return item
        short = self._elide(fn, allowance)
        if isinstance(short, _Item):
            return short
        return Skip(
            fn.id,
            f"too large for the model: its signature alone needs {short} tokens "
            f"(prompt and answer) and one request may use {self.request_limit}",
            kind=SkipKind.TOO_LARGE,
        )

    def _elide(self, fn: PromptFunction, allowance: int) -> _Item | int:
        """Return ``fn`` keeping as much of its body's start and end as fits.

        When not even the signature fits, return the tokens the bare signature needs.
        """
        body = prompt.body_lines(fn)
        bare = self._request([_Item(prompt.shortened(fn, 0), allowance, 0)])
        room = self.request_limit - bare.total_tokens
        if room < 0:
            return bare.total_tokens
        # Lines cost about what they cost alone; pick the most that seem to fit, then check.
        sizes = [self.counter.text(line + "\n") for line in body]
        prefix = list(itertools.accumulate(sizes, initial=0))

        def cost(keep: int) -> int:
            first = (keep + 1) // 2
            return prefix[first] + prefix[-1] - prefix[len(body) - (keep - first)]

        keep = bisect.bisect_right(range(len(body)), room, key=cost) - 1
        while keep > 0:
            item = _Item(prompt.shortened(fn, keep), allowance, 0, elided=True)
            if self.fits(self._request([item])):
                break
            keep -= max(1, keep // 16)
        keep = max(keep, 0)
        short = prompt.shortened(fn, keep)
        section = self.section_tokens(short)
        return _Item(short, allowance, section, elided=True, context=_context_of(short))

    def _estimate_alone(self, item: _Item) -> int:
        """Return an upper estimate of the prompt of ``item``'s own request."""
        overhead = self.config.schema_overhead
        return self._empty_prompt + self._heading_tokens(item) + item.section + overhead

    def worst_case_cost(self, requests: Sequence[PlannedRequest]) -> float:
        """Price ``requests`` as if every one used its whole completion allowance."""
        return sum(self.facts.cost_usd(r.prompt_tokens, r.max_completion) for r in requests)

    def with_config(self, **changes: object) -> Planner:
        """Return a planner whose configuration differs by ``changes``."""
        return replace(self, config=replace(self.config, **changes))  # type: ignore[arg-type]


def _context_of(fn: PromptFunction) -> tuple[str, ...]:
    """Return the context blocks showing ``fn`` alone would send."""
    return tuple(prompt.context_blocks([fn]))


def _shown_by(item: _Item) -> set[tuple[str, str]]:
    """Return what showing ``item`` puts in a request: its file's heading and its context."""
    return {(item.fn.path, ""), *((item.fn.path, block) for block in item.context)}
