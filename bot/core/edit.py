"""Where a docstring goes: one whole-line edit that a ```suggestion block can carry.

A suggestion replaces whole head-side lines ``start_line..end_line``, and GitHub accepts
it only on lines inside the diff's hunks. So :func:`place_docstring` picks lines that
are commentable: preferably the signature's last line (the one with the header's colon),
kept verbatim and followed by the docstring; else the line after it, preceded by the
docstring. ``def f(): return x`` is split at the colon; a stale docstring is replaced
in place. :func:`make_edit` then builds the replacement lines with the body's exact
indentation, the file's line endings, and no newline added at the end of a file that
had none; a class's new docstring gets a blank line after it unless one follows.
:func:`check_edits` (see :mod:`bot.core.safety`) vets all of a file's edits together
before posting; :func:`check_edit` vets one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from bot.core.extract import FunctionInfo
from bot.core.pysource import split_lines
from bot.core.safety import Change, check_changes, strip_docstrings

__all__ = [
    "Edit", "NotCommentable", "Placement", "apply_edit", "apply_edits", "check_edit",
    "check_edits", "make_edit", "place_docstring", "strip_docstrings",
]  # fmt: skip

Anchor = Literal["header", "body", "split", "docstring"]


@dataclass(frozen=True)
class Placement:
    """Lines a suggestion replaces, and how the docstring goes in.

    ``anchor`` is ``header`` (keep the colon line, docstring after it), ``body`` (docstring,
    then the line after the colon), ``split`` (break the colon line after the colon: a
    one-line function, or a docstring on the header line) or ``docstring`` (replace the
    docstring's own lines).
    """

    start_line: int
    end_line: int
    body_indent: str
    mode: Literal["insert", "replace"]
    anchor: Anchor
    function_id: str = ""


@dataclass(frozen=True)
class NotCommentable:
    """No line a suggestion needs is inside the diff's hunks (or no safe place exists)."""

    function_id: str
    lines: tuple[int, int]
    reason: str = "not commentable in this diff"


@dataclass(frozen=True)
class Edit:
    """Replace head lines ``start_line..end_line`` (1-based, inclusive) with ``new_lines``.

    ``new_lines`` carry no line endings: each gets ``newline`` (the file's), except that
    the last gets none when ``final_newline`` is False (the file's last line had none).
    """

    path: str
    start_line: int
    end_line: int
    new_lines: tuple[str, ...]
    newline: str = "\n"
    final_newline: bool = True
    def_lineno: int = 0
    function_id: str = ""

    @property
    def text(self) -> str:
        """Return the replacement text exactly as it goes into the file."""
        body = self.newline.join(self.new_lines)
        return body + self.newline if self.final_newline else body

    @property
    def suggestion(self) -> str:
        """Return the body of the ```suggestion block (lines joined with ``\\n``)."""
        return "\n".join(self.new_lines)


def place_docstring(
    source: str, function: FunctionInfo, commentable: frozenset[int]
) -> Placement | NotCommentable:
    """Choose the lines a suggestion must replace to insert or replace the docstring."""
    header = function.header_end_lineno
    indent = function.body_indent
    if function.docstring_span is not None:
        start, end = function.docstring_span
        anchor: Anchor = "docstring"
        if start <= header:
            start, anchor = header, "split"
        if all(line in commentable for line in range(start, end + 1)):
            return _checked(function, Placement(start, end, indent, "replace", anchor, function.id))
        return NotCommentable(function.id, (start, end))
    if function.body_lineno <= header:
        if header in commentable:
            return _checked(
                function, Placement(header, header, indent, "insert", "split", function.id)
            )
        return NotCommentable(function.id, (header, header))
    if header in commentable:
        return Placement(header, header, indent, "insert", "header", function.id)
    if header + 1 in commentable:
        return Placement(header + 1, header + 1, indent, "insert", "body", function.id)
    return NotCommentable(function.id, (header, header + 1))


def _checked(function: FunctionInfo, placement: Placement) -> Placement | NotCommentable:
    if placement.anchor == "split" and function.header_colon_col < 0:
        span = (placement.start_line, placement.end_line)
        return NotCommentable(function.id, span, "no safe place for a docstring in this header")
    return placement


def make_edit(
    source: str, function: FunctionInfo, placement: Placement, docstring_lines: list[str]
) -> Edit:
    """Build the edit that puts a rendered docstring literal (unindented lines) in place."""
    if not docstring_lines:
        raise ValueError("a docstring needs at least one line")
    start, end = placement.start_line, placement.end_line
    if not function.lineno <= start <= end <= function.end_lineno:
        raise ValueError(f"lines {start}-{end} are outside {function.id}")
    raw = _original_lines(source, function, start, end)
    bom = 1 if start == 1 and source.startswith("\ufeff") else 0
    if bom:
        raw[0] = "\ufeff" + raw[0]
    old = [_content(line) for line in raw]
    doc = [placement.body_indent + text if text.strip() else "" for text in docstring_lines]
    if function.is_class and _code_follows(source, placement, old):
        doc.append("")  # PEP 257: a blank line after a class's docstring
    if placement.anchor == "header":
        new = [old[0], *doc]
    elif placement.anchor == "body":
        new = [*doc, old[0]]
    else:
        new = _replace_or_split(old, function, placement, doc, bom)
    endings = [line[len(text) :] for line, text in zip(raw, old, strict=True)]
    newline = next((e for e in endings if e), None) or _file_newline(function.source, source)
    return Edit(
        path=function.path,
        function_id=function.id,
        start_line=start,
        end_line=end,
        new_lines=tuple(new),
        newline=newline,
        final_newline=endings[-1] != "",
        def_lineno=function.def_lineno,
    )


def _code_follows(source: str, placement: Placement, old: list[str]) -> bool:
    """Tell whether the line after an inserted docstring would not be blank."""
    if placement.anchor == "body":
        after = old[0]
    elif placement.anchor == "header":
        lines = split_lines(source)
        after = lines[placement.start_line] if placement.start_line < len(lines) else ""
    else:
        return False
    return bool(after.strip())


def _original_lines(source: str, function: FunctionInfo, start: int, end: int) -> list[str]:
    """Return the file's lines ``start..end``, without a byte order mark."""
    if function.is_class:  # a class's source is a compact view, not its lines
        text = source[1:] if source.startswith("\ufeff") else source
        return split_lines(text)[start - 1 : end]
    # The function's own text holds the lines: no need to split the whole file per edit.
    return split_lines(function.source)[start - function.lineno : end - function.lineno + 1]


def _replace_or_split(
    old: list[str], function: FunctionInfo, placement: Placement, doc: list[str], bom: int
) -> list[str]:
    new: list[str] = []
    if placement.anchor == "split":
        colon = function.header_colon_col + bom
        new.append(old[0][: colon + 1].rstrip())
        if placement.mode == "insert":
            rest = old[0][colon + 1 :].strip()
            return [*new, *doc, placement.body_indent + rest]
    # Keep what followed the old docstring on its last line: a comment, `; more code`.
    end_col = (function.docstring_end_col or 0) + (bom if len(old) == 1 else 0)
    tail = old[-1][end_col:].rstrip()
    doc = list(doc)
    if tail.strip():
        doc[-1] += tail
    return new + doc


def _content(line: str) -> str:
    if line.endswith("\r\n"):
        return line[:-2]
    return line[:-1] if line.endswith("\n") else line


def _file_newline(*texts: str) -> str:
    """Return the line ending of the first line that has one (``\n`` when none does)."""
    for text in texts:
        at = text.find("\n")
        if at >= 0:
            return "\r\n" if text[at - 1 : at] == "\r" else "\n"
    return "\n"


def apply_edit(source: str, edit: Edit) -> str:
    """Return the source with the edit applied."""
    return apply_edits(source, [edit])


def apply_edits(source: str, edits: Sequence[Edit]) -> str:
    """Return the source with several edits applied together (their lines must not overlap)."""
    lines = split_lines(source)
    parts: list[str] = []
    done = 0
    for edit in sorted(edits, key=lambda e: e.start_line):
        if not done < edit.start_line <= edit.end_line <= len(lines):
            if edit.start_line <= done:
                raise ValueError(f"lines {edit.start_line}-{edit.end_line} overlap another edit")
            raise ValueError(f"lines {edit.start_line}-{edit.end_line} are outside the file")
        parts += lines[done : edit.start_line - 1]
        parts.append(edit.text)
        done = edit.end_line
    return "".join(parts + lines[done:])


def check_edit(source: str, edit: Edit) -> str | None:
    """Return None when the edit only puts a docstring in place, else why it is unsafe."""
    return check_edits(source, [edit])[0]


def check_edits(source: str, edits: Sequence[Edit], kept: Sequence[Edit] = ()) -> list[str | None]:
    """Check all of one file's edits at once: for each, None when it is safe, else why not.

    The edits that get None only put their docstrings in place, applied together
    (:func:`apply_edits`), and together with ``kept``: edits of the file accepted by an
    earlier call, which stay (an edit overlapping one of them is refused). The file is
    parsed once for all of them, not once per edit.
    """
    return check_changes(source, _changes(edits), _changes(kept))


def _changes(edits: Sequence[Edit]) -> list[Change]:
    return [Change(e.start_line, e.end_line, e.text, e.def_lineno, e.function_id) for e in edits]
