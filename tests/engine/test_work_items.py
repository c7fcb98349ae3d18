"""Work items: a long run asked in parts ends where one uninterrupted run ends."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.core.render import RenderOptions
from bot.core.skips import Skip, SkipKind
from bot.core.targets import TargetRules
from bot.engine.analyse import Analysis, SourceFile, analyse
from bot.engine.document import Engine, Outcome, Progress, document, progress_of
from bot.llm.budget import RunBudget
from bot.llm.plan import PlannedRequest
from bot.llm.skeleton import SkeletonCaller
from bot.llm.usage import Answer, Usage
from bot.settings import Settings
from bot.wiring import budgets_for, planner_for

FUNCTIONS = 45  # the planner packs 20 to a request: three requests


def module(n: int = FUNCTIONS) -> str:
    return "".join(
        f"def step_{i}(value, factor={i}):\n    return value * factor\n\n\n" for i in range(n)
    )


def analysis() -> Analysis:
    return analyse([SourceFile("pkg/steps.py", module(), "added")], TargetRules())


@dataclass
class CountingCaller:
    """The offline skeleton, reporting 100 prompt tokens a call and counting the ids asked."""

    asked: list[str] = field(default_factory=list)

    async def complete(self, request: PlannedRequest) -> Answer:
        self.asked += list(request.ids)
        answer = await SkeletonCaller("google").complete(request)
        return Answer(answer.content, answer.finish_reason, Usage(100, 10), attempts=1)


def engine(caller: CountingCaller, **env: str) -> Engine:
    settings = Settings.from_env({"DOCGEN_MAX_FUNCTIONS_PER_RUN": "100", **env})
    return Engine(
        planner_for(settings),
        caller,
        RenderOptions(),
        budgets_for(settings),
        max_functions=settings.docgen_max_functions_per_run,
    )


async def in_parts(make: CountingCaller, max_requests: int, **env: str) -> list[Outcome]:
    """Run every work item as the worker does: a fresh engine each, the progress carried."""
    outcomes: list[Outcome] = []
    progress = Progress()
    while not outcomes or outcomes[-1].unasked:
        e = engine(make, **env)
        assert e.budgets is not None
        e.budgets.run.carry(*progress.spent)
        outcomes.append(await document(e, analysis(), progress=progress, max_requests=max_requests))
        progress = progress_of(outcomes[-1])
        assert len(outcomes) <= 10
    return outcomes


async def test_a_run_in_parts_asks_each_function_once_and_ends_as_one_run() -> None:
    whole_caller = CountingCaller()
    whole = await document(engine(whole_caller), analysis())
    caller = CountingCaller()
    parts = await in_parts(caller, max_requests=1)
    assert len(parts) == 3
    assert [len(p.unasked) for p in parts] == [25, 5, 0]
    assert sorted(caller.asked) == sorted(whole_caller.asked)  # each function asked once
    assert len(set(caller.asked)) == FUNCTIONS
    last = parts[-1]
    assert [p.docstring for p in last.proposals] == [p.docstring for p in whole.proposals]
    assert [p.edit for p in last.proposals] == [p.edit for p in whole.proposals]
    assert not any(p.cached for p in last.proposals)  # paid for by this run, not reused
    assert last.usage == whole.usage  # every part's calls, as reported
    assert last.usage.calls == 3 and last.usage.prompt_tokens == 300


async def test_a_wave_that_covers_the_plan_is_one_part() -> None:
    caller = CountingCaller()
    [only] = await in_parts(caller, max_requests=3)
    assert only.unasked == [] and len(only.proposals) == FUNCTIONS


async def test_the_function_limit_spans_the_parts() -> None:
    caller = CountingCaller()
    parts = await in_parts(caller, max_requests=1, DOCGEN_MAX_FUNCTIONS_PER_RUN="30")
    assert len(parts) == 2
    last = parts[-1]
    limited = [s for s in last.skipped if s.kind is SkipKind.LIMIT]
    assert len(limited) == 15 and len({s.function_id for s in limited}) == 15
    assert len(last.proposals) == 30 and len(caller.asked) == 30


async def test_the_run_budget_spans_the_parts() -> None:
    # Each call reports 100 prompt tokens; the run may spend 250 however many parts it takes.
    budget = RunBudget(max_prompt_tokens=250, max_cost_usd=None)
    budget.carry(200, 0.0)
    assert budget.reserve(prompt_tokens=100, cost_usd=0.0) is not None
    assert budget.reserve(prompt_tokens=50, cost_usd=0.0) is None


async def test_progress_skips_stand_and_are_not_asked_again() -> None:
    caller = CountingCaller()
    first = await document(engine(caller), analysis(), max_requests=1)
    carried = progress_of(first)
    assert len(carried.answers) == 20 and carried.skipped == ()
    gone = "pkg/steps.py::step_44"
    marked = Progress(
        carried.answers,
        (Skip(gone, "asked twice, refused twice", kind=SkipKind.CHECK),),
        carried.calls,
    )
    caller.asked.clear()
    rest = await document(engine(caller), analysis(), progress=marked)
    assert gone not in caller.asked and len(caller.asked) == 24
    assert [s.function_id for s in rest.skipped if s.kind is SkipKind.CHECK] == [gone]
    assert len(rest.proposals) == 44
