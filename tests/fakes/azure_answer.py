"""What the fake model answers: one deterministic docstring per function it was asked about.

Prompt convention (docgen's prompt builder follows it): each function appears in a
user message on a line of its own, ``### <path>::<qualname>``, followed by its source
(optionally inside a ``` fence) up to the next such line or the end of the message.
The answer follows docgen's model contract:
``{"docstrings": [{"id": "<path>::<qualname>", "docstring": "<body>"}]}``.
The body is a summary line derived from the function's name and, when the source
parses and has parameters other than a leading self/cls, a section naming exactly
those parameters, then a Returns or Yields section when the function yields, returns
a value or is annotated to return one, as a careful model would. It is written in the
style the system message asks for (see ``azure_modes``), Google unless told; an
answer mode makes it careless in one chosen way.
"""

from __future__ import annotations

import ast
import json
import re
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tests.fakes.azure_modes import AnswerMode, answered_id, written
from tests.fakes.azure_styles import DocStyle, Draft, ResultKind
from tests.fakes.azure_tokens import value_text

ID_LINE = re.compile(r"^\#\#\#[ \t]+(?P<id>[^\n]*?::[^\n]*?)[ \t]*$", re.MULTILINE)
# A fence closes with the same run of backticks that opened it, so a longer fence can
# hold source that itself contains ``` (docgen's prompt builder makes such fences).
_FENCE = re.compile(
    r"^[ \t]*(?P<ticks>`{3,})[^`\n]*\n(?P<code>.*?)^[ \t]*(?P=ticks)[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
_DEF_LINE = re.compile(r"^[ \t]*(@|async[ \t]+def\b|def\b)", re.MULTILINE)
_NUMBERED = re.compile(r"#\d+$")  # a name defined again in its scope: parse#2
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass(frozen=True)
class AskedFunction:
    """One function the prompt asked about: its id and the source that followed it."""

    id: str
    source: str

    @property
    def name(self) -> str:
        """Return the function's own name: the last part of its qualname, no ``#N``."""
        return _NUMBERED.sub("", self.id.rsplit("::", 1)[1].rsplit(".", 1)[-1])


def asked_functions(messages: Sequence[Mapping[str, Any]]) -> list[AskedFunction]:
    """Return the functions named in the user messages, first mention first, no repeats."""
    found: dict[str, AskedFunction] = {}
    for message in messages:
        if message.get("role") != "user":
            continue
        text = value_text(message.get("content"))
        matches = list(ID_LINE.finditer(text))
        ends = [m.start() for m in matches[1:]] + [len(text)]
        for match, end in zip(matches, ends, strict=False):
            found.setdefault(match["id"], AskedFunction(match["id"], text[match.end() : end]))
    return list(found.values())


def _candidates(source: str) -> Iterator[str]:
    fence = _FENCE.search(source)
    if fence:
        yield textwrap.dedent(fence["code"])
    yield textwrap.dedent(source)
    first_def = _DEF_LINE.search(source)
    if first_def:
        yield textwrap.dedent(source[first_def.start() :])


def function_node(source: str, name: str) -> FunctionNode | None:
    """Parse ``source`` and return the function called ``name`` (else the outermost one)."""
    for candidate in _candidates(source):
        try:
            tree = ast.parse(candidate)
        except SyntaxError:
            continue
        nodes = [n for n in ast.walk(tree) if isinstance(n, FunctionNode)]
        named = [n for n in nodes if n.name == name]
        if named or nodes:
            return (named or nodes)[0]
    return None


def parameter_names(node: FunctionNode) -> list[str]:
    """Return the parameters a docstring documents: all but a leading self/cls, stars kept."""
    args = node.args
    positional = [a.arg for a in [*args.posonlyargs, *args.args]]
    if positional and positional[0] in ("self", "cls"):
        positional = positional[1:]
    names = positional
    if args.vararg:
        names.append("*" + args.vararg.arg)
    names.extend(a.arg for a in args.kwonlyargs)
    if args.kwarg:
        names.append("**" + args.kwarg.arg)
    return names


def _words(name: str) -> list[str]:
    spaced = _CAMEL.sub("_", name.strip("_*"))
    return [w.lower() for w in spaced.split("_") if w]


def summary_line(name: str) -> str:
    """Return an imperative summary made from a function name: ``read_all`` -> "Read all."."""
    if name == "__init__":
        return "Initialize the instance."
    if name.startswith("__") and name.endswith("__"):
        return f"Implement the {name.strip('_')} protocol."
    words = _words(name) or ["run"]
    return " ".join([words[0].capitalize(), *words[1:]]) + "."


def _own_nodes(node: FunctionNode) -> Iterator[ast.AST]:
    """Yield the nodes of ``node``'s own body, not of functions or classes nested in it."""
    stack: list[ast.AST] = list(node.body)
    while stack:
        current = stack.pop()
        yield current
        if not isinstance(
            current, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda
        ):
            stack.extend(ast.iter_child_nodes(current))


_NO_VALUE = frozenset({"None", "NoReturn", "Never", "typing.NoReturn", "typing.Never"})


def _returns_something(value: ast.expr | None) -> bool:
    return value is not None and not (isinstance(value, ast.Constant) and value.value is None)


def result_kind(node: FunctionNode | None) -> ResultKind | None:
    """Tell whether the function yields, returns a value, or neither.

    A return annotation decides when there is one (``-> None`` over a ``return f()``
    that passes None on, ``-> int`` over a body that only raises); the return
    statements decide otherwise.
    """
    if node is None:
        return None
    own = list(_own_nodes(node))
    if any(isinstance(n, ast.Yield | ast.YieldFrom) for n in own):
        return "yields"
    if node.returns is not None:
        return None if ast.unparse(node.returns).strip("'\"") in _NO_VALUE else "returns"
    if any(isinstance(n, ast.Return) and _returns_something(n.value) for n in own):
        return "returns"
    return None


def class_node(source: str, name: str) -> ast.ClassDef | None:
    """Return the class called ``name`` when ``source`` shows one (a class was asked for)."""
    for candidate in _candidates(source):
        try:
            tree = ast.parse(candidate)
        except SyntaxError:
            continue
        found = [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name == name]
        return found[0] if found else None
    return None


def _fields(klass: ast.ClassDef) -> list[str]:
    """Return a decorated record class's annotated fields (a dataclass's parameters)."""
    if not (klass.decorator_list or klass.bases):
        return []
    return [
        n.target.id
        for n in klass.body
        if isinstance(n, ast.AnnAssign)
        and isinstance(n.target, ast.Name)
        and "ClassVar" not in ast.unparse(n.annotation)
    ]


def draft_for(function: AskedFunction) -> Draft:
    """Return what a careful model knows to write about one asked function or class.

    For a class, that is its constructor's parameters and no return value.
    """
    klass = class_node(function.source, function.name)
    if klass is not None:
        init = next(
            (n for n in klass.body if isinstance(n, FunctionNode) and n.name == "__init__"), None
        )
        params = parameter_names(init) if init is not None else _fields(klass)
        return Draft(
            summary=summary_line(function.name),
            params=tuple((p, f"The {' '.join(_words(p)) or p}.") for p in params),
            result=None,
            result_type=None,
        )
    node = function_node(function.source, function.name)
    params = parameter_names(node) if node else []
    result = result_kind(node)
    annotation = node.returns if node is not None and result == "returns" else None
    return Draft(
        summary=summary_line(function.name),
        params=tuple((p, f"The {' '.join(_words(p)) or p}.") for p in params),
        result=result,
        result_type=ast.unparse(annotation) if annotation is not None else None,
    )


def docstring_for(
    function: AskedFunction, style: DocStyle = "google", mode: AnswerMode = AnswerMode.CAREFUL
) -> str:
    """Return the fake model's docstring body for one asked function."""
    return written(draft_for(function), style, mode)


def answer_items(
    functions: Sequence[AskedFunction],
    style: DocStyle = "google",
    mode: AnswerMode = AnswerMode.CAREFUL,
) -> list[dict[str, str]]:
    """Return the contract's ``docstrings`` items for ``functions``, in prompt order."""
    return [
        {"id": answered_id(f.id, mode), "docstring": docstring_for(f, style, mode)}
        for f in functions
    ]


def answer_json(items: Sequence[Mapping[str, str]]) -> str:
    """Serialise items the way a model writes structured output: one compact JSON object."""
    return json.dumps({"docstrings": list(items)}, ensure_ascii=False)
