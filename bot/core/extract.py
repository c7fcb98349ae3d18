"""Find a Python file's functions and classes, with exact lines, and the ones a diff changed.

Pure: the head version's text in, frozen records out (stdlib ``ast``, the file's real line
numbers). Qualified names are spelled as ``__qualname__`` spells them (``Outer.Inner.m``,
``outer.<locals>.inner``). A function is *changed* when any line of its span, decorators
through last line, was added. Classes are listed twice: as :class:`ClassInfo` (context
for their methods) and as records to document (``ExtractResult.class_records``, see
:mod:`bot.core.classview`); a class is changed when a line of its header, of a
class-level statement other than a nested def or class, or of its ``__init__`` was
added. The records live in :mod:`bot.core.records` and are re-exported here.
"""

from __future__ import annotations

import ast
import re
from bisect import bisect_left
from collections.abc import Collection
from dataclasses import dataclass, field

from bot.core.classview import change_spans, class_view, init_method
from bot.core.pysource import (
    char_col,
    describe_syntax_error,
    find_colon,
    parse,
    segment,
    split_lines,
    statement_blocks,
)
from bot.core.records import (
    ClassInfo,
    ErrorKind,
    ExtractResult,
    FunctionInfo,
    FunctionKind,
    Param,
    ParamKind,
)

__all__ = [
    "ClassInfo", "ExtractResult", "FunctionInfo", "Param", "changed_classes", "changed_functions",
    "extract",
]  # fmt: skip

_DEF = re.compile(r"(?:async\s+)?def\s+\w+|class\s+\w+")
_LONE_CR = re.compile(r"\r(?!\n)")


def extract(
    path: str, source: str, *, lines: Collection[int] | None = None, class_records: bool = False
) -> ExtractResult:
    """Parse the head version of a file and list its functions and classes.

    With ``lines`` (a diff's added lines), only the functions whose span holds one of
    them are listed (and only the classes outside functions that hold none), which
    spares building records nobody reads; ids are the same. With ``class_records``,
    the classes are also listed as records to document (those whose span holds one
    of ``lines``), which costs a tenth more on a file of many classes.
    """
    text = source[1:] if source.startswith("\ufeff") else source
    text_lines = split_lines(text)
    count = len(text_lines)
    if "\r" in text and _LONE_CR.search(text):
        # Python would count a lone CR as a line break, git would not: line numbers disagree.
        return ExtractResult(path, (), (), "", "uses lone CR line endings", "unreadable", count)
    try:
        tree = parse(text)
    except SyntaxError as exc:
        reason, newer = describe_syntax_error(exc, text_lines)
        kind: ErrorKind = "newer_syntax" if newer else "syntax"
        return ExtractResult(path, (), (), "", reason, kind, count)
    except (ValueError, RecursionError, MemoryError) as exc:
        reason = f"cannot be parsed ({type(exc).__name__})"
        return ExtractResult(path, (), (), "", reason, "unreadable", count)
    wanted = None if lines is None else sorted(lines)
    visitor = _Visitor(path, text_lines, _indent_unit(tree, text_lines), wanted, class_records)
    visitor.body(tree.body, _Scope("", "", None))
    imports = "\n".join(segment(text_lines, node) for node in _imports(tree.body))
    functions, classes = tuple(visitor.functions), tuple(visitor.classes)
    return ExtractResult(
        path,
        functions,
        classes,
        imports,
        line_count=count,
        dunder_all=_dunder_all(tree.body),
        class_records=tuple(visitor.class_records),
    )


def changed_functions(result: ExtractResult, added_lines: Collection[int]) -> list[FunctionInfo]:
    """Return the functions with at least one added line between first decorator and end."""
    added = sorted(added_lines)
    return [f for f in result.functions if _overlaps(added, f.lineno, f.end_lineno)]


def changed_classes(result: ExtractResult, added_lines: Collection[int]) -> list[FunctionInfo]:
    """Return the class records with an added line in one of their ``change_spans``.

    A new class (every line added) is changed; a class whose only added lines are inside
    methods other than ``__init__``, or inside nested classes, is not.
    """
    added = sorted(added_lines)
    return [c for c in result.class_records if any(_overlaps(added, *s) for s in c.change_spans)]


def _overlaps(sorted_lines: list[int], first: int, last: int) -> bool:
    i = bisect_left(sorted_lines, first)
    return i < len(sorted_lines) and sorted_lines[i] <= last


_Def = ast.FunctionDef | ast.AsyncFunctionDef
# Statements that hold other statements (functions and classes aside).
_COMPOUND = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try,
             ast.TryStar, ast.Match)  # fmt: skip


@dataclass
class _Scope:
    """Where definitions are: qualname and id prefixes, the enclosing class, names seen."""

    qualname: str
    key: str
    klass: str | None
    seen: dict[str, int] = field(default_factory=dict)


class _Visitor:
    """Walk statements only (never expressions), scope by scope.

    A name defined twice in one scope (a property setter, an if/else definition) gets
    ``#2``, ``#3``... in its id, and so do the ids of everything defined inside it. With
    ``wanted`` lines, the bodies of definitions that hold none of them are skipped.
    """

    def __init__(
        self, path: str, lines: list[str], unit: str, wanted: list[int] | None, records: bool
    ) -> None:
        self.path, self.lines, self.unit, self.wanted = path, lines, unit, wanted
        self.records = records
        self.functions: list[FunctionInfo] = []
        self.classes: list[ClassInfo] = []
        self.class_records: list[FunctionInfo] = []

    def body(self, body: list[ast.stmt], scope: _Scope) -> None:
        for stmt in body:
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                self.definition(stmt, scope)
            elif isinstance(stmt, _COMPOUND):
                for block in statement_blocks(stmt):
                    self.body(block, scope)

    def definition(self, node: _Def | ast.ClassDef, scope: _Scope) -> None:
        count = scope.seen[node.name] = scope.seen.get(node.name, 0) + 1
        key = scope.key + node.name + (f"#{count}" if count > 1 else "")
        qualname = scope.qualname + node.name
        first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
        span = (min(first, node.lineno), node.end_lineno or node.lineno)
        wanted = self.wanted is None or _overlaps(self.wanted, *span)
        if isinstance(node, ast.ClassDef):
            self.classes.append(self.klass(node, qualname, span))
            if wanted and self.records:
                record = self.class_record(node, qualname, key, span, scope.klass)
                self.class_records.append(record)
            inner = _Scope(f"{qualname}.", f"{key}.", qualname)
        else:
            if wanted:
                self.functions.append(self.function(node, qualname, key, span, scope.klass))
            inner = _Scope(f"{qualname}.<locals>.", f"{key}.<locals>.", None)
        if wanted:
            self.body(node.body, inner)

    def function(
        self, node: _Def, qualname: str, key: str, span: tuple[int, int], klass: str | None
    ) -> FunctionInfo:
        lines = self.lines
        colon_line, colon_col = self.colon(node)
        doc_node = _docstring_node(node)
        return FunctionInfo(
            id=f"{self.path}::{key}",
            path=self.path,
            qualname=qualname,
            name=node.name,
            kind=_kind(node, klass is not None),
            is_method=klass is not None,
            class_qualname=klass,
            lineno=span[0],
            def_lineno=node.lineno,
            header_end_lineno=colon_line,
            header_colon_col=colon_col,
            body_lineno=node.body[0].lineno,
            end_lineno=span[1],
            decorators=tuple(segment(lines, d) for d in node.decorator_list),
            params=_params(lines, node.args),
            returns=segment(lines, node.returns) if node.returns else None,
            docstring=ast.get_docstring(node) if doc_node else None,
            docstring_span=(doc_node.lineno, doc_node.end_lineno or 0) if doc_node else None,
            docstring_end_col=_end_col(lines, doc_node) if doc_node else None,
            body_indent=self.body_indent(node, colon_line),
            source="".join(lines[span[0] - 1 : span[1]]),
        )

    def class_record(
        self, node: ast.ClassDef, qualname: str, key: str, span: tuple[int, int], outer: str | None
    ) -> FunctionInfo:
        """Return the record that documents a class from its body and its ``__init__``."""
        lines = self.lines
        colon_line, colon_col = self.colon(node)
        doc_node = _docstring_node(node)
        init = init_method(node)
        return FunctionInfo(
            id=f"{self.path}::{key}",
            path=self.path,
            qualname=qualname,
            name=node.name,
            kind="class",
            is_method=False,
            class_qualname=outer,
            lineno=span[0],
            def_lineno=node.lineno,
            header_end_lineno=colon_line,
            header_colon_col=colon_col,
            body_lineno=node.body[0].lineno,
            end_lineno=span[1],
            decorators=tuple(segment(lines, d) for d in node.decorator_list),
            params=(
                _without_self(_params(lines, init.args))
                if init is not None
                else _field_params(lines, node)
            ),
            returns=None,
            docstring=ast.get_docstring(node) if doc_node else None,
            docstring_span=(doc_node.lineno, doc_node.end_lineno or 0) if doc_node else None,
            docstring_end_col=_end_col(lines, doc_node) if doc_node else None,
            body_indent=self.body_indent(node, colon_line),
            source=class_view(lines, node, colon_line, self.colon, self.body_indent),
            change_spans=change_spans(node, colon_line),
        )

    def klass(self, node: ast.ClassDef, qualname: str, span: tuple[int, int]) -> ClassInfo:
        colon_line = self.colon(node)[0]
        return ClassInfo(
            qualname=qualname,
            name=node.name,
            lineno=span[0],
            def_lineno=node.lineno,
            end_lineno=span[1],
            has_docstring=_docstring_node(node) is not None,
            header="".join(self.lines[span[0] - 1 : colon_line]),
        )

    def colon(self, node: _Def | ast.ClassDef) -> tuple[int, int]:
        """Return the line and column of the colon that ends the header."""
        line = self.lines[node.lineno - 1]
        start = char_col(line, node.col_offset)
        match = _DEF.match(line, start)
        position = (node.lineno, match.end() if match else start)
        for element in _header_elements(node):
            end_line = element.end_lineno or element.lineno
            end = (end_line, char_col(self.lines[end_line - 1], element.end_col_offset or 0))
            position = max(position, end)
        found = find_colon(self.lines, *position) if match else None
        if found is None:
            # Unusual spellings (a continuation inside `async def`): fall back to the line
            # before the body; the edit's safety check guards what is built on it.
            body_line = node.body[0].lineno
            return max(body_line - 1, node.lineno), -1
        return found

    def body_indent(self, node: _Def | ast.ClassDef, colon_line: int) -> str:
        first = node.body[0]
        if first.lineno > colon_line:
            line = self.lines[first.lineno - 1]
            return line[: char_col(line, first.col_offset)]
        line = self.lines[node.lineno - 1]
        indent = line[: len(line) - len(line.lstrip(" \t\f"))]
        return indent + ("\t" if "\t" in indent else self.unit)


def _kind(node: _Def, is_method: bool) -> FunctionKind:
    if isinstance(node, ast.AsyncFunctionDef):
        return "async method" if is_method else "async function"
    return "method" if is_method else "function"


def _header_elements(node: _Def | ast.ClassDef) -> list[ast.expr | ast.arg | ast.keyword]:
    elements: list[ast.expr | ast.arg | ast.keyword] = list(getattr(node, "type_params", ()))
    if isinstance(node, ast.ClassDef):
        return elements + list(node.bases) + list(node.keywords)
    a = node.args
    elements += [*a.posonlyargs, *a.args, *a.kwonlyargs, *a.defaults]
    elements += [d for d in a.kw_defaults if d is not None]
    elements += [x for x in (a.vararg, a.kwarg, node.returns) if x is not None]
    return elements


def _params(lines: list[str], a: ast.arguments) -> tuple[Param, ...]:
    def text(node: ast.expr | None) -> str | None:
        return segment(lines, node) if node is not None else None

    positional = [*a.posonlyargs, *a.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(a.defaults))
    defaults += a.defaults
    params = []
    for i, (arg, default) in enumerate(zip(positional, defaults, strict=True)):
        kind: ParamKind = "positional_only" if i < len(a.posonlyargs) else "positional_or_keyword"
        params.append(Param(arg.arg, kind, text(default), text(arg.annotation)))
    if a.vararg:
        params.append(Param(a.vararg.arg, "var_positional", None, text(a.vararg.annotation)))
    for arg, kw_default in zip(a.kwonlyargs, a.kw_defaults, strict=True):
        params.append(Param(arg.arg, "keyword_only", text(kw_default), text(arg.annotation)))
    if a.kwarg:
        params.append(Param(a.kwarg.arg, "var_keyword", None, text(a.kwarg.annotation)))
    return tuple(params)


# Decorators and bases whose classes get an ``__init__`` made from their annotated fields.
_RECORD_DECORATORS = frozenset({"dataclass", "define", "frozen", "mutable", "attrs", "s"})
_RECORD_BASES = frozenset({"NamedTuple", "BaseModel", "BaseSettings", "Struct"})


def record_fields(node: ast.ClassDef) -> list[ast.AnnAssign]:
    """Return a record class's constructor parameters: its annotated fields, in order.

    A dataclass (or attrs, pydantic, NamedTuple, msgspec) class has no ``__init__`` in
    its source, yet takes its fields as parameters; a plain class without one takes none.
    ``ClassVar`` fields and ``field(init=False)`` are not parameters.
    """
    decorators = {_last_name(d.func if isinstance(d, ast.Call) else d) for d in node.decorator_list}
    bases = {_last_name(b) for b in node.bases}
    if not (decorators & _RECORD_DECORATORS or bases & _RECORD_BASES):
        return []
    return [
        stmt
        for stmt in node.body
        if isinstance(stmt, ast.AnnAssign)
        and isinstance(stmt.target, ast.Name)
        and not _not_a_parameter(stmt)
    ]


def _not_a_parameter(stmt: ast.AnnAssign) -> bool:
    annotation = ast.unparse(stmt.annotation)
    return "ClassVar" in annotation or "KW_ONLY" in annotation or _init_false(stmt.value)


def _field_params(lines: list[str], node: ast.ClassDef) -> tuple[Param, ...]:
    params = []
    for stmt in record_fields(node):
        assert isinstance(stmt.target, ast.Name)
        default = segment(lines, stmt.value) if stmt.value is not None else None
        annotation = segment(lines, stmt.annotation)
        params.append(Param(stmt.target.id, "positional_or_keyword", default, annotation))
    return tuple(params)


def _last_name(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _init_false(value: ast.expr | None) -> bool:
    return isinstance(value, ast.Call) and any(
        k.arg == "init" and isinstance(k.value, ast.Constant) and k.value.value is False
        for k in value.keywords
    )


def _without_self(params: tuple[Param, ...]) -> tuple[Param, ...]:
    """Drop a method's first positional parameter (``self``), which callers never pass."""
    if params and params[0].kind in ("positional_only", "positional_or_keyword"):
        return params[1:]
    return params


def _docstring_node(node: _Def | ast.ClassDef) -> ast.Expr | None:
    first = node.body[0]
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        return first
    return None


def _end_col(lines: list[str], node: ast.Expr) -> int:
    end_line = node.end_lineno or node.lineno
    return char_col(lines[end_line - 1], node.end_col_offset or 0)


def _imports(body: list[ast.stmt]) -> list[ast.stmt]:
    """Return the module's import statements, including those under a top-level if/try."""
    found: list[ast.stmt] = []
    for stmt in body:
        if isinstance(stmt, ast.Import | ast.ImportFrom):
            found.append(stmt)
        elif isinstance(stmt, ast.If | ast.Try):
            for block in statement_blocks(stmt):
                found += _imports(block)
    return found


def _dunder_all(body: list[ast.stmt]) -> frozenset[str] | None:
    """Return the names a module lists in ``__all__`` (assigned, extended or added to).

    Linters treat a module-level function or class missing from ``__all__`` as private.
    Only literal strings count; a computed ``__all__`` is read as the literals it holds.
    """
    names: set[str] | None = None
    for stmt in body:
        value: ast.expr | None = None
        if isinstance(stmt, ast.Assign) and any(_is_all(t) for t in stmt.targets):
            names, value = set(), stmt.value
        elif isinstance(stmt, ast.AnnAssign | ast.AugAssign) and _is_all(stmt.target):
            names = set() if isinstance(stmt, ast.AnnAssign) else (names or set())
            value = stmt.value
        if value is not None and names is not None:
            names |= {
                e.value
                for e in ast.walk(value)
                if isinstance(e, ast.Constant) and isinstance(e.value, str)
            }
    return frozenset(names) if names is not None else None


def _is_all(target: ast.expr) -> bool:
    return isinstance(target, ast.Name) and target.id == "__all__"


def _indent_unit(tree: ast.Module, lines: list[str]) -> str:
    """Guess the file's indentation step from its first block whose body starts a line."""
    for stmt in tree.body:
        body = getattr(stmt, "body", None)
        if not isinstance(body, list) or not body:
            continue
        first: ast.stmt = body[0]
        if first.lineno > stmt.lineno:
            line = lines[first.lineno - 1]
            unit = line[: char_col(line, first.col_offset)]
            if unit and not unit.strip(" \t"):
                return unit
    return "    "
