"""Hypothesis strategies for docstring parts with every kind of section, in any order.

The parts are those a style pair can both say (``allowed``): NumPy has no keyword
argument section (they go under Other Parameters), Sphinx fields have no Other
Parameters (they are ``:param`` too) and only one unnamed return value.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from bot.core.docparts import (
    Block,
    Directive,
    DocParts,
    Entries,
    Entry,
    EntryKind,
    Prose,
    Raised,
    Raises,
    Section,
    Value,
    ValueKind,
    Values,
)
from bot.core.docread import TEXT_TITLES

# No "of", "or", "and": a line of two such words would read as a type.
_WORD = st.sampled_from(
    "alpha beta gamma delta echo foxtrot golf hotel india juliet kilo lima".split()
)
_NAMES = ["path", "size", "mode", "items", "key", "value", "timeout", "retries", "data", "flag"]
_TYPES = [
    "",
    "int",
    "str",
    "list of str",
    "dict[str, int]",
    "int, optional",
    "Callable[[int], str]",
    "str | None",
    "tuple[int, ...]",
]
_EXCEPTIONS = ["ValueError", "KeyError", "errors.FetchFailed", "OSError"]
_DIRECTIVES = [
    Directive("versionchanged", "0.5", ".. versionchanged:: 0.5\n   Added the timeout."),
    Directive("deprecated", "1.2", ".. deprecated:: 1.2\n   Use ``fetch_all`` instead."),
    Directive("note", "", ".. note::\n   Mind the gap."),
    Directive("versionadded", "2.0", ".. versionadded:: 2.0"),
]
_DOCTEST = ">>> fetch('a', size=2)\n['a', 'a']"


@dataclass(frozen=True)
class Allowed:
    """What both styles of a pair can say without losing it."""

    keywords: bool = True
    other_params: bool = True
    several_values: bool = True

    @staticmethod
    def between(*styles: str) -> Allowed:
        """Return what every style in ``styles`` can say."""
        return Allowed(
            keywords="numpy" not in styles,
            other_params="sphinx" not in styles,
            several_values="sphinx" not in styles,
        )


@st.composite
def sentence_lines(draw: st.DrawFn) -> list[str]:
    """Return the lines of one sentence: two or more words each, capitalised, with a period."""
    lines = draw(st.lists(st.lists(_WORD, min_size=2, max_size=5), min_size=1, max_size=3))
    text = [" ".join(words) for words in lines]
    text[0] = text[0].capitalize()
    text[-1] += "."
    return text


@st.composite
def paragraphs(draw: st.DrawFn, most: int = 2) -> str:
    """Return one or more paragraphs separated by blank lines."""
    paras = draw(st.lists(sentence_lines(), min_size=1, max_size=most))
    return "\n\n".join("\n".join(p) for p in paras)


@st.composite
def entries(draw: st.DrawFn, kind: EntryKind) -> Entries:
    """Return an entry section: unique names, optional types and texts."""
    names = draw(st.lists(st.sampled_from(_NAMES), min_size=1, max_size=4, unique=True))
    if kind == "params":
        names += draw(st.sampled_from([[], ["*args"], ["**kwargs"], ["*args", "**kwargs"]]))
    out = []
    for name in names:
        description = draw(st.one_of(st.just(""), paragraphs()))
        out.append(Entry(name, draw(st.sampled_from(_TYPES)), description))
    return Entries(kind, tuple(out))


@st.composite
def values(draw: st.DrawFn, vkind: ValueKind, several: bool) -> Values:
    """Return a Returns or Yields section: one value, or named/typed ones when allowed."""
    if several and draw(st.booleans()):
        names = draw(st.lists(st.sampled_from(_NAMES), min_size=1, max_size=3, unique=True))
        named = draw(st.booleans())
        typed = [t for t in _TYPES if t]
        found = tuple(
            Value(
                draw(st.sampled_from(typed)),
                draw(st.one_of(st.just(""), paragraphs())),
                name if named else "",
            )
            for name in names
        )
        if len(found) > 1 or named:
            return Values(vkind, found)
    kind_text = draw(st.sampled_from(_TYPES))
    text = draw(paragraphs()) if not kind_text else draw(st.one_of(st.just(""), paragraphs()))
    return Values(vkind, (Value(kind_text, text),))


@st.composite
def raises(draw: st.DrawFn) -> Raises:
    """Return a Raises section of unique exceptions."""
    names = draw(st.lists(st.sampled_from(_EXCEPTIONS), min_size=1, max_size=3, unique=True))
    return Raises(tuple(Raised(n, draw(st.one_of(st.just(""), paragraphs()))) for n in names))


@st.composite
def sections(draw: st.DrawFn) -> Section:
    """Return a titled text section: prose, doctests, or both."""
    title = draw(st.sampled_from(TEXT_TITLES))
    body = draw(
        st.sampled_from(["prose", "doctest", "both"]).flatmap(
            lambda k: paragraphs().map(
                lambda p: {"prose": p, "doctest": _DOCTEST, "both": p + "\n\n" + _DOCTEST}[k]
            )
        )
    )
    return Section(title, body)


@st.composite
def doc_parts(draw: st.DrawFn, allowed: Allowed = Allowed()) -> DocParts:
    """Return docstring parts with a summary, maybe a description, and sections in any order."""
    summary = " ".join(draw(sentence_lines())).replace(".", "") + "."
    kinds: list[EntryKind] = ["params", "attributes"]
    kinds += ["keywords"] if allowed.keywords else []
    kinds += ["other_params"] if allowed.other_params else []
    found: list[Block] = []
    used: set[str] = set()  # a function takes each name once, whichever section has it
    for kind in kinds:
        if draw(st.booleans()):
            block = draw(entries(kind))
            fresh = tuple(e for e in block.entries if kind == "attributes" or e.name not in used)
            used |= {e.name for e in fresh if kind != "attributes"}
            found += [Entries(kind, fresh)] if fresh else []
    value_kinds: tuple[ValueKind, ...] = ("returns", "yields")
    for vkind in value_kinds:
        if draw(st.booleans()):
            found.append(draw(values(vkind, allowed.several_values)))
    if draw(st.booleans()):
        found.append(draw(raises()))
    found += draw(st.lists(sections(), max_size=3))
    found += draw(st.lists(st.sampled_from(_DIRECTIVES), max_size=2, unique=True))
    found = list(draw(st.permutations(found)))
    if draw(st.booleans()):
        found.insert(0, Prose(draw(paragraphs())))
    return DocParts(summary, tuple(found))
