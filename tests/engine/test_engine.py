"""The shared engine: analysis over plain data, then the skeleton model, render and checks."""

from __future__ import annotations

import ast
from dataclasses import replace

from bot.core.edit import apply_edit
from bot.core.render import RenderOptions
from bot.core.review import FnMarker
from bot.core.skips import Skip, SkipKind
from bot.core.summary import Coverage
from bot.core.targets import TargetRules
from bot.engine.analyse import SourceFile, analyse
from bot.engine.document import Engine, check_proposals, coverage_after, document, plan_of
from bot.llm.skeleton import SkeletonCaller
from bot.settings import Settings
from bot.wiring import budgets_for, planner_for

BASE = "def keep(a):\n    '''Keep a.'''\n    return a\n"
HEAD = (
    "def keep(a):\n    '''Keep a.'''\n    return a\n\n\n"
    "def added(x, y=2):\n    total = x + y\n    return total\n\n\n"
    "def _private(x):\n    value = x\n    return value\n"
)


def files(head: str = HEAD) -> list[SourceFile]:
    return [
        SourceFile("m.py", head, "modified", base_text=BASE),
        SourceFile("notes.md", "text\n", "modified", base_text=""),
        SourceFile("gone.py", None, "removed"),
    ]


def test_analysis_finds_targets_skips_and_coverage() -> None:
    analysis = analyse(files(), TargetRules())
    assert [w.function.id for w in analysis.work] == ["m.py::added"]
    assert [(s.function_id, s.reason) for s in analysis.skipped] == [("m.py::_private", "private")]
    assert (analysis.coverage_before.documented, analysis.coverage_before.total) == (0, 1)
    assert analysis.python_files == 1
    prompt = analysis.work[0].prompt
    assert prompt.signature == "def added(x, y=2):" and "total = x + y" in prompt.source


def test_earlier_suggestions_are_not_repeated_and_gained_docstrings_are_done() -> None:
    first = analyse(files(), TargetRules())
    fn = first.work[0].function
    again = analyse(files(), TargetRules(), previous=[FnMarker(fn.id, fn.fingerprint)])
    assert again.work == [] and again.unchanged == ["m.py::added"]
    documented = HEAD.replace("    total = x + y", "    '''Add.'''\n    total = x + y")
    later = analyse(files(documented), TargetRules(), previous=[FnMarker(fn.id, fn.fingerprint)])
    assert later.done == ["m.py::added"]
    changed = HEAD.replace("total = x + y", "total = y + x")
    redo = analyse(files(changed), TargetRules(), previous=[FnMarker(fn.id, fn.fingerprint)])
    assert [w.function.id for w in redo.work] == ["m.py::added"] and redo.unchanged == []
    others = analyse(files(), TargetRules(), previous=[FnMarker("m.py::other", "f00d")])
    assert [w.function.id for w in others.work] == ["m.py::added"] and others.done == []


def test_a_file_too_large_to_read_is_skipped_with_its_size() -> None:
    huge = (12_897_485, 10 * 2**20)  # 12.3 MiB over 10 MiB
    unread = [
        SourceFile("pkg/table.py", None, "added", too_large=huge),
        SourceFile("pkg/api_pb2.py", None, "added", too_large=huge),  # generated: left out
        SourceFile("pkg/blob.py", None, "added"),  # unreadable for another reason
    ]
    analysis = analyse([*files(), *unread], TargetRules())
    skip = Skip("pkg/table.py", "file is 12.3 MiB, over docgen's 10 MiB limit", kind=SkipKind.FILE)
    assert analysis.unread == [skip]
    assert analysis.skipped == [Skip("m.py::_private", "private", kind=SkipKind.POLICY), skip]
    assert [w.function.id for w in analysis.work] == ["m.py::added"]
    assert analysis.python_files == 1  # the ones read
    assert analysis.coverage_before.total == 1  # its functions are unknown, so not counted


async def test_document_with_the_offline_skeleton() -> None:
    settings = Settings.from_env({})
    analysis = analyse(files(), TargetRules())
    engine = Engine(
        planner_for(settings), SkeletonCaller("google"), RenderOptions(), budgets_for(settings)
    )
    plan = plan_of(engine, analysis)
    assert [r.ids for r in plan.requests] == [("m.py::added",)]
    outcome = await document(engine, analysis)
    [proposal] = outcome.proposals
    result = apply_edit(HEAD, proposal.edit)
    node = next(
        n for n in ast.parse(result).body if isinstance(n, ast.FunctionDef) and n.name == "added"
    )
    doc = ast.get_docstring(node) or ""
    assert "x:" in doc and "y:" in doc and "Returns:" in doc
    assert coverage_after(analysis, outcome.proposals) == Coverage(1, 1)
    assert not outcome.budget_stopped


async def test_budget_refusal_is_reported_as_budget_stopped() -> None:
    settings = Settings.from_env({"DOCGEN_MAX_COST_PER_RUN_USD": "0"})
    analysis = analyse(files(), TargetRules())
    engine = Engine(
        planner_for(settings), SkeletonCaller("google"), RenderOptions(), budgets_for(settings)
    )
    outcome = await document(engine, analysis)
    assert outcome.proposals == [] and outcome.budget_stopped


async def test_a_files_proposals_are_safety_checked_together_and_culprits_refused() -> None:
    settings = Settings.from_env({})
    two = HEAD.replace("def _private(x):", "def more(x):")
    analysis = analyse(files(two), TargetRules())
    engine = Engine(
        planner_for(settings), SkeletonCaller("google"), RenderOptions(), budgets_for(settings)
    )
    outcome = await document(engine, analysis)
    first, second = outcome.proposals
    assert check_proposals([], [first, second]) == [(first, None), (second, None)]
    # A docstring edit that also rewrites a line of code is refused; the other is not.
    lines = (*second.edit.new_lines[:-1], "    value = x * 3")
    tampered = replace(second, edit=replace(second.edit, new_lines=lines))
    [(_, ok), (_, refused)] = check_proposals([], [first, tampered])
    assert ok is None and refused is not None
    # Checked on top of what an earlier round kept: an overlapping second edit is refused.
    [(_, overlap)] = check_proposals([first], [first])
    assert overlap is not None
