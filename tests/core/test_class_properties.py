"""Properties of class records over generated modules (hypothesis).

1. Every class's compact view parses as that class, whatever its methods, decorators,
   one-liners, tabs or line endings, and its fingerprint is the AST's, not the text's.
2. A docstring for every class without one, together with one for every function
   without one, passes the safety check and gives each its own docstring.
"""

from __future__ import annotations

import ast
from itertools import count

from hypothesis import HealthCheck, given, settings

from bot.core.edit import Edit, Placement, apply_edits, check_edits, make_edit, place_docstring
from bot.core.extract import extract
from bot.core.fingerprint import class_fingerprint, definition_node
from tests.core.pygen import Module, modules, render

SETTINGS = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@SETTINGS
@given(modules(count(1)))
def test_every_class_view_parses_as_its_class(module: Module) -> None:
    source = render(module).text
    result = extract("m.py", source, class_records=True)
    for record in result.class_records:
        node = definition_node(record.source)
        assert isinstance(node, ast.ClassDef) and node.name == record.name
        assert record.fingerprint == class_fingerprint(node)
        assert record.source.startswith(source.splitlines(keepends=True)[record.lineno - 1])


@SETTINGS
@given(modules(count(1)))
def test_class_and_function_docstrings_pass_together(module: Module) -> None:
    source = render(module).text
    every = frozenset(range(1, source.count("\n") + 2))
    result = extract("m.py", source, class_records=True)
    edits: list[Edit] = []
    for n, record in enumerate([*result.class_records, *result.functions]):
        placement = place_docstring(source, record, every)
        if record.docstring is None and isinstance(placement, Placement):
            edit = make_edit(source, record, placement, [f'"""Summary {n}."""'])
            if not any(
                e.start_line <= edit.end_line and edit.start_line <= e.end_line for e in edits
            ):
                edits.append(edit)
    assert check_edits(source, edits) == [None] * len(edits)
    after = extract("m.py", apply_edits(source, edits), class_records=True)
    written = {r.id: r.docstring for r in [*after.class_records, *after.functions]}
    assert all((written[e.function_id] or "").startswith("Summary") for e in edits)
