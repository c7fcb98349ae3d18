"""Markdown cells that text from a repository or a model cannot break.

The summary comment and the Check Run both show function ids, reasons and paths in
tables; these helpers keep such text on one line, short, and unable to end a cell,
open HTML or close a code span early.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

MAX_CELL = 160


def cut(items: Sequence[str], limit: int, more: Callable[[int], str]) -> list[str]:
    """Return the first ``limit`` items, and ``more(n)`` for the ``n`` left out."""
    if len(items) <= limit:
        return list(items)
    return [*items[:limit], more(len(items) - limit)]


def shorten(text: str) -> str:
    """Return ``text`` on one line, cut with an ellipsis past ``MAX_CELL`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def plain(text: str) -> str:
    """Return ``text`` as a table cell: no pipe ends it, no tag opens HTML."""
    return shorten(text).replace("|", "\\|").replace("<", "&lt;")


def code(text: str) -> str:
    """Return ``text`` as an inline code span no backtick in it can close early."""
    text = shorten(text).replace("|", "\\|")
    ticks = "`" * (max((len(r) for r in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"
