"""Refused answers are asked again then skipped; incomplete ones are posted, or completed.

The model is a tiny scripted caller implementing ``ModelCaller``: it answers each
function with the first text of its script, and with the second once docgen has
asked again (the prompt then carries a note).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.core.render import RenderOptions
from bot.core.skips import Skip, SkipKind
from bot.core.summary import Incomplete, RunReport, summary_body
from bot.core.targets import TargetRules
from bot.engine.analyse import Analysis, SourceFile, analyse
from bot.engine.document import Engine, Outcome, document
from bot.llm.plan import PlannedRequest
from bot.llm.usage import Answer, Usage
from bot.settings import Settings
from bot.wiring import budgets_for, planner_for

HEAD = """\
def total(prices):
    s = 0
    for p in prices:
        s += p
    return s


def scale(values, factor):
    result = [v * factor for v in values]
    return result


def chunks(items, size):
    for start in range(0, len(items), size):
        yield items[start : start + size]
"""
TOTAL, SCALE, CHUNKS = "m.py::total", "m.py::scale", "m.py::chunks"

COMPLETE = {
    TOTAL: "Add up the prices.\n\nArgs:\n    prices: Amounts in cents.\n\nReturns:\n    The sum.",
    SCALE: (
        "Multiply every value by a factor.\n\nArgs:\n    values: Numbers.\n"
        "    factor: The multiplier.\n\nReturns:\n    The scaled values."
    ),
    CHUNKS: (
        "Split a list into slices.\n\nArgs:\n    items: The list.\n    size: Slice length.\n\n"
        "Yields:\n    Slices of at most ``size`` items."
    ),
}
NO_RETURNS = "Add up the prices.\n\nArgs:\n    prices: Amounts in cents."
NO_YIELDS = "Split a list into slices.\n\nArgs:\n    items: The list.\n    size: Slice length."
INVENTED = COMPLETE[SCALE].replace("    factor:", "    offset: Added after.\n    factor:")


@dataclass
class ScriptedCaller:
    """Answer from a script: id -> (first answer, answer once asked again)."""

    script: Mapping[str, tuple[str, str]]
    requests: list[PlannedRequest] = field(default_factory=list)

    async def complete(self, request: PlannedRequest) -> Answer:
        """Answer every function of ``request`` from the script."""
        self.requests.append(request)
        items = [
            {"id": fn.id, "docstring": self.script[fn.id][1 if fn.note else 0]}
            for fn in request.functions
        ]
        return Answer(json.dumps({"docstrings": items}), "stop", Usage(100, 20))


def analysis() -> Analysis:
    found = analyse([SourceFile("m.py", HEAD, "added", whole_file=True)], TargetRules())
    assert [w.function.id for w in found.work] == [TOTAL, SCALE, CHUNKS]
    return found


async def run(
    script: Mapping[str, tuple[str, str]], *, require_complete: bool = False
) -> tuple[Outcome, ScriptedCaller]:
    settings = Settings.from_env({})
    caller = ScriptedCaller(script)
    engine = Engine(
        planner_for(settings),
        caller,
        RenderOptions(),
        budgets_for(settings),
        require_complete=require_complete,
    )
    return await document(engine, analysis()), caller


def asked(caller: ScriptedCaller) -> list[tuple[str, ...]]:
    return [r.ids for r in caller.requests]


def report(outcome: Outcome) -> RunReport:
    """Return the summary's facts as the fronts build them."""
    return RunReport(
        model="m",
        suggested=tuple(p.work.function.id for p in outcome.proposals),
        incomplete=tuple(Incomplete(p.work.function.id, p.lacks) for p in outcome.incomplete),
        skipped=tuple(outcome.skipped),
    )


def same(text: str) -> tuple[str, str]:
    return text, text


async def test_complete_answers_take_one_request() -> None:
    outcome, caller = await run({i: same(t) for i, t in COMPLETE.items()})
    assert asked(caller) == [(TOTAL, SCALE, CHUNKS)]
    assert [p.lacks for p in outcome.proposals] == [(), (), ()] and outcome.incomplete == []


async def test_incomplete_answers_are_posted_and_listed_without_asking_again() -> None:
    script = {TOTAL: same(NO_RETURNS), SCALE: same(COMPLETE[SCALE]), CHUNKS: same(NO_YIELDS)}
    outcome, caller = await run(script)
    assert asked(caller) == [(TOTAL, SCALE, CHUNKS)]  # no token spent on parts nobody asked for
    assert [p.work.function.id for p in outcome.proposals] == [TOTAL, SCALE, CHUNKS]
    assert [(p.work.function.id, p.lacks) for p in outcome.incomplete] == [
        (TOTAL, ("Returns section",)),
        (CHUNKS, ("Yields section",)),
    ]
    assert outcome.proposals[0].docstring == NO_RETURNS  # posted as it is
    assert outcome.skipped == []
    body = summary_body(report(outcome))
    assert body.startswith("docgen suggested 3 docstrings (2 incomplete) · skipped 0")
    assert "**Posted as incomplete**" in body
    assert "| `m.py::total` | Returns section |" in body
    assert "| `m.py::chunks` | Yields section |" in body


async def test_a_refused_answer_is_asked_again_with_the_reason_then_skipped() -> None:
    script = {TOTAL: same(COMPLETE[TOTAL]), SCALE: same(INVENTED), CHUNKS: same(COMPLETE[CHUNKS])}
    outcome, caller = await run(script)
    assert asked(caller) == [(TOTAL, SCALE, CHUNKS), (SCALE,)]
    [retry] = caller.requests[1].functions
    reason = "documents 'offset', which is not a parameter of the function"
    assert reason in retry.note and "rejected" in retry.note
    assert [p.work.function.id for p in outcome.proposals] == [TOTAL, CHUNKS]
    assert outcome.skipped == [Skip(SCALE, reason, kind=SkipKind.CHECK)]


async def test_a_refused_answer_fixed_on_the_retry_is_posted() -> None:
    script = {
        TOTAL: same(COMPLETE[TOTAL]),
        SCALE: (INVENTED, COMPLETE[SCALE]),
        CHUNKS: same(COMPLETE[CHUNKS]),
    }
    outcome, caller = await run(script)
    assert asked(caller) == [(TOTAL, SCALE, CHUNKS), (SCALE,)]
    assert [p.work.function.id for p in outcome.proposals] == [TOTAL, SCALE, CHUNKS]
    assert outcome.skipped == []


async def test_require_complete_asks_again_only_for_what_is_missing_in_one_batch() -> None:
    script = {
        TOTAL: (NO_RETURNS, COMPLETE[TOTAL]),
        SCALE: (INVENTED, COMPLETE[SCALE]),
        CHUNKS: (NO_YIELDS, NO_YIELDS),
    }
    outcome, caller = await run(script, require_complete=True)
    # The refused and the incomplete ones are asked again together, the complete one not.
    assert asked(caller) == [(TOTAL, SCALE, CHUNKS), (TOTAL, SCALE, CHUNKS)]
    notes = {fn.id: fn.note for fn in caller.requests[1].functions}
    assert "lacks: Returns section" in notes[TOTAL] and NO_RETURNS in notes[TOTAL]
    assert "lacks: Yields section" in notes[CHUNKS]
    assert "rejected" in notes[SCALE]
    assert [(p.work.function.id, p.lacks) for p in outcome.proposals] == [
        (TOTAL, ()),
        (SCALE, ()),
    ]
    assert outcome.skipped == [
        Skip(CHUNKS, "incomplete after asking again: lacks Yields section", kind=SkipKind.CHECK)
    ]


async def test_require_complete_leaves_complete_answers_alone() -> None:
    script = {TOTAL: (NO_RETURNS, COMPLETE[TOTAL]), SCALE: same(COMPLETE[SCALE])}
    script[CHUNKS] = same(COMPLETE[CHUNKS])
    outcome, caller = await run(script, require_complete=True)
    assert asked(caller) == [(TOTAL, SCALE, CHUNKS), (TOTAL,)]
    assert outcome.incomplete == [] and len(outcome.proposals) == 3


async def test_without_require_complete_a_retry_may_come_back_incomplete() -> None:
    script = {
        TOTAL: same(COMPLETE[TOTAL]),
        SCALE: (INVENTED, COMPLETE[SCALE].split("\n\nReturns:")[0]),
        CHUNKS: same(COMPLETE[CHUNKS]),
    }
    outcome, caller = await run(script)
    assert asked(caller) == [(TOTAL, SCALE, CHUNKS), (SCALE,)]
    assert [(p.work.function.id, p.lacks) for p in outcome.incomplete] == [
        (SCALE, ("Returns section",))
    ]
