"""The docstring linters a ``.pre-commit-config.yaml`` runs, and the arguments it gives them.

A hook's ``args`` reach the tool's command line, where they win over the tool's
configuration file, so each tool's reader parses them as that tool's own command line
would (:func:`parse_args`): long options with ``=`` or a separate value, repeated
options, and click's combined short flags (``-imp``).
"""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.configfiles import ConfigFiles

PRE_COMMIT = ".pre-commit-config.yaml"
# Hook ids that run a docstring linter, and which tool each runs.
HOOK_TOOLS: dict[str, str] = {
    "ruff": "ruff",
    "ruff-check": "ruff",
    "pydocstyle": "pydocstyle",
    "interrogate": "interrogate",
    "pydoclint": "pydoclint",
    "pydoclint-flake8": "pydoclint",
}


@dataclass(frozen=True)
class Hook:
    """A pre-commit hook that runs a docstring linter: its id and its ``args``."""

    id: str
    args: tuple[str, ...] = ()

    @property
    def shown(self) -> str:
        """Return the arguments as one line, for an origin (quoted where they hold spaces)."""
        return " ".join(f'"{a}"' if not a or any(c.isspace() for c in a) else a for a in self.args)


def note_hook(files: ConfigFiles, tool: str, hook: Hook | None) -> None:
    """Record where ``tool``'s hook adds to the rules: its ``args``, or the hook alone."""
    if hook is not None:
        if hook.args:
            files.note(f"pre-commit {tool} args", hook.shown, PRE_COMMIT)
        else:
            files.note("pre-commit hook", hook.id, PRE_COMMIT)


def read_hooks(files: ConfigFiles) -> dict[str, Hook]:
    """Return the first hook of each tool in ``.pre-commit-config.yaml``, by tool name."""
    data = files.yaml(PRE_COMMIT)
    repos = data.get("repos") if isinstance(data, dict) else None
    found: dict[str, Hook] = {}
    for repo in repos if isinstance(repos, list) else ():
        hooks = repo.get("hooks") if isinstance(repo, dict) else None
        for hook in hooks if isinstance(hooks, list) else ():
            parsed = _hook(hook, files)
            if parsed is not None:
                found.setdefault(HOOK_TOOLS[parsed.id], parsed)
    return found


def _hook(hook: object, files: ConfigFiles) -> Hook | None:
    if not isinstance(hook, dict) or hook.get("id") not in HOOK_TOOLS:
        return None
    args = hook.get("args", [])
    if isinstance(args, str):
        # pre-commit wants a list; a string is read as the shell would split it.
        try:
            args = shlex.split(args)
        except ValueError:
            args = args.split()
    if not isinstance(args, list) or not all(isinstance(a, str | int | float) for a in args):
        files.problem(PRE_COMMIT, f"args of hook {hook['id']!r} are not a list of strings; ignored")
        args = []
    return Hook(str(hook["id"]), tuple(str(a) for a in args))


class _Parser(argparse.ArgumentParser):
    """An argument parser that reports errors instead of exiting the process."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise ValueError(message)


def parser(*options: tuple[Sequence[str], str]) -> argparse.ArgumentParser:
    """Build a parser from ``(names, kind)`` pairs.

    Kinds: ``flag`` (on when given), ``count`` (``-vv``), ``one`` (the last value wins),
    ``many`` (every value, in order).
    """
    p = _Parser(add_help=False, allow_abbrev=False)
    actions = {"flag": "store_true", "count": "count", "one": "store", "many": "append"}
    for names, kind in options:
        dest = names[-1].lstrip("-").replace("-", "_")
        p.add_argument(*names, dest=dest, action=actions[kind], default=None)
    return p


def parse_args(
    p: argparse.ArgumentParser, hook: Hook, files: ConfigFiles
) -> argparse.Namespace | None:
    """Parse a hook's arguments; None (and a problem) when the tool would reject them."""
    try:
        known, _ = p.parse_known_args(list(hook.args))
    except ValueError as e:
        files.problem(PRE_COMMIT, f"cannot read the args of hook {hook.id!r} ({e}); ignored")
        return None
    return known
