"""Run the doctor's probes side by side, each under its own timeout.

A probe checks one service and may report several lines (Redis: the connection,
then its eviction policy); it names them up front, so a probe that times out or
breaks still reports every line: a FAIL for the step that did not finish and a
SKIP for those after it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from bot.doctor.report import CheckResult, failed, skipped
from bot.settings import Settings

DEFAULT_TIMEOUT = 10.0


@dataclass(frozen=True)
class Context:
    """What every probe may use: the settings as loaded, and the operator's options.

    ``broken`` names the settings that failed validation (the settings check reports
    them); they hold their defaults here, so probes that use them skip.
    """

    settings: Settings
    broken: frozenset[str] = frozenset()
    settings_problems: tuple[str, ...] = ()
    timeout: float = DEFAULT_TIMEOUT
    installation_id: int | None = None


ProbeFn = Callable[[Context, list[CheckResult]], Awaitable[None]]


@dataclass(frozen=True)
class Probe:
    """One service's checks: their names, in order, and the coroutine that appends them."""

    names: tuple[str, ...]
    run: ProbeFn
    timeout_fix: str
    min_timeout: float = 0.0  # local work (hashing, building a tokenizer) is not cut short


async def run_probe(probe: Probe, ctx: Context) -> list[CheckResult]:
    """Run ``probe`` with a timeout of ``ctx.timeout`` per line it reports (or its minimum)."""
    out: list[CheckResult] = []
    try:
        limit = max(ctx.timeout * len(probe.names), probe.min_timeout)
        await asyncio.wait_for(probe.run(ctx, out), limit)
    except TimeoutError:
        name = probe.names[min(len(out), len(probe.names) - 1)]
        out.append(failed(name, f"no answer within {ctx.timeout:g} s", probe.timeout_fix))
    except Exception as exc:  # an unforeseen failure is reported, never raised
        name = probe.names[min(len(out), len(probe.names) - 1)]
        detail = f"unexpected {type(exc).__name__}: {str(exc)[:300]}"
        out.append(failed(name, detail, "report this to docgen's maintainers with the detail"))
    reported = {r.check for r in out}
    out += [
        skipped(n, "not checked: an earlier step failed") for n in probe.names if n not in reported
    ]
    return out


async def run_probes(probes: Sequence[Probe], ctx: Context) -> list[CheckResult]:
    """Run every probe concurrently; return their lines in the probes' order."""
    groups = await asyncio.gather(*(run_probe(p, ctx) for p in probes))
    return [line for group in groups for line in group]
