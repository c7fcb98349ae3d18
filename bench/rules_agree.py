"""Benchmark: docgen's targets against what real projects' linters flag, on their releases.

Run from the repository root (offline once the sources are cached; no Redis):

    .venv/bin/python bench/rules_agree.py

For each project in tests/data/rules/real, docgen reads the copied configuration files
as the bot reads a repository's and picks its targets over the project's released
source (the sdist), every file counted as changed; the project's docstring linter
(ruff with the docstring part of its settings, or interrogate) runs on the same files
with the same settings (:mod:`bench.lintref`). Tests and docs folders are left out:
docgen skips tests by default, and docs hold examples, not the library. Only functions
missing a docstring are compared, by path and ``def`` line.

Sources are read from ~/.cache/docgen-bench/sdists/<project>-<version>/; a missing one
is fetched once from PyPI's simple index with curl. Prints a markdown table, then up to
five examples of each kind of disagreement.
"""

from __future__ import annotations

import argparse
import datetime
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pathspec  # noqa: E402

from bench.lintref import Flag, docgen_flags, linter_flags, read_fixtures  # noqa: E402
from bot.core.rulefiles import read_doc_rules  # noqa: E402
from bot.core.targets import TargetRules  # noqa: E402

REAL = ROOT / "tests" / "data" / "rules" / "real"
CACHE = Path.home() / ".cache" / "docgen-bench" / "sdists"
LEFT_OUT = pathspec.GitIgnoreSpec.from_lines((*TargetRules().test_paths, "docs/"))
EXAMPLES = 5


@dataclass(frozen=True)
class Outcome:
    """One project's comparison."""

    release: str
    rules: str
    sources: str
    reference: str
    files: int
    linter: set[Flag]
    docgen: set[Flag]
    seconds: float

    @property
    def agree(self) -> bool:
        """Tell whether docgen picks exactly the functions the linter flags."""
        return self.linter == self.docgen


def sdist(release: str) -> Path:
    """Return the extracted release, fetching it from PyPI's simple index when absent."""
    folder = CACHE / release
    if folder.is_dir():
        return folder
    name = release.rsplit("-", 1)[0]
    index = _curl(f"https://pypi.org/simple/{name}/").decode()
    link = re.search(rf'href="([^"]*/{re.escape(release)}\.tar\.gz)[^"]*"', index)
    if link is None:
        raise SystemExit(f"{release}.tar.gz is not on PyPI's simple index")
    CACHE.mkdir(parents=True, exist_ok=True)
    archive = CACHE / f"{release}.tar.gz"
    archive.write_bytes(_curl(link.group(1)))
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp, tarfile.open(archive) as tar:
        tar.extractall(tmp, filter="data")
        (Path(tmp) / release).rename(folder)
    return folder


def _curl(url: str) -> bytes:
    return subprocess.run(
        ["curl", "-fsSL", "--max-time", "60", url], capture_output=True, check=True
    ).stdout


def python_files(root: Path) -> list[str]:
    """Return the release's Python files docgen would consider, tests and docs left out."""
    paths = (p.relative_to(root).as_posix() for p in root.rglob("*.py") if p.is_file())
    return sorted(p for p in paths if not LEFT_OUT.match_file(p))


def compare(project: Path, tree: tuple[Path, list[str]] | None = None) -> Outcome:
    """Compare docgen's targets with the project's linter on its release (or on ``tree``)."""
    started = time.perf_counter()
    release = (project / "VERSION").read_text().strip()
    root, paths = tree if tree is not None else _release(release)
    files = read_fixtures(project)
    docrules = read_doc_rules(files)
    reference = linter_flags(root, paths, files)
    return Outcome(
        release=release,
        rules=docrules.describe(),
        sources=", ".join(docrules.sources) or "none",
        reference=" + ".join(reference.tools),
        files=len(paths),
        linter=reference.flags,
        docgen=docgen_flags(root, paths, docrules),
        seconds=time.perf_counter() - started,
    )


def _release(release: str) -> tuple[Path, list[str]]:
    root = sdist(release)
    return root, python_files(root)


def fixture_tree(into: Path) -> tuple[Path, list[str]]:
    """Copy the test fixtures made to exercise every rule into one tree, for a second run.

    The releases are mostly documented already; these sources hold every kind of
    definition (private, nested, magic, ``__all__``, decorated, silenced) undocumented.
    """
    data = ROOT / "tests" / "data"
    shutil.copytree(data / "rules" / "visibility", into, dirs_exist_ok=True)
    shutil.copy(data / "extract" / "shapes.py", into / "pkg" / "shapes.py")
    return into, sorted(p.relative_to(into).as_posix() for p in into.rglob("*.py"))


def table(outcomes: list[Outcome]) -> str:
    """Return the markdown table, one row per project."""
    head = (
        "| project | rules docgen read | config files | linter run | Python files "
        "| linter flags | docgen picks | both | only linter | only docgen | agree |"
    )
    rows = [head, "|" + "---|" * 11]
    for o in outcomes:
        cells = [
            o.release,
            o.rules,
            o.sources,
            o.reference,
            o.files,
            len(o.linter),
            len(o.docgen),
            len(o.linter & o.docgen),
            len(o.linter - o.docgen),
            len(o.docgen - o.linter),
            "yes" if o.agree else "**no**",
        ]
        rows.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(rows)


def examples(outcomes: list[Outcome]) -> list[str]:
    """Return up to five examples of each disagreement, as ``path:line``."""
    lines: list[str] = []
    for o in outcomes:
        for label, flags in (
            ("only the linter", o.linter - o.docgen),
            ("only docgen", o.docgen - o.linter),
        ):
            if flags:
                shown = ", ".join(f"{p}:{n}" for p, n in sorted(flags)[:EXAMPLES])
                lines.append(f"- {o.release}, {label} ({len(flags)}): {shown}")
    return lines


def main() -> int:
    """Run every project and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("projects", nargs="*", help="project folders (default: all)")
    args = parser.parse_args()
    names = args.projects or sorted(p.name for p in REAL.iterdir() if p.is_dir())
    started = time.perf_counter()
    outcomes = [compare(REAL / name) for name in names]
    print(f"Docstring rules, docgen against the linters ({datetime.date.today()}):\n")
    print("On each project's released source:\n")
    print(table(outcomes))
    with tempfile.TemporaryDirectory() as tmp:
        tree = fixture_tree(Path(tmp))
        fixtures = [compare(REAL / name, tree) for name in names]
    print("\nEach project's rules on docgen's fixture sources (every kind of definition):\n")
    print(table(fixtures))
    print()
    print("\n".join(examples(outcomes + fixtures)) or "No disagreement.")
    print(f"\n{time.perf_counter() - started:.1f} s in all")
    return 0 if all(o.agree for o in outcomes + fixtures) else 1


if __name__ == "__main__":
    raise SystemExit(main())
