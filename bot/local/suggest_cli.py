"""``docgen suggest``: its arguments, and the exit codes people and hooks rely on.

Exit codes: 0 done; 1 some functions could not be documented (with ``--check``:
also when changed functions lack a docstring); 2 a usage or settings error, said
in one line; 3 a budget stopped the run.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.local.suggest import Options

EXIT_USAGE = 2

DESCRIPTION = (
    "Suggest docstrings for the Python functions changed in a local git checkout, "
    "with the same engine as the GitHub App. Offline by default: without model "
    "settings it writes placeholder skeletons."
)

EPILOG = (
    "exit codes: 0 done; 1 some functions could not be documented (with --check: or "
    "lack a docstring); 2 usage or settings error; 3 a budget stopped the run"
)


def _usd(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an amount of dollars: {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be zero or more dollars, not {text!r}")
    return value


# The options after PATH and the --head/--working-tree pair: (flags, argparse keywords).
_OPTIONS: tuple[tuple[tuple[str, ...], dict[str, Any]], ...] = (
    (("--all",), {"dest": "all_files", "action": "store_true",
                  "help": "every Python file in scope, not only the changed ones"}),
    (("--style",), {"choices": ["google", "numpy", "sphinx", "auto"],
                    "help": "docstring style (default: .github/docgen.yml, else detected)"}),
    (("--provider",), {"choices": ["azure", "openai", "skeleton"],
                       "help": "model provider (default: Azure OpenAI when configured, "
                       "else the offline skeleton)"}),
    (("--dry-run",), {"action": "store_true",
                      "help": "print the plan (requests, tokens, the most the run may cost, "
                      "retries included); call nothing"}),
    (("--write",), {"action": "store_true",
                    "help": "apply the suggestions to the files in the working tree"}),
    (("--force",), {"action": "store_true",
                    "help": "with --write: also write files that hold changes of your own"}),
    (("--check",), {"action": "store_true",
                    "help": "exit 1 when changed functions lack a docstring, and print the "
                    "command that adds them (for pre-commit)"}),
    (("--format",), {"dest": "output_format", "choices": ["text", "diff", "json"],
                     "default": "text", "help": "text (default), diff (for git apply) or json; "
                     "with diff and json, stdout holds only the data and the summary goes "
                     "to stderr"}),
    (("--budget-usd",), {"type": _usd, "metavar": "X",
                         "help": "stop before the run could cost more than X dollars "
                         "(default: DOCGEN_MAX_COST_PER_RUN_USD, 1)"}),
    (("--require-complete",), {"action": "store_true",
                               "help": "ask once more for what an incomplete docstring lacks "
                               "(a parameter, Returns, Yields, Raises), and skip it if it "
                               "still lacks it (default: require_complete in "
                               ".github/docgen.yml)"}),
)  # fmt: skip


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``suggest`` subcommand to the ``docgen`` command's subparsers."""
    p = sub.add_parser(
        "suggest",
        help="suggest docstrings on a local git checkout",
        description=DESCRIPTION,
        epilog=EPILOG,
    )
    p.add_argument(
        "paths",
        nargs="*",
        default=["."],
        metavar="PATH",
        help="limit to these files or directories (default: the whole repository)",
    )
    p.add_argument(
        "--base",
        metavar="REF",
        help="compare with REF (default: the merge base with the default branch; on the "
        "default branch itself HEAD~1, or HEAD with --working-tree)",
    )
    side = p.add_mutually_exclusive_group()
    side.add_argument("--head", metavar="REF", help="the side to document (default: HEAD)")
    side.add_argument(
        "--working-tree",
        action="store_true",
        help="document the working tree, uncommitted and new files included",
    )
    for flags, keywords in _OPTIONS:
        p.add_argument(*flags, **keywords)
    p.set_defaults(handler=handle)  # fmt: skip


def options_from(args: argparse.Namespace) -> Options:
    """Return the run's options from parsed arguments."""
    from bot.local.suggest import Options

    return Options(
        paths=tuple(args.paths) or (".",),
        base=args.base,
        head=args.head,
        working_tree=args.working_tree,
        all_files=args.all_files,
        style=args.style,
        provider=args.provider,
        dry_run=args.dry_run,
        write=args.write,
        force=args.force,
        check=args.check,
        budget_usd=args.budget_usd,
        require_complete=args.require_complete,
    )


def handle(args: argparse.Namespace) -> int:
    """Run ``docgen suggest`` and return its exit code."""
    # Imported here so that every other docgen command starts without the engine.
    from bot.local.git import GitError
    from bot.local.output import colour_wanted, emit, emit_header
    from bot.local.progress import progress_on
    from bot.local.suggest import Result, UsageError, run

    fmt = args.output_format

    def announce(result: Result) -> None:
        _unless_pipe_closed(lambda: emit_header(result, fmt, stdout=sys.stdout, stderr=sys.stderr))

    try:
        result = run(options_from(args), progress=progress_on(sys.stderr), announce=announce)
    except (UsageError, GitError) as exc:
        print(f"docgen: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    colour = colour_wanted(sys.stdout, os.environ)
    _unless_pipe_closed(
        lambda: emit(
            result, fmt, stdout=sys.stdout, stderr=sys.stderr, colour=colour, write=args.write
        )
    )
    return result.exit_code


def _unless_pipe_closed(show: Callable[[], None]) -> None:
    """Show output; when the reader stopped early (``| head``), carry on without it."""
    try:
        show()
        sys.stdout.flush()
    except BrokenPipeError:  # not an error of ours: the run still finishes (and writes)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
