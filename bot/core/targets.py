"""Decide which changed functions get a docstring suggestion, and why the others do not.

A changed function is a target when the repository's docstring rules ask it to have a
docstring and it has none, or when its docstring went stale in this pull request: the
signature changed and the parameters the docstring documents no longer match the real
ones. The rules are the repository's own (:class:`bot.core.docrules.DocRules`): ruff's
or pydocstyle's ``D1`` codes with their notion of public (a leading underscore, a
private module, ``__all__``, nested functions), and interrogate's ``ignore-*`` flags.
With no rules anywhere, docgen asks what ruff's ``D1`` rules ask: every public function
and method, whatever its length. Every other changed function gets a
:class:`SkipReason` for the summary; test files are left alone unless configured.

Classes are targets where the rules ask for them (``document_classes``): a public
class without a docstring gets one, which documents its constructor's parameters too,
so the ``__init__`` of a class that is a target is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, NamedTuple

import docstring_parser

from bot.core.docrules import MISSING_CODES, DocRules, InterrogateRules, PydocstyleRules
from bot.core.extract import ExtractResult, FunctionInfo
from bot.core.generated import GeneratedRules
from bot.core.gitignore import gitignore_spec
from bot.core.skips import SkipKind

_ACCESSOR = re.compile(r"@?\w+\.(?:setter|deleter)$")
# A noqa comment, bare or listing codes (``D102, D103``), as ruff and pydocstyle read it.
_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+\d+(?:[\s,]+[A-Z]+\d+)*))?", re.IGNORECASE)
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
    PRIVATE_MODULE = "in a private module"
    NOT_EXPORTED = "not in __all__"
    NOT_REQUIRED = "not asked for by the docstring rules"
    IGNORED_DECORATOR = "exempt by ignore-decorators"
    IGNORED_NAME = "name matches ignore-regex"
    NOT_WHITELISTED = "name outside whitelist-regex"
    OVERLOAD = "@overload stub"
    OVERRIDE = "@override (inherits its docstring)"
    ACCESSOR = "property setter or deleter"
    NESTED = "nested function"
    TEST = "test code"
    TOO_SHORT = "too short"
    NOQA = "silenced by # noqa"
    EXCLUDED = "excluded by configuration"
    GENERATED = "generated or vendored code"
    FILE_TOO_LARGE = "file too large"
    SYNTAX_ERROR = "syntax error in file"
    NEWER_SYNTAX = "syntax newer than docgen's Python"
    UNREADABLE = "file could not be read"
    LOCAL_CLASS = "class inside a function"

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
    """Which functions to document. Globs use ``.gitignore`` syntax.

    ``docrules`` are the repository's own docstring rules; ``skip_private`` (None:
    as the rules say) and ``min_lines`` are ``.github/docgen.yml``'s overrides, which
    win. ``min_lines`` counts from the ``def`` line to the last line: with 3,
    ``def f(x):`` plus one ``return`` line is too short. ``document_classes``: public
    classes without a docstring are targets too (ruff's or pydocstyle's D101/D106, or
    interrogate, ask). ``generated``: generated and vendored files (docgen's default
    patterns and the repository's ``.gitattributes`` marks) are left alone.
    """

    docrules: DocRules = DocRules()
    skip_private: bool | None = None
    skip_tests: bool = True
    include_stale: bool = True
    min_lines: int = 0
    max_file_lines: int = 20_000
    exclude: tuple[str, ...] = ()
    test_paths: tuple[str, ...] = ("test/", "tests/", "test_*.py", "*_test.py", "conftest.py")
    document_classes: bool = True
    generated: GeneratedRules = GeneratedRules()


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
        reason = _class_reason(klass, result, rules)
        if reason is None:
            targets.append(Target(klass, "insert"))
        else:
            skipped.append(Skipped(klass, reason))
    return Selection(tuple(targets), tuple(skipped))


def _class_reason(
    klass: FunctionInfo, result: ExtractResult, rules: TargetRules
) -> SkipReason | None:
    if rules.skip_private and _private_name(klass.qualname):
        return SkipReason.PRIVATE
    reason = _class_exemption(klass, result, rules)
    if reason is not None:
        return reason
    if klass.docstring is not None:
        return SkipReason.HAS_DOCSTRING
    return None


def _class_exemption(
    klass: FunctionInfo, result: ExtractResult, rules: TargetRules
) -> SkipReason | None:
    """Return why the rules ask for no docstring on a class; None when they ask for one."""
    return _first_asking(
        rules,
        lambda linter, privacy: _linter_class_exemption(klass, result, linter, privacy=privacy),
        lambda tool, privacy: _interrogate_class_exemption(klass, result.path, tool, privacy),
    )


def _first_asking(
    rules: TargetRules,
    by_linter: Callable[[PydocstyleRules, bool], SkipReason | None],
    by_interrogate: Callable[[InterrogateRules, bool], SkipReason | None],
) -> SkipReason | None:
    """Ask each tool in use; None when one asks for a docstring, else the first's reason.

    A linter with D rules decides, even with no D1 code: that says no docstring is
    required. A ruff configuration without any D rule says nothing about docstrings;
    with no rules at all, ruff's ``D1`` rules decide (:data:`DEFAULT_REQUIREMENT`).
    """
    privacy = rules.skip_private is not False
    doc = rules.docrules
    reasons = [by_linter(linter, privacy) for linter in doc.linters]
    if doc.interrogate is not None:
        reasons.append(by_interrogate(doc.interrogate, privacy))
    if not reasons:
        reasons.append(by_linter(DEFAULT_REQUIREMENT, privacy))
    if any(r is None for r in reasons):
        return None
    return next(r for r in reasons if r is not None)


def _linter_class_exemption(
    klass: FunctionInfo, result: ExtractResult, linter: PydocstyleRules, *, privacy: bool
) -> SkipReason | None:
    """Decide as ruff's ``D101`` (public class) and ``D106`` (public nested class) do."""
    if linter.excludes(klass.path):
        return SkipReason.EXCLUDED
    if "<locals>" in klass.qualname:
        return SkipReason.LOCAL_CLASS
    if any(_ignored_by(d, linter) for d in klass.decorators):
        return SkipReason.IGNORED_DECORATOR
    if privacy:
        reason = _visibility(klass, result)
        if reason is not None:
            return reason
    code = "D106" if "." in klass.qualname else "D101"
    if code not in linter.codes_for(klass.path):
        return SkipReason.NOT_REQUIRED
    return SkipReason.NOQA if _silenced(klass, code) else None


def _interrogate_class_exemption(
    klass: FunctionInfo, path: str, rules: InterrogateRules, privacy: bool
) -> SkipReason | None:
    name = klass.name
    reason = _interrogate_scope(name, path, rules)
    if reason is not None:
        return reason
    if rules.ignore_nested_classes and "." in klass.qualname:
        return SkipReason.NOT_REQUIRED
    if privacy and _interrogate_private(name, rules):
        return SkipReason.PRIVATE
    return None


def _interrogate_private(name: str, rules: InterrogateRules) -> bool:
    """Tell whether interrogate's ``ignore-private`` or ``ignore-semiprivate`` leaves ``name``."""
    if rules.ignore_private and name.startswith("__") and not _is_dunder(name):
        return True
    return rules.ignore_semiprivate and _is_private(name) and name[1:2] != "_"


def with_class_targets(functions: Selection, classes: Selection) -> Selection:
    """Return one file's selection of functions joined with its selection of classes.

    Targets come in source order. A whole-file skip the classes repeat one by one is
    kept only for them. An ``__init__`` stays a target beside its class when the rules
    ask for both (ruff's ``D107``): the linter would flag it otherwise.
    """
    repeated = {s.reason for s in classes.skipped}
    kept = [
        s for s in functions.skipped if not (isinstance(s.subject, str) and s.reason in repeated)
    ]
    joined = sorted([*functions.targets, *classes.targets], key=lambda t: t.function.lineno)
    return Selection(tuple(joined), (*kept, *classes.skipped))


def _file_reason(result: ExtractResult, rules: TargetRules) -> SkipReason | None:
    if rules.exclude and gitignore_spec(rules.exclude).match_file(result.path):
        return SkipReason.EXCLUDED
    if rules.generated.matches(result.path):
        return SkipReason.GENERATED
    if result.error_kind is not None:
        return {
            "syntax": SkipReason.SYNTAX_ERROR,
            "newer_syntax": SkipReason.NEWER_SYNTAX,
            "unreadable": SkipReason.UNREADABLE,
        }[result.error_kind]
    if result.line_count > rules.max_file_lines:
        return SkipReason.FILE_TOO_LARGE
    if rules.skip_tests and gitignore_spec(rules.test_paths).match_file(result.path):
        return SkipReason.TEST
    return None


def _decide(
    function: FunctionInfo,
    result: ExtractResult,
    rules: TargetRules,
    base_result: ExtractResult | None,
) -> Target | SkipReason:
    reason = exemption(function, result, rules)
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


# What docgen asks for when the repository has no docstring rules: ruff's D1 rules
# on functions and classes (modules and packages are not docgen's to document).
DEFAULT_REQUIREMENT = PydocstyleRules(
    tool="ruff", codes=frozenset(MISSING_CODES) - {"D100", "D104"}
)


def exemption(
    function: FunctionInfo, result: ExtractResult, rules: TargetRules
) -> SkipReason | None:
    """Return why the rules ask for no docstring on ``function``; None when they ask for one.

    Each tool decides for itself, and one asking is enough (:func:`_first_asking`).
    """
    if rules.skip_private and _private_name(function.qualname):
        return SkipReason.PRIVATE
    return _first_asking(
        rules,
        lambda linter, privacy: _linter_exemption(function, result, linter, privacy=privacy),
        lambda tool, privacy: _interrogate_exemption(function, result.path, tool, privacy),
    )


def _linter_exemption(
    function: FunctionInfo, result: ExtractResult, linter: PydocstyleRules, *, privacy: bool
) -> SkipReason | None:
    """Decide as ruff's (and pydocstyle's) ``D10x`` rules do."""
    if linter.excludes(function.path):
        return SkipReason.EXCLUDED
    decorators = {_decorator_name(d) for d in function.decorators}
    if "overload" in decorators:
        return SkipReason.OVERLOAD
    if any(_ignored_by(d, linter) for d in function.decorators):
        return SkipReason.IGNORED_DECORATOR
    if "<locals>" in function.qualname:
        return SkipReason.NESTED
    if privacy:
        reason = _visibility(function, result)
        if reason is not None:
            return reason
    if function.is_method:
        if any(_ACCESSOR.match(d) for d in function.decorators):
            return SkipReason.ACCESSOR
        if decorators & {"override", "overrides"}:
            return SkipReason.OVERRIDE
    code = _missing_code(function)
    if code not in linter.codes_for(function.path):
        return SkipReason.DUNDER if code == "D105" else SkipReason.NOT_REQUIRED
    if _silenced(function, code):
        return SkipReason.NOQA
    return None


def _silenced(function: FunctionInfo, code: str) -> bool:
    """Tell whether a ``# noqa`` comment on the ``def`` line silences ``code``.

    ruff and pydocstyle report a missing docstring on the ``def`` line, so a bare
    ``# noqa`` there, or one listing the code, means the project wants none.
    """
    lines = function.source.splitlines()
    index = function.def_lineno - function.lineno
    match = _NOQA.search(lines[index]) if 0 <= index < len(lines) else None
    if match is None:
        return False
    codes = match.group("codes")
    return codes is None or code in re.split(r"[\s,]+", codes.upper())


def _missing_code(function: FunctionInfo) -> str:
    """Return the ``D10x`` code a missing docstring on ``function`` would raise."""
    name = function.name
    if not function.is_method:
        return "D103"
    if name == "__init__":
        return "D107"
    if _is_dunder(name) and name not in ("__new__", "__call__"):
        return "D105"
    return "D102"


def _visibility(function: FunctionInfo, result: ExtractResult) -> SkipReason | None:
    """Return why a linter counts ``function`` as private; None when it is public.

    As ruff and pydocstyle see it, a leading underscore makes a name private, dunders
    included (``__getattr__`` of a module, a class ``__Meta__``); only a method's
    dunder name is public (it is a magic method, ``D105``).
    """
    *outer, name = function.qualname.split(".")
    if any(part.startswith("_") for part in outer) or (
        name.startswith("_") and not (function.is_method and _is_dunder(name))
    ):
        return SkipReason.PRIVATE
    parts = function.path.split("/")
    parts[-1] = parts[-1].removesuffix(".py")
    if any(_is_private(part) for part in parts):
        return SkipReason.PRIVATE_MODULE
    exported = result.dunder_all
    if exported is not None and function.qualname.split(".", 1)[0] not in exported:
        return SkipReason.NOT_EXPORTED
    return None


def _ignored_by(decorator: str, linter: PydocstyleRules) -> bool:
    """Tell whether a decorator exempts its function, as the linter matches them.

    ruff lists qualified names (``typing.overload``), written here as the code spells
    them (``overload`` after ``from typing import overload``); pydocstyle lists regexes.
    """
    name = decorator.lstrip("@").split("(", 1)[0].strip()
    for entry in linter.ignore_decorators:
        if linter.tool == "pydocstyle":
            if re.search(entry, name):
                return True
        elif entry == name or entry.rsplit(".", 1)[-1] == name.rsplit(".", 1)[-1]:
            return True
    return False


def _interrogate_scope(name: str, path: str, rules: InterrogateRules) -> SkipReason | None:
    """Return why interrogate counts no definition of this name in this file, if it does not."""
    if rules.exclude and gitignore_spec(rules.exclude).match_file(path):
        return SkipReason.EXCLUDED
    if any(re.match(pattern, name) for pattern in rules.ignore_regex):
        return SkipReason.IGNORED_NAME
    # A whitelist narrows the count to the names it matches (each name on its own).
    if rules.whitelist_regex and not any(re.match(p, name) for p in rules.whitelist_regex):
        return SkipReason.NOT_WHITELISTED
    return None


def _interrogate_exemption(
    function: FunctionInfo, path: str, rules: InterrogateRules, privacy: bool
) -> SkipReason | None:
    """Decide as interrogate counts a function: every one, less what it is told to ignore."""
    name = function.name
    decorators = function.decorators
    reason = _interrogate_scope(name, path, rules)
    if reason is not None:
        return reason
    checks: tuple[tuple[bool, SkipReason], ...] = (
        (
            rules.ignore_overloaded_functions
            and "overload" in {_decorator_name(d) for d in decorators},
            SkipReason.OVERLOAD,
        ),
        (rules.ignore_nested_functions and "<locals>" in function.qualname, SkipReason.NESTED),
        (rules.ignore_init_method and name == "__init__", SkipReason.NOT_REQUIRED),
        (rules.ignore_magic and _is_dunder(name) and name != "__init__", SkipReason.DUNDER),
        (privacy and _interrogate_private(name, rules), SkipReason.PRIVATE),
        (rules.ignore_setters and any(_ACCESSOR.match(d) for d in decorators), SkipReason.ACCESSOR),
        (
            rules.ignore_property_decorators and any(_is_property(d) for d in decorators),
            SkipReason.ACCESSOR,
        ),
    )
    return next((reason for hit, reason in checks if hit), None)


def _is_property(decorator: str) -> bool:
    name = _decorator_name(decorator)
    return name in ("property", "cached_property") or bool(_ACCESSOR.match(decorator))


def _decorator_name(text: str) -> str:
    """Return a decorator's last dotted name: ``typing.overload`` -> ``overload``."""
    return text.split("(", 1)[0].strip().rsplit(".", 1)[-1]


def _is_dunder(name: str) -> bool:
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


def _is_private(part: str) -> bool:
    return part.startswith("_") and not _is_dunder(part)


def _private_name(qualname: str) -> bool:
    return any(_is_private(part) for part in qualname.split("."))


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
