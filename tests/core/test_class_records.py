"""Classes as records to document: ids, lines, the compact view, and which are changed."""

from __future__ import annotations

from pathlib import Path

from bot.core.extract import FunctionInfo, Param, changed_classes, extract

DATA = Path(__file__).parent.parent / "data" / "extract"
SHAPES = (DATA / "shapes.py").read_text()

STORE = """\
@register("store")
class Store(
    Base,
):
    # Kept in memory.
    limit = 3

    def __init__(self, path: str, /, *items: int, mode: str = "r", **extra: str) -> None:
        self.path = path
        self.items = items

    @property
    def size(self) -> int:
        count = len(self.items)
        return count

    def clear(self): self.items = ()

    class Entry:
        key: str

    if DEBUG:
        trace = True


def Store():
    pass
"""


def records(source: str, path: str = "pkg/m.py") -> dict[str, FunctionInfo]:
    return {c.key: c for c in extract(path, source, class_records=True).class_records}


def changed(source: str, lines: set[int]) -> list[str]:
    result = extract("pkg/m.py", source, lines=lines, class_records=True)
    return [c.key for c in changed_classes(result, lines)]


def test_class_records_are_only_built_when_asked_for() -> None:
    assert extract("pkg/shapes.py", SHAPES).class_records == ()
    assert [c.id for c in extract("pkg/shapes.py", SHAPES, class_records=True).class_records] == [
        "pkg/shapes.py::Cache",
        "pkg/shapes.py::Cache.Stats",
        "pkg/shapes.py::LoggingCache",
    ]


def test_a_class_record_has_the_lines_of_its_header_and_body() -> None:
    store = records(STORE)["Store"]
    assert store.id == "pkg/m.py::Store" and store.kind == "class" and store.is_class
    assert not store.is_method and store.class_qualname is None and store.returns is None
    assert (store.lineno, store.def_lineno, store.header_end_lineno) == (1, 2, 4)
    assert (store.header_colon_col, store.body_lineno, store.end_lineno) == (1, 6, 23)
    assert store.decorators == ('register("store")',) and store.body_indent == "    "
    assert store.docstring is None and store.docstring_span is None
    assert store.change_spans == ((1, 4), (6, 6), (8, 10), (22, 23))


def test_a_class_takes_its_init_parameters_without_self() -> None:
    assert records(STORE)["Store"].params == (
        Param("path", "positional_only", None, "str"),
        Param("items", "var_positional", None, "int"),
        Param("mode", "keyword_only", '"r"', "str"),
        Param("extra", "var_keyword", None, "str"),
    )
    assert records(STORE)["Store.Entry"].params == ()


def test_a_function_of_the_same_name_gets_another_id() -> None:
    result = extract("pkg/m.py", STORE, class_records=True)
    assert [f.id for f in result.functions if f.name == "Store"] == ["pkg/m.py::Store#2"]
    ids = [f.id for f in result.functions] + [c.id for c in result.class_records]
    assert len(ids) == len(set(ids))


def test_the_view_shows_class_code_and_init_whole_and_other_methods_as_headers() -> None:
    assert records(STORE)["Store"].source == (
        '@register("store")\n'
        "class Store(\n"
        "    Base,\n"
        "):\n"
        "    # Kept in memory.\n"
        "    limit = 3\n"
        "\n"
        '    def __init__(self, path: str, /, *items: int, mode: str = "r", **extra: str)'
        " -> None:\n"
        "        self.path = path\n"
        "        self.items = items\n"
        "\n"
        "    @property\n"
        "    def size(self) -> int:\n"
        "        ...\n"
        "\n"
        "    def clear(self):\n"
        "        ...\n"
        "\n"
        "    class Entry:\n"
        "        ...\n"
        "\n"
        "    if DEBUG:\n"
        "        trace = True\n"
    )


def test_a_nested_class_is_indented_and_names_its_outer_class() -> None:
    stats = records(SHAPES)["Cache.Stats"]
    assert stats.class_qualname == "Cache" and stats.body_indent == " " * 8
    assert stats.source.startswith("    class Stats:\n        def __init__(self, hits: int = 0)")
    assert stats.source.endswith("        def ratio(self) -> float:\n            ...\n")
    assert stats.params == (Param("hits", "positional_or_keyword", "0", "int"),)


def test_a_documented_class_has_its_docstring() -> None:
    cache = records(SHAPES)["Cache"]
    assert cache.docstring == "An in-memory cache of responses."
    assert cache.docstring_span == (49, 49) and cache.docstring_end_col == 42


def test_a_one_line_class_keeps_its_whole_text() -> None:
    one = records("class Point: x = 1; y = 2\n")["Point"]
    assert one.source == "class Point: x = 1; y = 2\n"
    assert (one.header_end_lineno, one.body_lineno) == (1, 1)


def test_the_view_keeps_line_endings_and_parses() -> None:
    crlf = records(STORE.replace("\n", "\r\n"))["Store"]
    assert crlf.source == records(STORE)["Store"].source.replace("\n", "\r\n")
    assert crlf.fingerprint == records(STORE)["Store"].fingerprint


def test_the_fingerprint_ignores_method_bodies_and_the_docstring() -> None:
    before = records(STORE)["Store"].fingerprint
    inside_method = STORE.replace("count = len(self.items)", "count = len(self.items) + 0")
    assert records(inside_method)["Store"].fingerprint == before
    documented = STORE.replace("    # Kept", '    """A store."""\n    # Kept')
    assert records(documented)["Store"].fingerprint == before
    for change in (
        STORE.replace("limit = 3", "limit = 4"),
        STORE.replace("self.path = path", "self.path = str(path)"),
        STORE.replace("def size(self) -> int:", "def size(self) -> float:"),
        STORE.replace("    Base,", "    Base, Other,"),
    ):
        assert records(change)["Store"].fingerprint != before


def test_a_class_is_changed_by_its_header_its_code_and_its_init() -> None:
    assert changed(STORE, set(range(1, 27))) == ["Store", "Store.Entry"]
    assert changed(STORE, {3}) == ["Store"]  # a base
    assert changed(STORE, {6}) == ["Store"]  # class-level code
    assert changed(STORE, {9}) == ["Store"]  # in __init__
    assert changed(STORE, {23}) == ["Store"]  # inside a class-level if
    assert changed(STORE, {20}) == ["Store.Entry"]  # the nested class's code, not the outer's


def test_a_class_is_not_changed_by_its_other_methods_comments_or_blank_lines() -> None:
    assert changed(STORE, {14}) == []  # inside a method
    assert changed(STORE, {12}) == []  # a method's decorator
    assert changed(STORE, {17}) == []  # a one-line method
    assert changed(STORE, {5, 7}) == []  # a comment and a blank line
    assert changed(STORE, {26}) == []  # the function after it


def test_a_record_class_takes_its_annotated_fields() -> None:
    source = (
        "from dataclasses import dataclass, field\nfrom typing import ClassVar\n\n\n"
        "@dataclass(frozen=True)\nclass Point:\n    x: int\n    y: str = 'a'\n"
        "    count: ClassVar[int] = 0\n    seen: list = field(default_factory=list, init=False)\n"
        "\n\nclass Plain:\n    x: int\n"
    )
    records = {c.name: c for c in extract("m.py", source, class_records=True).class_records}
    assert [(p.name, p.default) for p in records["Point"].params] == [("x", None), ("y", "'a'")]
    assert records["Plain"].params == ()  # no generated __init__: it takes nothing
