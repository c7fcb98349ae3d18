"""The parts of a docstring, as plain data, whatever style it was written in.

A docstring is a summary and a sequence of blocks in the order they were written:
prose, parameter-like entries (parameters, keyword arguments, other parameters,
attributes), return or yield values, raised exceptions, titled sections kept as
text (Examples, Notes, See Also...) and reST directives kept verbatim
(``.. versionchanged:: 0.5``). ``bot.core.docread`` builds these records from text;
``bot.core.docstyle`` renders them in a style.

Each structured block remembers the style it was read in and its text as written
(``raw``), so a block rendered back in that same style comes out exactly as it was.
``raw`` and ``style`` take no part in equality: two records are equal when they
say the same thing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

ReadStyle = Literal["google", "numpy", "sphinx", "epytext"]
EntryKind = Literal["params", "keywords", "other_params", "attributes"]
ValueKind = Literal["returns", "yields"]


@dataclass(frozen=True)
class Entry:
    """A documented name: a parameter, keyword argument or attribute.

    ``name`` keeps the stars of ``*args`` and ``**kwargs`` and never a backslash.
    """

    name: str
    type: str = ""
    description: str = ""
    raw: str = field(default="", compare=False)
    style: ReadStyle | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Value:
    """What a function returns or yields; NumPy style may name it."""

    type: str = ""
    description: str = ""
    name: str = ""


@dataclass(frozen=True)
class Raised:
    """An exception the function raises, and when."""

    exception: str
    description: str = ""
    raw: str = field(default="", compare=False)
    style: ReadStyle | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Entries:
    """A section of entries: ``Args``, ``Keyword Args``, ``Other Parameters``, ``Attributes``."""

    kind: EntryKind
    entries: tuple[Entry, ...]
    raw: str = field(default="", compare=False)
    style: ReadStyle | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Values:
    """A ``Returns`` or ``Yields`` section."""

    kind: ValueKind
    values: tuple[Value, ...]
    raw: str = field(default="", compare=False)
    style: ReadStyle | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Raises:
    """A ``Raises`` section."""

    raises: tuple[Raised, ...]
    raw: str = field(default="", compare=False)
    style: ReadStyle | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Section:
    """A titled section kept as text: Examples, Notes, Warnings, See Also, References...

    ``title`` is the canonical spelling of the title as written (``Note`` stays
    singular); ``body`` is the section's text without its indentation.
    """

    title: str
    body: str
    raw: str = field(default="", compare=False)
    style: ReadStyle | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Directive:
    """A reST directive at the top level (``.. versionchanged:: 0.5``), kept verbatim."""

    name: str
    argument: str
    text: str


@dataclass(frozen=True)
class Prose:
    """Untitled text: the long description, or a paragraph between sections."""

    text: str


Block = Entries | Values | Raises | Section | Directive | Prose


@dataclass(frozen=True)
class DocParts:
    """A docstring read into its parts, in the order they were written."""

    summary: str
    blocks: tuple[Block, ...] = ()

    @property
    def description(self) -> str:
        """Return the prose before the first section, paragraphs joined by a blank line."""
        texts: list[str] = []
        for block in self.blocks:
            if isinstance(block, Prose):
                texts.append(block.text)
            elif not isinstance(block, Directive):
                break
        return "\n\n".join(texts)

    def entries(self, kind: EntryKind = "params") -> tuple[Entry, ...]:
        """Return the entries of every section of ``kind``, in order."""
        return tuple(
            e for b in self.blocks if isinstance(b, Entries) and b.kind == kind for e in b.entries
        )

    @property
    def params(self) -> tuple[Entry, ...]:
        """Return the documented parameters (not keyword arguments or attributes)."""
        return self.entries("params") + self.entries("other_params")

    @property
    def keywords(self) -> tuple[Entry, ...]:
        """Return the documented keyword arguments (``Keyword Args``, ``:keyword x:``)."""
        return self.entries("keywords")

    @property
    def attributes(self) -> tuple[Entry, ...]:
        """Return the documented attributes."""
        return self.entries("attributes")

    def _values(self, kind: ValueKind) -> tuple[Value, ...]:
        return tuple(
            v for b in self.blocks if isinstance(b, Values) and b.kind == kind for v in b.values
        )

    @property
    def returns(self) -> tuple[Value, ...]:
        """Return the documented return values."""
        return self._values("returns")

    @property
    def yields(self) -> tuple[Value, ...]:
        """Return the documented yielded values."""
        return self._values("yields")

    @property
    def raises(self) -> tuple[Raised, ...]:
        """Return the documented exceptions."""
        return tuple(r for b in self.blocks if isinstance(b, Raises) for r in b.raises)

    @property
    def sections(self) -> tuple[Section, ...]:
        """Return the titled text sections (Examples, Notes...)."""
        return tuple(b for b in self.blocks if isinstance(b, Section))

    @property
    def directives(self) -> tuple[Directive, ...]:
        """Return the top-level reST directives."""
        return tuple(b for b in self.blocks if isinstance(b, Directive))

    @property
    def styles(self) -> frozenset[ReadStyle]:
        """Return the styles the structured blocks were written in (prose has none)."""
        return frozenset(
            b.style for b in self.blocks if not isinstance(b, Prose | Directive) and b.style
        )


def plain_name(name: str) -> str:
    """Return a documented name without stars, backslashes or backticks: how code names it."""
    return name.replace("\\", "").strip().strip("`").lstrip("*")


_BRACKETS = re.compile(r"\[[^\[\]]*\]|\([^()]*\)|\{[^{}]*\}")
_TYPE_TOKEN = re.compile(r"[\w.*`:~'\"<>|=-]+,?")
_CONNECTORS = frozenset({"of", "or", "and", "|", "optional", "default", "default:", "="})


def looks_like_type(text: str) -> bool:
    """Tell whether ``text`` reads as a type (``list of str``, ``int, optional``), not prose.

    Words may stand side by side only around a connector (``of``, ``or``, a comma);
    brackets count as one word. ``The value`` is prose; ``dict[str, int]`` a type.
    """
    text = text.strip()
    if not text or len(text) > 80 or text[-1] in ".!?;:":
        return False
    previous = ""
    while previous != text:
        previous, text = text, _BRACKETS.sub("T", text)
    tokens = text.split()
    if not all(_TYPE_TOKEN.fullmatch(t) for t in tokens):
        return False
    return all(
        a.endswith(",") or a in _CONNECTORS or b in _CONNECTORS
        for a, b in zip(tokens, tokens[1:], strict=False)
    )
