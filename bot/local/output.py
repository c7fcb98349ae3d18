"""What ``docgen suggest`` prints: a diff per file and the summary, as text, patch or JSON.

One rule decides the stream: when standard output carries data (``--format diff``
for ``git apply``, ``--format json`` for tools) everything said to people goes to
stderr; with ``--format text`` (``--check`` included) all of it goes to stdout.

People read, in order: what is compared (the base first), which provider answers,
the diffs (coloured on a terminal unless NO_COLOR is set), then the bot's summary
in plain text and what is left to do.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any, TextIO

from bot.core.diff import diff_texts
from bot.core.skips import Skip, SkipKind
from bot.core.summary import RunReport, coverage_text, totals_line, usd
from bot.engine.cost import CostBound
from bot.engine.document import Outcome
from bot.llm.plan import Plan
from bot.local.engine import FileResult
from bot.local.suggest import Result

RESET, BOLD, RED, GREEN, CYAN = "\033[0m", "\033[1m", "\033[31m", "\033[32m", "\033[36m"
MAX_LISTED = 30


def colour_wanted(stream: TextIO, environ: Mapping[str, str]) -> bool:
    """Tell whether to colour ``stream``: a terminal, NO_COLOR unset, TERM not dumb."""
    if environ.get("NO_COLOR") or environ.get("TERM") == "dumb":
        return False
    return stream.isatty()


def file_diff(file: FileResult) -> str:
    """Return the file's change as a git-style unified diff; empty when unchanged."""
    if file.new_text == file.old_text:
        return ""
    p = file.path
    hunks = diff_texts(file.old_text, file.new_text)
    return f"diff --git a/{p} b/{p}\n--- a/{p}\n+++ b/{p}\n{hunks}\n"


def patch(result: Result) -> str:
    """Return every file's diff, in path order: input for ``git apply``."""
    return "".join(file_diff(f) for f in result.files)


def colourize(diff: str) -> str:
    """Colour a unified diff's headers, hunk lines, additions and removals."""
    out: list[str] = []
    for line in diff.splitlines(keepends=True):
        body, end = line.rstrip("\n"), line[len(line.rstrip("\n")) :]
        if line.startswith(("diff --git", "--- ", "+++ ")):
            out.append(f"{BOLD}{body}{RESET}{end}")
        elif line.startswith("@@"):
            out.append(f"{CYAN}{body}{RESET}{end}")
        elif line.startswith("+"):
            out.append(f"{GREEN}{body}{RESET}{end}")
        elif line.startswith("-"):
            out.append(f"{RED}{body}{RESET}{end}")
        else:
            out.append(line)
    return "".join(out)


def scope_line(result: Result) -> str:
    """Say what was compared (the base first), and how many Python files that found."""
    r = result.range
    files = f"{result.python_files} Python file{'s' if result.python_files != 1 else ''}"
    if r.base is None:
        return f"docgen: {r.description}: {files}."
    return f"docgen: {r.description}: {files} changed."


def summary_text(result: Result) -> str:
    """Return the bot's summary in plain text: totals, coverage, skips, usage."""
    report = result.report()
    lines = [totals_line(report)]
    lines += [f"Note: {note}" for note in report.notes]
    coverage = coverage_text(report.coverage_before, report.coverage_after)
    lines.append(f"Docstring coverage of the changed functions: {coverage}.")
    lines += _incomplete_lines(report)
    lines += _skipped_lines(report)
    if report.cached:
        lines.append(f"Reused from cache: {len(report.cached)} (no model call)")
    u = report.usage
    lines.append(
        f"Model {report.model} · {u.calls:,} request{'s' if u.calls != 1 else ''} · "
        f"{u.prompt_tokens:,} prompt tokens ({u.cached_tokens:,} cached) · "
        f"{u.completion_tokens:,} completion tokens · {usd(u.cost_usd)}"
    )
    return "\n".join(lines) + "\n"


def _incomplete_lines(report: RunReport) -> list[str]:
    if not report.incomplete:
        return []
    lines = ["Posted as incomplete (add what each lacks, or run with --require-complete):"]
    lines += [f"  ~ {i.function_id}: lacks {', '.join(i.lacks)}" for i in report.incomplete]
    return _cut(lines, MAX_LISTED + 1)


def _cut(lines: list[str], limit: int) -> list[str]:
    if len(lines) <= limit:
        return lines
    return [*lines[:limit], f"  … and {len(lines) - limit} more"]


def _skipped_lines(report: RunReport) -> list[str]:
    if not report.skipped:
        return []
    lines = ["Skipped:"]
    for skip in report.skipped[:MAX_LISTED]:
        mark = "!" if skip.is_failure else "-"
        lines.append(f"  {mark} {skip.function_id}: {skip.reason}")
    if len(report.skipped) > MAX_LISTED:
        lines.append(f"  … and {len(report.skipped) - MAX_LISTED} more")
    return lines


def plan_text(result: Result, plan: Plan) -> str:
    """Return the dry run's plan: requests, their functions and tokens, what it may cost."""
    functions = sum(len(r.ids) for r in plan.requests)
    model = result.model
    lines = [
        f"Plan, no model called: {functions} function{'s' if functions != 1 else ''} in "
        f"{len(plan.requests)} request{'s' if len(plan.requests) != 1 else ''} · "
        f"{plan.prompt_tokens:,} prompt tokens · up to {plan.max_completion_tokens:,} "
        f"completion tokens with {model.settings.docgen_model}"
        + (" (the skeleton provider itself costs nothing)" if model.provider == "skeleton" else "")
    ]
    if result.bound is not None:
        lines += cost_lines(result.bound, model.settings.docgen_model)
    for number, request in enumerate(plan.requests, start=1):
        lines.append(
            f"  request {number}: {len(request.ids)} function{'s' if len(request.ids) != 1 else ''}"
            f" · {request.prompt_tokens:,} prompt + up to {request.max_completion:,} completion"
            " tokens"
        )
        lines += [f"    {fn_id}" for fn_id in request.ids]
    skipped = [*result.analysis.skipped, *plan.skipped]
    if skipped:
        lines.append("Skipped:")
        lines += [f"  - {s.function_id}: {s.reason}" for s in skipped]
    return "\n".join(lines) + "\n"


def cost_lines(bound: CostBound, model: str) -> list[str]:
    """Say what the run may cost with ``model``: as planned, with every retry, and the cap."""
    lines = [
        f"Cost with {model}: at most {usd(bound.planned_usd)} as planned (every request at its "
        f"completion limit); at most {usd(bound.worst_usd)} if every function is asked "
        "again as often as the run may (an answer cut off, malformed or refused is asked "
        "for again)."
    ]
    if bound.cap_usd is not None:
        lines.append(
            "--budget-usd caps the real cost: the run stops before it could cost more than "
            f"{usd(bound.cap_usd)}."
        )
    return lines


def closing_lines(result: Result, *, write: bool) -> list[str]:
    """Return what the run leaves to do: write, fix, or raise a budget."""
    lines: list[str] = []
    if result.written:
        n = len(result.written)
        names = ", ".join(result.written)
        lines.append(f"Wrote docstrings into {n} file{'s' if n != 1 else ''}: {names}")
    elif write:
        lines.append("Nothing written.")
    elif result.hint is None and any(f.new_text != f.old_text for f in result.files):
        lines.append("Apply with --write, or pipe --format diff into git apply.")
    if result.outcome is not None:
        lines += _stop_advice(result.outcome)
    if result.failures:
        lines.append(f"docgen: {_failed(result.failures)} could not be documented (see Skipped)")
    if result.check and result.missing:
        lines += _check_lines(result)
    return lines


def _failed(failures: Sequence[Skip]) -> str:
    """Count functions and whole files apart: "2 functions and 1 file"."""
    files = sum("::" not in s.function_id for s in failures)  # a file's id is its path
    functions = len(failures) - files
    parts = [f"{functions} function{'s' if functions != 1 else ''}"] if functions else []
    parts += [f"{files} file{'s' if files != 1 else ''}"] if files else []
    return " and ".join(parts)


def _check_lines(result: Result) -> list[str]:
    n = result.missing
    verbs = "lacks a docstring or has" if n == 1 else "lack a docstring or have"
    line = f"docgen: {n} changed function{'s' if n != 1 else ''} {verbs} a stale one"
    hint = result.hint
    if hint is None:
        return [line]
    where = f"check out {hint.checkout} and " if hint.checkout else ""
    return [f"{line}; to add them, {where}run:", f"  {hint.command}"]


def _stop_advice(outcome: Outcome) -> list[str]:
    """Say which cap stopped the run and which knob raises it: the advice follows the kind."""
    lines: list[str] = []
    if outcome.budget_stopped:
        lines.append(
            "docgen: a run budget stopped the run (see Skipped; --budget-usd raises the cost "
            "limit, DOCGEN_MAX_PROMPT_TOKENS_PER_RUN the prompt-token limit)"
        )
    if outcome.limit_stopped:
        n = sum(s.kind is SkipKind.LIMIT for s in outcome.skipped)
        lines.append(
            f"docgen: the function limit stopped the run, {n} function{'s' if n != 1 else ''} "
            "not attempted (see Skipped; DOCGEN_MAX_FUNCTIONS_PER_RUN and max_functions in "
            ".github/docgen.yml set it, or run again on fewer paths)"
        )
    return lines


def as_json(result: Result) -> dict[str, Any]:
    """Return the run as plain data for tools."""
    report = result.report()
    r = result.range
    diffs = {f.path: file_diff(f) for f in result.files}
    return {
        "provider": result.model.provider,
        "model": report.model,
        "message": result.model.describe(),
        "base": {"commit": r.base, "label": r.base_label},
        "head": {"commit": r.head, "label": r.head_label},
        "python_files": result.python_files,
        "rules": result.rules,
        "suggestions": [
            {
                "id": p.work.function.id,
                "path": p.edit.path,
                "mode": p.work.target.mode,
                "start_line": p.edit.start_line,
                "end_line": p.edit.end_line,
                "docstring": p.docstring,
                "replacement": p.edit.text,
                "lacks": list(p.lacks),
            }
            for f in result.files
            for p in f.proposals
        ],
        "skipped": [
            {
                "id": s.function_id,
                "reason": s.reason,
                "kind": s.kind.value,
                "failure": s.is_failure,
            }
            for s in report.skipped
        ],
        "coverage": {
            "before": asdict(report.coverage_before),
            "after": asdict(report.coverage_after),
        },
        "usage": asdict(report.usage),
        "files": [{"path": path, "diff": diff} for path, diff in diffs.items() if diff],
        "written": result.written,
        "plan": _plan_json(result.plan, result.bound) if result.plan is not None else None,
        "budget_stopped": result.outcome is not None and result.outcome.budget_stopped,
        "limit_stopped": result.outcome is not None and result.outcome.limit_stopped,
        "missing": result.missing,
        "apply_command": result.hint.command if result.hint is not None else None,
        "exit_code": result.exit_code,
    }


def _plan_json(plan: Plan, bound: CostBound | None) -> dict[str, Any]:
    return {
        "requests": [
            {
                "ids": list(r.ids),
                "prompt_tokens": r.prompt_tokens,
                "max_completion": r.max_completion,
            }
            for r in plan.requests
        ],
        "skipped": [
            {"id": s.function_id, "reason": s.reason, "kind": s.kind.value} for s in plan.skipped
        ],
        "prompt_tokens": plan.prompt_tokens,
        "max_completion_tokens": plan.max_completion_tokens,
        "planned_cost_usd": plan.worst_case_cost_usd,
        # Retries included: the most the run may cost before its budget stops it.
        "worst_case_cost_usd": bound.worst_usd if bound else plan.worst_case_cost_usd,
        "budget_usd": bound.cap_usd if bound else None,
    }


def emit_header(result: Result, fmt: str, *, stdout: TextIO, stderr: TextIO) -> None:
    """Print what is compared, then which provider answers: the run's first lines."""
    people = _people(fmt, stdout, stderr)
    print(scope_line(result), file=people)
    print(result.model.describe(), file=people)
    if result.rules:
        print(f"docgen: rules: {result.rules}", file=people)


def emit(
    result: Result, fmt: str, *, stdout: TextIO, stderr: TextIO, colour: bool, write: bool
) -> None:
    """Print ``result`` in format ``fmt`` (text, diff or json), after :func:`emit_header`."""
    people = _people(fmt, stdout, stderr)
    if fmt == "json":
        json.dump(as_json(result), stdout, indent=2)
        stdout.write("\n")
    elif fmt == "diff":
        stdout.write(patch(result))
    elif result.plan is None:
        diff = patch(result)
        stdout.write("\n" + (colourize(diff) if colour else diff) if diff else "")
    if not result.python_files:
        print("No Python files to look at.", file=people)
        return
    print("", file=people)
    if result.plan is not None:
        people.write(plan_text(result, result.plan))
    else:
        people.write(summary_text(result))
    for line in closing_lines(result, write=write):
        print(line, file=people)


def _people(fmt: str, stdout: TextIO, stderr: TextIO) -> TextIO:
    """Return the stream for people: stdout, unless it carries data (diff, json)."""
    return stdout if fmt == "text" else stderr
