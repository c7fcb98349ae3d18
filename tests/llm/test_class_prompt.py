"""A class in the prompt and in the offline skeleton: described as a class, same JSON contract."""

from __future__ import annotations

import ast

from bot.llm.prompt import (
    CLASS_NOTE,
    PromptFunction,
    function_section,
    parse_definition,
    parse_function,
)
from bot.llm.skeleton import skeleton_docstring
from bot.settings import Settings
from bot.wiring import planner_for

VIEW = """\
    class Pool(Base):
        limit = 8

        def __init__(self, size: int, *names: str) -> None:
            self.size = size

        def run(self, job):
            ...
"""


def test_a_class_section_says_what_its_docstring_covers() -> None:
    fn = PromptFunction("m.py::Outer.Pool", "m.py", VIEW, "    class Pool(Base):", is_class=True)
    section = function_section(fn)
    assert section.startswith(f"### m.py::Outer.Pool\n{CLASS_NOTE}\n```python\n")
    assert CLASS_NOTE not in function_section(PromptFunction("m.py::f", "m.py", "def f(): ...", ""))


def test_a_class_parses_as_a_definition_not_a_function() -> None:
    assert isinstance(parse_definition(VIEW), ast.ClassDef)
    assert parse_function(VIEW) is None


def test_the_skeleton_documents_a_class_from_its_init() -> None:
    assert skeleton_docstring(VIEW, "google") == (
        "TODO: summarize what Pool is for.\n\nArgs:\n    size: TODO: describe.\n"
        "    *names: TODO: describe."
    )
    assert skeleton_docstring("class Empty:\n    x = 1\n", "google") == (
        "TODO: summarize what Empty is for."
    )


def test_a_class_is_allowed_answer_tokens_for_its_constructor_parameters() -> None:
    planner = planner_for(Settings.from_env({}))
    many = VIEW.replace("*names: str", "a: int, b: int, c: int, d: int")
    shown = [
        PromptFunction("m.py::Pool", "m.py", v, "    class Pool(Base):", is_class=True)
        for v in (VIEW, many)
    ]
    two, five = (planner.allowance(fn, size=100) for fn in shown)
    assert five - two == 3 * planner.config.per_param
