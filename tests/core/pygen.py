"""Hypothesis strategies for Python modules and pull-request edits of them.

A module is a tree of plain records (functions, classes, statements) rendered to text.
Every non-blank line carries a unique number, so a line of the head version exists in
the base version exactly when the edit kept it. Blank lines are where diffs are
ambiguous: two minimal diffs may match different blank lines, and so blame different
functions. With ``unique_blanks`` each blank line is spelled with its own run of spaces
and tabs (still blank to Python and to git's indent heuristic), every line is unique,
the longest common subsequence of the two versions is unique, and a brute-force LCS is
an exact reference for git's diff. Rendering records each function's qualname and span.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from itertools import count
from typing import Literal

from hypothesis import strategies as st

Doc = Literal["none", "one", "multi", "header"]


@dataclass(frozen=True)
class Stmt:
    """A body statement: ``assign``, ``yield``, ``raise``, ``return``, ``blank`` or ``if``."""

    kind: str
    uid: int
    body: tuple[Stmt | Fn, ...] = ()


@dataclass(frozen=True)
class Fn:
    """A function; ``one_liner`` renders ``def f(...): stmt`` on one line."""

    uid: int
    is_async: bool
    decorators: tuple[int, ...]
    long_decorator: bool
    params: tuple[int, ...]
    multiline_signature: bool
    returns: bool
    comment: bool
    doc: Doc
    one_liner: bool
    body: tuple[Stmt | Fn, ...]


@dataclass(frozen=True)
class Cls:
    """A class holding methods (and maybe a docstring)."""

    uid: int
    doc: bool
    methods: tuple[Fn, ...]


@dataclass(frozen=True)
class Module:
    """A module's units and how its text is spelled."""

    units: tuple[Fn | Cls, ...]
    indent: str = "    "
    newline: str = "\n"
    final_newline: bool = True
    unique_blanks: bool = False


@dataclass(frozen=True)
class Rendered:
    """A module's text and, for each function, (qualname, first line, last line)."""

    text: str
    spans: list[tuple[str, int, int]]


def _ids(draw: st.DrawFn, ids: count[int], most: int) -> tuple[int, ...]:
    return tuple(next(ids) for _ in range(draw(st.integers(0, most))))


def _stmts(draw: st.DrawFn, ids: count[int], depth: int) -> tuple[Stmt | Fn, ...]:
    kinds = ["assign", "assign", "blank", "yield", "raise", "if"] + (["def"] if depth < 2 else [])
    body: list[Stmt | Fn] = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(kinds))
        if kind == "def":
            body.append(draw(functions(ids, depth + 1)))
        elif kind == "if" and depth < 2:
            body.append(Stmt("if", next(ids), _stmts(draw, ids, depth + 1)))
        else:
            body.append(Stmt("assign" if kind == "if" else kind, next(ids)))
    if not any(isinstance(s, Fn) or s.kind != "blank" for s in body):
        body.append(Stmt("assign", next(ids)))
    return tuple(body)


@st.composite
def functions(draw: st.DrawFn, ids: count[int], depth: int = 0) -> Fn:
    """Draw one function, maybe with nested functions and blocks."""
    one_liner = draw(st.integers(0, 5)) == 0
    return Fn(
        uid=next(ids),
        is_async=draw(st.booleans()),
        decorators=_ids(draw, ids, 2),
        long_decorator=draw(st.booleans()),
        params=_ids(draw, ids, 3),
        multiline_signature=draw(st.booleans()),
        returns=draw(st.booleans()),
        comment=draw(st.booleans()),
        doc=draw(st.sampled_from(["none", "none", "one", "multi"] + ["header"] * one_liner)),
        one_liner=one_liner,
        body=(Stmt("assign", next(ids)),) if one_liner else _stmts(draw, ids, depth),
    )


@st.composite
def modules(draw: st.DrawFn, ids: count[int], unique_blanks: bool = False) -> Module:
    """Draw a module of functions and classes, spelled with random indentation and endings."""
    units: list[Fn | Cls] = []
    for _ in range(draw(st.integers(1, 5))):
        if draw(st.booleans()):
            units.append(draw(functions(ids)))
        else:
            methods = tuple(draw(st.lists(functions(ids), max_size=3)))
            units.append(Cls(next(ids), draw(st.booleans()), methods))
    return Module(
        tuple(units),
        draw(st.sampled_from(["    ", "  ", "\t"])),
        draw(st.sampled_from(["\n", "\r\n"])),
        draw(st.booleans()),
        unique_blanks,
    )


@st.composite
def edited(draw: st.DrawFn, base: Module, ids: count[int]) -> Module:
    """Draw the head version: units kept, changed, removed, or added."""
    units: list[Fn | Cls] = []
    for unit in base.units:
        action = draw(st.sampled_from(["keep", "keep", "change", "remove", "add"]))
        if action == "remove":
            continue
        if action == "change":
            unit = (
                _change_fn(draw, unit, ids)
                if isinstance(unit, Fn)
                else _change_cls(draw, unit, ids)
            )
        units.append(unit)
        if action == "add":
            units.append(draw(functions(ids)))
    if not units:
        units.append(draw(functions(ids)))
    return replace(base, units=tuple(units), final_newline=draw(st.booleans()))


def _change_cls(draw: st.DrawFn, cls: Cls, ids: count[int]) -> Cls:
    methods = list(cls.methods)
    change_one: bool = draw(st.booleans())
    if methods and change_one:
        i = draw(st.integers(0, len(methods) - 1))
        methods[i] = _change_fn(draw, methods[i], ids)
    else:
        methods.insert(draw(st.integers(0, len(methods))), draw(functions(ids)))
    return replace(cls, methods=tuple(methods))


def _change_fn(draw: st.DrawFn, fn: Fn, ids: count[int]) -> Fn:
    what = draw(st.sampled_from(["statement", "insert", "delete", "param", "decorator", "doc"]))
    body = list(fn.body)
    if what == "param":
        return replace(fn, params=(*fn.params, next(ids)))
    if what == "decorator":
        return replace(fn, decorators=(next(ids), *fn.decorators))
    if what == "doc":
        return replace(fn, doc="none" if fn.doc != "none" else "one")
    i = draw(st.integers(0, len(body) - 1))
    if what == "insert" and not fn.one_liner:
        body.insert(i, Stmt(draw(st.sampled_from(["assign", "blank"])), next(ids)))
    elif what == "delete" and len(body) > 1 and not isinstance(body[i], Fn):
        del body[i]
    elif isinstance(chosen := body[i], Stmt) and chosen.kind != "blank":
        body[i] = replace(chosen, uid=next(ids))
    else:
        body.append(Stmt("assign", next(ids)))
    if all(isinstance(s, Stmt) and s.kind == "blank" for s in body):
        body.append(Stmt("assign", next(ids)))
    return replace(fn, body=tuple(body))


def render(module: Module) -> Rendered:
    """Render a module to text, recording every function's span."""
    writer = _Writer(module.indent, _Blanks(module.unique_blanks))
    for unit in module.units:
        if writer.lines:
            writer.lines += [writer.blank(unit.uid, 1), writer.blank(unit.uid, 2)]
        if isinstance(unit, Fn):
            writer.function(unit, "", "")
        else:
            writer.klass(unit)
    newline = module.newline
    text = newline.join(writer.lines) + (newline if module.final_newline else "")
    return Rendered(text, writer.spans)


class _Writer:
    def __init__(self, step: str, blank: _Blanks) -> None:
        self.step, self.blank = step, blank
        self.lines: list[str] = []
        self.spans: list[tuple[str, int, int]] = []

    def klass(self, cls: Cls) -> None:
        step = self.step
        self.lines.append(f"class C{cls.uid}:")
        if cls.doc:
            self.lines.append(f'{step}"""Class {cls.uid}."""')
        if not cls.methods and not cls.doc:
            self.lines.append(f"{step}attr_{cls.uid} = {cls.uid}")
        for i, method in enumerate(cls.methods):
            if i or cls.doc:
                self.lines.append(self.blank(method.uid, 1))
            self.function(method, step, f"C{cls.uid}.")

    def function(self, fn: Fn, indent: str, prefix: str) -> None:
        first = len(self.lines) + 1
        self.decorators(fn, indent)
        if fn.one_liner:
            self.lines.append(self.header(fn, indent, one_liner=True))
        else:
            self.lines.append(self.header(fn, indent, one_liner=False))
            inner = indent + self.step
            if fn.doc == "one":
                self.lines.append(f'{inner}"""Doc {fn.uid}."""')
            elif fn.doc == "multi":
                more = f'{inner}More {fn.uid}."""'
                self.lines += [f'{inner}"""Doc {fn.uid}.', self.blank(fn.uid, 0), more]
            self.body(fn.body, inner, f"{prefix}f{fn.uid}.<locals>.")
        last = max(i for i in range(first, len(self.lines) + 1) if self.lines[i - 1].strip())
        self.spans.append((f"{prefix}f{fn.uid}", first, last))

    def decorators(self, fn: Fn, indent: str) -> None:
        for d in fn.decorators:
            if fn.long_decorator:
                self.lines += [f"{indent}@deco_{d}(", f"{indent}{self.step}opt_{d}=True,"]
                self.lines.append(f"{indent})  # d{d}")
            else:
                self.lines.append(f"{indent}@deco_{d}")

    def header(self, fn: Fn, indent: str, *, one_liner: bool) -> str:
        keyword = "async def" if fn.is_async else "def"
        returns = f" -> R{fn.uid}" if fn.returns else ""
        comment = f"  # note {fn.uid}" if fn.comment else ""
        params = [f"p{p}" for p in fn.params]
        if one_liner:
            doc = f'"""Doc {fn.uid}."""; ' if fn.doc == "header" else ""
            body = f"{doc}v{fn.body[0].uid} = 1"
            return f"{indent}{keyword} f{fn.uid}({', '.join(params)}){returns}: {body}{comment}"
        if fn.multiline_signature and params:
            self.lines.append(f"{indent}{keyword} f{fn.uid}(")
            self.lines += [f"{indent}{self.step}{p}," for p in params]
            return f"{indent}){returns}:{comment or f'  # sig {fn.uid}'}"
        return f"{indent}{keyword} f{fn.uid}({', '.join(params)}){returns}:{comment}"

    def body(self, body: tuple[Stmt | Fn, ...], indent: str, prefix: str) -> None:
        for stmt in body:
            if isinstance(stmt, Fn):
                self.function(stmt, indent, prefix)
            elif stmt.kind == "blank":
                self.lines.append(self.blank(stmt.uid, 0))
            elif stmt.kind == "if":
                self.lines.append(f"{indent}if c{stmt.uid}:")
                self.body(stmt.body, indent + self.step, prefix)
            else:
                text = {"assign": "v{} = {}", "yield": "yield y{}", "raise": "raise E{}({})"}
                template = text.get(stmt.kind, "return r{}")
                self.lines.append(indent + template.format(stmt.uid, stmt.uid))


class _Blanks:
    """Spell blank line ``slot`` of record ``uid``: empty, or a unique run of blanks."""

    def __init__(self, unique: bool) -> None:
        self.unique = unique

    def __call__(self, uid: int, slot: int) -> str:
        if not self.unique:
            return ""
        return format(4 * uid + slot, "b").replace("0", " ").replace("1", "\t")
