"""Extraction: every function with its exact lines, signature, docstring and qualname."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

from bot.core.extract import Param, changed_functions, extract
from bot.core.pysource import describe_syntax_error, newer_syntax_reason, python_for

DATA = Path(__file__).parent.parent / "data" / "extract"
SHAPES = (DATA / "shapes.py").read_text()
CO_OPTIMIZED = 0x1


def python_functions(source: str) -> set[tuple[str, int]]:
    """Return (``co_qualname``, first line) of every function CPython compiles from source."""
    found = set()
    stack = [compile(source, "<test>", "exec")]
    while stack:
        code = stack.pop()
        stack += [c for c in code.co_consts if isinstance(c, types.CodeType)]
        if code.co_flags & CO_OPTIMIZED and not code.co_name.startswith(("<", "__annotate")):
            found.add((code.co_qualname, code.co_firstlineno))
    return found


def test_qualnames_and_first_lines_match_cpython() -> None:
    result = extract("pkg/shapes.py", SHAPES)
    assert {(f.qualname, f.lineno) for f in result.functions} == python_functions(SHAPES)


# key, kind, first line, def line, colon line, first body line, last line
SHAPES_TABLE = [
    ("parse_header", "function", 18, 18, 18, 19, 20),
    ("normalise", "function", 23, 26, 26, 27, 28),
    ("fetch", "async function", 31, 31, 33, 35, 39),
    ("first", "function", 42, 42, 42, 42, 42),
    ("stub", "function", 45, 45, 45, 45, 45),
    ("Cache.__init__", "method", 51, 51, 51, 52, 53),
    ("Cache.size", "method", 55, 56, 56, 57, 57),
    ("Cache.size#2", "method", 59, 60, 60, 61, 61),
    ("Cache.get", "method", 63, 63, 65, 66, 67),
    ("Cache.pop", "method", 69, 70, 70, 70, 70),
    ("Cache.pop#2", "method", 71, 72, 72, 72, 72),
    ("Cache.pop#3", "method", 73, 73, 73, 74, 76),
    ("Cache.__len__", "method", 78, 78, 78, 79, 79),
    ("Cache._evict", "method", 81, 81, 81, 82, 83),
    ("Cache.keys", "method", 85, 85, 85, 86, 91),
    ("Cache.keys.<locals>.visible", "function", 86, 86, 86, 87, 87),
    ("Cache.Stats.__init__", "method", 94, 94, 94, 95, 96),
    ("Cache.Stats.ratio", "method", 98, 98, 98, 99, 100),
    ("LoggingCache.get", "method", 104, 105, 105, 106, 107),
    ("LoggingCache.clear", "method", 109, 109, 109, 109, 109),
    ("LoggingCache.describe", "method", 111, 111, 111, 111, 111),
    ("dumps", "function", 117, 117, 117, 118, 120),
    ("dumps#2", "function", 122, 122, 122, 123, 123),
    ("_get", "async function", 126, 126, 126, 127, 127),
    ("last_one", "function", 130, 130, 131, 132, 132),
]


def test_every_function_with_its_lines() -> None:
    result = extract("pkg/shapes.py", SHAPES)
    assert result.error is None
    rows = [
        (f.key, f.kind, f.lineno, f.def_lineno, f.header_end_lineno, f.body_lineno, f.end_lineno)
        for f in result.functions
    ]
    assert rows == SHAPES_TABLE
    assert all(f.id == f"pkg/shapes.py::{f.key}" for f in result.functions)


def test_method_facts() -> None:
    result = extract("pkg/shapes.py", SHAPES)
    stats_init = result.function("Cache.Stats.__init__")
    assert stats_init is not None
    assert (stats_init.is_method, stats_init.class_qualname) == (True, "Cache.Stats")
    visible = result.function("Cache.keys.<locals>.visible")
    assert visible is not None
    assert (visible.is_method, visible.class_qualname) == (False, None)
    fetch = result.function("fetch")
    assert fetch is not None and fetch.is_async and not fetch.is_method


def test_signature_with_every_parameter_kind() -> None:
    source = (
        "def route(self, path: str, /, method='GET', *handlers: Callable[..., Awaitable[None]],\n"
        '          name: str | None = "a: b)", **options: object) -> "Route":\n'
        "    return Route(path)\n"
    )
    function = extract("r.py", source).functions[0]
    assert function.params == (
        Param("self", "positional_only"),
        Param("path", "positional_only", None, "str"),
        Param("method", "positional_or_keyword", "'GET'"),
        Param("handlers", "var_positional", None, "Callable[..., Awaitable[None]]"),
        Param("name", "keyword_only", '"a: b)"', "str | None"),
        Param("options", "var_keyword", None, "object"),
    )
    assert function.returns == '"Route"'
    second = source.splitlines()[1]
    assert function.header_end_lineno == 2
    assert function.header_colon_col == len(second) - 1 == second.rindex(":")


def test_multiline_signature_with_comments_after_the_colon() -> None:
    fetch = extract("s.py", SHAPES).function("fetch")
    assert fetch is not None
    assert [p.name for p in fetch.params] == ["url", "timeout", "retries", "on_error"]
    assert fetch.params[3].default == "lambda exc: None"
    line = SHAPES.splitlines()[32]
    assert line[fetch.header_colon_col] == ":"
    assert line[fetch.header_colon_col + 1 :] == "  # why: a comment after the colon"


def test_decorators_are_kept_as_source() -> None:
    normalise = extract("s.py", SHAPES).function("normalise")
    assert normalise is not None
    assert normalise.decorators == ("functools.lru_cache(\n    maxsize=128,\n)",)
    assert normalise.source.startswith("@functools.lru_cache(\n")
    assert normalise.source.endswith('    return url.split("#", 1)[0]\n')


def test_docstrings_and_their_spans() -> None:
    result = extract("s.py", SHAPES)
    normalise, describe, get = (
        result.function(k) for k in ("normalise", "LoggingCache.describe", "Cache.get")
    )
    assert normalise is not None and describe is not None and get is not None
    assert normalise.docstring == "Return the URL without its fragment."
    assert normalise.docstring_span == (27, 27)
    assert describe.docstring == "Say what this cache holds."
    assert describe.docstring_span == (111, 111)
    line = SHAPES.splitlines()[110]
    assert describe.docstring_end_col is not None
    assert line[describe.docstring_end_col :] == '; return f"{len(self)} items"'
    assert get.docstring is None and get.docstring_span is None


def test_body_indent_is_exact_and_guessed_for_one_liners() -> None:
    result = extract("s.py", SHAPES)
    indents = {f.key: f.body_indent for f in result.functions}
    assert indents["parse_header"] == "    "
    assert indents["first"] == "    "  # def f(): body -> one step deeper than the def
    assert indents["LoggingCache.clear"] == "        "
    assert indents["Cache.Stats.ratio"] == "            "


def test_tab_indented_file() -> None:
    result = extract("tabs.py", (DATA / "tabs.py").read_text())
    indents = {f.key: f.body_indent for f in result.functions}
    assert indents == {
        "Walker.__init__": "\t\t",
        "Walker.files": "\t\t",
        "Walker.count": "\t\t",
        "main": "\t",
    }
    files = result.function("Walker.files")
    assert files is not None and files.is_generator


def test_two_space_files_guess_two_spaces_for_one_liners() -> None:
    source = "def a(x):\n  return x\n\n\nclass B:\n  def c(self): return 1\n"
    result = extract("two.py", source)
    assert [f.body_indent for f in result.functions] == ["  ", "    "]


def test_generators_and_raised_exceptions_of_the_function_itself() -> None:
    source = (
        "def work(items):\n"
        "    def inner():\n"
        "        yield 1\n"
        "        raise InnerOnly()\n"
        "    try:\n"
        "        check(items)\n"
        "    except OSError as err:\n"
        "        raise err\n"
        "    if not items:\n"
        "        raise errors.EmptyError('none') from None\n"
        "    raise ValueError\n"
        "    raise ValueError('again')\n"
        "    raise\n"
        "    return lambda: (yield)\n"
    )
    work, inner = extract("w.py", source).functions
    assert (work.is_generator, work.raises) == (False, ("errors.EmptyError", "ValueError"))
    assert (inner.is_generator, inner.raises) == (True, ("InnerOnly",))


def test_fingerprint_ignores_docstring_position_and_formatting() -> None:
    plain = "def f(x, y=1):\n    return x + y  # sum\n"
    documented = (
        '\n\n\nclass C:\n    def f(x, y=1):\n        """Add."""\n        return (x +\n y)\n'
    )
    changed = "def f(x, y=2):\n    return x + y\n"
    first = extract("a.py", plain).functions[0].fingerprint
    assert len(first) == 16 and int(first, 16) >= 0
    assert extract("b.py", documented).functions[0].fingerprint == first
    assert extract("a.py", changed).functions[0].fingerprint != first


def test_classes() -> None:
    source = (
        "@dataclass(frozen=True)\n"
        "class Point(\n"
        "    Base,\n"
        "    metaclass=Meta,\n"
        "):  # a point\n"
        '    """A point."""\n'
        "\n"
        "    class Inner: pass\n"
    )
    point, inner = extract("p.py", source).classes
    assert (point.qualname, point.lineno, point.def_lineno, point.end_lineno) == ("Point", 1, 2, 8)
    assert point.has_docstring
    assert point.header == source[: source.index('    """')]
    assert (inner.qualname, inner.has_docstring, inner.header) == (
        "Point.Inner",
        False,
        "    class Inner: pass\n",
    )


def test_imports_source_lists_module_imports() -> None:
    result = extract("s.py", SHAPES)
    assert result.imports_source.splitlines() == [
        "from __future__ import annotations",
        "import functools",
        "import sys",
        "from collections.abc import Iterator",
        "from typing import overload",
        "from typing import override",
        "from typing_extensions import override",
        "import ujson as json_impl",
    ]


def test_syntax_error_is_reported_with_its_line() -> None:
    result = extract("broken.py", (DATA / "broken.py").read_text())
    assert (result.functions, result.error_kind) == ((), "syntax")
    assert result.error is not None and result.error.startswith("syntax error at line 8:")


@pytest.mark.skipif(sys.version_info >= (3, 14), reason="this Python reads 3.14 syntax")
def test_newer_syntax_is_told_apart_from_a_syntax_error() -> None:
    result = extract("new.py", (DATA / "newer_syntax.py").read_text())
    assert result.error_kind == "newer_syntax"
    running = f"{sys.version_info[0]}.{sys.version_info[1]}"
    assert result.error == (
        f"syntax newer than docgen's Python {running} "
        "(PEP 750 template strings need Python 3.14+; line 5)"
    )
    bare_except = "try:\n    pass\nexcept KeyError, ValueError:\n    pass\n"
    assert "PEP 758" in (extract("e.py", bare_except).error or "")


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="this Python reads PEP 695 syntax")
def test_generics_are_newer_syntax_before_python_3_12() -> None:
    result = extract("g.py", "def first[T](xs: list[T]) -> T:\n    return xs[0]\n")
    assert result.error_kind == "newer_syntax"
    assert result.error == (
        "syntax newer than docgen's Python 3.11 (PEP 695 generics need Python 3.12+; line 1)"
    )


@pytest.mark.parametrize(
    ("line", "needed"),
    [
        ("def first[T](xs: list[T]) -> T:", (3, 12)),
        ("async def first[T](xs: list[T]) -> T:", (3, 12)),
        ("class Box[T]:", (3, 12)),
        ("type Pair = tuple[int, int]", (3, 12)),
        ("type Pair[T] = tuple[T, T]", (3, 12)),
        ("def first[T = int](xs: list[T]) -> T:", (3, 13)),  # a default: 3.13, not 3.12
        ("except* ValueError:", (3, 11)),
        ("    except *OSError as group:", (3, 11)),
        ("match command:", (3, 10)),
        ("    case [x, y]:", (3, 10)),
        ('    return t"Hello {name}!"', (3, 14)),
        ("except KeyError, ValueError:", (3, 14)),
        ("match = pattern.match(text)", None),
        ("def first(xs):", None),
        ("matches: list[int] = []", None),
    ],
)
def test_which_python_parses_which_syntax(line: str, needed: tuple[int, int] | None) -> None:
    found = python_for(line, running=(3, 9))
    assert (found[0] if found else None) == needed


def test_syntax_the_running_python_reads_is_not_newer() -> None:
    assert python_for("match command:", running=(3, 11)) is None
    assert python_for("except* ValueError:", running=(3, 11)) is None
    assert python_for("class Box[T]:", running=(3, 12)) is None
    assert python_for("class Box[T = int]:", running=(3, 12)) == (
        (3, 13),
        "PEP 696 type parameter defaults",
    )


def test_the_reason_names_the_python_that_would_parse_the_file() -> None:
    generics = python_for("class Box[T]:", running=(3, 11))
    assert newer_syntax_reason(generics, 4, running=(3, 11)) == (
        "syntax newer than docgen's Python 3.11 (PEP 695 generics need Python 3.12+; line 4)"
    )
    star = python_for("except* ValueError:", running=(3, 10))
    assert newer_syntax_reason(star, 9, running=(3, 10)) == (
        "syntax newer than docgen's Python 3.10 (PEP 654 except* clauses need Python 3.11+; line 9)"
    )
    assert newer_syntax_reason(None, None, running=(3, 11)) == (
        "syntax newer than docgen's Python 3.11 (needs a newer Python than 3.11)"
    )


def test_a_match_statement_is_newer_syntax_before_python_3_10() -> None:
    # The error Python 3.9 raises on a match statement, to the reader of its file.
    source = "def route(command):\n    match command:\n        case _:\n            pass\n"
    error = SyntaxError("invalid syntax", ("m.py", 2, 11, "    match command:\n"))
    reason, newer = describe_syntax_error(error, source.splitlines(True), running=(3, 9))
    assert newer
    assert reason == (
        "syntax newer than docgen's Python 3.9 (PEP 634 match statements need Python 3.10+; line 2)"
    )


def test_unreadable_sources() -> None:
    assert extract("cr.py", "def f():\r    return 1\r").error_kind == "unreadable"
    assert extract("nul.py", "x = 1\0\n").error_kind in ("syntax", "unreadable")


def test_compile_warnings_do_not_break_extraction() -> None:
    result = extract("w.py", 'def pattern():\n    return "\\d+"\n')
    assert result.error is None and result.functions[0].name == "pattern"


def test_byte_order_mark_and_non_ascii_columns() -> None:
    source = '\ufeffdef café(x="é:ü"): return x\n'
    function = extract("u.py", source).functions[0]
    assert function.name == "café"
    line = source[1:].splitlines()[0]
    assert line[function.header_colon_col :] == ": return x"


def test_crlf_file_has_the_same_lines() -> None:
    lf = extract("s.py", SHAPES)
    crlf = extract("s.py", SHAPES.replace("\n", "\r\n"))
    assert [(f.key, f.lineno, f.header_end_lineno, f.end_lineno) for f in crlf.functions] == [
        (f.key, f.lineno, f.header_end_lineno, f.end_lineno) for f in lf.functions
    ]
    assert [f.body_indent for f in crlf.functions] == [f.body_indent for f in lf.functions]
    assert [f.fingerprint for f in crlf.functions] == [f.fingerprint for f in lf.functions]
    assert crlf.functions[0].source.endswith("value.strip()\r\n")


def test_extracting_only_changed_functions_keeps_their_ids() -> None:
    every = extract("s.py", SHAPES)
    for lines in ({61}, {70, 72, 74}, {87}, {117, 123}, set()):
        only = extract("s.py", SHAPES, lines=lines)
        assert only.functions == tuple(changed_functions(every, lines))
        assert set(only.classes) <= set(every.classes)
        assert all(only.klass(f.class_qualname) for f in only.functions if f.class_qualname)
    assert [f.id for f in extract("s.py", SHAPES, lines={123}).functions] == ["s.py::dumps#2"]


def test_names_defined_twice_number_their_ids_scope_by_scope() -> None:
    source = (
        "if FAST:\n"
        "    def load(x):\n"
        "        def parse(y): return y\n"
        "        return parse(x)\n"
        "else:\n"
        "    def load(x):\n"
        "        def parse(y): return y\n"
        "        return parse(x)\n"
    )
    result = extract("d.py", source)
    assert [f.key for f in result.functions] == [
        "load",
        "load.<locals>.parse",
        "load#2",
        "load#2.<locals>.parse",
    ]
    assert {f.qualname for f in result.functions} == {"load", "load.<locals>.parse"}
    assert [f.key for f in extract("d.py", source, lines={7}).functions] == [
        "load#2",
        "load#2.<locals>.parse",
    ]


def test_changed_functions_by_span_from_decorator_to_last_line() -> None:
    result = extract("s.py", SHAPES)

    def changed(*lines: int) -> list[str]:
        return [f.key for f in changed_functions(result, set(lines))]

    assert changed(23) == ["normalise"]  # a decorator line
    assert changed(28) == ["normalise"]  # the last line
    assert changed(21, 22, 29, 30) == []  # blank lines between functions
    assert changed(87) == ["Cache.keys", "Cache.keys.<locals>.visible"]
    assert changed(18, 132) == ["parse_header", "last_one"]
    assert changed() == []


@pytest.mark.parametrize(
    "source",
    [
        "def f(a, /): return a\n",
        pytest.param(
            "def f[T: (int, str)](x: T) -> T: return x\n",
            marks=pytest.mark.skipif(
                sys.version_info < (3, 12), reason="PEP 695 generics need Python 3.12+ to parse"
            ),
        ),
        "def f(\n    a,  # note: a comment with a colon\n    b=')',\n): return a\n",
        "def f(a=lambda: 1, *, b={1: 2}) -> dict[str, int]: return {}\n",
        "def f(a,\n      b) \\\n    : return a\n",
        "async def f(*args, **kwargs): return args\n",
        "def f(): return 1\n",
    ],
)
def test_header_colon_is_found_past_brackets_comments_and_continuations(source: str) -> None:
    function = extract("h.py", source).functions[0]
    line = source.splitlines()[function.header_end_lineno - 1]
    assert line[function.header_colon_col] == ":"
    assert line[function.header_colon_col + 1 :] == " return " + line.rsplit("return ", 1)[1]
    assert function.body_lineno == function.header_end_lineno


def test_class_header_spans_to_its_colon() -> None:
    source = "class A(\n    Base,  # base: the parent\n    metaclass=Meta,\n): x = 1\n"
    (klass,) = extract("c.py", source).classes
    assert klass.header == source
