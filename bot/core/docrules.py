"""The repository's own docstring rules, as plain data: which linters, which codes, from where.

A repository says what it wants of docstrings in its linters' configuration: ruff's
pydocstyle (``D``) rules, pydocstyle itself, interrogate, pydoclint. docgen reads those
files (:mod:`bot.core.rulefiles`) into one :class:`DocRules`, then follows it: targets
(which functions need a docstring), rendering (the formatting rules docgen applies
itself) and the check every suggestion passes before it is posted. Only what the files
say is in here; what they leave out keeps each tool's own default.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from bot.core.gitignore import gitignore_spec
from bot.core.ruffglob import glob_matches

Convention = Literal["google", "numpy", "pep257"]
DocStyleName = Literal["google", "numpy", "sphinx"]

# Every stable pydocstyle rule ruff implements (``ruff rule --all``; tests keep this equal).
ALL_D_CODES: frozenset[str] = frozenset(
    [f"D10{i}" for i in range(8)]
    + [f"D2{i:02d}" for i in range(16)]
    + ["D300", "D301"]
    + [f"D4{i:02d}" for i in range(20)]
)
# ruff's pydocstyle rules still in preview: only ``preview = true`` turns them on.
PREVIEW_D_CODES: frozenset[str] = frozenset({"D420", "D421"})
# The D rules in ruff's default rule set (ruff 0.16 and later), without and with preview.
RUFF_DEFAULT_D_CODES: frozenset[str] = frozenset({"D419"})
RUFF_PREVIEW_DEFAULT_D_CODES: frozenset[str] = frozenset({"D301", "D419"})
# The rules each convention turns off (ruff's ``lint.pydocstyle.convention``).
CONVENTION_OFF: dict[Convention, frozenset[str]] = {
    "google": frozenset("D203 D204 D213 D215 D400 D401 D404 D406 D407 D408 D409 D413".split()),
    "numpy": frozenset("D107 D203 D212 D213 D402 D413 D415 D416 D417".split()),
    "pep257": frozenset(
        "D203 D212 D213 D214 D215 D404 D405 D406 D407 D408 D409 D410 D411 D413 D415 D416 "
        "D417 D420".split()
    ),
}
# pydocstyle's own conventions: as ruff's, except that its pep257 also leaves out D418.
PYDOCSTYLE_CONVENTION_OFF: dict[Convention, frozenset[str]] = {
    **CONVENTION_OFF,
    "pep257": CONVENTION_OFF["pep257"] - PREVIEW_D_CODES | {"D418"},
}
# The rules that ask for a docstring to exist, by what they cover.
MISSING_CODES: dict[str, str] = {
    "D100": "public module",
    "D101": "public class",
    "D102": "public method",
    "D103": "public function",
    "D104": "public package",
    "D105": "magic method",
    "D106": "public nested class",
    "D107": "__init__",
}


@dataclass(frozen=True)
class Origin:
    """Where one rule came from: ``setting`` = ``value`` in ``path``."""

    setting: str
    value: str
    path: str

    def __str__(self) -> str:
        return f"{self.setting} = {self.value} ({self.path})"


@dataclass(frozen=True)
class PydocstyleRules:
    """ruff's ``D`` rules, or pydocstyle's, as enabled in the repository.

    ``codes`` are the enabled rules after convention, select and ignore are applied;
    ``per_file_ignores`` maps a glob to the ``D`` codes it turns off for matching paths.
    ``ignore_decorators`` exempt a function with a matching decorator from every ``D``
    rule: ruff lists qualified names, pydocstyle one regular expression. ``match`` is
    pydocstyle's file-name regex (None for ruff, which checks every Python file).
    """

    tool: Literal["ruff", "pydocstyle"]
    codes: frozenset[str]
    convention: Convention | None = None
    per_file_ignores: tuple[tuple[str, frozenset[str]], ...] = ()
    ignore_decorators: tuple[str, ...] = ()
    property_decorators: tuple[str, ...] = ()
    match: str | None = None
    exclude: tuple[str, ...] = ()  # ruff's exclude, extend-exclude and lint.exclude globs

    def excludes(self, path: str) -> bool:
        """Tell whether the linter leaves ``path`` alone (its ``exclude`` settings)."""
        return bool(self.exclude) and gitignore_spec(self.exclude).match_file(path)

    def codes_for(self, path: str) -> frozenset[str]:
        """Return the ``D`` codes in force for ``path`` (a repository-relative path)."""
        if self.match is not None and not re.fullmatch(self.match, path.rsplit("/", 1)[-1]):
            return frozenset()
        if self.excludes(path):
            return frozenset()
        codes = self.codes
        for pattern, off in self.per_file_ignores:
            if off and _matches(pattern, path):
                codes = codes - off
        return codes


@dataclass(frozen=True)
class InterrogateRules:
    """interrogate's ``[tool.interrogate]`` settings that decide what is counted.

    ``whitelist_regex``, when given, limits the count to the names one of them matches.
    """

    ignore_init_method: bool = False
    ignore_init_module: bool = False
    ignore_magic: bool = False
    ignore_private: bool = False
    ignore_semiprivate: bool = False
    ignore_property_decorators: bool = False
    ignore_setters: bool = False
    ignore_nested_functions: bool = False
    ignore_nested_classes: bool = False
    ignore_overloaded_functions: bool = False
    ignore_module: bool = False
    ignore_regex: tuple[str, ...] = ()
    whitelist_regex: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    fail_under: float | None = None


@dataclass(frozen=True)
class PydoclintRules:
    """pydoclint's settings: it checks a docstring's sections against the signature."""

    style: DocStyleName = "numpy"
    arg_type_hints_in_docstring: bool = True
    check_return_types: bool = True
    skip_checking_short_docstrings: bool = True
    exclude: str | None = None


@dataclass(frozen=True)
class DocRules:
    """Everything the repository's configuration says about docstrings.

    ``sources`` are the files the rules were read from, in the order read;
    ``origins`` name each setting that decided something; ``problems`` are one
    readable line per file that could not be read (the rest still applies).
    """

    ruff: PydocstyleRules | None = None
    pydocstyle: PydocstyleRules | None = None
    interrogate: InterrogateRules | None = None
    pydoclint: PydoclintRules | None = None
    sources: tuple[str, ...] = ()
    origins: tuple[Origin, ...] = ()
    problems: tuple[str, ...] = field(default=(), compare=False)

    @property
    def linters(self) -> tuple[PydocstyleRules, ...]:
        """Return the ``D``-rule linters the repository chose (ruff first), with their codes.

        ruff's default rule set holds a ``D`` rule or two (``D419``): a ruff that only has
        those was not set up to lint docstrings, and says nothing about them.
        """
        return tuple(
            x
            for x in (self.ruff, self.pydocstyle)
            if x is not None and (x.codes - RUFF_DEFAULT_D_CODES if x.tool == "ruff" else x.codes)
        )

    @property
    def any(self) -> bool:
        """Tell whether the repository has any docstring rule at all."""
        return bool(self.linters) or self.interrogate is not None or self.pydoclint is not None

    @property
    def convention(self) -> Convention | None:
        """Return the pydocstyle convention in force, ruff's first."""
        return next((x.convention for x in self.linters if x.convention), None)

    @property
    def style(self) -> DocStyleName | None:
        """Return the docstring style the rules imply: pydoclint's, else the convention's."""
        if self.pydoclint is not None:
            return self.pydoclint.style
        return {"google": "google", "numpy": "numpy"}.get(self.convention or "")  # type: ignore[return-value]

    @property
    def require_complete(self) -> bool:
        """Tell whether the rules fail a docstring that leaves out a parameter or section.

        pydoclint does, and so does ``D417`` (every parameter described) under the
        google convention.
        """
        if self.pydoclint is not None:
            return True
        return any("D417" in x.codes and x.convention == "google" for x in self.linters)

    def check_codes(self, path: str) -> frozenset[str]:
        """Return the ``D`` codes a suggestion in ``path`` must pass: every linter's, joined."""
        codes: frozenset[str] = frozenset()
        for linter in self.linters:
            codes |= linter.codes_for(path)
        return codes

    def describe(self) -> str:
        """Return the one line the summary and the CLI show, e.g.
        ``ruff D, google convention, from pyproject.toml``.
        """
        if not self.any:
            return "docgen defaults (no docstring rules found: ruff's D1 rules)"
        parts: list[str] = []
        for linter in self.linters:
            parts.append(f"{linter.tool} D")
        if self.convention:
            parts.append(f"{self.convention} convention")
        if self.interrogate is not None:
            parts.append("interrogate")
        if self.pydoclint is not None:
            parts.append(f"pydoclint ({self.pydoclint.style})")
        where = ", ".join(self.sources)
        return ", ".join(parts) + (f", from {where}" if where else "")


def _matches(pattern: str, path: str) -> bool:
    """Tell whether a per-file-ignores glob matches ``path``, as ruff matches them.

    ruff matches the glob against the path and against the file name alone; a leading
    ``!`` makes it apply to the files neither matches (:mod:`bot.core.ruffglob`).
    """
    return glob_matches(pattern, path)
