"""Write a docstring's parts in a style: Google, NumPy or Sphinx (reST fields).

Each style follows its linters (ruff's pydocstyle ``D4`` rules under the google,
numpy and pep257 conventions, and pydoclint):

- Google: ``Args:``, ``Keyword Args:``, ``Returns:``, ``Yields:``, ``Raises:`` with
  entries indented four spaces (``name (type): text``, continuation four more);
  other sections as ``Title:`` with their text indented.
- NumPy: titles underlined with dashes of the same length, ``name : type`` lines
  with the text indented below; other sections the same way.
- Sphinx: ``:param name:`` and ``:type name:``, ``:returns:`` and ``:rtype:``,
  ``:yields:`` and ``:ytype:``, ``:raises Exc:``; other sections under
  ``.. rubric:: Title``. Stars are escaped (``:param \\*args:``) as reST needs.

Directives and prose are written as they were read. A block read in the target
style is written back as it was (its ``raw`` text), so converting a docstring to
the style it is already in changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from bot.core.docparts import (
    Block,
    DocParts,
    Entries,
    Entry,
    EntryKind,
    Prose,
    Raised,
    Raises,
    Section,
    Value,
    Values,
)
from bot.core.docread import read_docstring
from bot.core.doctext import indent

Style = Literal["google", "numpy", "sphinx"]
STYLES: tuple[Style, ...] = ("google", "numpy", "sphinx")

_GOOGLE_TITLES: dict[EntryKind, str] = {
    "params": "Args",
    "keywords": "Keyword Args",
    "other_params": "Other Parameters",
    "attributes": "Attributes",
}
# NumPy has no keyword-argument section that numpydoc (or docstring_parser) reads.
_NUMPY_TITLES: dict[EntryKind, str] = {
    "params": "Parameters",
    "keywords": "Other Parameters",
    "other_params": "Other Parameters",
    "attributes": "Attributes",
}
_SPHINX_KEYS: dict[EntryKind, tuple[str, str]] = {
    "params": ("param", "type"),
    "keywords": ("keyword", "kwtype"),
    "other_params": ("param", "type"),
    "attributes": ("ivar", "vartype"),
}


def convert(text: str, style: Style) -> str:
    """Return docstring ``text``, written in any style, in ``style``.

    Text whose sections are all in ``style`` already (or that has none) comes back
    unchanged; otherwise every part is written in ``style`` and nothing is dropped.
    """
    parts = read_docstring(text)
    if parts.styles <= {style}:
        return text
    return render_parts(parts, style)


def render_parts(parts: DocParts, style: Style) -> str:
    """Write ``parts`` as a docstring body in ``style``: summary, blank line, blocks."""
    chunks: list[str] = []
    previous: Block | None = None
    for block in _placed(parts.blocks, style):
        text = _render_block(block, style)
        if not text:
            continue
        if chunks:
            together = style == "sphinx" and _is_field(previous) and _is_field(block)
            chunks.append("\n" if together else "\n\n")
        chunks.append(text)
        previous = block
    body = "".join(chunks)
    if not parts.summary:
        return body
    return parts.summary + ("\n\n" + body if body else "")


def _is_field(block: Block | None) -> bool:
    return isinstance(block, Entries | Values | Raises)


def _placed(blocks: tuple[Block, ...], style: Style) -> list[Block]:
    """Move prose that a preceding section would swallow up to the description.

    NumPy section bodies and reST rubrics run at the margin until the next
    section, so a paragraph after one would read back as part of it.
    """
    if style == "google":
        return list(blocks)
    swallowing = (Entries, Values, Raises, Section) if style == "numpy" else (Section,)
    out: list[Block] = []
    lead = 0  # where the leading prose and directives end
    for block in blocks:
        if isinstance(block, Prose) and out and isinstance(out[-1], swallowing):
            out.insert(lead, block)
            lead += 1
            continue
        out.append(block)
        if lead == len(out) - 1 and not isinstance(block, Entries | Values | Raises | Section):
            lead += 1
    return out


def _render_block(block: Block, style: Style) -> str:
    if isinstance(block, Prose):
        return block.text
    if not isinstance(block, Entries | Values | Raises | Section):
        return block.text  # a directive, as written
    if block.raw and block.style == style:
        return block.raw
    return _WRITERS[style](block)


# Google ----------------------------------------------------------------------------------


def _hanging(head: str, description: str) -> str:
    """Return ``head`` and the description's first line, the rest indented four spaces."""
    first, _, rest = description.partition("\n")
    line = f"{head} {first}" if first else head
    return line + ("\n" + indent(rest) if rest else "")


def _google_entry(entry: Entry) -> str:
    if entry.raw and entry.style == "google":
        return entry.raw
    kind = f" ({entry.type})" if entry.type else ""
    return _hanging(f"{entry.name}{kind}:", entry.description)


def _google_raised(raised: Raised) -> str:
    if raised.raw and raised.style == "google":
        return raised.raw
    return _hanging(f"{raised.exception}:", raised.description)


def _google_values(values: tuple[Value, ...]) -> list[str]:
    if len(values) == 1 and not values[0].name:
        value = values[0]
        if not value.type:
            return [value.description]
        first, _, rest = value.description.partition("\n")
        head = f"{value.type}: {first}" if first else f"{value.type}:"
        return [head + ("\n" + rest if rest else "")]
    out = []
    for value in values:
        head = f"{value.name} ({value.type}):" if value.name else f"{value.type}:"
        out.append(_hanging(head, value.description))
    return out


def _google(block: Entries | Values | Raises | Section) -> str:
    if isinstance(block, Entries):
        title, items = _GOOGLE_TITLES[block.kind], [_google_entry(e) for e in block.entries]
    elif isinstance(block, Values):
        title, items = block.kind.capitalize(), _google_values(block.values)
    elif isinstance(block, Raises):
        title, items = "Raises", [_google_raised(r) for r in block.raises]
    else:
        title, items = block.title, [block.body]
    items = [item for item in items if item]
    if not items:
        return ""
    return f"{title}:\n" + "\n".join(indent(item) for item in items)


# NumPy -----------------------------------------------------------------------------------


def _below(head: str, description: str) -> str:
    return head + ("\n" + indent(description) if description else "")


def _numpy_entry(entry: Entry) -> str:
    if entry.raw and entry.style == "numpy":
        return entry.raw
    head = f"{entry.name} : {entry.type}" if entry.type else entry.name
    return _below(head, entry.description)


def _numpy_raised(raised: Raised) -> str:
    if raised.raw and raised.style == "numpy":
        return raised.raw
    return _below(raised.exception, raised.description)


def _numpy_value(value: Value) -> str:
    if value.name:
        head = f"{value.name} : {value.type}" if value.type else value.name
        return _below(head, value.description)
    if not value.type:
        return value.description  # untyped text stays at the margin
    return _below(value.type, value.description)


def _numpy(block: Entries | Values | Raises | Section) -> str:
    if isinstance(block, Entries):
        title, items = _NUMPY_TITLES[block.kind], [_numpy_entry(e) for e in block.entries]
    elif isinstance(block, Values):
        title, items = block.kind.capitalize(), [_numpy_value(v) for v in block.values]
    elif isinstance(block, Raises):
        title, items = "Raises", [_numpy_raised(r) for r in block.raises]
    else:
        title, items = block.title, [block.body]
    items = [item for item in items if item]
    if not items:
        return ""
    return f"{title}\n{'-' * len(title)}\n" + "\n".join(items)


# Sphinx ----------------------------------------------------------------------------------


def _escaped(name: str) -> str:
    return name.replace("*", "\\*")


def _sphinx_entry(entry: Entry, keys: tuple[str, str]) -> str:
    if entry.raw and entry.style == "sphinx":
        return entry.raw
    name = _escaped(entry.name)
    text = _hanging(f":{keys[0]} {name}:", entry.description)
    return text + (f"\n:{keys[1]} {name}: {entry.type}" if entry.type else "")


def _sphinx_raised(raised: Raised) -> str:
    if raised.raw and raised.style == "sphinx":
        return raised.raw
    return _hanging(f":raises {raised.exception}:", raised.description)


def _sphinx_values(block: Values) -> list[str]:
    key, type_key = ("returns", "rtype") if block.kind == "returns" else ("yields", "ytype")
    values = block.values
    if len(values) == 1 and not values[0].name:
        value = values[0]
        out = [_hanging(f":{key}:", value.description)] if value.description else []
        return out + ([f":{type_key}: {value.type}"] if value.type else [])
    listed = []
    for value in values:
        head = f"{value.name} ({value.type}):" if value.name else f"{value.type}:"
        listed.append("- " + _hanging(head, value.description).replace("\n", "\n  "))
    return [f":{key}:\n" + indent("\n".join(listed))] if listed else []


def _sphinx(block: Entries | Values | Raises | Section) -> str:
    if isinstance(block, Entries):
        keys = _SPHINX_KEYS[block.kind]
        items = [_sphinx_entry(e, keys) for e in block.entries]
    elif isinstance(block, Values):
        items = _sphinx_values(block)
    elif isinstance(block, Raises):
        items = [_sphinx_raised(r) for r in block.raises]
    else:
        return f".. rubric:: {block.title}\n\n{block.body}" if block.body else ""
    return "\n".join(item for item in items if item)


_WRITERS: dict[Style, Callable[[Entries | Values | Raises | Section], str]] = {
    "google": _google,
    "numpy": _numpy,
    "sphinx": _sphinx,
}
