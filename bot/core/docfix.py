"""Apply the pydocstyle rules about a docstring's form that need no help from the model.

These take a docstring body (as ``render.clean_text`` leaves it) and fix one family of
``D`` rules each: the summary stands alone on its line (D205), ends with a period
(D400, or D415's period, ``!`` or ``?``) and starts with a capital (D403); sections
are separated by blank lines (D410, D411, D412) and their headers are spelled as the linters
want them (D405, D406, D407, D409, D416). Rules about wording (imperative mood,
"This ...") are the model's to follow: rewriting prose would change its meaning.
"""

from __future__ import annotations

import re
from typing import Literal

from bot.core.docparts import Entries, Raises, Section, Values
from bot.core.docread import read_docstring
from bot.core.docstyle import Style, render_parts

# The characters a summary may end with: "" leaves it alone (no rule asks).
SummaryStop = Literal["", ".", ".!?"]

# A sentence ends at . ! or ? before a word that starts a sentence.
_SENTENCE_END = re.compile(r"[.!?]\s+(?=[A-Z`\"'(\[])")
_ABBREVIATIONS = frozenset("e.g i.e etc vs cf al approx resp incl".split())
# Lines that are not the continuation of a summary sentence: indented lines, list
# items, doctests, directives, fields, fences and tables.
_STRUCTURED = re.compile(r"^(?:\s|[-*+]\s|\d{1,3}[.)]\s|>>>|\.\.\s|:[^:\n]+:|```|~~~|\|)")
# A word D403 asks to capitalise and capitalising cannot hurt: lower-case letters only
# (``iPhone``, ``x_y`` and ``numpy.array`` are names, left as written).
_PLAIN_WORD = re.compile(r"[a-z][a-z']*")
_GOOGLE_HEADER = re.compile(r"^(?P<title>[A-Za-z][A-Za-z ]*?)[ \t]*:?[ \t]*$")
_UNDERLINE = re.compile(r"^-{3,}[ \t]*$")
# The section names pydocstyle knows, lower-cased (ruff's google and numpy lists).
_SECTION_NAMES = frozenset(
    [
        *"args arguments attention attributes caution danger error example examples".split(),
        *"hint important methods note notes parameters raises receives references".split(),
        *"return returns tip todo warning warnings warns yield yields".split(),
        *["extended summary", "keyword args", "keyword arguments", "other args"],
        *["other arguments", "other params", "other parameters", "see also"],
        "short summary",
    ]
)


def first_sentence(text: str) -> tuple[str, str]:
    """Split ``text`` after its first sentence; the rest is "" when there is one sentence.

    A period after a common abbreviation (``e.g.``) or an initial ends no sentence.
    """
    for match in _SENTENCE_END.finditer(text):
        before = text[: match.start()].rsplit(None, 1)
        word = before[-1].lower() if before else ""
        if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
            continue
        return text[: match.start() + 1], text[match.end() :]
    return text, ""


def summary_size(body: str) -> int:
    """Return how many lines the summary takes at the top of ``body`` (0 when none)."""
    summary = read_docstring(body).summary
    return len(summary.split("\n")) if summary.strip() else 0


def tidy_blocks(body: str, style: Style) -> str:
    """Put one blank line between the summary and each block, and fix section headers."""
    parts = read_docstring(body)
    if not parts.blocks:
        return body
    return fix_headers(render_parts(parts, style), style)


def fix_headers(body: str, style: Style) -> str:
    """Capitalise section headers; underline NumPy ones to their length, without colon.

    Google headers end with a colon (D416); NumPy headers have none (D406) and an
    underline exactly as long (D407, D409). No blank line separates a header from its
    content (D412). Only names pydocstyle knows are touched.
    """
    if style == "sphinx":
        return body
    lines = body.split("\n")
    out: list[str] = []
    for i, line in enumerate(lines):
        if not line and out and _opens_section(out, style):
            continue  # drop blank lines right under a header
        following = lines[i + 1] if i + 1 < len(lines) else ""
        match = _GOOGLE_HEADER.match(line)
        if match is None or match["title"].lower() not in _SECTION_NAMES:
            out.append(line)
            continue
        title = " ".join(word.capitalize() for word in match["title"].split())
        if style == "numpy" and _UNDERLINE.match(following):
            out.append(title)
            lines[i + 1] = "-" * len(title)
        elif style == "google" and line.rstrip().endswith(":"):
            out.append(title + ":")
        else:
            out.append(line)
    return "\n".join(out)


def _opens_section(written: list[str], style: Style) -> bool:
    """Tell whether the lines written so far end with a section header."""
    last = written[-1]
    if style == "numpy":
        return len(written) > 1 and _UNDERLINE.match(last) is not None and bool(written[-2])
    match = _GOOGLE_HEADER.match(last)
    return match is not None and last.endswith(":") and match["title"].lower() in _SECTION_NAMES


def summary_alone(body: str, width: int) -> str:
    """Make the summary one line followed by a blank line (D205).

    A summary paragraph of several lines gives its first sentence to the summary and
    the rest to the description. So does a summary longer than ``width``; one sentence
    too long for it stays whole on its line, which a reader prefers to a broken summary.
    """
    size = summary_size(body)
    lines = body.split("\n")
    if size == 0 or (size == 1 and len(lines[0]) <= width):
        return body
    prose = 1
    while prose < size and not _STRUCTURED.match(lines[prose]):
        prose += 1
    head, tail = first_sentence(" ".join(line.strip() for line in lines[:prose]))
    description = ([tail] if tail else []) + lines[prose:size]
    out = [head]
    if description:
        out += ["", *description]
    return "\n".join(out + lines[size:])


def fix_summary(body: str, *, stop: SummaryStop, capitalize: bool) -> str:
    """End the summary with a stop (D400, D415) and start it with a capital (D403)."""
    if not stop and not capitalize:
        return body
    size = summary_size(body)
    if size == 0:
        return body
    lines = body.split("\n")
    if capitalize:
        first, _, rest = lines[0].partition(" ")
        if _PLAIN_WORD.fullmatch(first):
            lines[0] = first[0].upper() + first[1:] + (" " + rest if rest else "")
    last = lines[size - 1]
    if stop and not last.endswith(tuple(stop)):
        lines[size - 1] = last.rstrip(":;,!?") + "."
    return "\n".join(lines)


def has_sections(body: str) -> bool:
    """Tell whether ``body`` holds a section (Args, Returns, Notes...) a linter sees."""
    return any(
        isinstance(block, Entries | Values | Raises | Section)
        for block in read_docstring(body).blocks
    )
