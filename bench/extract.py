"""Benchmark: analyse a large pull request: map patches, extract, pick targets, place edits.

Run from the repository root (pure CPU, no network, no Redis):

    .venv/bin/python bench/extract.py

It builds a synthetic pull request of 300 Python files (deterministic seed): a third
new files, the rest modified with new functions, new methods, changed bodies and
changed signatures, in real-looking code (classes, properties, async functions,
decorators, docstrings on some functions). Each file's ``patch`` is made beforehand
with ``diff_texts``, as GitHub would send it. The timed part is what the worker does
per file before asking the model: ``map_patch`` + ``extract`` (records only for the
functions the diff touches) + ``changed_functions`` + ``select_targets`` +
``place_docstring``/``make_edit`` for every target.

Scales 4x and 16x make every file 4 and 16 times longer (more functions, more edits),
so the time per head line shows whether the cost is linear in the size of the changed
files; ``--grow files`` multiplies the number of files instead. The time ``ast.parse``
alone takes is shown apart: it is CPython's C parser, most of the cost, and itself
slower per line on very long files. Extra lines report work done elsewhere, at 1x:
fingerprints of the targets, the safety check of every edit, and ``diff_texts`` for
files whose patch GitHub omitted.
"""

from __future__ import annotations

import argparse
import functools
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core.diff import diff_texts, map_patch  # noqa: E402
from bot.core.edit import Edit, Placement, check_edit, make_edit, place_docstring  # noqa: E402
from bot.core.extract import changed_functions, extract  # noqa: E402
from bot.core.pysource import parse  # noqa: E402
from bot.core.targets import TargetRules, select_targets  # noqa: E402

NOUNS = ["user", "order", "invoice", "account", "session", "token", "record", "payload",
         "request", "reply", "cache", "config", "report", "item", "batch", "event",
         "message", "queue", "file", "path", "price", "tenant", "job", "metric"]  # fmt: skip
VERBS = ["load", "save", "parse", "render", "validate", "fetch", "send", "build", "merge",
         "split", "compute", "resolve", "encode", "decode", "refresh", "sync", "apply",
         "collect", "filter", "format", "check", "count", "normalise", "export"]  # fmt: skip
TYPES = ["str", "int", "float", "bool", "bytes", "list[str]", "dict[str, int]", "Path"]
COMMENTS = ["Retry once: the upstream API drops the first call after a deploy.",
            "Keep the order stable, callers diff the output.", "Cheap check first.",
            "The cache may hold stale entries; they are refreshed lazily."]  # fmt: skip
DOC = ['"""Summarise what this does."""']


class Source:
    """Real-looking Python, unit by unit (a unit is one top-level function or class)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.serial = 0

    def name(self) -> str:
        self.serial += 1
        return f"{self.rng.choice(VERBS)}_{self.rng.choice(NOUNS)}_{self.serial}"

    def params(self) -> list[str]:
        names = self.rng.sample(NOUNS, self.rng.randint(1, 4))
        return [f"{n}: {self.rng.choice(TYPES)}" for n in names]

    def signature(self, indent: str, name: str, params: list[str], method: bool) -> list[str]:
        params = (["self"] if method else []) + params
        keyword = "async def" if self.rng.random() < 0.15 else "def"
        ret = self.rng.choice(TYPES + ["None"])
        line = f"{indent}{keyword} {name}({', '.join(params)}) -> {ret}:"
        if len(line) <= 96:
            return [line]
        inner = indent + "    "
        return [
            f"{indent}{keyword} {name}(",
            *(f"{inner}{p}," for p in params),
            f"{indent}) -> {ret}:",
        ]

    def body(self, indent: str, params: list[str]) -> list[str]:
        first = params[0].split(":")[0] if params else "value"
        noun, other = self.rng.choice(NOUNS), self.rng.choice(NOUNS)
        shapes: list[Callable[[], list[str]]] = [
            lambda: [f"if not {first}:", f'    raise ValueError("{noun} is required")',
                     "result = []", f"for {noun} in {first}:",
                     f"    if {noun}.{other} is None:", "        continue",
                     f"    result.append(self_check({noun}, {first}))", "return result"],
            lambda: ["try:", f"    {noun} = load_{noun}({first})",
                     "except KeyError as exc:",
                     f'    raise LookupError(f"unknown {noun}: {{{first}}}") from exc',
                     f"{other}_map = {{k: v for k, v in {noun}.items() if v}}",
                     f"return {other}_map"],
            lambda: [f"with open_{noun}({first}) as handle:",
                     "    data = handle.read()", "    size = len(data)",
                     f"if size > LIMIT_{noun.upper()}:",
                     f"    log.warning('{noun} too large: %s', size)", "    return None",
                     f"return decode_{other}(data)"],
            lambda: ["total = 0", f"for index, {noun} in enumerate({first}):",
                     f"    total += {noun}.amount * RATE", "    if index % 100 == 0:",
                     "        yield total", "yield total"],
        ]  # fmt: skip
        lines = self.rng.choice(shapes)()
        if self.rng.random() < 0.4:
            # A second step, set off by a blank line and a comment, as real bodies often are.
            comment = f"# {self.rng.choice(COMMENTS)}"
            lines = [f"{other}_state = prepare_{other}({first})", "", comment, *lines]
        return [f"{indent}{line}" if line else "" for line in lines]

    def function(self, indent: str = "", method: bool = False) -> list[str]:
        name = self.name()
        params = self.params()
        lines = []
        if self.rng.random() < 0.2:
            lines.append(
                f"{indent}@{self.rng.choice(['functools.cache', 'retry(times=3)', 'traced'])}"
            )
        lines += self.signature(indent, name, params, method)
        summary = f"{name.split('_')[0].capitalize()} the {name.split('_')[1]}."
        chance = self.rng.random()
        if chance < 0.2:
            lines.append(f'{indent}    """{summary}"""')
        elif chance < 0.35:
            args = [f"{indent}        {p.split(':')[0]}: The {p.split(':')[0]}." for p in params]
            lines += [
                f'{indent}    """{summary}',
                "",
                f"{indent}    Args:",
                *args,
                f'{indent}    """',
            ]
        return lines + self.body(indent + "    ", params)

    def klass(self) -> list[str]:
        noun = self.rng.choice(NOUNS).capitalize()
        self.serial += 1
        lines = [
            f"class {noun}Service{self.serial}:",
            f'    """Operations on {noun.lower()}s."""',
            "",
        ]
        lines += ["    def __init__(self, client: Client, limit: int = 100) -> None:",
                  "        self._client = client", "        self._limit = limit", ""]  # fmt: skip
        lines += ["    @property", "    def limit(self) -> int:", "        return self._limit", ""]
        for _ in range(self.rng.randint(2, 5)):
            lines += self.function("    ", method=True) + [""]
        return lines[:-1]

    def unit(self) -> list[str]:
        return self.klass() if self.rng.random() < 0.3 else self.function()


HEADER = ['"""Service helpers."""', "", "from __future__ import annotations", "",
          "import functools", "import logging", "from pathlib import Path", "",
          "log = logging.getLogger(__name__)", "LIMIT = 1000", "RATE = 3"]  # fmt: skip


def render(units: list[list[str]]) -> str:
    """Join units with two blank lines, after the module header."""
    lines = list(HEADER)
    for unit in units:
        lines += ["", "", *unit]
    return "\n".join(lines) + "\n"


def edit_unit(source: Source, unit: list[str]) -> list[str]:
    """Change a unit as a pull request would: new lines in a body, or a new method."""
    rng = source.rng
    if unit[0].startswith("class ") and rng.random() < 0.6:
        return unit + ["", *source.function("    ", method=True)]
    signature = next((i for i, line in enumerate(unit) if " def " in f" {line}"), None)
    if signature is not None and unit[signature].endswith(":") and rng.random() < 0.3:
        # A changed signature: one more keyword-only parameter.
        head, _, tail = unit[signature].rpartition(")")
        changed = f"{head}, *, strict: bool = False){tail}".replace("(, ", "(")
        return [*unit[:signature], changed, *unit[signature + 1 :]]
    body = [i for i in range(1, len(unit)) if _starts_statement(unit, i)]
    at = rng.choice(body) if body else len(unit)
    indent = unit[at][: len(unit[at]) - len(unit[at].lstrip())] if body else "    "
    noun = rng.choice(NOUNS)
    new = [f"{indent}{noun}_seen = audit_{noun}({noun!r})", f"{indent}metrics.incr('{noun}')"]
    return unit[:at] + new[: rng.randint(1, 2)] + unit[at:]


def _starts_statement(unit: list[str], i: int) -> bool:
    """Tell whether a new statement may go before line ``i`` of a unit's body."""
    line, previous = unit[i], unit[i - 1].rstrip()
    if not line.startswith("    ") or not line.strip():
        return False
    if previous.endswith(("(", ",")) or previous.lstrip().startswith("@"):
        return False
    if line.lstrip().startswith((")", "except", "else")):
        return False
    return True


@dataclass(frozen=True)
class PrFile:
    """One file of the synthetic pull request."""

    path: str
    status: str
    base: str
    head: str
    patch: str


def build_pr(scale: int, files: int = 300, seed: int = 4) -> list[PrFile]:
    """Build the synthetic pull request; ``scale`` multiplies every file's length."""
    rng = random.Random(seed)
    source = Source(rng)
    pr = []
    for number in range(files):
        path = f"src/app/module_{number:03d}.py"
        if number % 3 == 0:
            head_units = [source.unit() for _ in range(rng.randint(3, 7) * scale)]
            head = render(head_units)
            pr.append(PrFile(path, "added", "", head, diff_texts("", head)))
            continue
        base_units = [source.unit() for _ in range(rng.randint(3, 9) * scale)]
        head_units = []
        for unit in base_units:
            head_units.append(edit_unit(source, unit) if rng.random() < 0.3 else unit)
            if rng.random() < 0.13:
                head_units.append(source.unit())
        base, head = render(base_units), render(head_units)
        pr.append(PrFile(path, "modified", base, head, diff_texts(base, head)))
    broken = [f.path for f in pr if extract(f.path, f.head).error]
    assert not broken, f"the generator wrote files that do not parse: {broken}"
    return pr


@dataclass
class Tally:
    """What one analysis pass found."""

    changed_lines: int = 0
    changed_functions: int = 0
    targets: int = 0
    edits: int = 0
    not_commentable: int = 0


def analyse(pr: list[PrFile], rules: TargetRules) -> tuple[Tally, list[tuple[str, Edit]]]:
    """Run the pure core over the pull request, as the worker does before calling the model."""
    tally = Tally()
    edits: list[tuple[str, Edit]] = []
    for f in pr:
        diff = map_patch(f.path, f.patch, status=f.status)
        result = extract(f.path, f.head, lines=diff.added)
        changed = changed_functions(result, diff.added)
        selection = select_targets(result, changed, rules)
        tally.changed_lines += len(diff.added)
        tally.changed_functions += len(changed)
        tally.targets += len(selection.targets)
        for target in selection.targets:
            placement = place_docstring(f.head, target.function, diff.commentable)
            if isinstance(placement, Placement):
                edits.append((f.head, make_edit(f.head, target.function, placement, DOC)))
            else:
                tally.not_commentable += 1
        tally.edits = len(edits)
    return tally, edits


def parse_all(pr: list[PrFile]) -> None:
    """Parse every head file and drop the tree, as ``analyse`` does: the parser's share."""
    for f in pr:
        parse(f.head)


def best_pair(
    runs: int, job: Callable[[], object], part: Callable[[], object]
) -> tuple[float, float]:
    """Time a job and a part of it alternately (same machine load); keep each one's best."""
    times = [(best_of(1, job), best_of(1, part)) for _ in range(runs)]
    return min(t[0] for t in times), min(t[1] for t in times)


def best_of(runs: int, job: Callable[[], object]) -> float:
    """Return the fastest of a few runs, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        job()
        times.append(time.perf_counter() - start)
    return min(times)


COLUMNS = ("scale", "files", "head lines", "changed lines", "changed fns", "targets", "seconds",
           "files/s", "fns/s", "us/head line", "ast.parse s", "rest us/head line")  # fmt: skip


def row(values: tuple[object, ...]) -> str:
    """Format one table row, each value right-aligned under its column name."""
    return " ".join(f"{v:>{len(c)}}" for c, v in zip(COLUMNS, values, strict=True))


def main() -> None:
    """Build the PR at each scale, time the analysis, and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,4,16", help="comma-separated multipliers")
    parser.add_argument(
        "--grow",
        choices=("length", "files"),
        default="length",
        help="what a multiplier multiplies: each file's length (default) or the number of files",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per scale (the best is kept)")
    args = parser.parse_args()
    rules = TargetRules()
    print(f"python {sys.version.split()[0]}; best of {args.runs} runs; scales grow the {args.grow}")
    print(row(COLUMNS))
    first_cost = None
    extras: list[str] = []
    for scale in (int(s) for s in args.scales.split(",")):
        pr = build_pr(scale) if args.grow == "length" else build_pr(1, files=300 * scale)
        tally, edits = analyse(pr, rules)
        seconds, parsing = best_pair(
            args.runs, functools.partial(analyse, pr, rules), functools.partial(parse_all, pr)
        )
        head_lines = sum(f.head.count("\n") for f in pr)
        per_head = seconds / head_lines * 1e6
        rest = (seconds - parsing) / head_lines * 1e6
        first_cost = first_cost or (per_head, rest)
        values = (
            f"{scale}x", len(pr), head_lines, tally.changed_lines, tally.changed_functions,
            tally.targets,
            f"{seconds:.3f}", f"{len(pr) / seconds:.0f}",
            f"{tally.changed_functions / seconds:.0f}", f"{per_head:.2f}", f"{parsing:.3f}",
            f"{rest:.2f}",
        )  # fmt: skip
        print(
            f"{row(values)}   per head line vs 1x: all x{per_head / first_cost[0]:.2f}, "
            f"without ast.parse x{rest / first_cost[1]:.2f}"
        )
        if scale == 1:
            extras = extra_figures(pr, rules, edits, tally)
    for line in extras:
        print(line)


def extra_figures(
    pr: list[PrFile], rules: TargetRules, edits: list[tuple[str, Edit]], tally: Tally
) -> list[str]:
    """Time the steps that run outside the analysis, at 1x."""
    functions = []
    for f in pr:
        result = extract(f.path, f.head)
        changed = changed_functions(result, map_patch(f.path, f.patch).added)
        functions += [t.function for t in select_targets(result, changed, rules).targets]
    fingerprints = best_of(1, lambda: [fn.fingerprint for fn in functions])
    checks = best_of(1, lambda: [check_edit(source, edit) for source, edit in edits])
    refused = sum(check_edit(source, edit) is not None for source, edit in edits)
    fallback = best_of(1, lambda: [diff_texts(f.base, f.head) for f in pr])
    return [
        f"1x: {tally.targets} targets, {tally.edits} edits, {tally.not_commentable} not "
        f"commentable, {refused} refused by the safety check",
        f"1x: fingerprints of all targets: {fingerprints:.3f} s; safety check of every edit: "
        f"{checks:.3f} s ({checks / max(len(edits), 1) * 1e3:.2f} ms per edit)",
        f"1x: diff_texts for all 300 files (the fallback when GitHub omits patches): "
        f"{fallback:.3f} s",
    ]


if __name__ == "__main__":
    main()
