"""The records extraction produces: functions, classes and files, as frozen plain data.

A function's lines are 1-based and inclusive, in the head version of its file. Details
only targets need (generator, raised exceptions, fingerprint) are worked out on first
use from the function's own source, so listing every function of a file stays cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from bot.core.fingerprint import FunctionDetails, analyse

ParamKind = Literal[
    "positional_only", "positional_or_keyword", "var_positional", "keyword_only", "var_keyword"
]
FunctionKind = Literal["function", "async function", "method", "async method", "class"]
ErrorKind = Literal["syntax", "newer_syntax", "unreadable"]


@dataclass(frozen=True)
class Param:
    """One parameter: its kind as ``inspect`` names it, default and annotation as source."""

    name: str
    kind: ParamKind
    default: str | None = None
    annotation: str | None = None


@dataclass(frozen=True)
class FunctionInfo:
    """A function or method of the head file; lines are 1-based and inclusive.

    ``lineno`` is the first decorator's line, ``def_lineno`` the ``def`` line,
    ``header_end_lineno``/``header_colon_col`` the colon that ends the signature,
    ``body_lineno`` the first body statement's line (the colon's line for ``def f(): x``).
    ``id`` is ``<path>::<qualname>``; a name defined twice in one scope (a property
    setter, an if/else definition) gets ``#2``, ``#3``... in the id only, and so does
    the id of everything inside it: ``load#2.<locals>.parse``. ``key`` is the id
    without the path, which finds the same function in the base version.

    A class to document is a record too, of kind ``class``: its header is the ``class``
    line through the colon, ``params`` are its ``__init__``'s (without ``self``; none
    when it defines no ``__init__``), ``class_qualname`` is the enclosing class of a
    nested class, and ``source`` is a compact view, not the class's text: the header,
    the class-level statements and ``__init__`` in full, the other methods and nested
    classes as their headers over ``...``. So a change deep inside a method leaves the
    class's fingerprint alone. ``change_spans`` are the lines whose change changes the
    class: its header, each class-level statement but a nested def or class, and its
    ``__init__`` (empty for a function).
    """

    id: str
    path: str
    qualname: str
    name: str
    kind: FunctionKind
    is_method: bool
    class_qualname: str | None
    lineno: int
    def_lineno: int
    header_end_lineno: int
    header_colon_col: int
    body_lineno: int
    end_lineno: int
    decorators: tuple[str, ...]
    params: tuple[Param, ...]
    returns: str | None
    docstring: str | None
    docstring_span: tuple[int, int] | None
    docstring_end_col: int | None
    body_indent: str
    source: str
    change_spans: tuple[tuple[int, int], ...] = ()

    @property
    def is_class(self) -> bool:
        """Tell whether this record stands for a class (documented from its ``__init__``)."""
        return self.kind == "class"

    @property
    def is_async(self) -> bool:
        """Tell whether this is an ``async def``."""
        return self.kind.startswith("async")

    @property
    def key(self) -> str:
        """Return the id without its path: how the same function is found in the base file."""
        return self.id.split("::", 1)[1]

    @cached_property
    def details(self) -> FunctionDetails:
        """Return the generator flag, raised exceptions and fingerprint (computed once)."""
        return analyse(self.source)

    @property
    def is_generator(self) -> bool:
        """Tell whether the function yields (in its own body, not in nested ones)."""
        return self.details.is_generator

    @property
    def raises(self) -> tuple[str, ...]:
        """Return the exception names the function raises explicitly, in source order."""
        return self.details.raises

    @property
    def fingerprint(self) -> str:
        """Return a hash of the function's code without its docstring (16 hex digits)."""
        return self.details.fingerprint


@dataclass(frozen=True)
class ClassInfo:
    """A class of the head file; ``header`` is its source from first decorator to colon."""

    qualname: str
    name: str
    lineno: int
    def_lineno: int
    end_lineno: int
    has_docstring: bool
    header: str


@dataclass(frozen=True)
class ExtractResult:
    """Everything docgen needs from one file; ``error`` says why a file could not be read."""

    path: str
    functions: tuple[FunctionInfo, ...]
    classes: tuple[ClassInfo, ...]
    imports_source: str
    error: str | None = None
    error_kind: ErrorKind | None = None
    line_count: int = 0
    # The names in a literal module-level ``__all__``; None when the module has none.
    dunder_all: frozenset[str] | None = None
    class_records: tuple[FunctionInfo, ...] = ()  # classes to document, when asked for

    def function(self, key: str) -> FunctionInfo | None:
        """Return the function whose id ends in ``::key`` (a qualname, maybe ``#n``)."""
        return self._functions.get(key)

    def klass(self, qualname: str) -> ClassInfo | None:
        """Return the class with this qualname (the first, if defined twice)."""
        return self._classes.get(qualname)

    @cached_property
    def _functions(self) -> dict[str, FunctionInfo]:
        return {f.key: f for f in self.functions}

    @cached_property
    def _classes(self) -> dict[str, ClassInfo]:
        return {c.qualname: c for c in reversed(self.classes)}
