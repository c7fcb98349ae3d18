"""The soak test's workload: installations, pull requests from templates, faults to inject.

Every pull request adds new Python files whose top-level functions have no docstring
(each one must be suggested exactly once) and one function that has a docstring (it
must never be suggested). The first installation is the large one: half the PRs, and
bigger ones. Its first few PRs are long: more functions than one wave of requests holds
(``DOCGEN_MAX_CONCURRENCY``, 4, of up to 20 functions), so their reviews run in parts
(``bot.worker.workitems``) that take turns with the other installations' reviews.
"""

from __future__ import annotations

import copy
import json
import random
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.azure_faults import Fault, RateLimited, ServerError, Slow
from tests.fakes.github_model import PrFile
from tests.web.support import compact, payload

REPO = "svc"
_BODIES = (
    "    total = 0\n    for item in {a}:\n        total += item * {b}\n    return total\n",
    "    if not {a}:\n        raise ValueError('empty')\n    return sorted({a})[:{b}]\n",
    "    parts = [str(x) for x in {a}]\n    return '-'.join(parts) * {b}\n",
    "    seen = set()\n    for x in {a}:\n        seen.add(x % {b})\n    return len(seen)\n",
)
_DOCUMENTED = 'def helper(value):\n    """Return the value unchanged."""\n    return value\n'


@dataclass(frozen=True)
class Shape:
    """How big the run is."""

    installations: int
    prs: int
    large_files: int  # files per PR of the large installation
    small_files: int  # files per PR of the others
    functions_per_file: int
    long_prs: int = 1  # the large installation's first PRs, reviewed in parts
    long_files: int = 4  # four files of 21 functions: 84, five requests, two parts
    long_functions_per_file: int = 21


SHORT = Shape(installations=3, prs=12, large_files=2, small_files=1, functions_per_file=3)
LONG = Shape(
    installations=6, prs=60, large_files=3, small_files=1, functions_per_file=4, long_prs=3
)
# The most a run may take before it gives up (a bound, not a check): a quiet machine
# runs SHORT in about a minute, and a loaded one is slower, never failed for it.
# tests/test_soak.py allows the child a little more than SHORT_TIMEOUT.
SHORT_TIMEOUT = 240.0
LONG_TIMEOUT = 900.0


@dataclass
class Pr:
    """One pull request of the run and what it must end with."""

    installation: int
    owner: str
    number: int
    head_sha: str
    files: list[PrFile]
    expected: set[str]
    large: bool
    first_sent: float | None = None
    reviewed_at: float | None = None
    delivery_ids: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str, int]:
        """Return (owner, repo, number)."""
        return (self.owner, REPO, self.number)


def module_text(seed: int, count: int) -> tuple[str, list[str]]:
    """Return a module with ``count`` undocumented functions and one documented; and their names."""
    names = [f"step_{seed}_{i}" for i in range(count)]
    chunks = [_DOCUMENTED]
    for i, name in enumerate(names):
        body = _BODIES[(seed + i) % len(_BODIES)].format(a="items", b=i + 2)
        chunks.append(f"def {name}(items):\n{body}")
    return "\n\n".join(chunks), names


def build_prs(shape: Shape, base_installation: int = 7001) -> list[Pr]:
    """Return the run's PRs: half on the large (first) installation, the rest spread."""
    large_count = shape.prs // 2
    prs: list[Pr] = []
    for n in range(shape.prs):
        large = n < large_count
        small_index = (n - large_count) % (shape.installations - 1)
        inst = base_installation if large else base_installation + 1 + small_index
        nfiles = shape.large_files if large else shape.small_files
        count = shape.functions_per_file
        if n < shape.long_prs:
            nfiles, count = shape.long_files, shape.long_functions_per_file
        files, expected = [], set()
        for f in range(nfiles):
            path = f"pkg/mod_{n}_{f}.py"
            text, names = module_text(n * 10 + f, count)
            files.append(PrFile.from_texts(path, None, text))
            expected |= {f"{path}::{name}" for name in names}
        prs.append(Pr(inst, f"org{inst}", 100 + n, f"{n + 1:040x}", files, expected, large))
    return prs


def seed_github(fake: Any, prs: list[Pr]) -> None:
    """Install the App on every installation and add the PRs."""
    for inst in sorted({p.installation for p in prs}):
        fake.add_installation(inst, repos=[f"org{inst}/{REPO}"], account=f"org{inst}")
    for pr in prs:
        fake.add_pull_request(pr.owner, REPO, pr.number, head_sha=pr.head_sha, files=pr.files)


def opened_body(pr: Pr) -> bytes:
    """Return the signed-to-be body of the PR's ``pull_request.opened`` delivery."""
    data: dict[str, Any] = copy.deepcopy(payload("pull_request.opened"))
    data["installation"]["id"] = pr.installation
    data["number"] = pr.number
    data["repository"].update(full_name=f"{pr.owner}/{REPO}", name=REPO)
    data["repository"]["owner"]["login"] = pr.owner
    data["pull_request"].update(number=pr.number, draft=False, state="open")
    data["pull_request"]["head"]["sha"] = pr.head_sha
    return compact(data)


def azure_faults(rng: random.Random, count: int) -> list[Fault]:
    """Return the fault sequence for the model's next ``count`` requests.

    ``Slow(0)`` is no fault at all: the fake takes faults in order, one per request.
    About 5 % are 429s, 4 % 503s and 15 % slow answers (0.2-1.5 s).
    """
    out: list[Fault] = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.05:
            out.append(RateLimited(retry_after=0.5))
        elif roll < 0.09:
            out.append(ServerError(503))
        elif roll < 0.24:
            out.append(Slow(round(rng.uniform(0.2, 1.5), 2)))
        else:
            out.append(Slow(0.0))
    return out


def summary_json(figures: dict[str, Any]) -> str:
    """Return the figures as one JSON line (for the CI test to read)."""
    return "SOAK " + json.dumps(figures, sort_keys=True)
