"""Benchmark: prompt tokens per documented function, docgen's batching against two baselines.

Run from the repository root (no Redis, no network beyond 127.0.0.1):

    .venv/bin/python bench/tokens.py

The pull request is built by ``bench/tokens_pr.py`` from real CPython modules:
40 functions to document across six files, plus the changes a real PR carries
along (other modified functions, tests, a changelog, a docs page). Each
approach asks the fake Azure OpenAI server (``tests/fakes``, a real HTTP
server on 127.0.0.1 with gpt-4o-mini's tokenizer and limits) for docstrings
and is measured by the usage the server reports:

- docgen: ``planner_for`` + ``generate``, the code the worker runs;
- one request per function: the same planner with batches of one;
- whole diff: one request with the PR's entire unified diff and the list of
  ids to document, the approach docgen replaces.

The same answer budget rule (the planner's per-function allowance) is used
for all three, so completion tokens compare like with like.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.tokens_pr import PullRequest, build  # noqa: E402
from bot.llm.client import RetryPolicy  # noqa: E402
from bot.llm.models import resolve_model  # noqa: E402
from bot.llm.plan import Plan, PlannedRequest, Planner  # noqa: E402
from bot.llm.prompt import system_message  # noqa: E402
from bot.llm.run import Generation, generate  # noqa: E402
from bot.llm.tokens import TokenCounter  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.wiring import caller_for, overhead_for, planner_for  # noqa: E402
from tests.fakes.azure import FakeAzureOpenAI  # noqa: E402

SCHEMA_OVERHEAD = 50  # the fake adds this to every structured-output prompt, as the service does


@dataclass(frozen=True)
class Outcome:
    """One approach's reported numbers."""

    name: str
    requests: int
    documented: frozenset[str]
    prompt_tokens: int
    completion_tokens: int
    max_completion: int
    cost_usd: float

    @property
    def per_function(self) -> float:
        """Return prompt tokens per documented function."""
        return self.prompt_tokens / max(len(self.documented), 1)


def outcome(name: str, plan: Plan, result: Generation) -> Outcome:
    """Summarize a run by what the server reported."""
    t = result.totals
    return Outcome(
        name,
        t.calls,
        frozenset(result.docstrings),
        t.prompt_tokens,
        t.completion_tokens,
        plan.max_completion_tokens,
        t.cost_usd,
    )


def whole_diff_plan(planner: Planner, pr: PullRequest) -> Plan:
    """Plan the baseline: one request holding the whole diff and the ids to document."""
    listing = "\n".join(f"### {fn.id}" for fn in pr.targets)
    user = (
        f"Write docstrings for the {len(pr.targets)} functions listed at the end, "
        f"as changed by this pull request.\n\n```diff\n{pr.diff}```\n\n{listing}\n"
    )
    messages = (system_message(planner.config.style), {"role": "user", "content": user})
    counted = planner.counter.messages(messages)
    cfg = planner.config
    completion = cfg.answer_overhead + sum(planner.allowance(fn) for fn in pr.targets)
    request = PlannedRequest(
        tuple(pr.targets), messages, counted, counted + cfg.schema_overhead, completion
    )
    return Plan((request,), (), planner.worst_case_cost([request]))


async def measure(settings: Settings, pr: PullRequest) -> list[Outcome]:
    """Run the three approaches against the fake and return their reported usage."""
    overhead = overhead_for(settings)
    planner = planner_for(settings, overhead=overhead)
    singles = planner.with_config(max_batch_functions=1)
    plans = {
        "docgen (batched)": (planner, planner.plan(pr.targets)),
        "one request per function": (singles, singles.plan(pr.targets)),
        "whole diff in one request": (planner, whole_diff_plan(planner, pr)),
    }
    out = []
    for name, (used, plan) in plans.items():
        async with caller_for(settings, policy=RetryPolicy(max_attempts=2)) as caller:
            result = await generate(plan, caller, used, overhead=overhead)
        out.append(outcome(name, plan, result))
    return out


def diff_breakdown(counter: TokenCounter, diff: str) -> dict[str, int]:
    """Return the whole diff's tokens by kind of file: source, tests, docs."""
    parts: dict[str, int] = {}
    for chunk in re.split(r"(?=^diff --git )", diff, flags=re.MULTILINE):
        if chunk:
            path = chunk.split(" b/", 1)[1].split("\n", 1)[0]
            kind = (
                "tests"
                if path.startswith("tests/")
                else "source"
                if path.endswith(".py")
                else "docs"
            )
            parts[kind] = parts.get(kind, 0) + counter.text(chunk)
    return parts


def floor_tokens(counter: TokenCounter, pr: PullRequest) -> int:
    """Return the least prompt any approach keeping docgen's contract could send.

    One request holding the system prompt and, per function, only its ``### id``
    line and its source: no fences, no imports, no class headers, no limit on
    the batch. No real plan is this lean; it bounds what batching can gain.
    """
    bare = "\n\n".join(f"### {fn.id}\n{fn.source.rstrip()}" for fn in pr.targets)
    messages = [system_message("google"), {"role": "user", "content": bare}]
    return counter.messages(messages) + SCHEMA_OVERHEAD


def report(outcomes: list[Outcome], pr: PullRequest, counter: TokenCounter) -> str:
    """Format the table and the goal checks."""
    files = len({fn.path for fn in pr.targets})
    sources = sum(counter.text(fn.source) for fn in pr.targets)
    kinds = ", ".join(f"{k} {v:,}" for k, v in diff_breakdown(counter, pr.diff).items())
    lines = [
        f"PR: {len(pr.targets)} functions to document in {files} files, {sources:,} tokens of "
        "their own source",
        f"whole diff (-U3): {counter.text(pr.diff):,} tokens ({kinds})",
        "",
        f"{'approach':28} {'requests':>8} {'documented':>10} {'prompt':>8} {'prompt/fn':>9} "
        f"{'completion':>10} {'max compl.':>10} {'cost USD':>9}",
    ]
    for o in outcomes:
        lines.append(
            f"{o.name:28} {o.requests:8} {len(o.documented):10} {o.prompt_tokens:8,} "
            f"{o.per_function:9.1f} {o.completion_tokens:10,} {o.max_completion:10,} "
            f"{o.cost_usd:9.5f}"
        )
    docgen, single, whole = outcomes
    floor = floor_tokens(counter, pr) / len(pr.targets)
    lines += [
        "",
        f"floor (system prompt once, then only ids and source): {floor:.1f} prompt tokens per "
        f"function; whole diff / floor = {whole.per_function / floor:.2f}x",
        "prompt tokens per documented function, relative to docgen:",
        f"  whole diff       {whole.per_function / docgen.per_function:.2f}x (goal >= 3x)",
        f"  one per function {single.per_function / docgen.per_function:.2f}x (goal > 1x)",
        f"same functions documented: {docgen.documented == single.documented == whole.documented}",
    ]
    return "\n".join(lines)


def main() -> int:
    """Build the PR, measure the three approaches, print the report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON too")
    args = parser.parse_args()
    pr = build()
    with FakeAzureOpenAI() as fake:
        fake.add_deployment("bench", "gpt-4o-mini", schema_overhead_tokens=SCHEMA_OVERHEAD)
        env = {
            "AZURE_OPENAI_ENDPOINT": fake.endpoint,
            "AZURE_OPENAI_API_KEY": fake.api_key,
            "AZURE_OPENAI_DEPLOYMENT": "bench",
            "DOCGEN_MODEL": "gpt-4o-mini",
        }
        outcomes = asyncio.run(measure(Settings.from_env(env), pr))
        refused = [r.status for r in fake.requests if r.status != 200]
    counter = TokenCounter.for_model(resolve_model("gpt-4o-mini"))
    print(report(outcomes, pr, counter))
    if args.json:
        rows = [{**vars(o), "documented": len(o.documented)} for o in outcomes]
        print(json.dumps(rows, indent=2))
    docgen, single, whole = outcomes
    goals = whole.per_function >= 3 * docgen.per_function and (
        single.per_function > docgen.per_function
    )
    print("goals met" if goals else "GOAL NOT MET: see the ratios above")
    # A failure here means a broken run, not a missed goal: refused calls or lost functions.
    return 0 if not refused and docgen.documented == single.documented == whole.documented else 1


if __name__ == "__main__":
    sys.exit(main())
