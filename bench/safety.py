"""Benchmark: the safety check of every edit of a real package, one by one against batched.

Run from the repository root (pure CPU; PyPI is asked for the wheels once):

    .venv/bin/python bench/safety.py

The code is real: the pure-Python wheels of a few well-known packages (``--packages``,
fetched with ``pip download --no-deps --only-binary :all:`` into ``--cache``, outside
the repository, and never committed). Every function the engine would document there
(no docstring, and kept by the default target rules, as ``docgen suggest --all``
picks them) gets one edit, a one-line docstring placed by the engine's own placement
code (``place_docstring`` + ``make_edit``, every line commentable, as locally). Three
ways of checking all those edits are timed side by side, file by file, in the same run:

- old: the check as it was at ``--baseline`` (loaded from git history): each edit
  applied and compared on its own, the result re-parsed and its touched top-level
  statement dumped, once per edit;
- one by one: today's :func:`check_edit` per edit (one parse of the result per edit);
- batch: :func:`check_edits` once per file, all its edits applied together.

Each file is timed ``--runs`` times per way and its best time kept; times are the CPU
seconds of this process, since on a shared machine wall time also counts the others.
Files are bucketed by length to show the cost per edit as the file grows. ``--broken F``
makes a fraction F of the edits unsafe (code after the docstring), to show what singling
out the culprits costs; every way must refuse exactly those.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import time
import types
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core import safety  # noqa: E402
from bot.core.edit import (  # noqa: E402
    Edit,
    Placement,
    apply_edit,
    check_edit,
    check_edits,
    make_edit,
    place_docstring,
)
from bot.core.extract import extract  # noqa: E402
from bot.core.targets import TargetRules, select_targets  # noqa: E402

PACKAGES = ("sphinx==7.4.7", "jinja2==3.1.4", "requests==2.32.3")
CACHE = Path.home() / ".cache" / "docgen-bench" / "safety"
BASELINE = "f78b00a"  # the last commit that checked each edit on its own
DOC = ['"""Summarise what this does."""']
BUCKETS = (250, 500, 1000, 2000)  # upper bounds of file lengths, in lines


@dataclass
class File:
    """One source file of a package and the edits made for it."""

    path: str
    text: str
    edits: list[Edit]
    broken: frozenset[int] = frozenset()  # indices of the edits made unsafe
    best: dict[str, float] = field(default_factory=dict)  # way -> best seconds

    @property
    def lines(self) -> int:
        """Return the file's length in lines."""
        return self.text.count("\n") + 1


def wheel(spec: str, cache: Path) -> Path:
    """Return the cached wheel for ``NAME==VERSION``, downloading it once."""
    name, _, version = spec.partition("==")
    prefix = f"{name.lower().replace('-', '_')}-{version}-"
    found = sorted(p for p in cache.glob("*.whl") if p.name.lower().startswith(prefix))
    if not found:
        cache.mkdir(parents=True, exist_ok=True)
        pip = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:"]
        subprocess.run([*pip, spec, "-d", str(cache)], check=True, capture_output=True)
        found = sorted(p for p in cache.glob("*.whl") if p.name.lower().startswith(prefix))
    if not found:
        raise SystemExit(f"pip download {spec} left no {prefix}*.whl in {cache}")
    return found[0]


def package_files(wheels: Sequence[Path]) -> list[tuple[str, str]]:
    """Return (path, text) of every Python file in the wheels that this Python parses."""
    files = []
    for path in wheels:
        with zipfile.ZipFile(path) as archive:
            for name in sorted(archive.namelist()):
                if name.endswith(".py"):
                    text = archive.read(name).decode("utf-8", errors="replace")
                    if extract(name, text).error is None:
                        files.append((name, text))
    return files


def build(sources: list[tuple[str, str]], broken: float, seed: int = 12) -> list[File]:
    """Make one edit per function the engine would document; break a fraction of them."""
    rng = random.Random(seed)
    rules = TargetRules()
    files = []
    for path, text in sources:
        result = extract(path, text)
        everywhere = frozenset(range(1, text.count("\n") + 2))
        edits = []
        for target in select_targets(result, result.functions, rules).targets:
            if target.mode != "insert":
                continue
            placement = place_docstring(text, target.function, everywhere)
            if isinstance(placement, Placement):
                edits.append(make_edit(text, target.function, placement, DOC))
        if edits:
            bad = frozenset(i for i in range(len(edits)) if rng.random() < broken)
            edits = [_break(e) if i in bad else e for i, e in enumerate(edits)]
            files.append(File(path, text, edits, bad))
    return files


def _break(edit: Edit) -> Edit:
    """Return the edit with a line of code after its docstring: unsafe."""
    doc = next(i for i, line in enumerate(edit.new_lines) if '"""' in line)
    indent = edit.new_lines[doc][: len(edit.new_lines[doc]) - len(edit.new_lines[doc].lstrip())]
    lines = list(edit.new_lines)
    lines.insert(doc + 1, f"{indent}print('not a docstring')")
    return replace(edit, new_lines=tuple(lines))


def old_check(baseline: str) -> Callable[[str, Edit], str | None] | None:
    """Load the per-edit check as it was at ``baseline`` from git history (None if absent)."""
    try:
        text = subprocess.run(
            ["git", "show", f"{baseline}:bot/core/safety.py"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    module = types.ModuleType("safety_at_baseline")
    exec(compile(text, f"{baseline}:bot/core/safety.py", "exec"), module.__dict__)
    compare = module.compare

    def check(source: str, edit: Edit) -> str | None:
        try:
            result = apply_edit(source, edit)
        except ValueError as exc:
            return f"the edit does not fit the file: {exc}"
        added = len(edit.new_lines) - (edit.end_line - edit.start_line + 1)
        reason: str | None = compare(
            source, result, edit.start_line, edit.end_line, added, edit.def_lineno
        )
        return reason

    check.cache_clear = module._statements.cache_clear  # type: ignore[attr-defined]
    return check


def ways(old: Callable[[str, Edit], str | None] | None) -> dict[str, Callable[[File], list[bool]]]:
    """Return each way of checking a file's edits: name -> (file -> refused per edit)."""

    def one_by_one(f: File) -> list[bool]:
        return [check_edit(f.text, e) is not None for e in f.edits]

    def batch(f: File) -> list[bool]:
        return [reason is not None for reason in check_edits(f.text, f.edits)]

    found: dict[str, Callable[[File], list[bool]]] = {}
    if old is not None:
        found["old"] = lambda f: [old(f.text, e) is not None for e in f.edits]
    found["one by one"] = one_by_one
    found["batch"] = batch
    return found


def clear_caches(old: Callable[[str, Edit], str | None] | None) -> None:
    """Forget parsed originals, so that every way parses each file once per run."""
    safety._parse_original.cache_clear()
    if old is not None:
        old.cache_clear()  # type: ignore[attr-defined]


def time_all(files: list[File], runs: int, old: Callable[[str, Edit], str | None] | None) -> None:
    """Time every way on every file ``runs`` times, interleaved; keep each file's best."""
    checks = ways(old)
    for _ in range(runs):
        for f in files:
            for name, check in checks.items():
                clear_caches(old)
                start = time.process_time()
                refused = check(f)
                seconds = time.process_time() - start
                f.best[name] = min(seconds, f.best.get(name, seconds))
                wrong = {i for i, r in enumerate(refused) if r} ^ f.broken
                if wrong:
                    raise SystemExit(f"{name}: {f.path}: wrong verdict on edits {sorted(wrong)}")


def bucket_of(lines: int) -> str:
    """Return the label of the length bucket a file falls in."""
    low = 0
    for high in BUCKETS:
        if lines <= high:
            return f"{low + 1}-{high}"
        low = high
    return f">{BUCKETS[-1]}"


def report(files: list[File], names: list[str]) -> list[str]:
    """Return the printed table: totals, then microseconds per edit by file length."""
    edits = sum(len(f.edits) for f in files)
    totals = {n: sum(f.best[n] for f in files) for n in names}
    out = [
        f"{len(files)} files with edits, {sum(f.lines for f in files)} lines, {edits} edits "
        f"({sum(len(f.broken) for f in files)} unsafe)",
        "",
        f"{'way':<12} {'CPU s':>8} {'us/edit':>8} {'vs batch':>9}",
    ]
    for name in names:
        ratio = totals[name] / totals["batch"]
        out.append(
            f"{name:<12} {totals[name]:>8.3f} {totals[name] / edits * 1e6:>8.0f} {ratio:>8.1f}x"
        )
    out += ["", "us per edit by file length (best of the runs, per file):"]
    header = f"{'lines':>10} {'files':>6} {'edits':>6} {'edits/file':>10} {'lines/edit':>10}"
    out.append(header + "".join(f" {n:>11}" for n in names))
    labels = [bucket_of(high) for high in BUCKETS] + [f">{BUCKETS[-1]}"]
    for label in labels:
        group = [f for f in files if bucket_of(f.lines) == label]
        if not group:
            continue
        count = sum(len(f.edits) for f in group)
        lines = sum(f.lines for f in group)
        row = f"{label:>10} {len(group):>6} {count:>6} {count / len(group):>10.1f}"
        row += f" {lines / count:>10.0f}"
        out.append(
            row + "".join(f" {sum(f.best[n] for f in group) / count * 1e6:>11.0f}" for n in names)
        )
    return out


def main() -> None:
    """Fetch the wheels, build the edits, time the ways of checking them, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", default=",".join(PACKAGES), help="NAME==VERSION,...")
    parser.add_argument("--cache", type=Path, default=CACHE, help="where the wheels are kept")
    parser.add_argument("--runs", type=int, default=3, help="runs per file and way (best kept)")
    parser.add_argument("--baseline", default=BASELINE, help="git revision of the old check")
    parser.add_argument("--broken", type=float, default=0.0, help="fraction of unsafe edits")
    args = parser.parse_args()
    specs = [s.strip() for s in args.packages.split(",") if s.strip()]
    wheels = [wheel(spec, args.cache) for spec in specs]
    files = build(package_files(wheels), args.broken)
    old = old_check(args.baseline)
    print(f"python {sys.version.split()[0]}; {', '.join(specs)}; best of {args.runs} runs")
    if old is None:
        print(f"(no git history at {args.baseline}: the old check is left out)")
    time_all(files, args.runs, old)
    for line in report(files, list(ways(old))):
        print(line)


if __name__ == "__main__":
    main()
