"""Real pull requests for ``bench/real_prs.py``: two released versions of a package, diffed.

Each package's pure-Python wheels are fetched once with ``pip download --no-deps
--only-binary :all:`` into a cache outside the repository (``~/.cache/docgen-bench``,
or ``$DOCGEN_BENCH_CACHE``) and read from there afterwards; nothing is committed.
The older version is the base, the newer the head, file by file.

Released libraries document nearly everything, so a release diff alone leaves
docgen little to do. To stand for a contributor who changed those functions and has
not written their docstrings yet, the docstrings of the changed functions that
already have one are removed from both versions (from both, so the diff shows the
real code change and nothing else); every other docstring stays, so the
repository's style is still read from the package itself.
"""

from __future__ import annotations

import ast
import difflib
import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from bot.core.extract import extract
from bot.core.render import DocstringSample, collect_docstrings
from bot.core.targets import SkipReason, TargetRules
from bot.engine.analyse import Analysis, SourceFile, analyse


@dataclass(frozen=True)
class Release:
    """Two released versions of a package on PyPI, and the docstring style it uses."""

    name: str
    base: str
    head: str
    style_note: str  # what the package's own docstrings look like, for the report


RELEASES = (
    Release("requests", "2.25.1", "2.32.3", "Sphinx"),
    Release("click", "8.0.4", "8.1.7", "Sphinx"),
    Release("rich", "12.0.0", "13.7.1", "Google"),
    Release("seaborn", "0.12.2", "0.13.2", "NumPy"),
)


@dataclass(frozen=True)
class RealPR:
    """One package's release diff as docgen's engine takes it."""

    release: Release
    files: list[SourceFile]
    samples: list[DocstringSample]  # every docstring of the head version
    diff: str  # the whole unified diff (-U3) of the changed Python files
    stripped: int  # changed functions whose docstrings were removed from both sides
    analysis: Analysis


def cache_dir() -> Path:
    """Return where the wheels are kept: ``$DOCGEN_BENCH_CACHE`` or ``~/.cache/docgen-bench``."""
    configured = os.environ.get("DOCGEN_BENCH_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "docgen-bench"


def wheel(name: str, version: str) -> Path:
    """Return the cached wheel of ``name==version``, downloading it the first time."""
    folder = cache_dir() / f"{name}-{version}"
    found = sorted(folder.glob("*.whl"))
    if not found:
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"]
        command += ["--only-binary", ":all:", f"{name}=={version}", "-d", str(folder)]
        subprocess.run(command, check=True, timeout=300)
        found = sorted(folder.glob("*.whl"))
    if not found:
        raise RuntimeError(f"pip downloaded no wheel for {name}=={version}")
    return found[0]


def python_files(path: Path) -> dict[str, str]:
    """Return the wheel's Python modules by path, metadata folders left out."""
    with zipfile.ZipFile(path) as archive:
        names = [n for n in archive.namelist() if n.endswith(".py") and ".dist-info/" not in n]
        return {n: archive.read(n).decode("utf-8", errors="replace") for n in sorted(names)}


def _own_lines(lines: list[str], span: tuple[int, int], header_end: int, end: int) -> bool:
    """Tell whether a docstring fills whole lines and is not the function's only statement."""
    first, last = span
    if first <= header_end or last >= end:
        return False
    closing = lines[last - 1].rstrip()
    return closing.endswith(('"""', "'''"))


def strip_docstrings(text: str, keys: set[str]) -> str:
    """Remove the docstrings of the functions whose key (id without path) is in ``keys``.

    A docstring that shares a line with code, or that is its function's only
    statement, stays; so does everything when the result would not parse.
    """
    if not keys:
        return text
    lines = text.splitlines(keepends=True)
    spans = [
        f.docstring_span
        for f in extract("module.py", text).functions
        if f.key in keys
        and f.docstring_span is not None
        and _own_lines(lines, f.docstring_span, f.header_end_lineno, f.end_lineno)
    ]
    for first, last in sorted(spans, reverse=True):
        del lines[first - 1 : last]
    stripped = "".join(lines)
    try:
        ast.parse(stripped)
    except SyntaxError:
        return text
    return stripped


def unified_diff(path: str, base: str | None, head: str) -> str:
    """Return one file's unified diff with three lines of context, as git prints it."""
    old = (base or "").splitlines(keepends=True)
    new = head.splitlines(keepends=True)
    source = f"a/{path}" if base is not None else "/dev/null"
    body = difflib.unified_diff(old, new, source, f"b/{path}", n=3)
    text = "".join(line if line.endswith("\n") else line + "\n" for line in body)
    return f"diff --git a/{path} b/{path}\n{text}" if text else ""


def source_files(base: dict[str, str], head: dict[str, str]) -> list[SourceFile]:
    """Return the files the release changed or added (removed files give docgen nothing)."""
    changed = [p for p in sorted(head) if base.get(p) != head[p]]
    return [
        SourceFile(p, head[p], "added" if p not in base else "modified", None, base.get(p))
        for p in changed
    ]


def documented_keys(analysis: Analysis) -> dict[str, set[str]]:
    """Return, by path, the keys of changed functions skipped for having a docstring."""
    keys: dict[str, set[str]] = {}
    for skip in analysis.skipped:
        if str(skip.reason) == SkipReason.HAS_DOCSTRING.value and "::" in skip.function_id:
            path, key = skip.function_id.split("::", 1)
            keys.setdefault(path, set()).add(key)
    return keys


def build(release: Release, rules: TargetRules | None = None) -> RealPR:
    """Diff the release's two wheels, undocument its changed functions, and analyse it."""
    rules = rules or TargetRules()
    base = python_files(wheel(release.name, release.base))
    head = python_files(wheel(release.name, release.head))
    first = analyse(source_files(base, head), rules)
    keys = documented_keys(first)
    for path, wanted in keys.items():
        head[path] = strip_docstrings(head[path], wanted)
        if path in base:
            base[path] = strip_docstrings(base[path], wanted)
    files = source_files(base, head)
    diff = "".join(unified_diff(f.path, f.base_text, f.head_text or "") for f in files)
    return RealPR(
        release=release,
        files=files,
        samples=collect_docstrings(head.values()),
        diff=diff,
        stripped=sum(len(k) for k in keys.values()),
        analysis=analyse(files, rules),
    )
