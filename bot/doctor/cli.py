"""The ``docgen doctor`` subcommand: run every check, print the table (or JSON), exit 0 or 1."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Mapping, Sequence

from bot.doctor.github_check import GITHUB
from bot.doctor.model_check import MODEL
from bot.doctor.redis_check import REDIS
from bot.doctor.report import CheckResult, exit_code, render_json, render_table
from bot.doctor.runner import DEFAULT_TIMEOUT, Context, Probe, run_probes
from bot.doctor.settings_checks import SETTINGS, WEBHOOK_SECRET, load_settings_for_doctor
from bot.doctor.tokenizer_check import TOKENIZER

PROBES: tuple[Probe, ...] = (SETTINGS, REDIS, GITHUB, WEBHOOK_SECRET, MODEL, TOKENIZER)


async def diagnose(
    environ: Mapping[str, str] | None = None,
    *,
    installation_id: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    probes: Sequence[Probe] = PROBES,
) -> list[CheckResult]:
    """Run every check against the settings in ``environ`` (default: the process's)."""
    settings, broken, problems = load_settings_for_doctor(environ)
    ctx = Context(settings, broken, problems, timeout=timeout, installation_id=installation_id)
    return await run_probes(probes, ctx)


def cmd_doctor(args: argparse.Namespace) -> int:
    """Check the deployment; print the report; return 1 if any check failed."""
    results = asyncio.run(diagnose(installation_id=args.installation, timeout=args.timeout))
    print(
        render_json(results) if args.json else render_table(results),
        end="" if not args.json else "\n",
    )
    return exit_code(results)


def _positive(kind: Callable[[str], float]) -> Callable[[str], float]:
    def parse(text: str) -> float:
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be positive, not {text}")
        return value

    return parse


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``docgen doctor`` to the command's subparsers."""
    doctor = sub.add_parser(
        "doctor",
        help="check settings, Redis, the GitHub App, the model and the tokenizer files",
        description="Check what a deployment depends on; exit 1 if anything failed.",
    )
    doctor.add_argument("--json", action="store_true", help="print the report as JSON")
    doctor.add_argument(
        "--installation",
        type=_positive(int),
        metavar="ID",
        help="mint a token for this installation (default: the App's first)",
    )
    doctor.add_argument(
        "--timeout",
        type=_positive(float),
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"per check (default {DEFAULT_TIMEOUT:g})",
    )
    doctor.set_defaults(handler=cmd_doctor)
