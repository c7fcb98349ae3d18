"""Step two of the engine: plan, call the model, then render, verify and safety-check.

A docstring that fails verification or the safety check is asked for once more
with the failure stated in the prompt; what fails again is skipped with its reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from bot.core.edit import Edit, check_edit, make_edit
from bot.core.render import RenderOptions, docstring_literal, prepare_docstring
from bot.core.review import Suggestion, suggestion_from_edit
from bot.core.skips import Skip, SkipKind
from bot.core.summary import Coverage, UsageTotals
from bot.core.verify import facts_for, retry_message, verify_docstring
from bot.engine.analyse import Analysis, Work
from bot.llm.budget import Left
from bot.llm.plan import Plan, Planner
from bot.llm.prompt import PromptFunction
from bot.llm.run import Budgets, generate
from bot.llm.tokens import SchemaOverhead
from bot.llm.usage import CallRecord, ModelCaller, totals


@dataclass(frozen=True)
class Proposal:
    """A verified docstring for one function, as an edit and as a suggestion."""

    work: Work
    docstring: str
    edit: Edit
    suggestion: Suggestion


@dataclass
class Outcome:
    """Everything one run produced, ready for a review or a terminal."""

    analysis: Analysis
    plans: list[Plan] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    calls: list[CallRecord] = field(default_factory=list)
    left: tuple[Left, ...] = ()

    @property
    def usage(self) -> UsageTotals:
        """Return the run's usage as the API reported it."""
        return totals(self.calls)

    @property
    def budget_stopped(self) -> bool:
        """Tell whether a budget kept any function from being documented."""
        return any(s.kind is SkipKind.BUDGET for s in self.skipped)

    @property
    def limit_stopped(self) -> bool:
        """Tell whether the run's function limit kept any function from being documented."""
        return any(s.kind is SkipKind.LIMIT for s in self.skipped)


@dataclass(frozen=True)
class Engine:
    """The model side of a run: planner, caller and budgets, with render options."""

    planner: Planner
    caller: ModelCaller
    render: RenderOptions
    budgets: Budgets | None = None
    overhead: SchemaOverhead | None = None
    concurrency: int = 4
    max_functions: int | None = None


def plan_of(engine: Engine, analysis: Analysis) -> Plan:
    """Return the plan for the analysis's work, without calling anything."""
    prompts = [w.prompt for w in analysis.work]
    return engine.planner.plan(prompts, max_functions=engine.max_functions)


async def document(engine: Engine, analysis: Analysis) -> Outcome:
    """Get, check and place a docstring for every work item; skip the rest with reasons."""
    outcome = Outcome(analysis, skipped=list(analysis.skipped))
    work = analysis.work_by_id()
    retry = await _round(engine, outcome, work, [w.prompt for w in analysis.work], last=False)
    if retry:
        await _round(engine, outcome, work, retry, last=True)
    order = {w.function.id: i for i, w in enumerate(analysis.work)}
    outcome.proposals.sort(key=lambda p: order[p.work.function.id])
    return outcome


async def _round(
    engine: Engine,
    outcome: Outcome,
    work: dict[str, Work],
    prompts: Sequence[PromptFunction],
    *,
    last: bool,
) -> list[PromptFunction]:
    plan = engine.planner.plan(prompts, max_functions=engine.max_functions)
    outcome.plans.append(plan)
    generation = await generate(
        plan,
        engine.caller,
        engine.planner,
        budgets=engine.budgets,
        overhead=engine.overhead,
        concurrency=engine.concurrency,
    )
    outcome.calls.extend(generation.calls)
    outcome.left = generation.left
    outcome.skipped.extend(generation.skipped)
    retry: list[PromptFunction] = []
    for fn_id, text in generation.docstrings.items():
        item = work[fn_id]
        result = finish(item, text, engine.render)
        if isinstance(result, Proposal):
            outcome.proposals.append(result)
        elif last:
            outcome.skipped.append(Skip(fn_id, "; ".join(result), kind=SkipKind.CHECK))
        else:
            note = retry_message(fn_id, result, engine.render.style)
            retry.append(replace(item.prompt, note=note))
    return retry


def coverage_after(analysis: Analysis, delivered: Iterable[Proposal]) -> Coverage:
    """Return the changed functions' coverage once the ``delivered`` proposals are applied.

    Only inserted docstrings add to it: a stale docstring brought up to date was
    already counted as documented.
    """
    before = analysis.coverage_before
    inserted = sum(p.work.target.mode == "insert" for p in delivered)
    return Coverage(min(before.documented + inserted, before.total), before.total)


def finish(work: Work, text: str, options: RenderOptions) -> Proposal | list[str]:
    """Render, verify and place one answer; return the proposal or the reasons it failed."""
    fn = work.function
    indent = len(fn.body_indent.expandtabs(8))
    body = prepare_docstring(text, indent=indent, options=options)
    problems = verify_docstring(body, facts_for(fn), options.style)
    if problems:
        return problems
    edit = make_edit(work.head_text, fn, work.placement, docstring_literal(body, options=options))
    unsafe = check_edit(work.head_text, edit)
    if unsafe is not None:
        return [f"the suggestion failed the safety check ({unsafe})"]
    suggestion = suggestion_from_edit(edit, work.head_text, fn.fingerprint)
    if suggestion.old_lines == suggestion.new_lines:
        return ["the suggestion would change nothing"]
    return Proposal(work, body, edit, suggestion)
