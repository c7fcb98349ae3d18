"""Check a docstring against the function it documents, before anyone sees it.

There are two kinds of findings. *Refused* ones make the docstring false or
useless: it documents a parameter that does not exist (or one twice), claims a
return value or yields the code does not have, is empty, or only restates the
name. They are put back to the model once, in words it can act on, and skipped
with the same words if the retry fails too. *Incomplete* ones leave something
out (a parameter, a description, a Returns, Yields or Raises section): the
docstring is still true, so it is posted as it is and the summary says what it
lacks; only a repository that asks for complete docstrings has them asked for.

The style is never a finding: the text is read in the repository's style, and
where it is written in another one, in whatever style docstring_parser detects.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import docstring_parser
from docstring_parser import (
    Docstring,
    DocstringParam,
    DocstringRaises,
    DocstringReturns,
    DocstringStyle,
    ParseError,
    numpydoc,
    rest,
)
from docstring_parser.google import DEFAULT_SECTIONS, GoogleParser, Section, SectionType

from bot.core.extract import FunctionInfo
from bot.core.fingerprint import analyse, function_node
from bot.core.render import Style, style_of

RETRY_TEMPLATE = (
    "Your docstring for {function_id} was rejected: {reasons}. "
    "Write it again and fix exactly these problems."
)
COMPLETE_TEMPLATE = (
    "Your docstring for {function_id} lacks: {lacks}. Answer with this docstring, "
    "those parts added and nothing else changed:\n{docstring}"
)

_PARAM_KEYS = frozenset({"param", "parameter", "arg", "argument", "other_param"})
_KEYWORD_KEYS = frozenset({"key", "keyword"})
_NO_VALUE = frozenset({"None", "NoReturn", "Never", "typing.NoReturn", "typing.Never"})
_PROPERTY_DECORATORS = frozenset({"property", "cached_property", "setter", "getter", "deleter"})
# Decorators that turn a generator into something else: a context manager
# (contextlib), a fixture (pytest, pytest-asyncio), a Deferred (Twisted). What the
# generator yields, or returns, is then the value: either section describes it.
_GENERATOR_WRAPPERS = frozenset(
    {"contextmanager", "asynccontextmanager", "fixture", "yield_fixture", "inlineCallbacks"}
)
# Raised to mark what a subclass must provide, not a failure a caller handles.
_NOT_DOCUMENTED_RAISES = frozenset({"NotImplementedError"})
_IMPLICIT_PARAMS = ("self", "cls")
# Words that add nothing to a summary when deciding whether it only restates the name.
_FILLER = frozenset(
    "a an the this that of for to and or it its function method given specified".split()
)
_CLASS_FILLER = frozenset("class object instance".split())
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
    ``yields_value`` tells whether some ``yield`` gives a value (bare ``yield``
    and ``yield None`` do not). ``wrapped_generator``: a decorator such as
    ``contextlib.contextmanager`` makes the generator stand for a value.
    ``raises`` names the exceptions the function raises itself, in source order.
    ``is_class``: the docstring is a class's, whose ``params`` are its constructor's;
    it has no value to return, yield or raise.
    """

    name: str
    params: tuple[str, ...] = ()
    returns_value: bool | None = False
    is_generator: bool = False
    is_property: bool = False
    yields_value: bool = False
    wrapped_generator: bool = False
    raises: tuple[str, ...] = ()
    is_class: bool = False


@dataclass(frozen=True)
class Findings:
    """What is wrong with a docstring: refused (false or useless) and incomplete parts.

    ``refused`` are sentences for the model and the summary; ``incomplete`` are
    short names of what is left out ("parameter 'size'", "Returns section").
    """

    refused: tuple[str, ...] = ()
    incomplete: tuple[str, ...] = ()


def facts_from_node(
    node: ast.FunctionDef | ast.AsyncFunctionDef, raises: Sequence[str] = ()
) -> FunctionFacts:
    """Read the facts a docstring is checked against from a function's AST.

    ``raises`` are the exceptions the function raises itself (see
    :func:`bot.core.fingerprint.analyse`), which the AST alone is not asked for.
    """
    args = node.args
    names = [a.arg for a in (*args.posonlyargs, *args.args)]
    if args.vararg is not None:
        names.append("*" + args.vararg.arg)
    names.extend(a.arg for a in args.kwonlyargs)
    if args.kwarg is not None:
        names.append("**" + args.kwarg.arg)
    scan = _scan_body(node)
    decorators = {_decorator_name(d) for d in node.decorator_list}
    return FunctionFacts(
        name=node.name,
        params=tuple(names),
        returns_value=_returns_value(node, scan.returns, scan.generator),
        is_generator=scan.generator,
        is_property=bool(decorators & _PROPERTY_DECORATORS),
        yields_value=scan.yields_value,
        wrapped_generator=scan.generator and bool(decorators & _GENERATOR_WRAPPERS),
        raises=tuple(raises),
    )


def facts_from_source(source: str) -> FunctionFacts:
    """Read the facts of the function ``source`` defines (a method's indented text too)."""
    node = function_node(source)  # parsed once, shared with the fingerprint
    if node is None:
        raise ValueError("source defines no function")
    return facts_from_node(node, analyse(source).raises)


def facts_for(function: FunctionInfo) -> FunctionFacts:
    """Read the facts of an extracted function from its own source.

    A class's facts are its constructor's parameters (``__init__``'s, without ``self``).
    """
    if function.is_class:
        return class_facts(function)
    return facts_from_source(function.source)


def class_facts(klass: FunctionInfo) -> FunctionFacts:
    """Return the facts a class's docstring is checked against: its ``__init__`` parameters."""
    stars = {"var_positional": "*", "var_keyword": "**"}
    params = tuple(stars.get(p.kind, "") + p.name for p in klass.params)
    return FunctionFacts(name=klass.name, params=params, returns_value=False, is_class=True)


@dataclass(frozen=True)
class _Scan:
    returns: bool = False
    generator: bool = False
    yields_value: bool = False


def _scan_body(node: ast.FunctionDef | ast.AsyncFunctionDef) -> _Scan:
    """Return whether the body returns a value and whether (and what) it yields."""
    scan = _Scan()
    stack: list[ast.AST] = list(node.body)
    while stack:
        current = stack.pop()
        if isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            continue
        if isinstance(current, ast.YieldFrom):
            scan = replace(scan, generator=True, yields_value=True)
        elif isinstance(current, ast.Yield):
            gives = current.value is not None and not _is_none(current.value)
            scan = replace(scan, generator=True, yields_value=scan.yields_value or gives)
        elif isinstance(current, ast.Return) and current.value is not None:
            scan = replace(scan, returns=scan.returns or not _is_none(current.value))
        stack.extend(ast.iter_child_nodes(current))
    return scan


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


def verify_docstring(body: str, facts: FunctionFacts, style: Style) -> Findings:
    """Return what is false (refused) and what is left out (incomplete) in ``body``."""
    if not body.strip():
        return Findings(refused=("the docstring is empty",))
    try:
        doc = read_docstring(body, style)
    except ParseError as exc:
        return Findings(refused=(f"the docstring's sections do not parse ({exc})",))
    refused = _restates_name(body, facts)
    incomplete: list[str] = []
    for check in (_check_params, _check_returns, _check_raises):
        wrong, missing = check(doc, facts)
        refused += wrong
        incomplete += missing
    return Findings(tuple(refused), tuple(incomplete))


def read_docstring(body: str, style: Style) -> Docstring:
    """Parse ``body`` in the repository's ``style``, or in the style it is written in.

    Text with another style's section markers, or that does not parse as
    ``style``, is read with docstring_parser's automatic detection. Raise
    ParseError only when no style reads it.
    """
    written = style_of(body)
    if written is None or written == style:
        try:
            return _parse(body, style)
        except ParseError:
            pass
    return docstring_parser.parse(body, DocstringStyle.AUTO)


def retry_message(function_id: str, reasons: Sequence[str]) -> str:
    """Return the note that tells the model why its docstring was refused."""
    return RETRY_TEMPLATE.format(function_id=function_id, reasons="; ".join(reasons))


def completion_message(function_id: str, lacks: Sequence[str], docstring: str) -> str:
    """Return the note that asks the model to add what its ``docstring`` lacks."""
    shown = _fenced(docstring)
    return COMPLETE_TEMPLATE.format(
        function_id=function_id, lacks=", ".join(lacks), docstring=shown
    )


def _fenced(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}text\n{text}\n{ticks}"


def _parse(body: str, style: Style) -> Docstring:
    if style == "numpy":
        return numpydoc.parse(body)
    if style == "sphinx":
        return rest.parse(body)
    return _GOOGLE.parse(body)


def _words(words: Iterable[str]) -> set[str]:
    # A crude stem, so "Gets users" restates get_user as much as "Get user" does.
    return {w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words}


def _restates_name(body: str, facts: FunctionFacts) -> list[str]:
    if "\n" in body.strip():
        return []
    name = facts.name
    filler = _FILLER | _CLASS_FILLER if facts.is_class else _FILLER
    said = _words(re.findall(r"[a-z0-9]+", body.lower())) - filler
    named = _words(w.lower() for w in _NAME_WORDS.findall(name))
    if said <= named:
        what = "the class is for" if facts.is_class else "the function does"
        return [f"the docstring only restates the name {name!r}; say what {what}"]
    return []


def _clean_name(name: str) -> str:
    # NumPy allows "x, y : int"; Google writes "*args" or "\*args"; some quote names.
    return name.strip().strip("`").lstrip("\\*").strip("`")


def _documented(doc: Docstring, keys: frozenset[str]) -> list[tuple[str, bool]]:
    """Return each documented name with whether it has a description, in order."""
    names: list[tuple[str, bool]] = []
    for meta in doc.meta:
        if isinstance(meta, DocstringParam) and meta.args and meta.args[0] in keys:
            described = bool((meta.description or "").strip())
            names += [(n, described) for n in map(_clean_name, meta.arg_name.split(",")) if n]
    return names


def _check_params(doc: Docstring, facts: FunctionFacts) -> tuple[list[str], list[str]]:
    params = list(facts.params)
    if params and params[0] in _IMPLICIT_PARAMS:
        params = params[1:]
    real = [p.lstrip("*") for p in params]
    # Documenting self or cls says nothing false: it is neither asked for nor refused.
    entries = [
        e for e in _documented(doc, _PARAM_KEYS) if e[0] in real or e[0] not in _IMPLICIT_PARAMS
    ]
    keywords = _documented(doc, _KEYWORD_KEYS)
    var_keyword = next((p.lstrip("*") for p in params if p.startswith("**")), None)
    if var_keyword is not None and keywords:
        # "Keyword Args:" describes what **kwargs accepts.
        entries.append((var_keyword, all(described for _, described in keywords)))
    else:
        entries += keywords
    documented = [name for name, _ in entries]
    owner = "the class's constructor" if facts.is_class else "the function"
    refused = [
        f"documents {name!r}, which is not a parameter of {owner}"
        for name in dict.fromkeys(documented)
        if name not in real
    ]
    refused += [
        f"parameter {name!r} is documented more than once"
        for name in dict.fromkeys(documented)
        if documented.count(name) > 1
    ]
    undescribed = {name for name, described in entries if not described}
    missing = [
        f"parameter {name!r}" if name not in documented else f"description of {name!r}"
        for name in real
        if name not in documented or name in undescribed
    ]
    return refused, missing


def _check_returns(doc: Docstring, facts: FunctionFacts) -> tuple[list[str], list[str]]:
    found = [m for m in doc.meta if isinstance(m, DocstringReturns)]
    returns = any(not m.is_generator for m in found)
    yields = any(m.is_generator for m in found)
    if facts.is_class:
        if returns or yields:
            return ["documents a return value or yields, which a class docstring has not"], []
        return [], []
    summary = (doc.short_description or "").split(" ", 1)[0].lower()
    # A summary of prose alone that starts "Return ..." or "Yield ..." says what comes back.
    said_in_prose = not doc.meta and summary in ("return", "returns", "yield", "yields")
    if facts.wrapped_generator:
        gives = facts.yields_value or bool(facts.returns_value)
        if gives and not (returns or yields or said_in_prose):
            return [], ["Returns or Yields section"]
        return [], []
    if facts.is_generator:
        # A Returns section on a generator describes the generator object: true, if odd.
        if not yields and not (said_in_prose and summary.startswith("yield")):
            return [], ["Yields section"]
        return [], []
    if yields:
        return ["documents what the function yields, but it is not a generator"], []
    if returns and facts.returns_value is False:
        return ["documents a return value, but the function returns None"], []
    if facts.returns_value and not returns and not facts.is_property:
        if not (said_in_prose and summary.startswith("return")):
            return [], ["Returns section"]
    return [], []


def _check_raises(doc: Docstring, facts: FunctionFacts) -> tuple[list[str], list[str]]:
    said = {
        _last(_clean_name(m.type_name or "")) for m in doc.meta if isinstance(m, DocstringRaises)
    }
    missing = [
        f"Raises entry for {name}"
        for name in facts.raises
        if _last(name) not in _NOT_DOCUMENTED_RAISES and _last(name) not in said
    ]
    return [], missing


def _last(dotted: str) -> str:
    return dotted.rsplit(".", 1)[-1]
