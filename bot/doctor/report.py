"""The doctor's verdicts, and how they are shown: a table for people, JSON for machines."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum


class Status(StrEnum):
    """How one check went."""

    PASS = "PASS"
    WARN = "WARN"
    FAIL = "FAIL"
    SKIP = "SKIP"  # not run: something it needs failed (that failure is reported)


@dataclass(frozen=True)
class CheckResult:
    """One line of the report: what was checked, how it went, and the fix when it failed."""

    check: str
    status: Status
    detail: str
    fix: str = ""


def passed(check: str, detail: str) -> CheckResult:
    """Return a PASS line."""
    return CheckResult(check, Status.PASS, detail)


def warned(check: str, detail: str, fix: str = "") -> CheckResult:
    """Return a WARN line: worth a look, but docgen works."""
    return CheckResult(check, Status.WARN, detail, fix)


def failed(check: str, detail: str, fix: str) -> CheckResult:
    """Return a FAIL line, with the fix."""
    return CheckResult(check, Status.FAIL, detail, fix)


def skipped(check: str, detail: str) -> CheckResult:
    """Return a SKIP line: not checked, because of a failure reported elsewhere."""
    return CheckResult(check, Status.SKIP, detail)


def exit_code(results: Sequence[CheckResult]) -> int:
    """Return 1 when any check failed, else 0."""
    return 1 if any(r.status is Status.FAIL for r in results) else 0


def render_json(results: Sequence[CheckResult]) -> str:
    """Return the report as JSON: ``{"ok": bool, "checks": [{check, status, detail, fix}]}``."""
    checks = [asdict(r) | {"status": r.status.value} for r in results]
    return json.dumps({"ok": exit_code(results) == 0, "checks": checks}, indent=2)


HEADERS = ("check", "status", "detail", "fix")


def render_table(results: Sequence[CheckResult]) -> str:
    """Return the report as an aligned text table, one check per line, and a closing count."""
    rows = [HEADERS, *((r.check, r.status.value, r.detail, r.fix) for r in results)]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = []
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[3]]).rstrip())
    lines.insert(1, "  ".join("-" * w for w in [*widths, len(HEADERS[3])]))
    lines.append("")
    lines.append(_summary(results))
    return "\n".join(lines) + "\n"


def _summary(results: Sequence[CheckResult]) -> str:
    counts = {s: sum(r.status is s for r in results) for s in Status}
    shown = ", ".join(f"{n} {s.value.lower()}" for s, n in counts.items() if n)
    verdict = "docgen is ready" if exit_code(results) == 0 else "docgen is not ready"
    return f"{verdict}: {shown}"
