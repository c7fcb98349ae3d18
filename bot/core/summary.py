"""The summary comment: one line of totals, details folded, hidden markers last.

The comment is found again by ``<!-- docgen:summary -->`` and edited in place on
every run. ``<!-- docgen:usage {...} -->`` carries the usage the model's answers
reported, with exactly the keys of the design notes. Lists are cut with "and N
more" so the body stays far below GitHub's 65,536 characters even for 3,000 files.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from bot.core.mdtable import code, cut, plain
from bot.core.review import MAX_BODY_CHARS
from bot.core.skips import Skip

SUMMARY_MARKER = "<!-- docgen:summary -->"
USAGE_MARKER = "<!-- docgen:usage {json} -->"
TOTALS = (
    "docgen suggested {suggested} docstring{s} · skipped {skipped} · {tokens:,} tokens · {cost}"
)
INCOMPLETE_COUNT = " ({n} incomplete)"
MAX_LISTED = 30

_USAGE_RE = re.compile(r"<!-- docgen:usage (\{.*?\}) -->")
_USAGE_KEYS = ("prompt_tokens", "completion_tokens", "cached_tokens", "cost_usd", "calls")


@dataclass(frozen=True)
class Coverage:
    """How many of the changed functions have a docstring.

    ``skipped`` changed functions are not counted: the rules ask for no docstring
    there (private, too short...), or their file could not be read.
    """

    documented: int
    total: int
    skipped: int = 0

    def describe(self) -> str:
        """Return e.g. ``3 of 12 (25%)``, or ``0 of 4 counted (4 skipped)``."""
        if self.total == 0:
            if self.skipped:
                return f"0 of {self.skipped} counted ({self.skipped} skipped)"
            return "no functions"
        return f"{self.documented} of {self.total} ({100 * self.documented // self.total}%)"


def coverage_text(before: Coverage, after: Coverage) -> str:
    """Return the changed functions' coverage before and with the suggestions.

    When none of them counts, suggestions cannot change it: one figure says so.
    """
    if before.total == 0:
        return before.describe()
    return f"{before.describe()} before, {after.describe()} with these suggestions"


@dataclass(frozen=True)
class UsageTotals:
    """Token counts and cost the model's answers reported for one run."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    cost_usd: float = 0.0
    calls: int = 0


@dataclass(frozen=True)
class Incomplete:
    """A suggestion posted although its docstring lacks parts, and what it lacks."""

    function_id: str
    lacks: tuple[str, ...]


@dataclass(frozen=True)
class RunReport:
    """Everything the summary says about one run, as plain data."""

    model: str
    usage: UsageTotals = UsageTotals()
    suggested: tuple[str, ...] = ()
    incomplete: tuple[Incomplete, ...] = ()  # among the suggested
    skipped: tuple[Skip, ...] = ()
    not_commentable: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()  # suggested on an earlier run, code unchanged
    done: tuple[str, ...] = ()  # gained a docstring since an earlier run
    coverage_before: Coverage = Coverage(0, 0)
    coverage_after: Coverage = Coverage(0, 0)
    pr_cost_usd: float | None = None  # this run included
    budget_remaining_usd: float | None = None
    notes: tuple[str, ...] = ()  # e.g. a repository config problem, in one line
    cached: tuple[str, ...] = ()  # of the suggested, those reused from an earlier answer
    rules: str = ""  # which docstring rules decided, and where they came from


def usd(amount: float) -> str:
    """Format dollars: four decimals under a dollar (runs cost fractions of a cent)."""
    if amount == 0:
        return "$0"
    return f"${amount:.4f}" if abs(amount) < 1 else f"${amount:,.2f}"


def totals_line(report: RunReport) -> str:
    """Return the one line of totals the summary starts with."""
    u = report.usage
    plural = "" if len(report.suggested) == 1 else "s"
    incomplete = INCOMPLETE_COUNT.format(n=len(report.incomplete)) if report.incomplete else ""
    return TOTALS.format(
        suggested=len(report.suggested),
        s=plural + incomplete,
        skipped=len(report.skipped) + len(report.not_commentable),
        tokens=u.prompt_tokens + u.completion_tokens,
        cost=usd(u.cost_usd),
    )


def usage_marker(usage: UsageTotals) -> str:
    """Return the hidden machine-readable usage line."""
    values = [getattr(usage, key) for key in _USAGE_KEYS]
    values[3] = round(usage.cost_usd, 6)
    return USAGE_MARKER.format(json=json.dumps(dict(zip(_USAGE_KEYS, values, strict=True))))


def parse_usage(body: str) -> UsageTotals | None:
    """Read the usage line back from a summary body; None when absent or malformed."""
    match = _USAGE_RE.search(body)
    if match is None:
        return None
    try:
        data = json.loads(match.group(1))
        return UsageTotals(
            prompt_tokens=int(data["prompt_tokens"]),
            completion_tokens=int(data["completion_tokens"]),
            cached_tokens=int(data["cached_tokens"]),
            cost_usd=float(data["cost_usd"]),
            calls=int(data["calls"]),
        )
    except (ValueError, KeyError, TypeError):
        return None


def summary_body(report: RunReport) -> str:
    """Return the summary comment's markdown, shortened until it fits GitHub's limit."""
    listed = MAX_LISTED
    while True:
        body = _compose(report, listed)
        if len(body) <= MAX_BODY_CHARS or listed == 0:
            return body[:MAX_BODY_CHARS]
        listed //= 2


def _compose(report: RunReport, listed: int) -> str:
    parts = [totals_line(report), ""]
    parts += [f"> **Note:** {plain(note)}" for note in report.notes]
    parts += ["<details>", "<summary>Details</summary>", ""]
    coverage = coverage_text(report.coverage_before, report.coverage_after)
    parts.append(f"**Docstring coverage of the changed functions:** {coverage}.")
    if report.rules:
        parts += ["", f"**Rules:** {plain(report.rules)}."]
    if report.incomplete:
        parts += ["", "**Posted as incomplete**", "", "| Function | Lacks |", "| --- | --- |"]
        rows = [
            f"| {code(i.function_id)} | {plain(', '.join(i.lacks))} |" for i in report.incomplete
        ]
        parts += cut(rows, listed, lambda n: f"| … and {n} more | |")
    if report.skipped:
        parts += ["", "**Skipped**", "", "| Function | Reason |", "| --- | --- |"]
        rows = [f"| {code(s.function_id)} | {plain(s.reason)} |" for s in report.skipped]
        parts += cut(rows, listed, lambda n: f"| … and {n} more | |")
    for title, ids in (
        ("Not commentable (outside the diff)", report.not_commentable),
        ("Already suggested, code unchanged", report.unchanged),
        ("Documented since the last run", report.done),
    ):
        if ids:
            names = cut([code(i) for i in ids], listed, lambda n: f"and {n} more")
            parts += ["", f"**{title}:** " + ", ".join(names)]
    parts += ["", *_usage_table(report), "", "</details>", "", SUMMARY_MARKER]
    parts.append(usage_marker(report.usage))
    return "\n".join(parts)


def _usage_table(report: RunReport) -> list[str]:
    u = report.usage
    rows = [
        "| | |",
        "| --- | --- |",
        f"| Model | {code(report.model)} |",
        f"| Requests | {u.calls:,} |",
        *_cached_row(report),
        f"| Tokens | {u.prompt_tokens:,} prompt ({u.cached_tokens:,} cached)"
        f" · {u.completion_tokens:,} completion |",
        f"| Cost of this run | {usd(u.cost_usd)} |",
    ]
    if report.pr_cost_usd is not None:
        rows.append(f"| Cost on this pull request so far | {usd(report.pr_cost_usd)} |")
    if report.budget_remaining_usd is not None:
        rows.append(f"| Monthly budget left | {usd(report.budget_remaining_usd)} |")
    return rows


def _cached_row(report: RunReport) -> list[str]:
    # Reused answers cost no request and no token, so the usage rows cannot show them.
    if not report.cached:
        return []
    return [f"| Reused from cache | {len(report.cached):,} (no model call) |"]
