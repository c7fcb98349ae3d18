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
