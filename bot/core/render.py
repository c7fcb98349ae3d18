"""Turn a model's docstring text into the lines of a Python string literal.

The model answers with the docstring body only, in whatever style it chose.
Rendering writes it in the repository's style (``bot.core.docstyle.convert``),
cleans its whitespace, wraps long prose to the repository's line length (never
inside doctests, code blocks or section headers), and writes a literal that can
never end early: plain when it can, r-prefixed when the text holds backslashes,
escaped otherwise. The formatting rules of the repository's linter that need no help
from the model (summary period and capital, blank lines, section headers, where the
summary and closing quotes go) are met here: :func:`render_options_for_codes`.
The lines come back without the function's indentation; the edit geometry adds it.

Invariant (tested with hypothesis): for the literal of ``body`` indented by any
amount, ``ast.get_docstring`` of the function returns ``body`` unchanged.
"""

from __future__ import annotations

import ast
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from bot.core.docfix import (
    SummaryStop,
    fix_summary,
    has_sections,
    summary_alone,
    summary_size,
    tidy_blocks,
)
from bot.core.docstyle import STYLES as STYLES
from bot.core.docstyle import Style as Style
from bot.core.docstyle import convert
from bot.core.wrap import wrap_lines

Quote = Literal['"', "'"]
SummaryLine = Literal["first", "second"]

DEFAULT_STYLE: Style = "google"
DEFAULT_LINE_LENGTH = 88
# How many existing docstrings decide the style and quotes of a run.
ENOUGH_SAMPLES = 1_000
# Deeply nested code still gets a usable width; a linter may flag it, a reader will not.
MIN_WIDTH = 40

_GOOGLE_HEADER = re.compile(
    r"^[ \t]*(Args|Arguments|Parameters|Params|Keyword\ Args|Keyword\ Arguments|Returns?"
    r"|Yields?|Raises|Attributes|Examples?|Notes?|Todo|Warnings?|See\ Also):[ \t]*$",
    re.MULTILINE,
)
_NUMPY_HEADER = re.compile(
    # A section title underlined with dashes of the same width on the next line.
    r"^[ \t]*(Parameters|Other\ Parameters|Returns|Yields|Receives|Raises|Warns|Attributes"
    r"|Examples|Notes|See\ Also|References|Warnings)[ \t]*\n[ \t]*-{3,}[ \t]*$",
    re.MULTILINE,
)
_SPHINX_FIELD = re.compile(
    r"^[ \t]*:(param|parameter|arg|argument|key|keyword|type|returns?|rtype|raises?|except"
    r"|exception|yields?|ytype|var|ivar|cvar)\b[^:\n]*:",
    re.MULTILINE,
)
_STYLE_MARKERS: dict[Style, re.Pattern[str]] = {
    "google": _GOOGLE_HEADER,
    "numpy": _NUMPY_HEADER,
    "sphinx": _SPHINX_FIELD,
}
_STRING_PREFIX = re.compile(r"[rRuUbBfF]{0,2}('''|\"\"\")")
_NEWLINE = re.compile(r"\r\n?|\n")
_OWNERS = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
# A model sometimes wraps its answer in a fence or in quotes despite the instructions.
_FENCED = re.compile(r"\A\s*```[\w+-]*[ \t]*\n(?P<body>.*)\n\s*```\s*\Z", re.DOTALL)
_QUOTED = re.compile(
    r"\A\s*[rR]?(?P<q>\"\"\"|\'\'\')(?P<body>(?:(?!(?P=q)).)*)(?P=q)\s*\Z", re.DOTALL
)


# The codes whose sections rules the renderer meets by writing every block back tidily.
_SECTION_CODES = frozenset("D405 D406 D407 D408 D409 D410 D411 D412 D414 D416".split())


@dataclass(frozen=True)
class RenderOptions:
    """The repository's docstring conventions.

    The defaults write the model's text as it is; the other values follow a
    linter's rules (:func:`render_options_for_codes`):

    - ``summary_line``: ``second`` opens a multi-line literal with the quotes alone (D213).
    - ``blank_after_sections``: a blank line before the closing quotes after sections (D413).
    - ``summary_stop``: the characters the summary may end with; a period is added
      otherwise (``.`` for D400, ``.!?`` for D415).
    - ``capitalize_summary``: a lower-case first word gets a capital (D403).
    - ``summary_alone``: the summary is one line, then a blank line (D205).
    - ``tidy_sections``: one blank line around every section, headers spelled and
      underlined as pydocstyle wants them (D405-D412, D414, D416).
    """

    style: Style = DEFAULT_STYLE
    quote: Quote = '"'
    line_length: int = DEFAULT_LINE_LENGTH
    summary_line: SummaryLine = "first"
    blank_after_sections: bool = False
    summary_stop: SummaryStop = ""
    capitalize_summary: bool = False
    summary_alone: bool = False
    tidy_sections: bool = False


def render_options_for_codes(options: RenderOptions, codes: frozenset[str]) -> RenderOptions:
    """Return ``options`` set to meet the enabled pydocstyle ``codes`` the renderer can.

    The codes decide every rule-driven field; style and line length are kept, and the
    quote too unless D300 asks for double quotes.
    """
    stop: SummaryStop = "." if "D400" in codes else ".!?" if "D415" in codes else ""
    second = "D213" in codes and "D212" not in codes
    return replace(
        options,
        quote='"' if "D300" in codes else options.quote,
        summary_line="second" if second else "first",
        blank_after_sections="D413" in codes,
        summary_stop=stop,
        capitalize_summary="D403" in codes,
        summary_alone="D205" in codes,
        tidy_sections=bool(codes & _SECTION_CODES),
    )


@dataclass(frozen=True)
class DocstringSample:
    """An existing docstring and the quote character its literal opens with."""

    text: str
    quote: Quote | None


def style_of(docstring: str) -> Style | None:
    """Return the style whose section markers ``docstring`` uses most, or None."""
    counts = {style: len(pattern.findall(docstring)) for style, pattern in _STYLE_MARKERS.items()}
    best = max(counts.values())
    if best == 0:
        return None
    # On a tie prefer the more specific markers: an underlined header is never accidental.
    return next(style for style in ("numpy", "sphinx", "google") if counts[style] == best)


def detect_style(docstrings: Iterable[str]) -> Style:
    """Pick the style most existing docstrings use; ties and none give google."""
    votes = Counter(style for text in docstrings if (style := style_of(text)) is not None)
    if not votes:
        return DEFAULT_STYLE
    ranked = votes.most_common()
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return DEFAULT_STYLE
    return ranked[0][0]


def detect_quote(samples: Iterable[DocstringSample]) -> Quote:
    """Pick the triple quote most existing docstrings open with; ties give ``\"``."""
    votes = Counter(s.quote for s in samples if s.quote is not None)
    return "'" if votes["'"] > votes['"'] else '"'


def collect_docstrings(
    sources: Iterable[str], *, enough: int = ENOUGH_SAMPLES
) -> list[DocstringSample]:
    """Return the module, class and function docstrings of ``sources``.

    Sources that do not parse are skipped: they say nothing reliable. Files stop
    being read once ``enough`` docstrings are in hand: a vote on a thousand settles
    the style and the quotes, and parsing every file of a large run again costs seconds.
    """
    samples: list[DocstringSample] = []
    for source in sources:
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError):
            continue
        lines = _NEWLINE.split(source)  # the line breaks ast counts, and only those
        for node in ast.walk(tree):
            if isinstance(node, _OWNERS) and (text := ast.get_docstring(node)) is not None:
                samples.append(DocstringSample(text, _quote_at(lines, node.body[0])))
        if len(samples) >= enough:
            break
    return samples


def _quote_at(lines: Sequence[str], node: ast.stmt) -> Quote | None:
    if node.lineno > len(lines):
        return None
    # col_offset counts UTF-8 bytes, not characters.
    start = lines[node.lineno - 1].encode()[node.col_offset : node.col_offset + 5]
    match = _STRING_PREFIX.match(start.decode("ascii", errors="replace"))
    if match is None:
        return None
    return '"' if match.group(1) == '"""' else "'"


def resolve_options(
    *,
    style: str = "auto",
    quote: str = "auto",
    line_length: int | None = None,
    samples: Sequence[DocstringSample] = (),
) -> RenderOptions:
    """Combine configured choices with what the existing docstrings show.

    ``style`` is google, numpy, sphinx or auto; ``quote`` is double, single or auto.
    """
    chosen_style = _as_style(style) if style in STYLES else detect_style(s.text for s in samples)
    chosen_quote: Quote
    if quote == "double":
        chosen_quote = '"'
    elif quote == "single":
        chosen_quote = "'"
    else:
        chosen_quote = detect_quote(samples)
    return RenderOptions(chosen_style, chosen_quote, line_length or DEFAULT_LINE_LENGTH)


def _as_style(name: str) -> Style:
    return next(style for style in STYLES if style == name)


def _plain_indent(line: str) -> str:
    content = line.lstrip()
    return " " * (len(line) - len(content)) + content


def clean_text(text: str) -> str:
    """Normalize whitespace the way a docstring's value should hold it.

    Newlines become ``\\n``, tabs spaces; trailing spaces, leading and trailing
    blank lines and runs of blank lines go; lines after the first lose their
    common indentation (as ``inspect.cleandoc`` would remove it anyway).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").expandtabs()
    # Python 3.11's inspect.cleandoc takes any str.isspace() character (form feed, \x1f,
    # NBSP) for indentation, 3.13 only spaces and tabs: as leading spaces they read the
    # same in every version.
    lines = [_plain_indent(line.rstrip()) for line in text.split("\n")]
    while len(lines) > 1 and not lines[0]:
        del lines[0]
    lines[0] = lines[0].lstrip()
    margin = min((len(ln) - len(ln.lstrip(" ")) for ln in lines[1:] if ln), default=0)
    lines[1:] = [ln[margin:] for ln in lines[1:]]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def unwrap_answer(text: str) -> str:
    """Remove a code fence or string quotes put around the docstring text."""
    for pattern in (_FENCED, _QUOTED):
        if (match := pattern.match(text)) is not None:
            return match.group("body")
    return text


def prepare_docstring(text: str, *, indent: int, options: RenderOptions) -> str:
    """Return the docstring value: ``text`` in the repository's style, cleaned and wrapped.

    Text in another style is rewritten in ``options.style``; text already in it
    only has its whitespace cleaned and its long lines wrapped for ``indent`` columns,
    and the form fixed as ``options`` ask (summary, sections: :mod:`bot.core.docfix`).
    """
    body = clean_text(convert(clean_text(unwrap_answer(text)), options.style))
    width = _width(indent, options)
    # A summary split off its paragraph leaves the description's indentation to clean.
    body = clean_text(_follow_rules(body, options, width))
    # Quotes take three columns each side, plus one for an r prefix.
    quotes = 7 if "\\" in body else 6
    if "\n" not in body and len(body) + quotes <= width:
        return body
    first_offset = quotes - 2 if options.summary_line == "first" else 0
    lines = body.split("\n")
    if options.summary_alone and summary_size(body) == 1:
        # The summary was given its own line, even too long for it: wrapping would
        # break it over two.
        return "\n".join(lines[:1] + wrap_lines(lines[1:], width=width))
    lines = wrap_lines(lines, width=width, first_offset=first_offset)
    if len(lines) == 1:
        # It fit beside the opening quotes alone; the closing ones need room too.
        lines = wrap_lines(lines, width=width, first_offset=quotes)
    return "\n".join(lines)


def _follow_rules(body: str, options: RenderOptions, width: int) -> str:
    """Fix the form of ``body`` as the options ask; the defaults leave it as it is."""
    if options.tidy_sections or options.summary_alone:
        body = tidy_blocks(body, options.style)
    if options.summary_alone:
        # A summary sharing its line with quotes leaves them room (and an r prefix),
        # and room for the period it may be given.
        shared = options.summary_line == "first" or "\n" not in body
        room = width - (7 if shared else 0) - (1 if options.summary_stop else 0)
        body = summary_alone(body, room)
    body = fix_summary(body, stop=options.summary_stop, capitalize=options.capitalize_summary)
    return body


def docstring_literal(body: str, *, options: RenderOptions) -> list[str]:
    """Return the literal lines, unindented, whose value is ``body`` as a docstring.

    A body of one line stays on one line (too long only when it is one long
    word); any other opens on the summary line (or, with ``summary_line`` second,
    on the quotes alone) and closes on a line of its own, after a blank line when
    ``blank_after_sections`` asks and there are sections. ``ast.get_docstring``
    gives back ``body`` exactly.
    """
    q3 = options.quote * 3
    one_line = "\n" not in body
    content = body if one_line else body + "\n"
    if not one_line and options.blank_after_sections and has_sections(body):
        content += "\n"
    if not one_line and options.summary_line == "second":
        content = "\n" + content
    prefix, escaped = _encode(content, options.quote)
    if one_line:
        return [f"{prefix}{q3}{escaped}{q3}"]
    lines = escaped.split("\n")
    lines[0] = f"{prefix}{q3}{lines[0]}"
    lines[-1] = q3
    return lines


def render_docstring(text: str, *, indent: int, options: RenderOptions) -> list[str]:
    """Clean, wrap and quote the model's ``text``; return the literal's lines."""
    return docstring_literal(
        prepare_docstring(text, indent=indent, options=options), options=options
    )


def _width(indent: int, options: RenderOptions) -> int:
    return max(options.line_length - indent, MIN_WIDTH)


def _needs_escape(char: str) -> bool:
    # Control characters and surrogates cannot stand in source; line and paragraph
    # separators would split the line for editors and for GitHub's suggestion.
    if char == "\n":
        return False
    return unicodedata.category(char) in ("Cc", "Cs") or char in "\u2028\u2029"


def _closes_at_end(content: str, quote: Quote, *, raw: bool) -> bool:
    """Tell whether the literal's closing quotes are the first triple the tokenizer sees."""
    q3 = quote * 3
    text = content + q3
    i = 0
    while i < len(text):
        if raw and text[i] == "\\":
            i += 2
            continue
        if text.startswith(q3, i):
            return i == len(content)
        i += 1
    return False


def _encode(content: str, quote: Quote) -> tuple[str, str]:
    """Return the string prefix and the literal text for ``content``."""
    special = any(_needs_escape(c) for c in content)
    if not special and "\\" not in content and _closes_at_end(content, quote, raw=False):
        return "", content
    if not special and _closes_at_end(content, quote, raw=True):
        return "r", content
    return "", _escape(content, quote)


def _escape(content: str, quote: Quote) -> str:
    out: list[str] = []
    for char in content:
        if char == "\\":
            out.append("\\\\")
        elif _needs_escape(char):
            out.append(_escape_code(char))
        else:
            out.append(char)
    text = "".join(out)
    # Escape every quote of a run of three or more, and a run that meets the closing quotes.
    text = re.sub(
        rf"{re.escape(quote)}{{3,}}|{re.escape(quote)}+\Z",
        lambda m: ("\\" + quote) * len(m.group()),
        text,
    )
    return text


def _escape_code(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
