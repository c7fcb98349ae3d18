"""Bring a stale docstring up to date without losing what it already says.

``merge_update`` takes the function's current docstring and the model's updated
one. The answer wins for what it gives (summary, description, parameters, return
value, exceptions, and any section it rewrites); every other section and directive
of the current docstring stays where it was, as it was written. Parameters the code
no longer has are dropped. ``sync_params`` is the same merge with no model: it only
adds the parameters the docstring lacks (with a placeholder) and drops the gone ones.

Blocks are matched by what they are: a section by its title (``Note`` and ``Notes``
alike), a directive by its name and argument (so a new ``.. versionchanged:: 0.6``
is added next to the kept ``0.5``), parameter sections by kind.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from bot.core.docparts import (
    Block,
    Directive,
    DocParts,
    Entries,
    Entry,
    Prose,
    Raised,
    Raises,
    Section,
    Value,
    Values,
    plain_name,
)
from bot.core.docread import read_docstring
from bot.core.docstyle import Style, convert, render_parts

_Key = tuple[str, ...]


def merge_update(
    current: str, answer: str, style: Style, *, params: Sequence[str] | None = None
) -> str:
    """Return ``current`` updated by ``answer``, written in ``style``.

    ``params`` are the function's parameters as the code names them (``*args``
    with its star, ``self`` and ``cls`` left out); when given, documented names
    the code lacks are dropped, parameters the answer left out keep their current
    text, and parameter entries follow the signature's order. Without it, the
    answer's parameter sections replace the current ones whole.
    """
    old = read_docstring(current)
    merged = merge_parts(old, read_docstring(answer), params)
    if merged == old:
        return convert(current, style)
    return render_parts(merged, style)


def sync_params(
    current: str,
    params: Sequence[str],
    style: Style,
    *,
    placeholder: str,
    types: Mapping[str, str] | None = None,
) -> str:
    """Return ``current`` with its parameter list matching ``params``, in ``style``.

    Parameters it does not document are added with ``placeholder`` as their text
    (and their annotation from ``types``, by name, when given); documented names
    that are not parameters are dropped. Everything else is kept as written.
    """
    old = read_docstring(current)
    documented = {plain_name(e.name) for e in old.params + old.keywords}
    missing = tuple(
        Entry(name, (types or {}).get(name, ""), placeholder)
        for name in params
        if plain_name(name) not in documented
    )
    answer = DocParts("", (Entries("params", missing),) if missing else ())
    merged = merge_parts(old, answer, params)
    if merged == old:
        return convert(current, style)
    return render_parts(merged, style)


def merge_parts(old: DocParts, new: DocParts, params: Sequence[str] | None = None) -> DocParts:
    """Return ``old`` with what ``new`` says laid over it (see ``merge_update``)."""
    old_keys = _keys(old.blocks)
    new_keys = _keys(new.blocks)
    new_by_key = dict(zip(new_keys, new.blocks, strict=True))
    rewrites_description = any(k[0] == "description" for k in new_keys)
    result: list[tuple[_Key, Block]] = []
    for key, block in zip(old_keys, old.blocks, strict=True):
        if key in new_by_key:
            result.append((key, _merge_block(block, new_by_key[key], params)))
        elif not (rewrites_description and key[0] == "description"):
            result.append((key, _filtered(block, params)))
    _insert_new(result, new_keys, new.blocks, params)
    blocks = tuple(b for _, b in result if not _empty(b))
    return DocParts(new.summary or old.summary, blocks)


def _keys(blocks: Sequence[Block]) -> list[_Key]:
    """Name each block by what it is, so the same block is found in the other docstring."""
    keys: list[_Key] = []
    leading, counts = True, {"description": 0, "prose": 0}
    for block in blocks:
        if isinstance(block, Prose):
            kind = "description" if leading else "prose"
            keys.append((kind, str(counts[kind])))
            counts[kind] += 1
            continue
        if isinstance(block, Directive):
            keys.append(("directive", block.name, block.argument))
            continue
        leading = False
        if isinstance(block, Entries):
            keys.append(("entries", block.kind))
        elif isinstance(block, Values):
            keys.append(("values", block.kind))
        elif isinstance(block, Raises):
            keys.append(("raises",))
        else:
            keys.append(("section", block.title.lower().removesuffix("s")))
    # A kind seen twice keeps both blocks apart.
    seen: dict[_Key, int] = {}
    unique: list[_Key] = []
    for key in keys:
        seen[key] = seen.get(key, 0) + 1
        unique.append(key if seen[key] == 1 else (*key, f"#{seen[key]}"))
    return unique


def _insert_new(
    result: list[tuple[_Key, Block]],
    new_keys: Sequence[_Key],
    new_blocks: Sequence[Block],
    params: Sequence[str] | None,
) -> None:
    """Add the answer's blocks that the current docstring lacks, after their predecessor."""
    placed = {key for key, _ in result}
    for i, (key, block) in enumerate(zip(new_keys, new_blocks, strict=True)):
        if key in placed:
            continue
        before = next((k for k in reversed(new_keys[:i]) if k in placed), None)
        if before is not None:
            at = next(j for j, (k, _) in enumerate(result) if k == before) + 1
        elif isinstance(block, Prose):
            at = 0
        else:
            at = _after_lead(result)
        result.insert(at, (key, _filtered(block, params)))
        placed.add(key)


def _after_lead(result: Sequence[tuple[_Key, Block]]) -> int:
    """Return where the sections begin: after the leading prose and directives."""
    for j, (_, block) in enumerate(result):
        if not isinstance(block, Prose | Directive):
            return j
    return len(result)


def _empty(block: Block) -> bool:
    if isinstance(block, Entries):
        return not block.entries
    if isinstance(block, Values):
        return not block.values
    if isinstance(block, Raises):
        return not block.raises
    return False


def _merge_block(old: Block, new: Block, params: Sequence[str] | None) -> Block:
    if isinstance(old, Entries) and isinstance(new, Entries):
        return _merge_entries(old, new, params)
    if isinstance(old, Values) and isinstance(new, Values):
        return _merge_values(old, new)
    if isinstance(old, Raises) and isinstance(new, Raises):
        return _merge_raises(old, new)
    if isinstance(old, Section) and isinstance(new, Section) and old == new:
        return old
    return new


def _valid(entry: Entry, kind: str, params: Sequence[str] | None) -> bool:
    """Tell whether the code still has what ``entry`` documents."""
    if params is None or kind == "attributes":
        return True
    names = {plain_name(p) for p in params}
    if kind == "keywords" and any(p.startswith("**") for p in params):
        return True  # keyword arguments that ``**kwargs`` takes
    return all(plain_name(n) in names for n in entry.name.split(","))


def _ordered(entries: list[Entry], kind: str, params: Sequence[str] | None) -> list[Entry]:
    if params is None or kind == "attributes":
        return entries
    order: dict[str, int] = {}
    for i, name in enumerate(params):
        order.setdefault(plain_name(name), i)
    return sorted(entries, key=lambda e: order.get(plain_name(e.name.split(",")[0]), len(order)))


def _filtered(block: Block, params: Sequence[str] | None) -> Block:
    if not isinstance(block, Entries) or params is None:
        return block
    kept = [e for e in block.entries if _valid(e, block.kind, params)]
    kept = _ordered(kept, block.kind, params)
    if tuple(kept) == block.entries:
        return block
    return Entries(block.kind, tuple(kept))


def _merge_entries(old: Entries, new: Entries, params: Sequence[str] | None) -> Entries:
    before = {plain_name(e.name): e for e in old.entries}
    merged: list[Entry] = []
    for entry in new.entries:
        known = before.pop(plain_name(entry.name), None)
        merged.append(_fill_entry(entry, known))
    if params is not None:
        merged += before.values()  # the answer left them out; the code still has them
    merged = [e for e in merged if _valid(e, old.kind, params)]
    merged = _ordered(merged, old.kind, params)
    if tuple(merged) == old.entries:
        return old
    return Entries(old.kind, tuple(merged))


def _fill_entry(entry: Entry, known: Entry | None) -> Entry:
    """Complete the answer's entry with the current type and text it left empty."""
    if known is None:
        return entry
    filled = replace(
        entry,
        type=entry.type or known.type,
        description=entry.description or known.description,
        raw="",
        style=None,
    )
    if filled == known:
        return known  # unchanged: keep it as it was written
    return entry if filled == entry else filled


def _merge_values(old: Values, new: Values) -> Values:
    if len(old.values) != 1 or len(new.values) != 1:
        return new
    was, now = old.values[0], new.values[0]
    value = Value(now.type or was.type, now.description or was.description, now.name or was.name)
    if value == was:
        return old
    return new if value == now else Values(new.kind, (value,))


def _merge_raises(old: Raises, new: Raises) -> Raises:
    before = {r.exception: r for r in old.raises}
    merged: list[Raised] = []
    for raised in new.raises:
        known = before.get(raised.exception)
        keep = known is not None and (not raised.description or raised == known)
        merged.append(known if keep and known is not None else raised)
    if tuple(merged) == old.raises:
        return old
    return Raises(tuple(merged))
