"""Line-level helpers the docstring reader and writer share: margins, names, field markers."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence

# A reST (``:param x:``) or Epytext (``@param x:``) field at the left margin.
FIELD = re.compile(
    r"^(?P<mark>[:@])(?P<key>[A-Za-z_]+)(?:[ \t]+(?P<arg>[^:\n]*?))?[ \t]*:"
    r"(?:[ \t]*(?P<text>.*?))?[ \t]*$"
)

# Directives that stand on their own between sections; any other (code-block, math)
# is part of the text around it.
TOP_DIRECTIVES = frozenset(
    "versionadded versionchanged versionremoved deprecated note warning seealso todo "
    "attention caution danger error hint important tip admonition".split()
)

_FIELD_KINDS: dict[str, str] = {
    **dict.fromkeys(("param", "parameter", "arg", "argument"), "param"),
    **dict.fromkeys(("key", "keyword", "kwarg", "kwparam"), "keyword"),
    **dict.fromkeys(("var", "ivar", "cvar"), "var"),
    **dict.fromkeys(("returns", "return"), "returns"),
    **dict.fromkeys(("yields", "yield"), "yields"),
    **dict.fromkeys(("raises", "raise", "except", "exception"), "raises"),
    "type": "type",
    "kwtype": "kwtype",
    "vartype": "vartype",
    "rtype": "rtype",
    "ytype": "ytype",
}
# Epytext names a few sections as fields too.
_EPYTEXT_TEXT = {"note": "Note", "warning": "Warning", "todo": "Todo", "see": "See Also"}


def field_kind(mark: str, key: str) -> str | None:
    """Return what a field documents (param, type, returns...), or None for an unknown one.

    Epytext text fields come back as ``text:<Title>``.
    """
    key = key.lower()
    if key in _FIELD_KINDS:
        return _FIELD_KINDS[key]
    if mark == "@" and key in _EPYTEXT_TEXT:
        return "text:" + _EPYTEXT_TEXT[key]
    return None


def clean_lines(text: str) -> list[str]:
    """Split ``text`` into lines as a docstring's value holds them.

    Tabs become spaces, trailing spaces and blank edges go, and lines after the
    first lose their common indentation (as ``inspect.cleandoc`` does).
    """
    lines = [ln.rstrip() for ln in text.expandtabs().replace("\r\n", "\n").split("\n")]
    lines[0] = lines[0].lstrip()
    margin = min((len(ln) - len(ln.lstrip()) for ln in lines[1:] if ln), default=0)
    lines[1:] = [ln[margin:] for ln in lines[1:]]
    return strip_blank_edges(lines)


def strip_blank_edges(lines: Sequence[str]) -> list[str]:
    """Return ``lines`` without blank lines at either end."""
    out = list(lines)
    while out and not out[-1].strip():
        out.pop()
    while out and not out[0].strip():
        out.pop(0)
    return out


def dedent_lines(lines: Sequence[str]) -> list[str]:
    """Remove the common indentation of ``lines`` (blank lines do not count)."""
    return textwrap.dedent("\n".join(lines)).split("\n") if lines else []


def join_description(first: str, rest: Sequence[str]) -> str:
    """Join an entry's first-line text with its continuation lines, dedented.

    A blank line right after a non-empty first line is a paragraph break and stays.
    """
    more = dedent_lines(rest)
    while more and not more[-1].strip():
        more.pop()
    first = first.strip()
    if not first:
        return "\n".join(strip_blank_edges(more))
    return "\n".join([first, *more])


def unescape_name(name: str) -> str:
    """Return a documented name as code spells it: ``\\*args`` -> ``*args``."""
    return name.replace("\\", "").strip()


def indent(text: str, prefix: str = "    ") -> str:
    """Indent every non-blank line of ``text`` by ``prefix``."""
    return "\n".join(prefix + ln if ln else "" for ln in text.split("\n"))
