"""The doctor's runner: a probe that breaks or hangs is reported, and the others still run."""

from __future__ import annotations

import asyncio

from bot.doctor.report import CheckResult, Status, passed
from bot.doctor.runner import Context, Probe, run_probes
from bot.settings import Settings


async def fine(ctx: Context, out: list[CheckResult]) -> None:
    out.append(passed("fine", "ok"))


async def breaks_after_one(ctx: Context, out: list[CheckResult]) -> None:
    out.append(passed("first", "ok"))
    raise RuntimeError("boom")


async def hangs(ctx: Context, out: list[CheckResult]) -> None:
    await asyncio.sleep(60)


async def test_broken_and_hung_probes_are_reported_and_others_run() -> None:
    probes = [
        Probe(("first", "second", "third"), breaks_after_one, ""),
        Probe(("slow",), hangs, "look at the network"),
        Probe(("fine",), fine, ""),
    ]
    ctx = Context(Settings.from_env({}), timeout=0.1)
    results = await run_probes(probes, ctx)
    shown = [(r.check, r.status) for r in results]
    assert shown == [
        ("first", Status.PASS),
        ("second", Status.FAIL),
        ("third", Status.SKIP),
        ("slow", Status.FAIL),
        ("fine", Status.PASS),
    ]
    assert "RuntimeError: boom" in results[1].detail
    assert results[3].detail == "no answer within 0.1 s" and results[3].fix == "look at the network"
