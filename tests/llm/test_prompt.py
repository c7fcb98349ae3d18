"""The prompt's shape, the strict schema, and how answers are checked against what was asked."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from bot.llm.prompt import (
    RESPONSE_FORMAT,
    STALE_NOTE,
    MalformedAnswer,
    build_messages,
    fence,
    function_section,
    parse_answer,
    parse_function,
    parse_signature,
    used_imports,
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
    uses_os = "total += len(os.sep)"
    fns = [function(name="a", cls="Reader", line=uses_os), function(name="b", cls="Reader")]
    fns.append(function(name="c"))
    text = build_messages(fns, "numpy")[1]["content"]
    assert text.count("import os") == 1
    assert text.count("class Reader:") == 1
    assert text.index("import os") < text.index("class Reader:") < text.index("### ")


IMPORTS = """\
from __future__ import annotations
import os.path
import json as js
from typing import (
    Any,
    Iterator,
)
from .util import *
import re
if True:
    import never_at_top_level
"""


def test_only_the_imports_a_function_uses_are_sent() -> None:
    imports = IMPORTS.split("if True")[0]
    kept = used_imports(imports, ["def f(p) -> 'Iterator[str]':\n    return os.path.join(js.x)\n"])
    assert kept == (
        "import os.path\nimport json as js\nfrom typing import (\n    Any,\n    Iterator,\n)\n"
        "from .util import *"
    )
    # a name mentioned by any function of the batch keeps its import
    assert "import re" in used_imports(imports, ["def f(): pass", "def g(): return re.I"])
    assert used_imports("import os\n", ["def f(): return json"]) == ""


def test_import_text_that_is_not_a_plain_import_list_is_kept_whole() -> None:
    assert used_imports(IMPORTS, ["def f(): pass"]) == IMPORTS  # an if block among them
    assert used_imports("import (", ["def f(): pass"]) == "import ("


def test_unused_imports_are_left_out_of_the_prompt() -> None:
    text = build_messages([function(name="a")], "google")[1]["content"]
    assert "import os" not in text and "Iterable" not in text


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


def test_a_stale_function_is_asked_for_an_update_and_its_docstring_is_sent_once() -> None:
    docstring = "Sum the items.\n\n:param arg0: The items."
    fresh = function(name="a")
    stale_source = fresh.source.replace("\n", f'\n    """{docstring}"""\n', 1)
    stale = replace(fresh, id=fresh.id + "#2", source=stale_source, current_docstring=docstring)
    assert function_section(fresh) == f"### {fresh.id}\n{fence(fresh.source)}"
    assert function_section(stale) == f"### {stale.id}\n{STALE_NOTE}\n{fence(stale_source)}"
    text = build_messages([fresh, stale], "sphinx")[1]["content"]
    assert text.count(STALE_NOTE) == 1 and text.count(":param arg0: The items.") == 1
    asked = asked_functions(build_messages([fresh, stale], "sphinx"))
    assert [a.id for a in asked] == [fresh.id, stale.id]  # the fake still reads ids and code
    assert stale_source.rstrip() in asked[1].source
