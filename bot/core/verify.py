"""Check a docstring against the function it documents, before anyone sees it.

Each check returns precise reasons, phrased so they can be put back to the model
in a retry ("parameter 'timeout' is not documented") and shown in the summary
when the retry fails too. An empty list means the docstring may be posted.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from docstring_parser import Docstring, DocstringParam, DocstringReturns, ParseError, numpydoc, rest
from docstring_parser.google import DEFAULT_SECTIONS, GoogleParser, Section, SectionType

from bot.core.extract import FunctionInfo
from bot.core.render import Style, style_of

RETRY_TEMPLATE = (
    "Your docstring for {function_id} was rejected: {reasons}. "
    "Write it again in {style} style and fix exactly these problems."
)

_PARAM_KEYS = frozenset({"param", "parameter", "arg", "argument", "other_param"})
_KEYWORD_KEYS = frozenset({"key", "keyword"})
_NO_VALUE = frozenset({"None", "NoReturn", "Never", "typing.NoReturn", "typing.Never"})
_PROPERTY_DECORATORS = frozenset({"property", "cached_property", "setter", "getter", "deleter"})
# Words that add nothing to a summary when deciding whether it only restates the name.
_FILLER = frozenset(
    "a an the this that of for to and or it its function method given specified".split()
)
_NAME_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")

_GOOGLE = GoogleParser(
    sections=[
        *DEFAULT_SECTIONS,
        Section("Keyword Args", "key", SectionType.MULTIPLE),
        Section("Keyword Arguments", "key", SectionType.MULTIPLE),
        Section("Other Parameters", "other_param", SectionType.MULTIPLE),
        *(Section(t, "notes", SectionType.SINGULAR) for t in ("Note", "Notes", "Todo")),
        *(Section(t, "notes", SectionType.SINGULAR) for t in ("Warning", "Warnings", "See Also")),
    ]
)


@dataclass(frozen=True)
class FunctionFacts:
    """What a docstring must agree with, read from the function's code.

    ``params`` are the names in order, ``*args`` and ``**kwargs`` with their
    stars. ``returns_value`` is None when the code cannot tell (no annotation,
    and a body that only raises or passes, as abstract methods do).
    """

    name: str
    params: tuple[str, ...] = ()
    returns_value: bool | None = False
    is_generator: bool = False
    is_property: bool = False


def facts_from_node(node: ast.FunctionDef | ast.AsyncFunctionDef) -> FunctionFacts:
    """Read the facts a docstring is checked against from a function's AST."""
    args = node.args
    names = [a.arg for a in (*args.posonlyargs, *args.args)]
    if args.vararg is not None:
        names.append("*" + args.vararg.arg)
    names.extend(a.arg for a in args.kwonlyargs)
    if args.kwarg is not None:
        names.append("**" + args.kwarg.arg)
    returns, generator = _scan_body(node)
    return FunctionFacts(
        name=node.name,
        params=tuple(names),
        returns_value=_returns_value(node, returns, generator),
        is_generator=generator,
        is_property=any(_decorator_name(d) in _PROPERTY_DECORATORS for d in node.decorator_list),
    )


def facts_from_source(source: str) -> FunctionFacts:
    """Read the facts of the first function in ``source`` (a method's indented text too)."""
    # An indented method parses as it stands when nested under ``if 1:``.
    indented = source[:1] in (" ", "\t")
    tree = ast.parse("if 1:\n" + source if indented else source)
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            return facts_from_node(node)
    raise ValueError("source defines no function")


def facts_for(function: FunctionInfo) -> FunctionFacts:
    """Read the facts of an extracted function from its own source."""
    return facts_from_source(function.source)


def _scan_body(node: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[bool, bool]:
    """Return whether the body returns a value and whether it yields, nested scopes aside."""
    returns = generator = False
    stack: list[ast.AST] = list(node.body)
    while stack:
        current = stack.pop()
        if isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            continue
        if isinstance(current, ast.Yield | ast.YieldFrom):
            generator = True
        elif isinstance(current, ast.Return) and current.value is not None:
            returns = returns or not _is_none(current.value)
        stack.extend(ast.iter_child_nodes(current))
    return returns, generator


def _returns_value(
    node: ast.FunctionDef | ast.AsyncFunctionDef, returns: bool, generator: bool
) -> bool | None:
    if generator or node.returns is None:
        if returns or generator:
            return returns
        return None if _is_stub(node.body) else False
    return ast.unparse(node.returns) not in _NO_VALUE


def _is_stub(body: Sequence[ast.stmt]) -> bool:
    for stmt in body:
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue  # a docstring or ``...``
        if not isinstance(stmt, ast.Pass | ast.Raise):
            return False
    return True


def _is_none(value: ast.expr) -> bool:
    return isinstance(value, ast.Constant) and value.value is None


def _decorator_name(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def verify_docstring(body: str, facts: FunctionFacts, style: Style) -> list[str]:
    """Return why ``body`` may not document the function; empty when it may."""
    if not body.strip():
        return ["the docstring is empty"]
    written = style_of(body)
    if written is not None and written != style:
        return [f"the docstring uses {written} sections, but this repository uses {style} style"]
    try:
        doc = _parse(body, style)
    except ParseError as exc:
        return [f"the docstring's sections do not parse as {style} style ({exc})"]
    reasons = _restates_name(body, facts.name)
    reasons += _check_params(doc, facts)
    reasons += _check_returns(doc, facts)
    return reasons


def retry_message(function_id: str, reasons: Sequence[str], style: Style) -> str:
    """Return the note that tells the model why its docstring was refused."""
    return RETRY_TEMPLATE.format(function_id=function_id, reasons="; ".join(reasons), style=style)


def _parse(body: str, style: Style) -> Docstring:
    if style == "numpy":
        return numpydoc.parse(body)
    if style == "sphinx":
        return rest.parse(body)
    return _GOOGLE.parse(body)


def _words(words: Iterable[str]) -> set[str]:
    # A crude stem, so "Gets users" restates get_user as much as "Get user" does.
    return {w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words}


def _restates_name(body: str, name: str) -> list[str]:
    if "\n" in body.strip():
        return []
    said = _words(re.findall(r"[a-z0-9]+", body.lower())) - _FILLER
    named = _words(w.lower() for w in _NAME_WORDS.findall(name))
    if said <= named:
        return [f"the docstring only restates the name {name!r}; say what the function does"]
    return []


def _documented(doc: Docstring, keys: frozenset[str]) -> list[str]:
    names: list[str] = []
    for meta in doc.meta:
        if isinstance(meta, DocstringParam) and meta.args and meta.args[0] in keys:
            # NumPy allows "x, y : int"; Google writes "*args" or "\*args".
            names.extend(n.strip().lstrip("\\*").strip("`") for n in meta.arg_name.split(","))
    return [n for n in names if n]


def _check_params(doc: Docstring, facts: FunctionFacts) -> list[str]:
    params = list(facts.params)
    if params and params[0] in ("self", "cls"):
        params = params[1:]
    real = [p.lstrip("*") for p in params]
    documented = _documented(doc, _PARAM_KEYS)
    keywords = _documented(doc, _KEYWORD_KEYS)
    var_keyword = next((p.lstrip("*") for p in params if p.startswith("**")), None)
    if var_keyword is not None and keywords:
        documented.append(var_keyword)  # "Keyword Args:" describes what **kwargs accepts
    else:
        documented += keywords
    reasons = [f"parameter {name!r} is not documented" for name in real if name not in documented]
    reasons += [
        f"documents {name!r}, which is not a parameter of the function"
        for name in dict.fromkeys(documented)
        if name not in real
    ]
    reasons += [
        f"parameter {name!r} is documented more than once"
        for name in dict.fromkeys(documented)
        if documented.count(name) > 1
    ]
    return reasons


def _check_returns(doc: Docstring, facts: FunctionFacts) -> list[str]:
    found = [m for m in doc.meta if isinstance(m, DocstringReturns)]
    returns = any(not m.is_generator for m in found)
    yields = any(m.is_generator for m in found)
    summary = (doc.short_description or "").split(" ", 1)[0].lower()
    prose_only = not doc.meta
    if facts.is_generator:
        reasons = []
        if not yields and not (prose_only and summary in ("yield", "yields")):
            reasons.append("the function is a generator, but the docstring has no Yields section")
        if returns and not facts.returns_value:
            reasons.append("documents a return value, but the generator returns none")
        return reasons
    if yields:
        return ["documents what the function yields, but it is not a generator"]
    if returns and facts.returns_value is False:
        return ["documents a return value, but the function returns None"]
    if facts.returns_value and not returns and not facts.is_property:
        if not (prose_only and summary in ("return", "returns")):
            return ["the function returns a value, but the docstring has no Returns section"]
    return []
