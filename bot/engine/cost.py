"""The most a run may cost, retries included: what a dry run (`docgen suggest`, `/docgen`) prints.

The plan prices every request at its completion limit, but a run may ask again
(``bot/llm/run.py`` and ``bot/engine/document.py``):

1. an answer cut off, withheld, malformed or missing ids is asked for once more,
   in smaller requests, with up to twice the completion allowance;
2. a docstring the checks refuse (or, where completeness is required, one that
   lacks parts) is asked for once more in a second round, with a note saying why;
   that round's answers may be asked for once more as in 1.

So a function is in at most four requests. A request never costs more than its
functions asked one at a time (each request pays the fixed part of the prompt
again), so the retries are priced as every function alone, three more times:
with twice the allowance, with the longest note the engine writes (the earlier
docstring quoted back, every part said to be missing), and with both. The run
budget (``--budget-usd``) stops the run before it could cost more than its cap,
whatever the bound says.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.core.verify import completion_message
from bot.engine.analyse import Work
from bot.engine.document import Engine
from bot.llm.plan import Plan, PlannedRequest, Planner
from bot.llm.prompt import PromptFunction, parse_signature

# Everything a retry note can say is missing, besides the parameters.
_SECTIONS = ("Returns section", "Yields section", "Raises section")
# A word that is one token in every tokenizer docgen uses: the filler of a quoted docstring.
_FILLER = "word "


@dataclass(frozen=True)
class CostBound:
    """What a run may cost: as planned, with every retry, and the cap that stops it."""

    planned_usd: float  # every planned request at its completion limit
    retries_usd: float  # every function asked again as often as the engine may
    cap_usd: float | None  # the run budget; None when nothing is priced (the skeleton)

    @property
    def worst_usd(self) -> float:
        """Return the plan's cost plus every retry's."""
        return self.planned_usd + self.retries_usd

    @property
    def most_usd(self) -> float:
        """Return the most the run can cost: the worst case, or the cap when lower."""
        if self.cap_usd is None:
            return self.worst_usd
        return min(self.worst_usd, self.cap_usd)


def cost_bound(engine: Engine, plan: Plan, work: Sequence[Work]) -> CostBound:
    """Return the most the run of ``plan`` may cost, every retry included."""
    planned = {fn_id for request in plan.requests for fn_id in request.ids}
    functions = [w.prompt for w in work if w.function.id in planned]
    planner = engine.planner
    doubled = planner.with_config(max_batch_functions=1, completion_scale=2.0)
    noted = [replace(fn, note=_longest_note(planner, fn)) for fn in functions]
    retries = [
        *_alone(doubled, functions),
        *_alone(planner.with_config(max_batch_functions=1), noted),
        *_alone(doubled, noted),
    ]
    first = plan.worst_case_cost_usd
    budgets = engine.budgets
    cap = budgets.run.max_cost_usd if budgets is not None else None
    limit = budgets.run.max_prompt_tokens if budgets is not None else None
    prompt = plan.prompt_tokens + sum(r.prompt_tokens for r in retries)
    if limit is not None and prompt > limit:
        # The prompt-token limit may refuse a planned request, which is then split:
        # its functions may cost what they cost asked one at a time.
        alone = _alone(planner.with_config(max_batch_functions=1), functions)
        first = max(first, planner.worst_case_cost(alone))
    return CostBound(first, planner.worst_case_cost(retries), cap)


def _alone(planner: Planner, functions: Sequence[PromptFunction]) -> list[PlannedRequest]:
    requests, _ = planner.batch(functions)  # a function too large for any request costs nothing
    return requests


def _longest_note(planner: Planner, fn: PromptFunction) -> str:
    """Return a note as long as any the engine attaches to ``fn`` when it asks again."""
    lacks = [f"description of {name!r}" for name in _params(fn)] + list(_SECTIONS)
    # The docstring quoted back is at most what the earlier answer could hold.
    earlier = _FILLER * (2 * planner.allowance(fn))
    return completion_message(fn.id, lacks, earlier.strip())


def _params(fn: PromptFunction) -> list[str]:
    node = parse_signature(fn.signature)
    if node is None:  # unparsable: every word of the signature may name one
        return fn.signature.split()
    a = node.args
    every = [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]
    return [arg.arg for arg in every if arg is not None]
