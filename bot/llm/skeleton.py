"""The offline provider: signature-based docstrings, no network, no cost.

It answers a planned request exactly as a model would, with the agreed JSON,
so the whole pipeline (planning, parsing, rendering, posting) runs without a
model. Each docstring is a summary placeholder plus the sections the code
itself justifies: parameters, return value, what a generator yields and the
exceptions the function raises, in the chosen style. A class gets its
constructor's parameters (those of ``__init__``) and nothing else.

A stale function keeps its docstring: the skeleton only syncs the parameter
list with the signature (new parameters get a placeholder, gone ones are
dropped), which is useful on its own and needs no model.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Self

from bot.core.classview import init_method
from bot.core.docmerge import sync_params
from bot.core.docparts import Block, DocParts, Entries, Entry, Raised, Raises, Value, Values
from bot.core.docstyle import render_parts
from bot.core.extract import record_fields
from bot.llm.plan import PlannedRequest
from bot.llm.prompt import (
    FunctionNode,
    PromptFunction,
    Style,
    parse_definition,
    parse_signature,
)
from bot.llm.usage import Answer, Usage

PLACEHOLDER = "TODO: describe."


@dataclass(frozen=True)
class Facts:
    """What a docstring skeleton is made from, read off the function's code."""

    name: str
    params: tuple[tuple[str, str], ...]  # (name as documented, annotation or "")
    returns: str | None  # annotation, "" when a value is returned unannotated, None if nothing
    yields: bool
    raises: tuple[str, ...]


def _own_nodes(node: FunctionNode) -> Iterator[ast.AST]:
    """Yield the nodes of ``node``'s body, not those of functions or classes inside it."""
    stack: list[ast.AST] = list(node.body)
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, FunctionNode | ast.Lambda | ast.ClassDef):
            continue
        stack.extend(ast.iter_child_nodes(current))


def _params(args: ast.arguments) -> tuple[tuple[str, str], ...]:
    named = [*args.posonlyargs, *args.args]
    out = [(a.arg, a.annotation) for a in named if a.arg not in ("self", "cls")]
    if args.vararg is not None:
        out.append(("*" + args.vararg.arg, args.vararg.annotation))
    out += [(a.arg, a.annotation) for a in args.kwonlyargs]
    if args.kwarg is not None:
        out.append(("**" + args.kwarg.arg, args.kwarg.annotation))
    return tuple((name, ast.unparse(ann) if ann is not None else "") for name, ann in out)


def _raised_name(node: ast.Raise) -> str | None:
    exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
    return ast.unparse(exc) if isinstance(exc, ast.Name | ast.Attribute) else None


def _position(node: ast.Raise) -> tuple[int, int]:
    return node.lineno, node.col_offset


def read_facts(node: FunctionNode) -> Facts:
    """Read the parameters, return, yields and raises of a parsed function."""
    own = list(_own_nodes(node))
    yields = any(isinstance(n, ast.Yield | ast.YieldFrom) for n in own)
    raises: list[str] = []
    for n in sorted((n for n in own if isinstance(n, ast.Raise)), key=_position):
        name = _raised_name(n)
        if name is not None and name not in raises:
            raises.append(name)
    returns: str | None = None
    if node.returns is not None:
        text = ast.unparse(node.returns)
        returns = None if text in ("None", "NoReturn", "Never") or yields else text
    elif not yields and any(isinstance(n, ast.Return) and n.value is not None for n in own):
        returns = ""
    return Facts(node.name, _params(node.args), returns, yields, tuple(raises))


def class_facts(node: ast.ClassDef) -> Facts:
    """Read what a class's docstring documents: its ``__init__``'s parameters."""
    init = init_method(node)
    if init is None:  # a dataclass's fields are its parameters; a plain class takes none
        fields = record_fields(node)
        params = tuple((ast.unparse(f.target), ast.unparse(f.annotation)) for f in fields)
    else:
        params = _params(init.args)  # self left out, as for methods
    return Facts(node.name, params, None, False, ())


def _blocks(f: Facts, style: Style) -> list[Block]:
    blocks: list[Block] = []
    if f.params:
        # NumPy puts a type on every entry line; the other styles leave it to the signature.
        typed = style == "numpy"
        entries = (Entry(n, ann if typed else "", PLACEHOLDER) for n, ann in f.params)
        blocks.append(Entries("params", tuple(entries)))
    if f.returns is not None:
        kind = f.returns or ("object" if style == "numpy" else "")
        blocks.append(Values("returns", (Value(kind, PLACEHOLDER),)))
    if f.yields:
        kind = "object" if style == "numpy" else ""
        blocks.append(Values("yields", (Value(kind, PLACEHOLDER),)))
    if f.raises:
        blocks.append(Raises(tuple(Raised(exc, PLACEHOLDER) for exc in f.raises)))
    return blocks


def _node(source: str, signature: str) -> FunctionNode | ast.ClassDef | None:
    node = parse_definition(source)
    if node is None and signature:
        node = parse_signature(signature)
    return node


def _facts(node: FunctionNode | ast.ClassDef) -> Facts:
    return class_facts(node) if isinstance(node, ast.ClassDef) else read_facts(node)


def skeleton_docstring(source: str, style: Style, signature: str = "") -> str | None:
    """Return a signature-based docstring body for ``source``; None if it does not parse.

    A body shortened by the planner may no longer parse; the ``signature``
    alone, given a stub body, still yields the parameters and return type.
    """
    node = _node(source, signature)
    if node is None:
        return None
    facts = _facts(node)
    does = "is for" if isinstance(node, ast.ClassDef) else "does"
    summary = f"TODO: summarize what {facts.name} {does}."
    return render_parts(DocParts(summary, tuple(_blocks(facts, style))), style)


def synced_docstring(fn: PromptFunction, style: Style) -> str | None:
    """Return ``fn``'s current docstring with its parameter list synced to the signature.

    The text, sections and directives stay as written; parameters the docstring
    lacks are added with a placeholder, and documented names the function no
    longer takes are dropped. None if the function does not parse.
    """
    node = _node(fn.source, fn.signature)
    if node is None:
        return None
    params = _facts(node).params
    types = dict(params) if style == "numpy" else None
    names = [name for name, _ in params]
    return sync_params(fn.current_docstring, names, style, placeholder=PLACEHOLDER, types=types)


def answer_for(fn: PromptFunction, style: Style) -> str | None:
    """Return the skeleton's docstring for ``fn``: synced when stale, else a fresh skeleton."""
    if fn.current_docstring.strip():
        return synced_docstring(fn, style)
    return skeleton_docstring(fn.source, style, fn.signature)


@dataclass(frozen=True)
class SkeletonCaller:
    """A model caller that writes skeletons locally and reports zero usage."""

    style: Style = "google"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Nothing to close: the skeleton holds no connection."""

    async def complete(self, request: PlannedRequest) -> Answer:
        """Answer ``request`` with the agreed JSON, as a model would."""
        entries = []
        for fn in request.functions:
            text = answer_for(fn, self.style)
            if text is not None:
                entries.append({"id": fn.id, "docstring": text})
        content = json.dumps({"docstrings": entries})
        return Answer(content, "stop", Usage(0, 0, 0), attempts=1)
