"""Benchmark: docgen's engine on real release diffs, against a model careless in one way.

Run from the repository root (no Redis; the model is the fake Azure OpenAI server
on 127.0.0.1; the only other traffic is ``pip download`` of the wheels, once):

    .venv/bin/python bench/real_prs.py [--modes careful,prose_only] [--json]

The pull requests are built by ``bench/real_prs_source.py`` from two released
versions of requests and click (Sphinx style), rich (Google) and seaborn (NumPy).
For each answer mode of the fake (``tests/fakes/azure_modes.py``) the engine the
worker runs (``analyse`` then ``document``, planner, budgets and a real OpenAI
caller from ``bot.wiring``) documents every PR, and the report gives per mode:
targets, suggestions posted (complete / incomplete), skips grouped by kind with
the most frequent reasons, requests, and prompt and completion tokens per posted
docstring over all calls of the run, retries included. Every posted edit is
applied to its file again and compared with ``same_code``: edits that change code
must be 0. The reference is the whole diff in one request per PR (as in
``bench/tokens.py``), counted at its best: one request, every target documented.

Goals (printed beside the figures): at least 95 % of targets get a suggestion in
every mode but ``invent_param``; prompt tokens per posted docstring at most 300
and at least 2x below the whole diff's; no edit that changes code. Missing a
goal is reported, not an error: the exit status is 1 only for a broken run.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.real_prs_source import RELEASES, RealPR, build  # noqa: E402
from bench.tokens import whole_diff_plan  # noqa: E402
from bench.tokens_pr import PullRequest  # noqa: E402
from bot.core.edit import apply_edit  # noqa: E402
from bot.core.render import resolve_options  # noqa: E402
from bot.engine.document import Engine, Outcome, Proposal, document  # noqa: E402
from bot.llm.client import RetryPolicy  # noqa: E402
from bot.llm.run import generate  # noqa: E402
from bot.llm.usage import ModelCaller  # noqa: E402
from bot.local.engine import apply_proposals, same_code  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.wiring import budgets_for, caller_for, overhead_for, planner_for  # noqa: E402
from tests.fakes.azure import FakeAzureOpenAI  # noqa: E402
from tests.fakes.azure_modes import AnswerMode  # noqa: E402

DEPLOYMENT = "bench"
SCHEMA_OVERHEAD = 50  # the fake adds this to every structured-output prompt, as the service does
GOAL_SHARE = 0.95
GOAL_PROMPT = 300
GOAL_RATIO = 2.0
EXEMPT = AnswerMode.INVENT_PARAM  # a made-up parameter is false: skipping it is right
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")


@dataclass
class ModeResult:
    """One mode's figures over every PR."""

    mode: AnswerMode
    targets: int = 0
    posted: int = 0
    incomplete: int | None = None  # None while the engine reports no incompleteness
    skips: Counter[str] = field(default_factory=Counter)  # by kind
    reasons: Counter[str] = field(default_factory=Counter)
    unaccounted: int = 0  # targets neither posted nor skipped: should never happen
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    code_changing: int = 0
    seconds: float = 0.0
    timed_out: bool = False

    @property
    def skipped(self) -> int:
        """Return the targets that got no suggestion."""
        return self.targets - self.posted

    def per_posted(self, tokens: int) -> float:
        """Return ``tokens`` per posted docstring (infinite when none was posted)."""
        return tokens / self.posted if self.posted else float("inf")


@dataclass(frozen=True)
class WholeDiff:
    """The reference: each PR's whole diff and its target ids in one request."""

    targets: int
    requests: int
    prompt_tokens: int
    completion_tokens: int
    counted_only: int  # PRs whose request the service refused: their prompt is counted

    @property
    def prompt_per_target(self) -> float:
        """Return prompt tokens per target, every target taken as documented."""
        return self.prompt_tokens / max(self.targets, 1)


def settings_for(fake: FakeAzureOpenAI) -> Settings:
    """Return settings pointing at the fake, with caps too high to stop any function."""
    return Settings.from_env(
        {
            "AZURE_OPENAI_ENDPOINT": fake.endpoint,
            "AZURE_OPENAI_API_KEY": fake.api_key,
            "AZURE_OPENAI_DEPLOYMENT": DEPLOYMENT,
            "DOCGEN_MODEL": "gpt-4o-mini",
            "DOCGEN_MAX_PROMPT_TOKENS_PER_RUN": "100000000",
            "DOCGEN_MAX_COST_PER_RUN_USD": "1000",
        }
    )


def engine_for(settings: Settings, pr: RealPR, caller: ModelCaller) -> Engine:
    """Build the engine the worker would for this PR's repository, with ``caller``."""
    render = resolve_options(samples=pr.samples)
    overhead = overhead_for(settings)
    return Engine(
        planner=planner_for(settings, style=render.style, overhead=overhead),
        caller=caller,
        render=render,
        budgets=budgets_for(settings),
        overhead=overhead,
        concurrency=settings.docgen_max_concurrency,
    )


def reason_lines(reason: str) -> list[str]:
    """Split a skip's joined reasons and blank out the names in them, to group alike ones."""
    return [_QUOTED.sub("'…'", part.strip()) for part in reason.split("; ") if part.strip()]


def lacks_of(proposal: Proposal) -> Any:
    """Return what the engine says a posted docstring lacks, when it says (``lacks``)."""
    return getattr(proposal, "lacks", None)


def reports_lacks() -> bool:
    """Tell whether this engine's proposals carry an incompleteness field."""
    names = {f.name for f in dataclasses.fields(Proposal)}
    return "lacks" in names or hasattr(Proposal, "lacks")


def changes_code(proposal: Proposal) -> bool:
    """Tell whether the posted edit, applied to its file, changes more than docstrings."""
    head = proposal.work.head_text
    try:
        return not same_code(head, apply_edit(head, proposal.edit))
    except ValueError:
        return True


def code_changing(pr: RealPR, proposals: Sequence[Proposal]) -> int:
    """Count the posted edits that change code, re-checking every one of them.

    A file's edits are applied together and compared once (as ``docgen suggest``
    applies them); only in a file where that fails is each edit compared alone.
    """
    _, refused = apply_proposals(pr.files, proposals)
    suspects = {skip.function_id for skip in refused}
    alone = sum(changes_code(p) for p in proposals if p.work.function.id in suspects)
    # Edits that are each harmless but clash together still count: none may change code.
    return max(alone, 1) if suspects else 0


def add_outcome(result: ModeResult, pr: RealPR, outcome: Outcome) -> None:
    """Add one PR's outcome to the mode's figures."""
    targets = {w.function.id for w in pr.analysis.work}
    posted = {p.work.function.id for p in outcome.proposals}
    result.targets += len(targets)
    result.posted += len(posted & targets)
    if reports_lacks():
        lacking = sum(bool(lacks_of(p)) for p in outcome.proposals)
        result.incomplete = (result.incomplete or 0) + lacking
    skipped = set()
    for skip in outcome.skipped:
        if skip.function_id in targets and skip.function_id not in posted:
            skipped.add(skip.function_id)
            result.skips[str(skip.kind)] += 1
            result.reasons.update(reason_lines(str(skip.reason)))
    result.unaccounted += len(targets - posted - skipped)
    usage = outcome.usage
    result.requests += usage.calls
    result.prompt_tokens += usage.prompt_tokens
    result.completion_tokens += usage.completion_tokens
    result.code_changing += code_changing(pr, outcome.proposals)


async def run_mode(
    settings: Settings, prs: Sequence[RealPR], mode: AnswerMode, deadline: float
) -> ModeResult:
    """Document every PR with the fake in ``mode``; stop at ``deadline`` (monotonic)."""
    result = ModeResult(mode)
    started = time.monotonic()
    async with caller_for(settings, policy=RetryPolicy(max_attempts=2)) as caller:
        for pr in prs:
            left = deadline - time.monotonic()
            try:
                outcome = await asyncio.wait_for(
                    document(engine_for(settings, pr, caller), pr.analysis), max(left, 0.1)
                )
            except TimeoutError:
                result.timed_out = True
                break
            add_outcome(result, pr, outcome)
    result.seconds = time.monotonic() - started
    return result


async def whole_diff(settings: Settings, prs: Sequence[RealPR]) -> WholeDiff:
    """Send each PR's whole diff with its target ids in one request; sum what is reported."""
    targets = requests = prompt = completion = counted = 0
    async with caller_for(settings, policy=RetryPolicy(max_attempts=2)) as caller:
        for pr in prs:
            engine = engine_for(settings, pr, caller)
            functions = [w.prompt for w in pr.analysis.work]
            plan = whole_diff_plan(engine.planner, PullRequest(pr.diff, functions))
            generation = await generate(plan, caller, engine.planner, overhead=engine.overhead)
            targets += len(functions)
            if generation.calls:
                totals = generation.totals
                requests += totals.calls
                prompt += totals.prompt_tokens
                completion += totals.completion_tokens
            else:  # refused (e.g. over the context window): count what it would send
                requests += 1
                prompt += sum(r.prompt_tokens for r in plan.requests)
                counted += 1
    return WholeDiff(targets, requests, prompt, completion, counted)


def goal_failures(result: ModeResult, whole: WholeDiff) -> list[str]:
    """Return the goals this mode misses, as short phrases (empty when all are met)."""
    missed = []
    share = result.posted / max(result.targets, 1)
    if result.mode is EXEMPT:
        # Every answer is false here: the goal is that none is posted, and a per-posted
        # token figure has nothing to divide by.
        if result.posted:
            missed.append(f"{result.posted} answers with a made-up parameter posted")
    else:
        missed += _share_and_token_goals(result, whole, share)
    if result.code_changing:
        missed.append(f"{result.code_changing} edits change code")
    if result.unaccounted:
        missed.append(f"{result.unaccounted} targets unaccounted for")
    if result.timed_out:
        missed.append("timed out")
    return missed


def _share_and_token_goals(result: ModeResult, whole: WholeDiff, share: float) -> list[str]:
    missed = []
    if share < GOAL_SHARE:
        missed.append(f"posted {share:.0%} < 95%")
    per_doc = result.per_posted(result.prompt_tokens)
    if per_doc > GOAL_PROMPT:
        missed.append(f"prompt/doc {per_doc:,.0f} > {GOAL_PROMPT}")
    ratio = whole.prompt_per_target / per_doc
    if ratio < GOAL_RATIO:
        missed.append(f"whole/docgen {ratio:.2f}x < 2x")
    return missed


def preface(prs: Sequence[RealPR], whole: WholeDiff) -> list[str]:
    """Describe the PRs and the reference."""
    lines = [f"Real release diffs, {date.today().isoformat()} (gpt-4o-mini tokenizer, fake model)"]
    for pr in prs:
        r = pr.release
        lines.append(
            f"  {r.name} {r.base} -> {r.head} ({r.style_note} style, renders "
            f"{resolve_options(samples=pr.samples).style}): {len(pr.files)} changed files, "
            f"{len(pr.analysis.work)} targets ({pr.stripped} docstrings removed from changed "
            "functions)"
        )
    counted = f", {whole.counted_only} PRs counted, not sent" if whole.counted_only else ""
    lines += [
        f"whole diff in one request per PR: {whole.requests} requests, "
        f"{whole.prompt_tokens:,} prompt tokens ({whole.prompt_per_target:,.0f} per target), "
        f"{whole.completion_tokens:,} completion tokens "
        f"({whole.completion_tokens / max(whole.targets, 1):,.0f} per target){counted}; "
        "best case: no retry, every target documented",
        "",
    ]
    return lines


def table(results: Sequence[ModeResult], whole: WholeDiff) -> list[str]:
    """Format one row per mode, then the skips and the missed goals of each."""
    header = (
        f"{'mode':13} {'targets':>7} {'posted':>6} {'complete':>8} {'incompl.':>8} "
        f"{'skipped':>7} {'requests':>8} {'prompt':>9} {'prompt/doc':>10} {'compl./doc':>10} "
        f"{'whole/docgen':>12} {'code-changing':>13}"
    )
    lines = [header]
    for r in results:
        incomplete = "TODO" if r.incomplete is None else str(r.incomplete)
        complete = "n/a" if r.incomplete is None else str(r.posted - r.incomplete)
        per_doc = r.per_posted(r.prompt_tokens)
        lines.append(
            f"{r.mode.value:13} {r.targets:7} {r.posted:6} {complete:>8} {incomplete:>8} "
            f"{r.skipped:7} {r.requests:8} {r.prompt_tokens:9,} {per_doc:10,.1f} "
            f"{r.per_posted(r.completion_tokens):10,.1f} "
            f"{whole.prompt_per_target / per_doc:11.2f}x {r.code_changing:13}"
        )
    lines.append("")
    for r in results:
        kinds = ", ".join(f"{k} {n}" for k, n in r.skips.most_common()) or "none"
        missed = goal_failures(r, whole)
        verdict = "met" if not missed else "MISSED: " + "; ".join(missed)
        lines.append(f"{r.mode.value}: goals {verdict}")
        lines.append(f"  skipped by kind: {kinds} ({r.seconds:.1f} s)")
        lines += [f"  {n:4} x {reason}" for reason, n in r.reasons.most_common(3)]
    if any(r.incomplete is None for r in results):
        lines.append("incompl.: TODO, this engine's Proposal has no `lacks` field yet")
    return lines


def as_json(results: Sequence[ModeResult], whole: WholeDiff) -> str:
    """Return the figures as JSON, for the README's table or a comparison."""
    rows = []
    for r in results:
        row = {k: v for k, v in vars(r).items() if k not in ("skips", "reasons", "mode")}
        row |= {"mode": r.mode.value, "skips": dict(r.skips), "reasons": dict(r.reasons)}
        row["goals_missed"] = goal_failures(r, whole)
        rows.append(row)
    return json.dumps({"whole_diff": vars(whole), "modes": rows}, indent=2)


async def measure(
    fake: FakeAzureOpenAI, prs: Sequence[RealPR], modes: Sequence[AnswerMode], deadline: float
) -> tuple[list[ModeResult], WholeDiff]:
    """Measure the reference, then every mode until the deadline."""
    settings = settings_for(fake)
    fake.set_answer_mode(AnswerMode.CAREFUL, deployment=DEPLOYMENT)
    whole = await whole_diff(settings, prs)
    results = []
    for mode in modes:
        fake.set_answer_mode(mode, deployment=DEPLOYMENT)
        results.append(await run_mode(settings, prs, mode, deadline))
        if results[-1].timed_out:
            break
    return results, whole


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument(
        "--modes",
        default=",".join(m.value for m in AnswerMode),
        help="comma-separated answer modes (default: all)",
    )
    parser.add_argument(
        "--packages",
        default=",".join(r.name for r in RELEASES),
        help="comma-separated packages among " + ", ".join(r.name for r in RELEASES),
    )
    parser.add_argument("--timeout", type=float, default=300.0, help="stop after this many s")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Build the PRs, measure every mode against the fake, print the report."""
    args = parse_args(argv)
    deadline = time.monotonic() + args.timeout
    modes = [AnswerMode(m.strip()) for m in args.modes.split(",") if m.strip()]
    wanted = {p.strip() for p in args.packages.split(",")}
    prs = [build(r) for r in RELEASES if r.name in wanted]
    with FakeAzureOpenAI() as fake:
        fake.add_deployment(DEPLOYMENT, "gpt-4o-mini", schema_overhead_tokens=SCHEMA_OVERHEAD)
        results, whole = asyncio.run(measure(fake, prs, modes, deadline))
        elsewhere = [r.path for r in fake.requests if r.deployment != DEPLOYMENT]
    print("\n".join(preface(prs, whole) + table(results, whole)))
    if args.json:
        print(as_json(results, whole))
    broken = elsewhere or any(r.unaccounted or r.timed_out for r in results)
    return 1 if broken or len(results) < len(modes) else 0


if __name__ == "__main__":
    sys.exit(main())
