"""Classes end to end: analysed, asked for by id, checked, placed and safety-checked."""

from __future__ import annotations

import ast

from bot.core.edit import apply_edits
from bot.core.render import RenderOptions
from bot.core.review import FnMarker
from bot.core.summary import Coverage
from bot.core.targets import TargetRules
from bot.engine.analyse import Analysis, SourceFile, analyse
from bot.engine.document import Engine, coverage_after, document
from bot.llm.prompt import CLASS_NOTE
from bot.llm.skeleton import SkeletonCaller
from bot.settings import Settings
from bot.wiring import budgets_for, planner_for
from tests.engine.test_findings import ScriptedCaller

HEAD = """\
class Pool:
    limit = 8

    def __init__(self, size: int, name: str = "pool") -> None:
        self.size = size
        self.name = name

    def run(self, job):
        result = job(self.size)
        return result
"""
POOL, INIT, RUN = "m.py::Pool", "m.py::Pool.__init__", "m.py::Pool.run"
ON = TargetRules(document_classes=True)

CLASS_DOC = (
    "Run jobs on a fixed number of workers.\n\nArgs:\n    size: How many jobs run at once.\n"
    "    name: A name for the logs."
)
INIT_DOC = "Set up the pool.\n\nArgs:\n    size: How many jobs run at once.\n    name: A name."
RUN_DOC = (
    "Run one job.\n\nArgs:\n    job: The callable to run.\n\nReturns:\n    What the job returns."
)


def files(head: str = HEAD) -> list[SourceFile]:
    return [SourceFile("m.py", head, "added", whole_file=True)]


def engine(caller: ScriptedCaller | SkeletonCaller) -> Engine:
    settings = Settings.from_env({})
    return Engine(planner_for(settings), caller, RenderOptions(), budgets_for(settings))


def class_doc(text: str, name: str = "Pool") -> str | None:
    node = next(n for n in ast.parse(text).body if isinstance(n, ast.ClassDef) and n.name == name)
    return ast.get_docstring(node)


def test_classes_are_left_alone_when_switched_off() -> None:
    analysis = analyse(files(), TargetRules(document_classes=False))
    assert [w.function.id for w in analysis.work] == [INIT, RUN]
    assert analysis.skipped == []


def test_a_new_class_is_a_target_beside_its_init() -> None:
    analysis = analyse(files(), ON)
    assert [w.function.id for w in analysis.work] == [POOL, INIT, RUN]
    assert analysis.skipped == []
    assert analysis.coverage_before == Coverage(0, 3)
    prompt = analysis.work_by_id()[POOL].prompt
    assert prompt.is_class and prompt.signature == "class Pool:" and prompt.class_header == ""
    assert "self.name = name" in prompt.source and "result = job" not in prompt.source


async def test_a_class_is_documented_end_to_end() -> None:
    caller = ScriptedCaller(
        {POOL: (CLASS_DOC, CLASS_DOC), INIT: (INIT_DOC, INIT_DOC), RUN: (RUN_DOC, RUN_DOC)}
    )
    analysis = analyse(files(), ON)
    outcome = await document(engine(caller), analysis)
    [request] = caller.requests
    assert request.ids == (POOL, INIT, RUN)
    assert CLASS_NOTE in request.messages[1]["content"]
    assert [p.work.function.id for p in outcome.proposals] == [POOL, INIT, RUN]
    assert outcome.skipped == analysis.skipped and outcome.incomplete == []
    result = apply_edits(HEAD, [p.edit for p in outcome.proposals])
    assert class_doc(result) == CLASS_DOC
    assert result.startswith('class Pool:\n    """Run jobs on a fixed number of workers.')
    assert '        name: A name for the logs.\n    """\n\n    limit = 8\n' in result
    assert coverage_after(analysis, outcome.proposals) == Coverage(3, 3)


async def test_a_class_docstring_with_returns_is_asked_again_then_kept() -> None:
    wrong = CLASS_DOC + "\n\nReturns:\n    A pool."
    caller = ScriptedCaller(
        {POOL: (wrong, CLASS_DOC), INIT: (INIT_DOC, INIT_DOC), RUN: (RUN_DOC, RUN_DOC)}
    )
    outcome = await document(engine(caller), analyse(files(), ON))
    first, again = caller.requests
    assert again.ids == (POOL,)
    assert "a class docstring has not" in again.functions[0].note
    assert [p.work.function.id for p in outcome.proposals] == [POOL, INIT, RUN]


async def test_a_class_lacking_its_parameters_is_posted_as_incomplete() -> None:
    short = "Run jobs on a fixed number of workers."
    caller = ScriptedCaller(
        {POOL: (short, short), INIT: (INIT_DOC, INIT_DOC), RUN: (RUN_DOC, RUN_DOC)}
    )
    outcome = await document(engine(caller), analyse(files(), ON))
    [incomplete] = outcome.incomplete
    assert incomplete.work.function.id == POOL
    assert incomplete.lacks == ("parameter 'size'", "parameter 'name'")


async def test_the_offline_skeleton_documents_a_class() -> None:
    outcome = await document(engine(SkeletonCaller("google")), analyse(files(), ON))
    result = apply_edits(HEAD, [p.edit for p in outcome.proposals])
    doc = class_doc(result) or ""
    assert "size:" in doc and "name:" in doc and "Returns" not in doc


def test_a_class_suggested_before_is_not_repeated_and_is_done_once_documented() -> None:
    pool = analyse(files(), ON).work_by_id()[POOL].function
    marker = FnMarker(pool.id, pool.fingerprint)
    inside = HEAD.replace("result = job(self.size)", "result = job(self.size * 2)")
    again = analyse(files(inside), ON, previous=[marker])
    assert again.unchanged == [POOL] and [w.function.id for w in again.work] == [INIT, RUN]
    documented = HEAD.replace("    limit = 8", '    """A pool."""\n\n    limit = 8')
    later: Analysis = analyse(files(documented), ON, previous=[marker])
    assert later.done == [POOL]
    grown = HEAD.replace("self.name = name", "self.name = name.strip()")
    redo = analyse(files(grown), ON, previous=[marker])
    assert POOL in redo.work_by_id()
