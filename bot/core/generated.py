"""Generated and vendored code: docgen's default patterns and ``.gitattributes`` marks.

Code nobody writes by hand (protobuf stubs, migrations, vendored packages) is not
reviewed and not counted. docgen knows a few such paths by default
(:data:`DEFAULT_PATTERNS`, ``.gitignore`` syntax), and reads the marks GitHub's own
linguist reads from the root ``.gitattributes``: ``linguist-generated`` and
``linguist-vendored``. A mark set (``attr`` or ``attr=true``) excludes a path; a mark
unset (``-attr`` or ``attr=false``) keeps it even where a default pattern matches;
``!attr`` forgets earlier lines. As in git, the last line that matches a path and
names the attribute decides.

The ``.gitattributes`` format: one ``pattern attr...`` per line; blank lines and
lines starting with ``#`` are ignored; a pattern may be double-quoted in C style;
``[attr]name ...`` defines a macro; negative patterns (``!x``) are not allowed and a
pattern ending in ``/`` names only directories, so neither marks a file. Patterns
follow ``.gitignore`` rules otherwise: without a ``/`` they match the file's name at
any depth, with one they match from the root.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bot.core.gitignore import gitignore_spec

GITATTRIBUTES = ".gitattributes"
DEFAULT_PATTERNS: tuple[str, ...] = (
    "*_pb2.py",
    "*_pb2_grpc.py",
    "migrations/",
    "vendor/",
    "_vendor/",
)
MARKS = ("linguist-generated", "linguist-vendored")
_OCTAL = re.compile(r"[0-7]{1,3}")
_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


@dataclass(frozen=True)
class Mark:
    """One ``.gitattributes`` line's word on a mark: set, unset (False) or forgotten (None)."""

    lineno: int
    pattern: str
    attribute: str
    value: bool | None

    def matches(self, path: str) -> bool:
        """Tell whether this line's pattern matches the file ``path``."""
        return _pattern_regex(self.pattern).fullmatch(_subject(self.pattern, path)) is not None

    def describe(self) -> str:
        """Return e.g. ``linguist-generated in .gitattributes (line 3: `gen/**`)``."""
        return f"{self.attribute} in {GITATTRIBUTES} (line {self.lineno}: `{self.pattern}`)"


@dataclass(frozen=True)
class GeneratedRules:
    """Which paths are generated or vendored: default patterns, then the repository's marks."""

    defaults: tuple[str, ...] = DEFAULT_PATTERNS
    marks: tuple[Mark, ...] = ()

    def explain(self, path: str) -> str | None:
        """Return why ``path`` counts as generated or vendored; None when it does not."""
        decided = _decided_marks(self.marks, path)
        chosen = [m for m in decided if m.value]
        if chosen:
            return chosen[0].describe()
        if any(m.value is False for m in decided):
            return None  # the repository says it is hand-written, whatever the defaults say
        for pattern in self.defaults:
            if gitignore_spec((pattern,)).match_file(path):
                return f"matches `{pattern}` (docgen's default)"
        return None

    def matches(self, path: str) -> bool:
        """Tell whether ``path`` counts as generated or vendored."""
        return self.explain(path) is not None


NO_GENERATED = GeneratedRules(defaults=())


def generated_rules(gitattributes: str | None) -> GeneratedRules:
    """Return docgen's default patterns with the marks of a ``.gitattributes`` text."""
    return GeneratedRules(marks=parse_gitattributes(gitattributes or ""))


def _decided_marks(marks: tuple[Mark, ...], path: str) -> list[Mark]:
    """Return, per mark, the last line that matches ``path`` and names it."""
    last: dict[str, Mark] = {}
    for mark in marks:
        if mark.matches(path):
            last[mark.attribute] = mark
    return [last[a] for a in MARKS if a in last]


def parse_gitattributes(text: str) -> tuple[Mark, ...]:
    """Return every line's word on the linguist marks, in file order; never raise."""
    macros: dict[str, list[str]] = {}
    marks: list[Mark] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        pattern, rest = _split_pattern(line)
        tokens = rest.split()
        if pattern.startswith("[attr]"):
            macros[pattern.removeprefix("[attr]")] = tokens
            continue
        if not pattern or pattern.startswith("!") or pattern.endswith("/"):
            continue  # git refuses negative patterns; a directory pattern marks no file
        for attribute, value in _attributes(tokens, macros):
            if attribute in MARKS:
                marks.append(Mark(lineno, pattern, attribute, value))
    return tuple(marks)


def _attributes(
    tokens: list[str], macros: dict[str, list[str]], seen: frozenset[str] = frozenset()
) -> list[tuple[str, bool | None]]:
    out: list[tuple[str, bool | None]] = []
    for token in tokens:
        if token in macros and token not in seen:  # a macro set sets what it stands for
            out += _attributes(macros[token], macros, seen | {token})
            continue
        if token.startswith("-"):
            out.append((token[1:], False))
        elif token.startswith("!"):
            out.append((token[1:], None))
        elif "=" in token:
            name, value = token.split("=", 1)
            # As linguist reads it: any value but "false" marks the path.
            out.append((name, value != "false"))
        else:
            out.append((token, True))
    return out


def _split_pattern(line: str) -> tuple[str, str]:
    """Split a line into its pattern (unquoted) and the rest."""
    if not line.startswith('"'):
        pattern, *rest = line.split(None, 1)
        return pattern, rest[0] if rest else ""
    chars: list[str] = []
    i = 1
    while i < len(line):
        c = line[i]
        if c == '"':
            return "".join(chars), line[i + 1 :]
        if c == "\\" and i + 1 < len(line):
            octal = _OCTAL.match(line, i + 1)
            if octal is not None:
                chars.append(chr(int(octal.group(), 8)))
                i = octal.end()
                continue
            chars.append(_ESCAPES.get(line[i + 1], line[i + 1]))
            i += 2
            continue
        chars.append(c)
        i += 1
    return "", ""  # an unterminated quote: git ignores the line


def _subject(pattern: str, path: str) -> str:
    # A pattern without a slash matches the name at any depth; with one, from the root.
    return path.rsplit("/", 1)[-1] if "/" not in pattern else path


@lru_cache(maxsize=256)
def _pattern_regex(pattern: str) -> re.Pattern[str]:
    """Compile a gitattributes pattern (wildmatch with ``**``) to a regex."""
    pattern = pattern.removeprefix("/")
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if pattern.startswith("**", i) and (i == 0 or pattern[i - 1] == "/"):
            after = i + 2
            if after == n:
                out.append(".*")
                break
            if pattern[after] == "/":
                out.append("(?:.*/)?")
                i = after + 1
                continue
        if c == "*":
            while i + 1 < n and pattern[i + 1] == "*":
                i += 1
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            klass, i = _char_class(pattern, i)
            out.append(klass)
            continue
        elif c == "\\" and i + 1 < n:
            out.append(re.escape(pattern[i + 1]))
            i += 1
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out))


def _char_class(pattern: str, start: int) -> tuple[str, int]:
    """Translate ``[...]`` at ``start``; return the regex and the index after it."""
    i = start + 1
    negate = i < len(pattern) and pattern[i] in "!^"
    i += negate
    body: list[str] = []
    first = True
    while i < len(pattern) and (pattern[i] != "]" or first):
        c = pattern[i]
        body.append("\\" + c if c in "\\^[]" else c)
        first = False
        i += 1
    if i >= len(pattern):  # no closing bracket: a literal "["
        return re.escape("["), start + 1
    return f"[{'^' if negate else ''}{''.join(body)}{'/' if negate else ''}]", i + 1
