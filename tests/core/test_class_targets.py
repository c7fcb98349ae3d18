"""Class targets: which changed classes get a docstring, its checks, its edit and its safety."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.core.docrules import DocRules, InterrogateRules, PydocstyleRules
from bot.core.edit import Edit, Placement, apply_edits, check_edits, make_edit, place_docstring
from bot.core.extract import (
    ExtractResult,
    FunctionInfo,
    changed_classes,
    changed_functions,
    extract,
)
from bot.core.render import Style
from bot.core.targets import (
    Selection,
    SkipReason,
    TargetRules,
    select_class_targets,
    select_targets,
    with_class_targets,
)
from bot.core.verify import Findings, class_facts, facts_for, verify_docstring

DATA = Path(__file__).parent.parent / "data" / "extract"
SHAPES = (DATA / "shapes.py").read_text()
TABS = (DATA / "tabs.py").read_text().replace('\t"""Walk a directory tree."""\n\n', "")
R = SkipReason
ON = TargetRules(document_classes=True)

SOURCE = '''\
class Pool:
    def __init__(self, size: int, *workers: str, **options: str) -> None:
        self.size = size
        self.workers = workers


class _Private:
    x = 1


class Public:
    """Already documented."""

    class Inner:
        y = 2


def factory():
    class Local:
        z = 3

    return Local
'''


def every_line(source: str) -> set[int]:
    return set(range(1, source.count("\n") + 2))


def result_of(source: str, path: str = "pkg/m.py") -> ExtractResult:
    return extract(path, source, lines=every_line(source), class_records=True)


def classes(source: str, rules: TargetRules = ON, path: str = "pkg/m.py") -> Selection:
    result = result_of(source, path)
    return select_class_targets(result, changed_classes(result, every_line(source)), rules)


def outcome(selection: Selection) -> dict[str, str]:
    found: dict[str, str] = {t.function.key: t.mode for t in selection.targets}
    found.update({s.id.split("::", 1)[-1]: s.reason.name for s in selection.skipped})
    return found


def test_public_classes_without_a_docstring_are_targets() -> None:
    assert outcome(classes(SOURCE)) == {
        "Pool": "insert",
        "_Private": "PRIVATE",
        "Public": "HAS_DOCSTRING",
        "Public.Inner": "insert",
        "factory.<locals>.Local": "LOCAL_CLASS",
    }


def test_no_class_is_selected_when_switched_off() -> None:
    assert classes(SOURCE, TargetRules(document_classes=False)) == Selection((), ())


def test_classes_follow_the_rules_d101_and_d106() -> None:
    only_functions = DocRules(ruff=PydocstyleRules(tool="ruff", codes=frozenset({"D103"})))
    found = outcome(classes(SOURCE, replace(ON, docrules=only_functions)))
    assert found["Pool"] == found["Public.Inner"] == "NOT_REQUIRED"
    top_only = DocRules(ruff=PydocstyleRules(tool="ruff", codes=frozenset({"D101"})))
    found = outcome(classes(SOURCE, replace(ON, docrules=top_only)))
    assert found["Pool"] == "insert" and found["Public.Inner"] == "NOT_REQUIRED"
    nested_ignored = DocRules(interrogate=InterrogateRules(ignore_nested_classes=True))
    found = outcome(classes(SOURCE, replace(ON, docrules=nested_ignored)))
    assert found["Pool"] == "insert" and found["Public.Inner"] == "NOT_REQUIRED"


def test_private_classes_are_targets_when_private_code_is_documented() -> None:
    found = outcome(classes(SOURCE, replace(ON, skip_private=False)))
    assert found["_Private"] == "insert"


def test_a_file_left_alone_leaves_its_classes_alone() -> None:
    found = classes(SOURCE, path="tests/test_pool.py")
    assert found.targets == () and {s.reason for s in found.skipped} == {R.TEST}
    excluded = classes(SOURCE, replace(ON, exclude=("pkg/",)))
    assert {s.reason for s in excluded.skipped} == {R.EXCLUDED}


def test_the_init_stays_a_target_beside_its_class() -> None:
    result = result_of(SOURCE)
    rules = replace(ON, min_lines=1)
    functions = select_targets(result, changed_functions(result, every_line(SOURCE)), rules)
    assert "Pool.__init__" in outcome(functions)
    joined = with_class_targets(functions, classes(SOURCE))
    found = outcome(joined)
    # ruff's D107 flags an __init__ without a docstring even when its class has one.
    assert found["Pool.__init__"] == found["Pool"] == "insert"
    keys = [t.function.key for t in joined.targets]
    assert keys == sorted(keys, key=lambda k: SOURCE.index(k.split(".")[-1]))  # source order


def test_a_whole_file_skip_is_not_repeated_for_its_classes() -> None:
    path = "tests/test_pool.py"
    result = result_of("class Pool:\n    pass\n", path)
    functions = select_targets(result, [], ON)
    assert [s.id for s in functions.skipped] == [path]
    joined = with_class_targets(functions, classes("class Pool:\n    pass\n", path=path))
    assert [s.id for s in joined.skipped] == [f"{path}::Pool"]


def pool() -> FunctionInfo:
    return result_of(SOURCE).class_records[0]


def test_a_class_is_checked_against_its_constructor() -> None:
    facts = facts_for(pool())
    assert facts == class_facts(pool())
    assert facts.params == ("size", "*workers", "**options") and facts.is_class
    assert facts.returns_value is False and facts.raises == () and not facts.is_generator


GOOD: dict[Style, str] = {
    "google": (
        "Run jobs on a fixed set of workers.\n\nArgs:\n    size: How many jobs at once.\n"
        "    *workers: Worker names.\n    **options: Settings per worker."
    ),
    "numpy": (
        "Run jobs on a fixed set of workers.\n\nParameters\n----------\nsize : int\n"
        "    How many jobs at once.\n*workers : str\n    Worker names.\n"
        "**options : str\n    Settings per worker."
    ),
    "sphinx": (
        "Run jobs on a fixed set of workers.\n\n:param size: How many jobs at once.\n"
        ":param workers: Worker names.\n:param options: Settings per worker."
    ),
}


@pytest.mark.parametrize("style", ["google", "numpy", "sphinx"])
def test_a_class_docstring_documents_the_constructor_parameters(style: Style) -> None:
    facts = facts_for(pool())
    assert verify_docstring(GOOD[style], facts, style) == Findings()
    lacking = GOOD[style].replace("How many jobs at once.", "")
    assert verify_docstring(lacking, facts, style).incomplete == ("description of 'size'",)


def test_a_class_docstring_without_the_parameters_is_incomplete() -> None:
    findings = verify_docstring("Run jobs on a fixed set of workers.", facts_for(pool()), "google")
    assert findings.refused == ()
    assert findings.incomplete == ("parameter 'size'", "parameter 'workers'", "parameter 'options'")


def test_a_class_docstring_with_returns_or_made_up_parameters_is_refused() -> None:
    facts = facts_for(pool())
    returns = GOOD["google"] + "\n\nReturns:\n    A pool."
    assert verify_docstring(returns, facts, "google").refused == (
        "documents a return value or yields, which a class docstring has not",
    )
    invented = GOOD["google"].replace("    size:", "    depth: Levels.\n    size:")
    assert verify_docstring(invented, facts, "google").refused == (
        "documents 'depth', which is not a parameter of the class's constructor",
    )
    assert verify_docstring("A pool.", facts, "google").refused == (
        "the docstring only restates the name 'Pool'; say what the class is for",
    )


def insert_everywhere(source: str, doc: list[str]) -> list[Edit]:
    lines = frozenset(every_line(source))
    edits = []
    for record in result_of(source).class_records:
        placement = place_docstring(source, record, lines)
        if record.docstring is None and isinstance(placement, Placement):
            edits.append(make_edit(source, record, placement, doc))
    return edits


def test_a_class_docstring_goes_first_in_its_body_with_a_blank_line_after() -> None:
    [edit] = [e for e in insert_everywhere(SOURCE, ['"""Run jobs."""']) if e.start_line == 1]
    assert edit.new_lines == ("class Pool:", '    """Run jobs."""', "")
    after = apply_edits(SOURCE, [edit])
    assert after.startswith('class Pool:\n    """Run jobs."""\n\n    def __init__(')
    assert check_edits(SOURCE, [edit]) == [None]


def test_no_second_blank_line_and_a_one_line_class_is_split() -> None:
    spaced = "class A:\n\n    x = 1\n"
    [edit] = insert_everywhere(spaced, ['"""An A."""'])
    assert apply_edits(spaced, [edit]) == 'class A:\n    """An A."""\n\n    x = 1\n'
    one = "class B: x = 1\n"
    [split] = insert_everywhere(one, ['"""A B."""'])
    assert apply_edits(one, [split]) == 'class B:\n    """A B."""\n    x = 1\n'
    assert check_edits(one, [split]) == [None]


@pytest.mark.parametrize("source", [SHAPES, TABS, SHAPES.replace("\n", "\r\n"), SOURCE])
def test_class_and_function_edits_pass_the_safety_check_together(source: str) -> None:
    doc = ['"""Do the thing."""']
    edits = insert_everywhere(source, doc)
    assert edits
    lines = frozenset(every_line(source))
    for fn in extract("m.py", source).functions:
        placement = place_docstring(source, fn, lines)
        if fn.docstring is None and isinstance(placement, Placement):
            if all(not (e.start_line <= placement.start_line <= e.end_line) for e in edits):
                edits.append(make_edit(source, fn, placement, doc))
    assert check_edits(source, edits) == [None] * len(edits)
    after = result_of(apply_edits(source, edits))
    assert all(c.docstring is not None for c in after.class_records)


def test_the_safety_check_refuses_a_class_edit_that_does_more() -> None:
    [edit, *_] = insert_everywhere(SOURCE, ['"""Run jobs."""'])
    code = replace(edit, new_lines=(*edit.new_lines, "    extra = 1"))
    assert check_edits(SOURCE, [code]) == ["the result changes code, not only a docstring"]
    # A docstring for the class that lands in its __init__ is not the class's.
    misplaced = Edit(
        "pkg/m.py", 2, 2, (SOURCE.splitlines()[1], '        """Run jobs."""'), def_lineno=1
    )
    assert check_edits(SOURCE, [misplaced]) == ["the result has no docstring in the function"]
