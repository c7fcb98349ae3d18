"""The Check Run ``docgen / docstrings``: its conclusion and its output, as plain text.

The conclusion follows the docstring coverage of the changed functions at the pull
request's head, before docgen's suggestions: suggestions count once committed, so a
check that asks for documented code cannot pass on suggestions alone. At or above
the threshold it is ``success``; below it is ``neutral`` or ``failure`` as the
repository chose. A run that fails is ``neutral``: docgen's trouble never blocks a
merge. The output lists every changed function with its state, the coverage before
and with the suggestions, the rules that decided, and every file left out and why.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from bot.core.gitignore import gitignore_spec
from bot.core.mdtable import code, cut, plain
from bot.core.skips import SkipKind
from bot.core.summary import Coverage, RunReport, coverage_text
from bot.core.targets import SkipReason, TargetRules

CHECK_NAME = "docgen / docstrings"
MAX_OUTPUT_CHARS = 65_535  # GitHub's limit on a check run's summary and text
MAX_REASON_CHARS = 200
START_TITLE = "Reviewing the changed functions"
START_SUMMARY = "docgen is reading the pull request; the result follows here."

Mode = Literal["off", "neutral", "failure"]
Conclusion = Literal["success", "neutral", "failure"]


class State(StrEnum):
    """Where a changed function stands."""

    DOCUMENTED = "documented"
    SUGGESTED = "suggested"
    MISSING = "missing"  # needs a docstring; none suggested, for the reason given
    STALE = "stale"  # its docstring no longer fits; no update suggested
    SKIPPED = "skipped"  # the rules ask for none, or its file could not be read


@dataclass(frozen=True)
class Row:
    """One changed function (or a whole file), its state and why."""

    function_id: str
    state: State
    detail: str = ""


@dataclass(frozen=True)
class Exclusion:
    """A changed file left out of the review and the coverage, and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class CheckPolicy:
    """The repository's ``check:`` settings."""

    mode: Mode = "neutral"
    threshold: int = 100


@dataclass(frozen=True)
class CheckFacts:
    """What the check reports about one run."""

    rows: tuple[Row, ...] = ()
    coverage_before: Coverage = Coverage(0, 0)
    coverage_after: Coverage = Coverage(0, 0)
    rules: str = ""
    exclusions: tuple[Exclusion, ...] = ()
    filters: tuple[str, ...] = ()  # docgen.yml's include/exclude, as readable phrases


@dataclass(frozen=True)
class CheckOutput:
    """A completed check: its conclusion, title, summary and text (markdown)."""

    conclusion: Conclusion
    title: str
    summary: str
    text: str | None = None


def rows_for(
    report: RunReport, *, documented: Iterable[str] = (), stale: Iterable[str] = ()
) -> tuple[Row, ...]:
    """Return every changed function's row, sorted by id, from a run's report.

    ``documented`` are the changed functions that have a docstring; ``stale`` those
    whose docstring docgen meant to update.
    """
    documented, stale = set(documented), set(stale)
    done = set(report.done)
    lacks = {i.function_id: ", ".join(i.lacks) for i in report.incomplete}
    rows: dict[str, Row] = {}
    for fn_id in documented:
        detail = "since docgen's suggestion" if fn_id in done else ""
        rows[fn_id] = Row(fn_id, State.DOCUMENTED, detail)
    for fn_id in report.unchanged:
        rows[fn_id] = Row(fn_id, State.SUGGESTED, "suggested earlier; code unchanged")
    for fn_id in report.suggested:
        detail = "update of a stale docstring" if fn_id in stale else "in this run"
        if fn_id in lacks:
            detail += f"; lacks {lacks[fn_id]}"
        rows[fn_id] = Row(fn_id, State.SUGGESTED, detail)
    for fn_id in report.not_commentable:
        rows[fn_id] = Row(fn_id, _unsuggested(fn_id, stale), "no line of the diff to comment on")
    for skip in report.skipped:
        if skip.function_id in rows:
            continue
        if skip.kind in (SkipKind.POLICY, SkipKind.FILE):
            rows[skip.function_id] = Row(skip.function_id, State.SKIPPED, skip.reason)
        else:
            state = _unsuggested(skip.function_id, stale)
            rows[skip.function_id] = Row(skip.function_id, state, skip.reason)
    return tuple(sorted(rows.values(), key=lambda r: r.function_id))


def _unsuggested(fn_id: str, stale: set[str]) -> State:
    return State.STALE if fn_id in stale else State.MISSING


def excluded_files(paths: Iterable[str], rules: TargetRules) -> tuple[Exclusion, ...]:
    """Return the files the rules leave out whole, with the reason, in path order."""
    out = []
    for path in sorted(set(paths)):
        reason = file_exclusion(path, rules)
        if reason is not None:
            out.append(Exclusion(path, reason))
    return tuple(out)


def file_exclusion(path: str, rules: TargetRules) -> str | None:
    """Return why the rules leave the file at ``path`` out whole; None when they do not."""
    excluded = _first_match(rules.exclude, path)
    if excluded is not None:
        return f"{SkipReason.EXCLUDED}: `{excluded}`"
    why = rules.generated.explain(path)
    if why is not None:
        return f"{SkipReason.GENERATED}: {why}"
    if rules.skip_tests:
        pattern = _first_match(rules.test_paths, path)
        if pattern is not None:
            return f"{SkipReason.TEST}: matches `{pattern}`"
    return None


def _first_match(patterns: Sequence[str], path: str) -> str | None:
    return next((p for p in patterns if gitignore_spec((p,)).match_file(path)), None)


def conclusion(coverage: Coverage, policy: CheckPolicy) -> Conclusion:
    """Return the check's conclusion for the head's coverage of the changed functions."""
    if coverage.total == 0 or 100 * coverage.documented >= policy.threshold * coverage.total:
        return "success"
    return "failure" if policy.mode == "failure" else "neutral"


def check_output(facts: CheckFacts, policy: CheckPolicy) -> CheckOutput:
    """Return the completed check for a run, each part within GitHub's limits."""
    verdict = conclusion(facts.coverage_before, policy)
    listed = 1000
    while True:
        summary = _summary(facts, policy, verdict, listed)
        text = _text(facts.rows, listed)
        if max(len(summary), len(text)) <= MAX_OUTPUT_CHARS or listed == 0:
            break
        listed //= 2
    return CheckOutput(
        verdict, _title(facts), summary[:MAX_OUTPUT_CHARS], text[:MAX_OUTPUT_CHARS] or None
    )


def _title(facts: CheckFacts) -> str:
    before = facts.coverage_before
    suggested = sum(r.state is State.SUGGESTED for r in facts.rows)
    if before.total == 0:
        return "No changed function needs a docstring"
    title = f"{before.documented} of {before.total} changed functions documented"
    title += f" ({100 * before.documented // before.total}%)"
    if suggested:
        title += f", {suggested} docstring{'s' if suggested != 1 else ''} suggested"
    return title


def _summary(facts: CheckFacts, policy: CheckPolicy, verdict: Conclusion, listed: int) -> str:
    coverage = coverage_text(facts.coverage_before, facts.coverage_after)
    parts = [
        f"**Docstring coverage of the changed functions:** {coverage}.",
        "",
        f"**Conclusion:** {_verdict_text(facts.coverage_before, policy, verdict)}",
    ]
    if facts.rules:
        parts += ["", f"**Rules:** {plain(facts.rules)}."]
    counts = [(s, sum(r.state is s for r in facts.rows)) for s in State]
    if facts.rows:
        parts += ["", "| State | Functions |", "| --- | --- |"]
        parts += [f"| {state} | {n} |" for state, n in counts if n]
    if facts.exclusions:
        parts += ["", "**Files left out** (not reviewed, not counted)", ""]
        parts += ["| File | Why |", "| --- | --- |"]
        rows = [f"| {code(e.path)} | {plain(e.reason)} |" for e in facts.exclusions]
        parts += cut(rows, listed, lambda n: f"| … and {n} more | |")
    if facts.filters:
        parts += ["", "**Not reviewed, by `.github/docgen.yml`:** " + "; ".join(facts.filters)]
    return "\n".join(parts)


def _verdict_text(coverage: Coverage, policy: CheckPolicy, verdict: Conclusion) -> str:
    if coverage.total == 0:
        return "`success`: no changed function is counted."
    percent = 100 * coverage.documented // coverage.total
    side = "at or above" if verdict == "success" else "below"
    text = f"`{verdict}`: {percent}% documented at the head, {side} the threshold of"
    text += f" {policy.threshold}% (`check.mode: {policy.mode}`)."
    if verdict != "success":
        text += " Committing the suggestions raises it."
    return text


def _text(rows: Sequence[Row], listed: int) -> str:
    if not rows:
        return ""
    lines = ["| Function | State | Detail |", "| --- | --- | --- |"]
    cells = [f"| {code(r.function_id)} | {r.state} | {plain(r.detail)} |" for r in rows]
    return "\n".join(lines + cut(cells, listed, lambda n: f"| … and {n} more | | |"))


def failed_output(reason: str) -> CheckOutput:
    """Return the check of a run that failed: ``neutral``, with the reason in one line."""
    return CheckOutput(
        "neutral",
        "docgen could not finish this review",
        f"The review failed: {one_line(reason)}.\n\nNo verdict on the docstrings was reached; "
        "the next push, or a `/docgen` comment, runs it again.",
    )


def superseded_output(head_sha: str) -> CheckOutput:
    """Return the check of a review a newer push replaced before it ended: ``neutral``."""
    return CheckOutput(
        "neutral",
        "docgen moved on to a newer push",
        f"A newer push replaced {head_sha[:7]} before its review ended; "
        "the review runs on the new head instead.",
    )


_SECRETS = (
    re.compile(r"\b(?:gh[pousr]|github_pat)_[A-Za-z0-9_]{8,}"),
    re.compile(r"(?i)\b(bearer|token|basic)\s+[A-Za-z0-9._~+/=-]{8,}"),
    re.compile(r"(?i)(api[-_]?key|secret|password|signature|sig|token)=[^\s&]+"),
    re.compile(r"-----BEGIN [A-Z ]+-----.*?(?:-----END [A-Z ]+-----|$)", re.S),
    re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"),  # a JWT
)
_USERINFO = re.compile(r"(https?://)[^/\s@]*@")
_QUERY = re.compile(r"(https?://[^\s?#]*)[?#][^\s,;)]*")


def one_line(text: str) -> str:
    """Return ``text`` as one short line with anything that looks secret removed."""
    for pattern in _SECRETS:
        text = pattern.sub("[redacted]", text)
    text = _QUERY.sub(r"\1", _USERINFO.sub(r"\1", text))
    text = " ".join(text.split()).rstrip(".")
    return text if len(text) <= MAX_REASON_CHARS else text[: MAX_REASON_CHARS - 1] + "…"
