"""The words of docgen's replies to ``/docgen`` commands, built from plain values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.command import help_text
from bot.core.summary import usd
from bot.engine.cost import CostBound
from bot.llm.budget import Spent
from bot.llm.plan import Plan

MAX_LISTED = 50  # functions named in a dry run's reply


def refusal_text(login: str) -> str:
    """Return the one reply to a commenter without write access."""
    return (
        f"Sorry @{login}, only people with write access to this repository can run "
        "`/docgen` (each run spends model tokens). Someone with write access can comment "
        "`/docgen` to run it. (docgen says this once per pull request.)"
    )


def unknown_text(reason: str) -> str:
    """Return the reply to a command that was not understood: the reason, then the forms."""
    return f"docgen did not understand this command: {reason}.\n\n{help_text()}"


def usage_text(spent: Spent, pr_cost: float, number: int) -> str:
    """Return the reply to ``/docgen usage``: the month's spend and the pull request's."""
    share = f" ({spent.cost_usd / spent.max_cost_usd:.0%})" if spent.max_cost_usd > 0 else ""
    return (
        f"**docgen usage** for this installation in {spent.month} (UTC):\n\n"
        f"- this month: {usd(spent.cost_usd)} of the {usd(spent.max_cost_usd)} monthly "
        f"budget{share}; {spent.tokens:,} of {spent.max_tokens:,} tokens; "
        f"{spent.calls:,} model calls\n"
        f"- this pull request (#{number}): {usd(pr_cost)}"
    )


@dataclass(frozen=True)
class PlanFacts:
    """What a dry run reports besides the plan: what was left out before planning, and why."""

    to_document: int  # functions the analysis found to document
    already_suggested: int  # left out: suggested before, code unchanged (--force repeats them)
    outside_diff: int  # left out: no line of the diff can carry the suggestion
    style: str


def plan_text(plan: Plan, bound: CostBound, facts: PlanFacts) -> str:
    """Return the reply to ``--dry-run``: functions, requests, tokens and the worst case."""
    planned = [fn_id for r in plan.requests for fn_id in r.ids]
    counted = sum(r.counted_tokens for r in plan.requests)
    lines = [
        "**docgen dry run**: nothing was sent to the model and nothing was posted.",
        "",
        f"- functions: {len(planned)} planned of {facts.to_document} to document",
        f"- requests: {len(plan.requests)}",
        f"- prompt tokens: {counted:,} (counted with the model's encoding; "
        f"{plan.prompt_tokens:,} with the allowance for the answer's schema)",
        f"- completion tokens at most: {plan.max_completion_tokens:,}",
        f"- worst-case cost: {usd(bound.worst_usd)} (the plan {usd(bound.planned_usd)}, "
        f"every retry {usd(bound.retries_usd)})" + _cap(bound),
        f"- style: {facts.style}",
    ]
    if plan.skipped:
        lines.append(f"- left out by the plan: {len(plan.skipped)} ({_reasons(plan)})")
    if facts.already_suggested:
        lines.append(
            f"- already suggested, not repeated: {facts.already_suggested} (`--force` repeats them)"
        )
    if facts.outside_diff:
        lines.append(f"- outside the diff, where GitHub takes no suggestion: {facts.outside_diff}")
    return "\n".join([*lines, *_listed(planned)])


def _cap(bound: CostBound) -> str:
    return f"; the run budget stops it at {usd(bound.cap_usd)}" if bound.cap_usd is not None else ""


def _reasons(plan: Plan) -> str:
    return "; ".join(sorted({str(s.reason) for s in plan.skipped}))


def _listed(ids: Sequence[str]) -> list[str]:
    if not ids:
        return []
    shown = [f"- `{fn_id}`" for fn_id in ids[:MAX_LISTED]]
    if len(ids) > MAX_LISTED:
        shown.append(f"- … and {len(ids) - MAX_LISTED} more")
    return ["", "<details><summary>Functions</summary>", "", *shown, "", "</details>"]
