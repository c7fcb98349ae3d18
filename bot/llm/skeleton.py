"""The offline provider: signature-based docstrings, no network, no cost.

It answers a planned request exactly as a model would, with the agreed JSON,
so the whole pipeline (planning, parsing, rendering, posting) runs without a
model. Each docstring is a summary placeholder plus the sections the code
itself justifies: parameters, return value, what a generator yields and the
exceptions the function raises, in the chosen style.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Self

from bot.llm.plan import PlannedRequest
from bot.llm.prompt import FunctionNode, Style, parse_function, parse_signature
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


def _google(f: Facts) -> list[str]:
    out: list[str] = []
    if f.params:
        out += ["", "Args:", *(f"    {name}: {PLACEHOLDER}" for name, _ in f.params)]
    if f.returns is not None:
        prefix = f"{f.returns}: " if f.returns else ""
        out += ["", "Returns:", f"    {prefix}{PLACEHOLDER}"]
    if f.yields:
        out += ["", "Yields:", f"    {PLACEHOLDER}"]
    if f.raises:
        out += ["", "Raises:", *(f"    {exc}: {PLACEHOLDER}" for exc in f.raises)]
    return out


def _numpy_section(title: str, entries: list[str]) -> list[str]:
    out = ["", title, "-" * len(title)]
    for entry in entries:
        out += [entry, f"    {PLACEHOLDER}"]
    return out


def _numpy(f: Facts) -> list[str]:
    out: list[str] = []
    if f.params:
        entries = [f"{name} : {ann}" if ann else name for name, ann in f.params]
        out += _numpy_section("Parameters", entries)
    if f.returns is not None:
        out += _numpy_section("Returns", [f.returns or "object"])
    if f.yields:
        out += _numpy_section("Yields", ["object"])
    if f.raises:
        out += _numpy_section("Raises", list(f.raises))
    return out


def _sphinx(f: Facts) -> list[str]:
    out = [f":param {name.lstrip('*')}: {PLACEHOLDER}" for name, _ in f.params]
    if f.returns is not None:
        out.append(f":returns: {PLACEHOLDER}")
        if f.returns:
            out.append(f":rtype: {f.returns}")
    if f.yields:
        out.append(f":yields: {PLACEHOLDER}")
    out += [f":raises {exc}: {PLACEHOLDER}" for exc in f.raises]
    return ["", *out] if out else []


_RENDER = {"google": _google, "numpy": _numpy, "sphinx": _sphinx}


def skeleton_docstring(source: str, style: Style, signature: str = "") -> str | None:
    """Return a signature-based docstring body for ``source``; None if it does not parse.

    A body shortened by the planner may no longer parse; the ``signature``
    alone, given a stub body, still yields the parameters and return type.
    """
    node = parse_function(source)
    if node is None and signature:
        node = parse_signature(signature)
    if node is None:
        return None
    facts = read_facts(node)
    summary = f"TODO: summarize what {facts.name} does."
    return "\n".join([summary, *_RENDER[style](facts)])


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
            text = skeleton_docstring(fn.source, self.style, fn.signature)
            if text is not None:
                entries.append({"id": fn.id, "docstring": text})
        content = json.dumps({"docstrings": entries})
        return Answer(content, "stop", Usage(0, 0, 0), attempts=1)
