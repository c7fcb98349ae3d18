"""ruff's per-file-ignores globs, matched as ruff matches them.

ruff compiles each pattern twice: once joined to the project root and matched against
the file's absolute path, once as written and matched against the file name alone. Its
globs let ``*`` and ``?`` cross ``/`` (so ``src/*.py`` matches ``src/a/b.py``), know
``**``, ``[...]`` classes and ``{a,b}`` alternatives, and a leading ``!`` negates the
pattern: it then applies to every file that neither form matches.
"""

from __future__ import annotations

import posixpath
import re
from functools import lru_cache


def glob_matches(pattern: str, path: str) -> bool:
    """Tell whether the per-file-ignores ``pattern`` applies to ``path``.

    Args:
        pattern: The glob as written in the configuration, ``!`` negation included.
        path: The file's path relative to the repository root, with ``/`` separators.
    """
    negated = pattern.startswith("!")
    body = pattern[1:] if negated else pattern
    rooted = _rooted(body)
    hit = _regex(body).fullmatch(posixpath.basename(path)) is not None or (
        rooted is not None and _regex(rooted).fullmatch("/" + path.lstrip("/")) is not None
    )
    return hit != negated


def _rooted(pattern: str) -> str | None:
    """Return ``pattern`` joined to the repository root (written ``/``), as ruff normalises it.

    None when the pattern climbs out of the repository or names an absolute path, so it
    can match no file in it.
    """
    if pattern.startswith("/"):
        return None
    parts: list[str] = []
    for part in pattern.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                return None
            parts.pop()
            continue
        parts.append(part)
    return "/" + "/".join(parts) + ("/" if pattern.endswith("/") and parts else "")


@lru_cache(maxsize=512)
def _regex(pattern: str) -> re.Pattern[str]:
    """Compile a glob to a regular expression; a malformed glob matches nothing."""
    try:
        return re.compile(_translate(pattern), re.DOTALL)
    except (ValueError, re.error):
        return re.compile(r"(?!)")


def _translate(glob: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(glob):
        if glob.startswith("**", i) and _recursive(glob, i):
            piece, i = _double_star(glob, i)
            out.append(piece)
            continue
        char = glob[i]
        if char == "*":
            out.append(".*")
        elif char == "?":
            out.append(".")
        elif char == "[":
            piece, i = _char_class(glob, i)
            out.append(piece)
            continue
        elif char == "{":
            piece, i = _alternatives(glob, i)
            out.append(piece)
            continue
        elif char == "\\" and i + 1 < len(glob):
            i += 1
            out.append(re.escape(glob[i]))
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


def _recursive(glob: str, i: int) -> bool:
    """Tell whether the ``**`` at ``i`` stands alone between separators (else it is ``*``)."""
    before_ok = i == 0 or glob[i - 1] == "/"
    after = i + 2
    return before_ok and (after == len(glob) or glob[after] == "/")


def _double_star(glob: str, i: int) -> tuple[str, int]:
    """Translate a recursive ``**``: any number of directories, zero included."""
    end = i + 2
    if end == len(glob):
        return ".*", end
    # ``**/`` also matches nothing at all, so ``a/**/b`` matches ``a/b``.
    return "(?:.*/)?", end + 1


def _char_class(glob: str, i: int) -> tuple[str, int]:
    """Translate ``[...]`` (``!`` or ``^`` negates); an unclosed ``[`` is a literal."""
    j = i + 1
    negate = j < len(glob) and glob[j] in "!^"
    if negate:
        j += 1
    start = j
    if j < len(glob) and glob[j] == "]":
        j += 1
    while j < len(glob) and glob[j] != "]":
        j += 1
    if j >= len(glob):
        return re.escape("["), i + 1
    members = glob[start:j]
    body = "".join(
        "-" if c == "-" and 0 < k < len(members) - 1 else re.escape(c)
        for k, c in enumerate(members)
    )
    return f"[{'^' if negate else ''}{body}]", j + 1


def _alternatives(glob: str, i: int) -> tuple[str, int]:
    """Translate ``{a,b}``; an unclosed ``{`` is a literal."""
    end = glob.find("}", i)
    if end < 0:
        return re.escape("{"), i + 1
    options = glob[i + 1 : end].split(",")
    return "(?:" + "|".join(_translate(o) for o in options) + ")", end + 1
