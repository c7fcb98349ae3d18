"""A stale docstring goes to the model with its text, and the offline skeleton keeps it."""

from __future__ import annotations

import ast

from bot.core.edit import apply_edit
from bot.core.render import RenderOptions
from bot.core.targets import TargetRules
from bot.engine.analyse import SourceFile, analyse
from bot.engine.document import Engine, document
from bot.llm.skeleton import SkeletonCaller
from bot.settings import Settings
from bot.wiring import budgets_for, planner_for
from tests.engine.test_findings import ScriptedCaller

BASE = '''\
def connect(host, port=5432):
    """Open a connection.

    .. versionchanged:: 0.5
       Retries once.

    :param host: Server name.
    :param port: TCP port.
    """
    _open(host, port)


def fresh(x):
    total = x + 1
    return total
'''
HEAD = BASE.replace("def connect(host, port=5432):", "def connect(host, port=5432, *, ssl=False):")
HEAD = HEAD.replace("_open(host, port)", "_open(host, port, ssl)")


def files() -> list[SourceFile]:
    # Every line commentable, as with `docgen suggest --all`: the docstring is far from the diff.
    return [SourceFile("db.py", HEAD, "modified", base_text=BASE, whole_file=True)]


def test_only_the_stale_target_carries_its_current_docstring() -> None:
    work = {w.function.name: w for w in analyse(files(), TargetRules(min_lines=1)).work}
    assert work["connect"].target.mode == "replace"
    assert work["connect"].prompt.current_docstring == work["connect"].function.docstring
    assert ".. versionchanged:: 0.5" in work["connect"].prompt.current_docstring
    assert work["fresh"].prompt.current_docstring == ""


async def test_the_skeleton_updates_a_stale_rest_docstring_in_place() -> None:
    settings = Settings.from_env({})
    analysis = analyse(files(), TargetRules())
    engine = Engine(
        planner_for(settings),
        SkeletonCaller("sphinx"),
        RenderOptions(style="sphinx"),
        budgets_for(settings),
    )
    outcome = await document(engine, analysis)
    [proposal] = [p for p in outcome.proposals if p.work.function.name == "connect"]
    result = apply_edit(HEAD, proposal.edit)
    node = next(n for n in ast.parse(result).body if isinstance(n, ast.FunctionDef))
    assert ast.get_docstring(node) == (
        "Open a connection.\n\n.. versionchanged:: 0.5\n   Retries once.\n\n"
        ":param host: Server name.\n:param port: TCP port.\n:param ssl: TODO: describe."
    )


async def _answer_stale(answer: str) -> tuple[str | None, list[str]]:
    """Have a model answer ``answer`` for the stale ``connect``; return its docstring and skips."""
    settings = Settings.from_env({})
    caller = ScriptedCaller({"db.py::connect": (answer, answer), "db.py::fresh": (FRESH, FRESH)})
    engine = Engine(
        planner_for(settings), caller, RenderOptions(style="sphinx"), budgets_for(settings)
    )
    outcome = await document(engine, analyse(files(), TargetRules(min_lines=1)))
    skipped = [s.reason for s in outcome.skipped if s.function_id == "db.py::connect"]
    found = [p for p in outcome.proposals if p.work.function.name == "connect"]
    if not found:
        return None, skipped
    result = apply_edit(HEAD, found[0].edit)
    node = next(n for n in ast.parse(result).body if isinstance(n, ast.FunctionDef))
    return ast.get_docstring(node), skipped


FRESH = "Add one.\n\nArgs:\n    x: A number.\n\nReturns:\n    The number plus one."


async def test_a_models_update_keeps_the_directive_and_text_it_did_not_touch() -> None:
    # A Google-style answer that only knows the new parameter and a better summary.
    answer = "Open a connection to the server.\n\nArgs:\n    ssl: Use TLS."
    doc, skipped = await _answer_stale(answer)
    assert skipped == []
    assert doc == (
        "Open a connection to the server.\n\n.. versionchanged:: 0.5\n   Retries once.\n\n"
        ":param host: Server name.\n:param port: TCP port.\n:param ssl: Use TLS."
    )


async def test_an_update_that_invents_a_parameter_is_refused_not_merged_away() -> None:
    answer = "Open a connection.\n\n:param host: Server name.\n:param timeout: Seconds to wait."
    doc, skipped = await _answer_stale(answer)
    assert doc is None
    assert ["timeout" in reason and "not a parameter" in reason for reason in skipped] == [True]
