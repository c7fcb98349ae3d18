"""Read a docstring in any style into its parts (``bot.core.docparts``).

One scanner reads Google sections (``Args:``), NumPy sections (a title underlined
with dashes), reST/Sphinx fields (``:param x:``), Epytext fields (``@param x:``),
rubrics (``.. rubric:: Examples``), top-level directives and plain prose, so an
answer that mixes styles is read whole. Only lines at the left margin start a
block; what is indented belongs to the block above it. Nothing is dropped: text
that fits no section is kept as prose.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.core.docfields import read_fields
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
    looks_like_type,
)
from bot.core.doctext import (
    FIELD,
    TOP_DIRECTIVES,
    clean_lines,
    field_kind,
    join_description,
    strip_blank_edges,
    unescape_name,
)

# Section titles both Google and NumPy style use, lower-cased: (kind, canonical title).
_TITLES: dict[str, tuple[str, str]] = {
    **dict.fromkeys(("args", "arguments", "parameters", "params"), ("params", "Args")),
    **dict.fromkeys(
        ("keyword args", "keyword arguments", "keyword parameters", "kwargs"),
        ("keywords", "Keyword Args"),
    ),
    **dict.fromkeys(
        ("other parameters", "other params", "other args", "other arguments"),
        ("other_params", "Other Parameters"),
    ),
    **dict.fromkeys(("attributes", "attribute"), ("attributes", "Attributes")),
    **dict.fromkeys(("returns", "return"), ("returns", "Returns")),
    **dict.fromkeys(("yields", "yield"), ("yields", "Yields")),
    **dict.fromkeys(("raises", "raise", "exceptions"), ("raises", "Raises")),
}
TEXT_TITLES = (
    "Example",
    "Examples",
    "Note",
    "Notes",
    "Warning",
    "Warnings",
    "See Also",
    "References",
    "Todo",
    "Attention",
    "Caution",
    "Danger",
    "Error",
    "Hint",
    "Important",
    "Tip",
    "Methods",
    "Warns",
    "Receives",
)
_TITLES.update({t.lower(): ("text", t) for t in TEXT_TITLES})

_GOOGLE_HEAD = re.compile(r"^(?P<title>[A-Za-z][A-Za-z ]*?)[ \t]*:[ \t]*$")
_GOOGLE_INLINE = re.compile(r"^(?P<title>Returns?|Yields?)[ \t]*:[ \t]+(?P<text>\S.*)$", re.I)
_UNDERLINE = re.compile(r"^-{3,}[ \t]*$")
_RUBRIC = re.compile(r"^\.\.[ \t]+rubric::[ \t]*(?P<title>.+?)[ \t]*$")
_DIRECTIVE = re.compile(r"^\.\.[ \t]+(?P<name>[A-Za-z][\w-]*)::(?:[ \t]+(?P<arg>.*?))?[ \t]*$")

_NAME = r"(?:\\?\*){0,2}[A-Za-z_][\w.]*"
_GOOGLE_ENTRY = re.compile(
    rf"^(?P<name>{_NAME}(?:[ \t]*,[ \t]*{_NAME})*)[ \t]*"
    r"(?:\((?P<type>(?:[^()]|\([^()]*\))*)\))?[ \t]*:(?:[ \t]+(?P<desc>.*))?$"
)
_GOOGLE_TYPED = re.compile(r"^(?P<type>[^:]+?)[ \t]*:(?:[ \t]+(?P<desc>.*))?$")
_NUMPY_ENTRY = re.compile(r"^(?P<name>[^:]+?)[ \t]*(?::[ \t]*(?P<type>.*?))?[ \t]*$")
_NUMPY_NAMED = re.compile(r"^(?P<name>[A-Za-z_]\w*)[ \t]+:[ \t]+(?P<type>.+?)[ \t]*$")


@dataclass(frozen=True)
class _Start:
    """What the line at the margin begins: its reader, and what the header said."""

    reader: str  # google | numpy | rubric | directive | field
    kind: str = ""
    title: str = ""
    inline: str = ""


def read_docstring(text: str) -> DocParts:
    """Read ``text``, in any docstring style or a mix of them, into its parts."""
    lines = clean_lines(text)
    i = 0
    while i < len(lines) and lines[i].strip() and _start(lines, i) is None:
        i += 1
    summary = "\n".join(lines[:i])
    blocks: list[Block] = []
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        start = _start(lines, i)
        end = _block_end(lines, i, start)
        blocks.extend(_read_block(lines[i:end], start))
        i = end
    return DocParts(summary, tuple(blocks))


def _start(lines: Sequence[str], i: int) -> _Start | None:
    """Return the block ``lines[i]`` starts, or None when it is prose or indented."""
    line = lines[i]
    if not line or line[0] in " \t":
        return None
    following = lines[i + 1] if i + 1 < len(lines) else ""
    title = _TITLES.get(line.strip().rstrip(":").strip().lower())
    if title is not None and _UNDERLINE.match(following):
        return _Start("numpy", *title)
    if (m := _GOOGLE_HEAD.match(line)) and (title := _TITLES.get(m["title"].lower())):
        return _Start("google", *title)
    if (m := _GOOGLE_INLINE.match(line)) and not _continues_prose(lines, i):
        return _Start("google", *_TITLES[m["title"].lower()], inline=m["text"])
    if (m := _RUBRIC.match(line)) and (title := _TITLES.get(m["title"].lower())):
        if title[0] == "text":
            return _Start("rubric", *title)
    if (m := _DIRECTIVE.match(line)) and m["name"].lower() in TOP_DIRECTIVES:
        return _Start("directive")
    if (m := FIELD.match(line)) and field_kind(m["mark"], m["key"]) is not None:
        return _Start("field", kind=m["mark"])
    return None


def _continues_prose(lines: Sequence[str], i: int) -> bool:
    """Tell whether ``lines[i]`` continues a paragraph, as a wrapped sentence would.

    A wrapped sentence may put "returns: ..." first on a line; that is no section.
    """
    before = lines[i - 1] if i > 0 else ""
    if not before or before[0] == " ":
        return False
    markers = (_GOOGLE_HEAD, _GOOGLE_INLINE, _UNDERLINE, _RUBRIC, _DIRECTIVE, FIELD)
    return not any(p.match(before) for p in markers)


def _block_end(lines: Sequence[str], i: int, start: _Start | None) -> int:
    """Return the index after the last line of the block starting at ``i``."""
    if start is None or start.reader in ("numpy", "rubric"):
        # Prose, NumPy and rubric bodies sit at the margin: they run to the next block.
        j = i + (2 if start is not None and start.reader == "numpy" else 1)
        while j < len(lines) and (not lines[j] or _start(lines, j) is None):
            j += 1
    elif start.reader == "field":
        j = i + 1
        while j < len(lines) and (not lines[j] or lines[j][0] == " " or _same_field(lines, j)):
            j += 1
    else:
        j = i + 1
        while j < len(lines) and (not lines[j] or lines[j][0] == " "):
            j += 1
    while j > i + 1 and not lines[j - 1]:
        j -= 1
    return j


def _same_field(lines: Sequence[str], j: int) -> bool:
    start = _start(lines, j)
    return start is not None and start.reader == "field"


def _read_block(lines: list[str], start: _Start | None) -> list[Block]:
    raw = "\n".join(lines)
    if start is None:
        return [Prose(raw)]
    if start.reader == "directive":
        m = _DIRECTIVE.match(lines[0])
        assert m is not None
        return [Directive(m["name"].lower(), m["arg"] or "", raw)]
    if start.reader == "field":
        return read_fields(lines)
    if start.reader == "google":
        body = textwrap.dedent("\n".join(lines[1:])).split("\n") if len(lines) > 1 else []
        if start.inline:
            body = [start.inline, *body]
        return _GOOGLE[start.kind](strip_blank_edges(body), start.title, raw)
    skip = 2 if start.reader == "numpy" else 1
    body = strip_blank_edges(lines[skip:])
    if start.reader == "rubric":
        return [Section(start.title, "\n".join(body), raw, "sphinx")]
    return _NUMPY[start.kind](body, start.title, raw)


# Google sections -------------------------------------------------------------------------


def _items(
    body: Sequence[str], pattern: re.Pattern[str]
) -> tuple[list[str], list[tuple[re.Match[str], list[str]]]]:
    """Split a section body at the margin into lines before any item, and items with lines."""
    lead: list[str] = []
    items: list[tuple[re.Match[str], list[str]]] = []
    for line in body:
        m = pattern.match(line) if line[:1] not in ("", " ") else None
        if m is not None:
            items.append((m, [line]))
        elif items:
            items[-1][1].append(line)
        else:
            lead.append(line)
    return lead, items


def _with_lead(lead: list[str], block: Entries | Raises, raw: str) -> list[Block]:
    """Return the section, after any text that came before its first entry.

    A section with no entry at all is kept whole, header included, as prose.
    """
    if not (block.entries if isinstance(block, Entries) else block.raises):
        return [Prose(raw)]
    lead = strip_blank_edges(lead)
    if not lead:
        return [block]
    return [Prose("\n".join(lead)), block]


def _google_entries(kind: EntryKind) -> Callable[[list[str], str, str], list[Block]]:
    def read(body: list[str], title: str, raw: str) -> list[Block]:
        lead, items = _items(body, _GOOGLE_ENTRY)
        entries = tuple(
            Entry(
                unescape_name(m["name"]),
                (m["type"] or "").strip(),
                join_description(m["desc"] or "", lines[1:]),
                "\n".join(strip_blank_edges(lines)),
                "google",
            )
            for m, lines in items
        )
        block = Entries(kind, entries, "" if lead else raw, "google")
        return _with_lead(lead, block, raw)

    return read


def _google_raises(body: list[str], title: str, raw: str) -> list[Block]:
    lead, items = _items(body, _GOOGLE_ENTRY)
    raised = tuple(
        Raised(
            m["name"],
            join_description(m["desc"] or "", lines[1:]),
            "\n".join(strip_blank_edges(lines)),
            "google",
        )
        for m, lines in items
    )
    return _with_lead(lead, Raises(raised, "" if lead else raw, "google"), raw)


def _google_values(kind: ValueKind) -> Callable[[list[str], str, str], list[Block]]:
    def read(body: list[str], title: str, raw: str) -> list[Block]:
        return [Values(kind, _google_value_list(body), raw, "google")]

    return read


def _value_item(line: str) -> Value | None:
    """Read ``name (type): text`` or ``type: text`` as the first line of a value."""
    m = _GOOGLE_ENTRY.match(line)
    if m is not None and m["type"] is not None and "," not in m["name"]:
        return Value(m["type"].strip(), m["desc"] or "", m["name"])
    m = _GOOGLE_TYPED.match(line)
    if m is not None and looks_like_type(m["type"]):
        return Value(m["type"].strip(), m["desc"] or "")
    return None


def _google_value_list(body: list[str]) -> tuple[Value, ...]:
    """Read a Google ``Returns``/``Yields`` body: one value, or several as named entries."""
    if not body:
        return ()
    margin = [ln for ln in body if ln[:1] not in ("", " ")]
    firsts = [_value_item(ln) for ln in margin]
    first = _value_item(body[0]) if body[0][:1] not in ("", " ") else None
    if first is None:
        return (Value("", "\n".join(body)),)
    if (len(margin) > 1 and all(firsts)) or first.name:
        return _value_entries(body)
    return (Value(first.type, join_description(first.description, body[1:])),)


def _value_entries(body: Sequence[str]) -> tuple[Value, ...]:
    groups: list[tuple[Value, list[str]]] = []
    for line in body:
        item = _value_item(line) if line[:1] not in ("", " ") else None
        if item is not None:
            groups.append((item, []))
        elif groups:
            groups[-1][1].append(line)
    return tuple(Value(v.type, join_description(v.description, rest), v.name) for v, rest in groups)


def _google_text(body: list[str], title: str, raw: str) -> list[Block]:
    return [Section(title, "\n".join(body), raw, "google")]


_GOOGLE: dict[str, Callable[[list[str], str, str], list[Block]]] = {
    "params": _google_entries("params"),
    "keywords": _google_entries("keywords"),
    "other_params": _google_entries("other_params"),
    "attributes": _google_entries("attributes"),
    "returns": _google_values("returns"),
    "yields": _google_values("yields"),
    "raises": _google_raises,
    "text": _google_text,
}


# NumPy sections --------------------------------------------------------------------------


def _numpy_items(body: Sequence[str]) -> list[list[str]]:
    """Split a NumPy section body into items: a line at the margin and what is indented."""
    items: list[list[str]] = []
    for line in body:
        if line[:1] not in ("", " ") or not items:
            items.append([line])
        else:
            items[-1].append(line)
    return items


def _numpy_entries(kind: EntryKind) -> Callable[[list[str], str, str], list[Block]]:
    def read(body: list[str], title: str, raw: str) -> list[Block]:
        entries: list[Entry] = []
        for lines in _numpy_items(body):
            m = _NUMPY_ENTRY.match(lines[0])
            name, kind_type = (m["name"], m["type"] or "") if m else (lines[0].strip(), "")
            entries.append(
                Entry(
                    unescape_name(name.strip()),
                    kind_type.strip(),
                    join_description("", lines[1:]),
                    "\n".join(strip_blank_edges(lines)),
                    "numpy",
                )
            )
        return [Entries(kind, tuple(entries), raw, "numpy")]

    return read


def _numpy_value_head(line: str) -> Value | None:
    named = _NUMPY_NAMED.match(line)
    if named is not None and looks_like_type(named["type"]):
        return Value(named["type"], "", named["name"])
    return Value(line.strip()) if looks_like_type(line) else None


def _numpy_value_list(body: Sequence[str]) -> tuple[Value, ...]:
    """Read NumPy values: ``type`` or ``name : type`` lines, or untyped text at the margin."""
    groups: list[tuple[Value, list[str], bool]] = []  # head, lines after it, untyped text
    for line in body:
        at_margin = line[:1] not in ("", " ")
        head = _numpy_value_head(line) if at_margin else None
        if head is not None:
            groups.append((head, [], False))
        elif groups and (not at_margin or groups[-1][2]):
            groups[-1][1].append(line)
        elif line:
            groups.append((Value(), [line], True))
    values: list[Value] = []
    for head, lines, untyped in groups:
        text = "\n".join(strip_blank_edges(lines)) if untyped else join_description("", lines)
        values.append(Value(head.type, text, head.name))
    return tuple(values)


def _numpy_values(kind: ValueKind) -> Callable[[list[str], str, str], list[Block]]:
    def read(body: list[str], title: str, raw: str) -> list[Block]:
        return [Values(kind, _numpy_value_list(body), raw, "numpy")]

    return read


def _numpy_raises(body: list[str], title: str, raw: str) -> list[Block]:
    raised = tuple(
        Raised(
            lines[0].strip(),
            join_description("", lines[1:]),
            "\n".join(strip_blank_edges(lines)),
            "numpy",
        )
        for lines in _numpy_items(body)
    )
    return [Raises(raised, raw, "numpy")]


def _numpy_text(body: list[str], title: str, raw: str) -> list[Block]:
    return [Section(title, "\n".join(body), raw, "numpy")]


_NUMPY: dict[str, Callable[[list[str], str, str], list[Block]]] = {
    "params": _numpy_entries("params"),
    "keywords": _numpy_entries("keywords"),
    "other_params": _numpy_entries("other_params"),
    "attributes": _numpy_entries("attributes"),
    "returns": _numpy_values("returns"),
    "yields": _numpy_values("yields"),
    "raises": _numpy_raises,
    "text": _numpy_text,
}
