"""Decide which changed functions get a docstring suggestion, and why the others do not.

A changed function is a target when it has no docstring, or when its docstring went stale
in this pull request: the signature changed and the parameters the docstring documents
no longer match the real ones. Every other changed function gets a :class:`SkipReason`
for the summary. The defaults of :class:`TargetRules` follow common practice: private
helpers, special methods, ``@overload`` stubs, ``@override`` methods (their docstring is
inherited), property setters, nested functions, test files and two-line functions are
left alone; ``__init__`` is documented only when its class has no docstring.

Classes are targets only where the rules ask for them (``document_classes``): a public
class without a docstring gets one, which documents its constructor's parameters too,
so the ``__init__`` of a class that is a target is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Literal, NamedTuple

import docstring_parser
import pathspec

from bot.core.extract import ExtractResult, FunctionInfo
from bot.core.skips import SkipKind

_ACCESSOR = re.compile(r"\w+\.(?:setter|deleter)$")
_GOOGLE_PARAMS = re.compile(
    r"^\s*(?:Args|Arguments|Parameters|Params|Keyword Args|Keyword Arguments|Other Parameters)"
    r"\s*:\s*$",
    re.MULTILINE,
)
_NUMPY_PARAMS = re.compile(
    r"^\s*(?:Parameters|Other Parameters|Keyword Arguments)\s*\n\s*-{3,}\s*$", re.MULTILINE
)


class SkipReason(StrEnum):
    """Why a changed function gets no suggestion; the value is the summary's wording."""

    HAS_DOCSTRING = "already has a docstring"
    PRIVATE = "private"
    DUNDER = "special method"
    INIT_OF_DOCUMENTED_CLASS = "__init__ of a documented class"
    OVERLOAD = "@overload stub"
    OVERRIDE = "@override (inherits its docstring)"
    ACCESSOR = "property setter or deleter"
    NESTED = "nested function"
    TEST = "test code"
    TOO_SHORT = "too short"
    EXCLUDED = "excluded by configuration"
    FILE_TOO_LARGE = "file too large"
    SYNTAX_ERROR = "syntax error in file"
    NEWER_SYNTAX = "syntax newer than docgen's Python"
    UNREADABLE = "file could not be read"
    LOCAL_CLASS = "class inside a function"
    INIT_IN_CLASS_DOCSTRING = "__init__ documented by its class"

    @property
    def kind(self) -> SkipKind:
        """Return the kind of stop: a rule at work, or a file docgen could not read."""
        return _REASON_KINDS.get(self, SkipKind.POLICY)


_REASON_KINDS = {
    SkipReason.FILE_TOO_LARGE: SkipKind.FILE,
    SkipReason.SYNTAX_ERROR: SkipKind.FILE,
    SkipReason.NEWER_SYNTAX: SkipKind.FILE,
    SkipReason.UNREADABLE: SkipKind.FILE,
}


@dataclass(frozen=True)
class TargetRules:
    """Which functions to leave alone. Globs use ``.gitignore`` syntax.

    ``min_lines`` counts from the ``def`` line to the last line: with 3, ``def f(x):``
    plus one ``return`` line is too short. ``document_classes``: public classes without
    a docstring are targets too (ruff's or pydocstyle's D101/D106, or interrogate, ask).
    """

    skip_private: bool = True
    skip_dunders: bool = True
    skip_tests: bool = True
    skip_nested: bool = True
    skip_overrides: bool = True
    include_stale: bool = True
    min_lines: int = 3
    max_file_lines: int = 20_000
    exclude: tuple[str, ...] = ()
    test_paths: tuple[str, ...] = ("test/", "tests/", "test_*.py", "*_test.py", "conftest.py")
    document_classes: bool = False


@dataclass(frozen=True)
class Target:
    """A function to document: ``insert`` a missing docstring or ``replace`` a stale one."""

    function: FunctionInfo
    mode: Literal["insert", "replace"]


class Skipped(NamedTuple):
    """A changed function (or a whole file, by path) left out, and why."""

    subject: FunctionInfo | str
    reason: SkipReason

    @property
    def id(self) -> str:
        """Return the function's id, or the file's path."""
        return self.subject if isinstance(self.subject, str) else self.subject.id


@dataclass(frozen=True)
class Selection:
    """The outcome for one file: targets in source order, and everything skipped."""

    targets: tuple[Target, ...]
    skipped: tuple[Skipped, ...]


def select_targets(
    result: ExtractResult,
    changed: Iterable[FunctionInfo],
    rules: TargetRules,
    *,
    base_result: ExtractResult | None = None,
) -> Selection:
    """Split a file's changed functions into targets and skipped functions with reasons."""
    changed = list(changed)
    file_reason = _file_reason(result, rules)
    if file_reason is not None:
        subjects: list[FunctionInfo | str] = list(changed) or [result.path]
        return Selection((), tuple(Skipped(s, file_reason) for s in subjects))
    targets: list[Target] = []
    skipped: list[Skipped] = []
    for function in changed:
        outcome = _decide(function, result, rules, base_result)
        if isinstance(outcome, SkipReason):
            skipped.append(Skipped(function, outcome))
        else:
            targets.append(outcome)
    return Selection(tuple(targets), tuple(skipped))


def select_class_targets(
    result: ExtractResult, changed: Iterable[FunctionInfo], rules: TargetRules
) -> Selection:
    """Split a file's changed classes (records of kind ``class``) into targets and skipped.

    Nothing is selected unless ``rules.document_classes``. A public class (no part of
    its qualname private, not inside a function) without a docstring is a target; a
    class is never too short, and never stale.
    """
    if not rules.document_classes:
        return Selection((), ())
    changed = list(changed)
    file_reason = _file_reason(result, rules)
    if file_reason is not None:
        return Selection((), tuple(Skipped(c, file_reason) for c in changed))
    targets: list[Target] = []
    skipped: list[Skipped] = []
    for klass in changed:
        reason = _class_reason(klass, rules)
        if reason is None:
            targets.append(Target(klass, "insert"))
        else:
            skipped.append(Skipped(klass, reason))
    return Selection(tuple(targets), tuple(skipped))


def _class_reason(klass: FunctionInfo, rules: TargetRules) -> SkipReason | None:
    if "<locals>" in klass.qualname:
        return SkipReason.LOCAL_CLASS
    if rules.skip_private and any(_is_private(part) for part in klass.qualname.split(".")):
        return SkipReason.PRIVATE
    if klass.docstring is not None:
        return SkipReason.HAS_DOCSTRING
    return None


def with_class_targets(functions: Selection, classes: Selection) -> Selection:
    """Return one file's selection of functions joined with its selection of classes.

    Targets come in source order. The ``__init__`` of a class that is a target is
    skipped: the class's docstring documents the constructor. A whole-file skip the
    classes repeat one by one is kept only for them.
    """
    documented = {t.function.key for t in classes.targets}
    targets: list[Target] = []
    skipped = list(classes.skipped)
    for target in functions.targets:
        fn = target.function
        if fn.name == "__init__" and fn.is_method and fn.key.rsplit(".", 1)[0] in documented:
            skipped.append(Skipped(fn, SkipReason.INIT_IN_CLASS_DOCSTRING))
        else:
            targets.append(target)
    repeated = {s.reason for s in classes.skipped}
    kept = [
        s for s in functions.skipped if not (isinstance(s.subject, str) and s.reason in repeated)
    ]
    joined = sorted([*targets, *classes.targets], key=lambda t: t.function.lineno)
    return Selection(tuple(joined), tuple(kept + skipped))


def _file_reason(result: ExtractResult, rules: TargetRules) -> SkipReason | None:
    if rules.exclude and _spec(rules.exclude).match_file(result.path):
        return SkipReason.EXCLUDED
    if result.error_kind is not None:
        return {
            "syntax": SkipReason.SYNTAX_ERROR,
            "newer_syntax": SkipReason.NEWER_SYNTAX,
            "unreadable": SkipReason.UNREADABLE,
        }[result.error_kind]
    if result.line_count > rules.max_file_lines:
        return SkipReason.FILE_TOO_LARGE
    if rules.skip_tests and _spec(rules.test_paths).match_file(result.path):
        return SkipReason.TEST
    return None


@lru_cache(maxsize=64)
def _spec(patterns: tuple[str, ...]) -> pathspec.GitIgnoreSpec:
    return pathspec.GitIgnoreSpec.from_lines(patterns)


def _decide(
    function: FunctionInfo,
    result: ExtractResult,
    rules: TargetRules,
    base_result: ExtractResult | None,
) -> Target | SkipReason:
    reason = _name_reason(function, result, rules)
    if reason is not None:
        return reason
    if function.docstring is not None:
        base = base_result.function(function.key) if base_result else None
        if rules.include_stale and is_stale(function, base):
            return Target(function, "replace")
        return SkipReason.HAS_DOCSTRING
    if function.end_lineno - function.def_lineno + 1 < rules.min_lines:
        return SkipReason.TOO_SHORT
    return Target(function, "insert")


def _name_reason(
    function: FunctionInfo, result: ExtractResult, rules: TargetRules
) -> SkipReason | None:
    decorators = {_decorator_name(d) for d in function.decorators}
    name = function.name
    if "overload" in decorators:
        return SkipReason.OVERLOAD
    if any(_ACCESSOR.match(d) for d in function.decorators):
        return SkipReason.ACCESSOR
    if rules.skip_overrides and decorators & {"override", "overrides"}:
        return SkipReason.OVERRIDE
    if rules.skip_nested and "<locals>" in function.qualname:
        return SkipReason.NESTED
    if rules.skip_dunders and len(name) > 4 and name.startswith("__") and name.endswith("__"):
        if name != "__init__":
            return SkipReason.DUNDER
        klass = result.klass(function.class_qualname) if function.class_qualname else None
        if klass is not None and klass.has_docstring:
            return SkipReason.INIT_OF_DOCUMENTED_CLASS
    if rules.skip_private and any(_is_private(part) for part in function.qualname.split(".")):
        return SkipReason.PRIVATE
    return None


def _decorator_name(text: str) -> str:
    """Return a decorator's last dotted name: ``typing.overload`` -> ``overload``."""
    return text.split("(", 1)[0].strip().rsplit(".", 1)[-1]


def _is_private(part: str) -> bool:
    return part.startswith("_") and not (part.startswith("__") and part.endswith("__"))


def is_stale(function: FunctionInfo, base: FunctionInfo | None) -> bool:
    """Tell whether a docstring no longer matches a signature this pull request changed.

    A function new in this pull request (no ``base``) counts as changed. A docstring that
    documents no parameters at all is never stale: it never claimed to list them.
    """
    if function.docstring is None:
        return False
    if base is not None and _signature(base) == _signature(function):
        return False
    documented = documented_params(function.docstring)
    if not documented:
        return False
    implicit = {"self", "cls"} if function.is_method else set()
    real = [p for p in function.params if p.name not in implicit]
    names = {p.name for p in real}
    required = {p.name for p in real if not p.kind.startswith("var_")}
    return bool(documented - names - implicit) or bool(required - documented)


def documented_params(docstring: str) -> frozenset[str]:
    """Return the parameter names a docstring documents (any style), without ``*``."""
    style = _param_style(docstring)
    if style is None:
        return frozenset()
    try:
        parsed = docstring_parser.parse(docstring, style)
    except (docstring_parser.ParseError, ValueError, IndexError, KeyError, AttributeError):
        return frozenset()
    names = set()
    for param in parsed.params:
        for name in param.arg_name.split(","):
            name = name.strip().lstrip("*").strip()
            if name:
                names.add(name)
    return frozenset(names)


def _param_style(docstring: str) -> docstring_parser.DocstringStyle | None:
    """Pick the style whose parameter section the docstring has; None when it has none.

    Naming the style spares docstring_parser trying all four on every docstring.
    """
    if _NUMPY_PARAMS.search(docstring):
        return docstring_parser.DocstringStyle.NUMPYDOC
    if _GOOGLE_PARAMS.search(docstring):
        return docstring_parser.DocstringStyle.GOOGLE
    if ":param" in docstring:
        return docstring_parser.DocstringStyle.REST
    if "@param" in docstring:
        return docstring_parser.DocstringStyle.EPYDOC
    return None


def _signature(function: FunctionInfo) -> tuple[object, ...]:
    def norm(text: str | None) -> str | None:
        return " ".join(text.split()) if text is not None else None

    params = tuple((p.name, p.kind, norm(p.annotation), norm(p.default)) for p in function.params)
    return params, norm(function.returns)
