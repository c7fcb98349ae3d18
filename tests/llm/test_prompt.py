"""The prompt's shape, the strict schema, and how answers are checked against what was asked."""

from __future__ import annotations

import json

import pytest

from bot.llm.prompt import (
    RESPONSE_FORMAT,
    MalformedAnswer,
    build_messages,
    fence,
    parse_answer,
    parse_function,
    parse_signature,
)
from tests.fakes.azure_answer import asked_functions
from tests.fakes.azure_checks import check_response_format
from tests.llm.helpers import function


def test_each_function_is_a_hash_line_with_its_id_then_its_fenced_source() -> None:
    fns = [function(name="a"), function(name="b", cls="Reader"), function("other.py", "c")]
    messages = build_messages(fns, "google")
    asked = asked_functions(messages)  # the fake's independent reading of the convention
    assert [a.id for a in asked] == [fn.id for fn in fns]
    for fn, seen in zip(fns, asked, strict=True):
        assert fn.source.rstrip() in seen.source


def test_context_comes_first_once_per_file_and_class() -> None:
    fns = [function(name="a", cls="Reader"), function(name="b", cls="Reader"), function(name="c")]
    text = build_messages(fns, "numpy")[1]["content"]
    assert text.count("import os") == 1
    assert text.count("class Reader:") == 1
    assert text.index("import os") < text.index("class Reader:") < text.index("### ")


def test_style_is_named_in_the_system_message() -> None:
    assert "NumPy" in build_messages([function()], "numpy")[0]["content"]
    assert "Sphinx" in build_messages([function()], "sphinx")[0]["content"]
    assert "Google" in build_messages([function()], "google")[0]["content"]


def test_fence_outgrows_backticks_in_the_code() -> None:
    code = 'def f():\n    """Use ```python``` blocks or ````."""\n'
    fenced = fence(code)
    assert fenced.startswith("`````python\n") and fenced.endswith("\n`````")
    assert fence("x = 1").startswith("```python\n")


def test_response_format_is_strict_valid() -> None:
    assert RESPONSE_FORMAT["json_schema"]["strict"] is True
    assert check_response_format({"response_format": RESPONSE_FORMAT}) is None


def test_parse_answer_sorts_good_missing_empty_and_unknown_ids() -> None:
    content = json.dumps(
        {
            "docstrings": [
                {"id": "a.py::f", "docstring": "Do f.\n"},
                {"id": "a.py::g", "docstring": "   "},
                {"id": "z.py::ghost", "docstring": "Boo."},
                {"id": "a.py::f", "docstring": "A second answer is ignored."},
            ]
        }
    )
    parsed = parse_answer(content, ["a.py::f", "a.py::g", "a.py::h"])
    assert parsed.docstrings == {"a.py::f": "Do f."}
    assert parsed.invalid == ("a.py::g",)
    assert parsed.missing == ("a.py::h",)
    assert parsed.unknown == ("z.py::ghost",)


@pytest.mark.parametrize(
    "content",
    [
        None,
        "",
        '{"docstrings": [',
        "[]",
        '{"docs": []}',
        '{"docstrings": [1]}',
        '{"docstrings": [{"id": "a.py::f"}]}',
    ],
)
def test_parse_answer_refuses_what_is_not_the_agreed_shape(content: str | None) -> None:
    with pytest.raises(MalformedAnswer):
        parse_answer(content, ["a.py::f"])


def test_parse_function_reads_methods_with_column_zero_strings() -> None:
    source = '    def f(self, x):\n        s = """\nflush left\n"""\n        return s\n'
    node = parse_function(source)
    assert node is not None and node.name == "f"
    assert parse_function("    def broken(:\n") is None
    assert parse_function("x = 1\n") is None
    assert parse_function("") is None


def test_parse_signature_needs_only_the_def_lines() -> None:
    node = parse_signature("    @staticmethod\n    async def f(a, *b, c, **d) -> int:")
    assert node is not None
    assert [a.arg for a in node.args.args] == ["a"]
