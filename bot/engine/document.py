"""Step two of the engine: plan, call the model, then render, verify and safety-check.

A docstring that is refused (false, or failing the safety check) is asked for once
more with the reasons stated in the prompt; what fails again is skipped with them.
A docstring that is only incomplete is kept, with what it lacks, for the summary.
Where complete docstrings are required (``Engine.require_complete``) it is asked
for once more, in the same round of retries, and skipped if it still lacks parts.

A large run can be cut into work items (``max_requests``): each asks the model for
the functions of its first few requests only, and names the rest in
``Outcome.unasked``; the next item starts from the :class:`Progress` of the last.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from bot import telemetry
from bot.core.docmerge import merge_update
from bot.core.docrules import DocRules
from bot.core.edit import Edit, check_edits, make_edit
from bot.core.render import RenderOptions, docstring_literal, prepare_docstring, unwrap_answer
from bot.core.review import Suggestion, suggestion_from_edit
from bot.core.skips import Skip, SkipKind
from bot.core.summary import Coverage, Incomplete, UsageTotals
from bot.core.verify import (
    FunctionFacts,
    completion_message,
    facts_for,
    retry_message,
    verify_docstring,
)
from bot.engine.analyse import Analysis, Work
from bot.engine.rules_gate import FAILS_RULES, check_rules
from bot.llm.answers import AnswerBook, Question
from bot.llm.bound import bounded
from bot.llm.budget import Left
from bot.llm.plan import Plan, Planner
from bot.llm.prompt import PromptFunction
from bot.llm.run import Budgets, generate
from bot.llm.tokens import SchemaOverhead
from bot.llm.usage import CallRecord, ModelCaller, totals

INCOMPLETE_AFTER_RETRY = "incomplete after asking again: lacks {lacks}"


@dataclass(frozen=True)
class Proposal:
    """A verified docstring for one function, as an edit and as a suggestion.

    ``lacks`` names what an incomplete docstring leaves out ("parameter 'size'",
    "Returns section"); empty when it is complete.
    """

    work: Work
    docstring: str
    edit: Edit
    suggestion: Suggestion
    lacks: tuple[str, ...] = ()
    answer: str = ""  # the model's text before rendering: what the answer cache keeps
    cached: bool = False  # reused from an earlier run's answer, no model call


@dataclass
class Outcome:
    """Everything one run produced, ready for a review or a terminal."""

    analysis: Analysis
    plans: list[Plan] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    calls: list[CallRecord] = field(default_factory=list)
    left: tuple[Left, ...] = ()
    notes: list[str] = field(default_factory=list)  # e.g. the rules could not be checked
    unasked: list[str] = field(default_factory=list)  # left for the run's next work item

    @property
    def incomplete(self) -> list[Proposal]:
        """Return the proposals kept although they lack parts, in proposal order."""
        return [p for p in self.proposals if p.lacks]

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
    """The model side of a run: planner, caller and budgets, with render options.

    ``require_complete``: ask once more for what an incomplete answer lacks, and
    skip it if it still lacks parts. The fronts set it from ``require_complete``
    in ``.github/docgen.yml`` or ``--require-complete``; the repository's own
    docstring rules may set it too.
    """

    planner: Planner
    caller: ModelCaller
    render: RenderOptions
    budgets: Budgets | None = None
    overhead: SchemaOverhead | None = None
    concurrency: int = 4
    max_functions: int | None = None
    require_complete: bool = False
    answers: AnswerBook | None = None
    docrules: DocRules | None = None  # the repository's rules every suggestion must pass


@dataclass(frozen=True)
class Progress:
    """What the earlier work items of one run produced, carried into the next one.

    ``answers`` maps a function id to the model's text and whether it came from the
    answer cache; ``skipped`` holds the run's own skips (not the analysis's, which
    every item finds again); ``calls`` every model call so far, as reported.
    """

    answers: Mapping[str, tuple[str, bool]] = field(default_factory=dict)
    skipped: tuple[Skip, ...] = ()
    calls: tuple[CallRecord, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def spent(self) -> tuple[int, float]:
        """Return the prompt tokens and dollars the earlier items spent, as reported."""
        used = totals(self.calls)
        return used.prompt_tokens, used.cost_usd


def progress_of(outcome: Outcome) -> Progress:
    """Return what ``outcome`` carries into its run's next work item."""
    own = outcome.skipped[len(outcome.analysis.skipped) :]
    return Progress(
        answers={p.work.function.id: (p.answer, p.cached) for p in outcome.proposals},
        skipped=tuple(own),
        calls=tuple(outcome.calls),
        notes=tuple(outcome.notes),
    )


def plan_of(engine: Engine, analysis: Analysis) -> Plan:
    """Return the plan for the analysis's work, without calling anything."""
    prompts = [w.prompt for w in analysis.work]
    return engine.planner.plan(prompts, max_functions=engine.max_functions)


async def document(
    engine: Engine,
    analysis: Analysis,
    *,
    progress: Progress | None = None,
    max_requests: int | None = None,
) -> Outcome:
    """Get, check and place a docstring for every work item; skip the rest with reasons.

    ``progress``: what the run's earlier work items produced; their answers are
    placed again without a model call, their skips stand. ``max_requests``: ask
    only for the functions of the plan's first ``max_requests`` requests and list
    the others in ``Outcome.unasked``.
    """
    progress = progress or Progress()
    outcome = Outcome(
        analysis,
        skipped=[*analysis.skipped, *progress.skipped],
        calls=list(progress.calls),
        notes=list(progress.notes),
    )
    work = analysis.work_by_id()
    settled = {s.function_id for s in progress.skipped}
    items = [w for w in analysis.work if w.function.id not in settled]
    if progress.answers:
        items = await _place(engine, outcome, items, progress.answers)
    pending = await _reuse(engine, outcome, items)
    prompts, plan = _this_item(engine, outcome, [w.prompt for w in pending], max_requests)
    with bounded(len(prompts)):  # both rounds share the run's bound on model requests
        retry = (
            await _round(engine, outcome, work, prompts, last=False, plan=plan) if prompts else []
        )
        if retry:
            telemetry.retried("verify_reask")
            await _round(engine, outcome, work, retry, last=True)
    order = {w.function.id: i for i, w in enumerate(analysis.work)}
    outcome.proposals.sort(key=lambda p: order[p.work.function.id])
    return outcome


def question(work: Work) -> Question:
    """Return what the model is asked for ``work``, as the answer cache keys it."""
    fn = work.function
    return Question(fn.id, fn.fingerprint, fn.docstring if work.target.mode == "replace" else None)


def _this_item(
    engine: Engine, outcome: Outcome, prompts: list[PromptFunction], max_requests: int | None
) -> tuple[list[PromptFunction], Plan | None]:
    """Return the prompts this work item asks about and their plan, if made here.

    The rest are named in ``outcome.unasked``. The whole plan's function-limit and
    size skips are recorded here, once: the items after this one only ever see the
    functions within the limit.
    """
    if max_requests is None or not prompts:
        return prompts, None
    plan = engine.planner.plan(prompts, max_functions=engine.max_functions)
    if len(plan.requests) <= max_requests:
        return prompts, plan  # the last item: its own round records the plan's skips
    outcome.skipped.extend(plan.skipped)
    asked = plan.requests[:max_requests]
    now = {fn.id for r in asked for fn in r.functions}
    outcome.unasked = [fn.id for r in plan.requests[max_requests:] for fn in r.functions]
    # The skips are recorded above: the round's plan holds only this item's requests.
    part = Plan(asked, (), engine.planner.worst_case_cost(asked))
    return [p for p in prompts if p.id in now], part


async def _reuse(engine: Engine, outcome: Outcome, items: Sequence[Work]) -> list[Work]:
    """Place the answers already paid for; return the work still to ask the model about."""
    if engine.answers is None or not items:
        return list(items)
    found = await engine.answers.lookup(question(w) for w in items)
    return await _place(engine, outcome, items, {k: (v, True) for k, v in found.items()})


async def _place(
    engine: Engine,
    outcome: Outcome,
    items: Sequence[Work],
    found: Mapping[str, tuple[str, bool]],
) -> list[Work]:
    """Place the ``found`` answers (text, from the cache) that still pass every check.

    Return the work left to ask the model about.
    """
    usable: list[Proposal] = []
    for item in items:
        got = found.get(item.function.id)
        if got is None:
            continue
        result = finish(item, got[0], engine.render)
        if isinstance(result, Proposal) and _acceptable(engine, result):
            usable.append(replace(result, cached=got[1]))
    safe = [p for p, unsafe in check_proposals(outcome.proposals, usable) if unsafe is None]
    verdict = await check_rules(engine.docrules, outcome.proposals, safe)
    _note_once(outcome, verdict.notes)
    outcome.proposals.extend(verdict.passing)
    # What was not kept, or no longer passes today's checks, goes to the model.
    placed = {p.work.function.id for p in outcome.proposals}
    return [item for item in items if item.function.id not in placed]


async def remember(engine: Engine, delivered: Iterable[Proposal]) -> None:
    """Keep the answers of the proposals delivered, so no later run pays for them again."""
    if engine.answers is not None:
        await engine.answers.remember((question(p.work), p.answer) for p in delivered)


async def _round(
    engine: Engine,
    outcome: Outcome,
    work: dict[str, Work],
    prompts: Sequence[PromptFunction],
    *,
    last: bool,
    plan: Plan | None = None,
) -> list[PromptFunction]:
    """Ask about ``prompts`` (planned here unless ``plan`` is given); return what to ask again."""
    if plan is None:
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

    def refuse(item: Work, result: Proposal | list[str]) -> None:
        fn_id = item.function.id
        if last:
            outcome.skipped.append(_check_skip(fn_id, result))
        else:
            retry.append(replace(item.prompt, note=_note(fn_id, result)))

    fresh: list[Proposal] = []
    for fn_id, text in generation.docstrings.items():
        result = finish(work[fn_id], text, engine.render)
        if isinstance(result, Proposal) and _acceptable(engine, result):
            fresh.append(result)
        else:
            refuse(work[fn_id], result)
    safe: list[Proposal] = []
    for proposal, unsafe in check_proposals(outcome.proposals, fresh):
        if unsafe is None:
            safe.append(proposal)
        else:
            refuse(proposal.work, [f"the suggestion failed the safety check ({unsafe})"])
    verdict = await check_rules(engine.docrules, outcome.proposals, safe)
    _note_once(outcome, verdict.notes)
    outcome.proposals.extend(verdict.passing)
    for proposal, findings in verdict.failing:
        refuse(proposal.work, [FAILS_RULES.format(findings="; ".join(findings))])
    return retry


def _note_once(outcome: Outcome, notes: Sequence[str]) -> None:
    outcome.notes.extend(n for n in notes if n not in outcome.notes)


def check_proposals(
    kept: Sequence[Proposal], fresh: Sequence[Proposal]
) -> list[tuple[Proposal, str | None]]:
    """Safety-check ``fresh`` file by file, all of a file's edits in one pass.

    The check runs on top of the proposals ``kept`` from earlier rounds, so what
    is accepted is safe together with them; each proposal comes back with None
    (safe) or the reason it is not.
    """
    by_path: dict[str, list[Proposal]] = {}
    for proposal in fresh:
        by_path.setdefault(proposal.edit.path, []).append(proposal)
    verdicts: list[tuple[Proposal, str | None]] = []
    for path, mine in by_path.items():
        before = [p.edit for p in kept if p.edit.path == path]
        reasons = check_edits(mine[0].work.head_text, [p.edit for p in mine], kept=before)
        verdicts += zip(mine, reasons, strict=True)
    return verdicts


def _acceptable(engine: Engine, proposal: Proposal) -> bool:
    """Tell whether a proposal may be delivered: complete, or completeness not required."""
    return not (proposal.lacks and engine.require_complete)


def _note(fn_id: str, result: Proposal | list[str]) -> str:
    """Return what the retry tells the model: why it was refused, or what to add."""
    if isinstance(result, Proposal):
        return completion_message(fn_id, result.lacks, result.docstring)
    return retry_message(fn_id, result)


def _check_skip(fn_id: str, result: Proposal | list[str]) -> Skip:
    if isinstance(result, Proposal):
        reason = INCOMPLETE_AFTER_RETRY.format(lacks=", ".join(result.lacks))
    else:
        reason = "; ".join(result)
    return Skip(fn_id, reason, kind=SkipKind.CHECK)


def _own(facts: FunctionFacts) -> tuple[str, ...]:
    """Return the parameters a docstring documents: all but a method's self or cls."""
    params = facts.params
    return params[1:] if params[:1] in (("self",), ("cls",)) else params


def coverage_after(analysis: Analysis, delivered: Iterable[Proposal]) -> Coverage:
    """Return the changed functions' coverage once the ``delivered`` proposals are applied.

    Only inserted docstrings add to it: a stale docstring brought up to date was
    already counted as documented.
    """
    before = analysis.coverage_before
    inserted = sum(p.work.target.mode == "insert" for p in delivered)
    return Coverage(min(before.documented + inserted, before.total), before.total)


@dataclass(frozen=True)
class Delivery:
    """What the user received of a run's proposals, as the summary reports it."""

    incomplete: tuple[Incomplete, ...]
    cached: tuple[str, ...]
    coverage_after: Coverage


def delivery(analysis: Analysis, delivered: Sequence[Proposal]) -> Delivery:
    """Return what the summary says of the proposals posted (App) or applied (CLI)."""
    return Delivery(
        incomplete=tuple(Incomplete(p.work.function.id, p.lacks) for p in delivered if p.lacks),
        cached=tuple(p.work.function.id for p in delivered if p.cached),
        # The skipped count does not change with suggestions: it is the one before.
        coverage_after=replace(
            coverage_after(analysis, delivered), skipped=analysis.coverage_before.skipped
        ),
    )


def finish(work: Work, text: str, options: RenderOptions) -> Proposal | list[str]:
    """Render, verify and place one answer; return the proposal or why it was refused.

    An incomplete docstring still makes a proposal, with what it lacks. The proposal
    is not yet safety-checked: :func:`check_proposals` does that per file.
    """
    fn = work.function
    indent = len(fn.body_indent.expandtabs(8))
    facts = facts_for(fn)
    body = prepare_docstring(text, indent=indent, options=options)
    findings = verify_docstring(body, facts, options.style)
    if findings.refused:  # judged before a merge, which would drop a made-up parameter quietly
        return list(findings.refused)
    if work.target.mode == "replace" and fn.docstring:
        merged = merge_update(fn.docstring, unwrap_answer(text), options.style, params=_own(facts))
        body = prepare_docstring(merged, indent=indent, options=options)
        findings = verify_docstring(body, facts, options.style)
        if findings.refused:
            return list(findings.refused)
    edit = make_edit(work.head_text, fn, work.placement, docstring_literal(body, options=options))
    # The safety check runs later, over all of a file's proposals at once: check_proposals.
    suggestion = suggestion_from_edit(edit, work.head_text, fn.fingerprint)
    if suggestion.old_lines == suggestion.new_lines:
        return ["the suggestion would change nothing"]
    return Proposal(work, body, edit, suggestion, findings.incomplete, answer=text)
