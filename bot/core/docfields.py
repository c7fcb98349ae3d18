"""Read a run of reST/Sphinx (``:param x:``) or Epytext (``@param x:``) fields into blocks.

Fields of one kind become one block, in the order each kind first appears:
``:param``/``:type`` make the parameters, ``:returns:``/``:rtype:`` the return value,
``:raises X:`` the exceptions. A block whose fields stand together keeps them as
its ``raw`` text, and so does an entry whose ``:type`` line follows its ``:param``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.core.docparts import (
    Block,
    Entries,
    Entry,
    EntryKind,
    Raised,
    Raises,
    ReadStyle,
    Section,
    Value,
    ValueKind,
    Values,
)
from bot.core.doctext import FIELD, field_kind, join_description, unescape_name

_ENTRY_OF = {"param": "params", "keyword": "keywords", "var": "attributes"}
_TYPE_OF = {"type": "params", "kwtype": "keywords", "vartype": "attributes"}
_VALUE_OF = {"returns": "returns", "yields": "yields"}
_VALUE_TYPE_OF = {"rtype": "returns", "ytype": "yields"}
_ENTRY_KINDS: dict[str, EntryKind] = {k: k for k in ("params", "keywords", "attributes")}
_VALUE_KINDS: dict[str, ValueKind] = {"returns": "returns", "yields": "yields"}


@dataclass
class _Field:
    kind: str
    arg: str
    text: str
    start: int
    end: int
    style: ReadStyle


@dataclass
class _Slot:
    """A block being built: the fields it holds, and its items keyed by name."""

    fields: list[_Field] = field(default_factory=list)
    items: dict[str, list[_Field]] = field(default_factory=dict)


def _fields(lines: Sequence[str]) -> list[_Field]:
    out: list[_Field] = []
    for j, line in enumerate(lines):
        m = FIELD.match(line) if line[:1] in (":", "@") else None
        kind = field_kind(m["mark"], m["key"]) if m else None
        if m is not None and kind is not None:
            style: ReadStyle = "sphinx" if m["mark"] == ":" else "epytext"
            out.append(_Field(kind, (m["arg"] or "").strip(), m["text"] or "", j, j + 1, style))
        elif out:
            out[-1].end = j + 1
    for f in out:
        while f.end > f.start + 1 and not lines[f.end - 1].strip():
            f.end -= 1
    return out


def _contiguous(lines: Sequence[str], fields: Sequence[_Field]) -> str:
    """Return the fields' text when they stand together in order, else ``""``."""
    ordered = sorted(fields, key=lambda f: f.start)
    if any(b.start != a.end for a, b in zip(ordered, ordered[1:], strict=False)):
        return ""
    return "\n".join(lines[ordered[0].start : ordered[-1].end])


def _description(lines: Sequence[str], f: _Field) -> str:
    return join_description(f.text, lines[f.start + 1 : f.end])


def _type(lines: Sequence[str], f: _Field) -> str:
    """Return a ``:type:``-like field's text on one line, however it was wrapped."""
    return " ".join(_description(lines, f).split())


def read_fields(lines: Sequence[str]) -> list[Block]:
    """Read the fields in ``lines`` (a run of them at the margin) into blocks."""
    slots: dict[str, _Slot] = {}
    for f in _fields(lines):
        _place(slots, f)
    return [_block(lines, key, slot) for key, slot in slots.items()]


def _place(slots: dict[str, _Slot], f: _Field) -> None:
    if f.kind in _ENTRY_OF or f.kind in _TYPE_OF:
        kind = _ENTRY_OF.get(f.kind) or _TYPE_OF[f.kind]
        name = f.arg.split()[-1] if f.arg else ""
        if f.kind == "type":
            # ``:type x:`` also types a keyword argument documented as such.
            kind = next(
                (k for k in ("params", "keywords") if name in slots.get(k, _Slot()).items), kind
            )
        slot = slots.setdefault(kind, _Slot())
        slot.fields.append(f)
        slot.items.setdefault(unescape_name(name), []).append(f)
    elif f.kind in _VALUE_OF or f.kind in _VALUE_TYPE_OF:
        slot = slots.setdefault(_VALUE_OF.get(f.kind) or _VALUE_TYPE_OF[f.kind], _Slot())
        slot.fields.append(f)
        slot.items.setdefault(_value_key(slot, f), []).append(f)
    elif f.kind == "raises":
        slot = slots.setdefault("raises", _Slot())
        slot.fields.append(f)
        slot.items[str(len(slot.items))] = [f]
    else:
        slot = slots.setdefault(f.kind + ":" + str(f.start), _Slot())
        slot.fields.append(f)


def _value_key(slot: _Slot, f: _Field) -> str:
    """Return the value ``f`` belongs to: the last one when it lacks this kind of field."""
    if slot.items:
        last = str(len(slot.items) - 1)
        documents = f.kind in _VALUE_OF
        if not any((g.kind in _VALUE_OF) == documents for g in slot.items[last]):
            return last
    return str(len(slot.items))


def _block(lines: Sequence[str], key: str, slot: _Slot) -> Block:
    style = slot.fields[0].style
    raw = _contiguous(lines, slot.fields)
    if key in ("params", "keywords", "attributes"):
        entries = tuple(_entry(lines, name, fs) for name, fs in slot.items.items())
        return Entries(_ENTRY_KINDS[key], entries, raw, style)
    if key in ("returns", "yields"):
        values = tuple(_value(lines, fs) for fs in slot.items.values())
        return Values(_VALUE_KINDS[key], values, raw, style)
    if key == "raises":
        raised = tuple(_raised(lines, fs[0]) for fs in slot.items.values())
        return Raises(raised, raw, style)
    f = slot.fields[0]
    return Section(f.kind.split(":", 1)[1], _description(lines, f), raw, style)


def _entry(lines: Sequence[str], name: str, fields: Sequence[_Field]) -> Entry:
    docs = [f for f in fields if f.kind in _ENTRY_OF]
    types = dict.fromkeys(_type(lines, f) for f in fields if f.kind in _TYPE_OF)
    kind = " or ".join(t for t in types if t)
    if docs and len(docs[0].arg.split()) > 1:
        kind = kind or docs[0].arg.rsplit(None, 1)[0]  # ``:param int x:``
    # A name documented twice keeps both texts.
    text = "\n\n".join(t for f in docs if (t := _description(lines, f)))
    return Entry(name, kind, text, _contiguous(lines, fields), fields[0].style)


def _value(lines: Sequence[str], fields: Sequence[_Field]) -> Value:
    doc = next((f for f in fields if f.kind in _VALUE_OF), None)
    typed = next((f for f in fields if f.kind in _VALUE_TYPE_OF), None)
    kind = _type(lines, typed) if typed else (doc.arg if doc else "")
    return Value(kind, _description(lines, doc) if doc else "")


def _raised(lines: Sequence[str], f: _Field) -> Raised:
    return Raised(f.arg, _description(lines, f), "\n".join(lines[f.start : f.end]), f.style)
