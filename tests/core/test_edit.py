"""Insertion geometry and the safety check, on real file text (including the odd cases)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot.core.edit import (
    Edit,
    NotCommentable,
    Placement,
    apply_edit,
    check_edit,
    make_edit,
    place_docstring,
    strip_docstrings,
)
from bot.core.extract import FunctionInfo, extract

DATA = Path(__file__).parent.parent / "data" / "extract"
SHAPES = (DATA / "shapes.py").read_text()
TABS = (DATA / "tabs.py").read_text()
STALE = (DATA / "stale_head.py").read_text()
DOC = ['"""Do the thing."""']
LONG_DOC = ['"""Do the thing.', "", "Args:", "    x: The thing.", '"""']


def function(source: str, key: str) -> FunctionInfo:
    found = extract("m.py", source).function(key)
    assert found is not None, key
    return found


def everywhere(source: str) -> frozenset[int]:
    return frozenset(range(1, source.count("\n") + 2))


def suggest(
    source: str, key: str, doc: list[str], commentable: frozenset[int] | None = None
) -> tuple[Edit, str]:
    """Place, build, check and apply one edit; return it and the new source."""
    target = function(source, key)
    placement = place_docstring(source, target, commentable or everywhere(source))
    assert isinstance(placement, Placement), placement
    edit = make_edit(source, target, placement, doc)
    assert check_edit(source, edit) is None
    after = apply_edit(source, edit)
    old, new = source.splitlines(True), after.splitlines(True)
    assert new[: edit.start_line - 1] == old[: edit.start_line - 1]
    assert new[edit.start_line - 1 + len(edit.new_lines) :] == old[edit.end_line :]
    return edit, after


def test_insert_after_the_header_line() -> None:
    edit, after = suggest(SHAPES, "parse_header", DOC)
    assert (edit.start_line, edit.end_line) == (18, 18)
    assert edit.new_lines == (
        'def parse_header(line: str, sep: str = ":") -> tuple[str, str]:',
        '    """Do the thing."""',
    )
    assert edit.suggestion == "\n".join(edit.new_lines)
    assert function(after, "parse_header").docstring == "Do the thing."


def test_multiline_signature_anchors_on_the_colon_line() -> None:
    edit, _ = suggest(SHAPES, "Cache.get", LONG_DOC)
    assert (edit.start_line, edit.end_line) == (65, 65)
    assert edit.new_lines == (
        "            ) -> bytes | None:",
        '        """Do the thing.',
        "",
        "        Args:",
        "            x: The thing.",
        '        """',
    )


def test_comment_after_the_colon_stays_on_its_line() -> None:
    edit, after = suggest(SHAPES, "fetch", DOC)
    assert edit.new_lines[0] == SHAPES.splitlines()[32]
    assert edit.new_lines[0].endswith("-> bytes:  # why: a comment after the colon")
    assert function(after, "fetch").docstring_span == (34, 34)


def test_decorated_function_gets_its_docstring_under_the_def() -> None:
    edit, _ = suggest(SHAPES, "Cache.size", DOC)
    assert (edit.start_line, edit.new_lines) == (
        56,
        ("    def size(self) -> int:", '        """Do the thing."""'),
    )


def test_one_liner_is_split_at_the_colon() -> None:
    edit, after = suggest(SHAPES, "first", DOC)
    assert edit.new_lines == (
        "def first(items: list[T], default: T | None = None) -> T | None:",
        '    """Do the thing."""',
        "    return items[0] if items else default",
    )
    method_edit, _ = suggest(SHAPES, "LoggingCache.clear", DOC)
    assert method_edit.new_lines == (
        "    def clear(self):",
        '        """Do the thing."""',
        '        self._items.clear(); print("cleared")',
    )
    stub_edit, _ = suggest(SHAPES, "stub", DOC)
    assert stub_edit.new_lines[-1] == "    ..."


def test_tab_indented_bodies_get_tabs() -> None:
    edit, _ = suggest(TABS, "Walker.files", LONG_DOC)
    assert edit.new_lines[1:] == (
        '\t\t"""Do the thing.',
        "",
        "\t\tArgs:",
        "\t\t    x: The thing.",
        '\t\t"""',
    )
    one_liner, _ = suggest(TABS, "Walker.count", DOC)
    assert one_liner.new_lines == (
        '\tdef count(self, suffix=".py"):',
        '\t\t"""Do the thing."""',
        "\t\treturn sum(1 for _ in self.files(suffix))",
    )


def test_crlf_file_keeps_crlf() -> None:
    source = SHAPES.replace("\n", "\r\n")
    edit, after = suggest(source, "Cache.get", LONG_DOC)
    assert edit.newline == "\r\n"
    assert all("\r" not in line for line in edit.new_lines)
    assert after.count("\r\n") == after.count("\n") == source.count("\n") + len(LONG_DOC)
    assert edit.text.endswith('        """\r\n')


def test_async_def() -> None:
    source = (
        "class Client:\n    async def close(self) -> None:\n        await self._http.aclose()\n"
    )
    edit, after = suggest(source, "Client.close", DOC)
    assert edit.new_lines[1] == '        """Do the thing."""'
    assert function(after, "Client.close").is_async


def test_function_at_the_end_of_a_file_without_a_newline() -> None:
    one_liner = "import os\n\n\ndef cwd(): return os.getcwd()"
    edit, after = suggest(one_liner, "cwd", DOC)
    assert not edit.final_newline
    assert after == 'import os\n\n\ndef cwd():\n    """Do the thing."""\n    return os.getcwd()'
    body_anchor = "def cwd():\n    return os.getcwd()"
    edit, after = suggest(body_anchor, "cwd", DOC, commentable=frozenset({2}))
    assert (edit.start_line, edit.final_newline) == (2, False)
    assert after == 'def cwd():\n    """Do the thing."""\n    return os.getcwd()'


def test_header_outside_the_hunks_anchors_on_the_next_line() -> None:
    edit, after = suggest(SHAPES, "Cache.keys", DOC, commentable=frozenset(range(86, 92)))
    assert (edit.start_line, edit.end_line) == (86, 86)
    assert edit.new_lines == (
        '        """Do the thing."""',
        "        def visible(key: str) -> bool:",
    )
    assert function(after, "Cache.keys").docstring == "Do the thing."


def test_not_commentable_when_neither_line_is_in_a_hunk() -> None:
    target = function(SHAPES, "parse_header")
    assert place_docstring(SHAPES, target, frozenset({20, 21})) == NotCommentable(
        "m.py::parse_header", (18, 19)
    )
    one_liner = function(SHAPES, "first")
    assert isinstance(place_docstring(SHAPES, one_liner, frozenset({43})), NotCommentable)


def test_stale_docstring_is_replaced_in_place() -> None:
    new_doc = [
        '"""Open a connection.',
        "",
        "Args:",
        "    hostname: Server name.",
        "    port: TCP port.",
        "    ssl: Whether to use TLS.",
        '"""',
    ]
    target = function(STALE, "connect")
    placement = place_docstring(STALE, target, everywhere(STALE))
    assert isinstance(placement, Placement)
    assert (placement.mode, placement.anchor, placement.start_line, placement.end_line) == (
        "replace",
        "docstring",
        5,
        10,
    )
    edit, after = suggest(STALE, "connect", new_doc)
    assert edit.new_lines[0] == '    """Open a connection.'
    assert "ssl: Whether to use TLS." in (function(after, "connect").docstring or "")
    partly = frozenset({5, 6, 7})
    assert isinstance(place_docstring(STALE, target, partly), NotCommentable)


def test_docstring_on_the_header_line_is_replaced_keeping_the_rest() -> None:
    edit, after = suggest(SHAPES, "LoggingCache.describe", ['"""Describe the cache."""'])
    assert edit.new_lines == (
        "    def describe(self) -> str:",
        '        """Describe the cache."""; return f"{len(self)} items"',
    )
    assert function(after, "LoggingCache.describe").docstring == "Describe the cache."


def test_trailing_comment_after_a_replaced_docstring_is_kept() -> None:
    source = 'def f(a):\n    """Old."""  # noqa: D401\n    return a\n'
    edit, _ = suggest(source, "f", ['"""New."""'])
    assert edit.new_lines == ('    """New."""  # noqa: D401',)


def test_byte_order_mark_on_the_first_line() -> None:
    source = "\ufeffdef f(): return 1\n"
    edit, after = suggest(source, "f", DOC)
    assert after == '\ufeffdef f():\n    """Do the thing."""\n    return 1\n'
    assert edit.new_lines[0] == "\ufeffdef f():"


def test_check_refuses_a_docstring_that_breaks_out_into_code() -> None:
    target = function(SHAPES, "parse_header")
    placement = place_docstring(SHAPES, target, everywhere(SHAPES))
    assert isinstance(placement, Placement)
    escape = make_edit(SHAPES, target, placement, ['"""Doc."""', "import os"])
    assert check_edit(SHAPES, escape) == "the result changes code, not only a docstring"
    unterminated = make_edit(SHAPES, target, placement, ['"""Doc.'])
    assert (check_edit(SHAPES, unterminated) or "").startswith("the result does not parse")
    not_a_string = make_edit(SHAPES, target, placement, ["pass"])
    assert check_edit(SHAPES, not_a_string) == "the result changes code, not only a docstring"


def test_check_refuses_edits_that_do_not_fit() -> None:
    source = "def f():\n    return 1\n"
    same = Edit("m.py", 1, 1, ("def f():",), def_lineno=1)
    assert check_edit(source, same) == "the suggestion would change nothing"
    outside = Edit("m.py", 3, 4, ('"""x"""',), def_lineno=1)
    assert (check_edit(source, outside) or "").startswith("the edit does not fit the file")
    wrong_function = Edit("m.py", 1, 1, ("def f():", '    """Doc."""'), def_lineno=7)
    assert check_edit(source, wrong_function) == "the edit is not in the function it is meant for"


def test_check_refuses_changes_to_other_docstrings() -> None:
    source = 'def f():\n    """Keep me."""\n    def g():\n        return 1\n    return g\n'
    new_lines = ('    """Changed."""', "    def g():", '        """New."""')
    edit = Edit("m.py", 2, 3, new_lines, def_lineno=3, function_id="m.py::f.<locals>.g")
    assert check_edit(source, edit) == "the result changes another docstring"


def test_check_refuses_an_empty_docstring_list_and_bad_ranges() -> None:
    target = function(SHAPES, "parse_header")
    placement = place_docstring(SHAPES, target, everywhere(SHAPES))
    assert isinstance(placement, Placement)
    with pytest.raises(ValueError, match="at least one line"):
        make_edit(SHAPES, target, placement, [])
    with pytest.raises(ValueError, match="outside the file"):
        apply_edit("x = 1\n", Edit("m.py", 2, 2, ("y",)))


def test_strip_docstrings_removes_module_class_and_function_docstrings() -> None:
    source = '"""Module."""\nclass C:\n    """Class."""\n    def m(self):\n        """M."""\n'
    tree = strip_docstrings(ast.parse(source))
    assert isinstance(tree, ast.Module)
    (klass,) = tree.body
    assert isinstance(klass, ast.ClassDef)
    (method,) = klass.body
    assert isinstance(method, ast.FunctionDef) and method.body == []
    assert "Constant" not in ast.dump(tree)
