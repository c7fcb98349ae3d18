"""The command that applies what ``docgen suggest --check`` found, for its closing line.

It pins what the check compared, so that it finds the same functions however it is
run later: the base as a commit id (a default base such as ``HEAD~1`` or the merge
base moves with the next commit), the files that lack docstrings (not the paths
given: with ``--working-tree`` those would also take in untracked files, which a
check leaves out), and the options that shape the docstrings.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.local.collect import Range
from bot.local.git import Repo

if TYPE_CHECKING:
    from bot.local.suggest import Options


@dataclass(frozen=True)
class Hint:
    """A ``docgen suggest ... --write`` command, and the commit to check out first, if any."""

    args: tuple[str, ...]  # after "docgen"
    checkout: str | None = None  # the check looked at a commit other than HEAD

    @property
    def command(self) -> str:
        """Return the command as a shell would take it, quoted where needed."""
        return shlex.join(["docgen", *self.args])


def write_hint(repo: Repo, rng: Range, options: Options, paths: Iterable[str]) -> Hint:
    """Return the command that writes the docstrings a check found missing in ``paths``."""
    args = ["suggest", *_base(repo, rng, options)]
    checkout = None
    if rng.head is None:
        args.append("--working-tree")
    elif rng.head != repo.commit("HEAD"):  # --write writes the working tree: HEAD's files
        checkout = rng.head_label
    args += _shaping(options)
    args.append("--write")
    cwd = Path.cwd().resolve()
    args += sorted(_path_arg(repo.root.resolve() / path, cwd) for path in set(paths))
    return Hint(tuple(args), checkout)


def _base(repo: Repo, rng: Range, options: Options) -> list[str]:
    if rng.base is None:  # --all compares with nothing
        return []
    if repo.commit(rng.base) is not None:
        return ["--base", repo.abbrev(rng.base)]
    # The empty tree: the same option (or its absence) finds it again.
    return ["--base", options.base] if options.base is not None else []


def _shaping(options: Options) -> list[str]:
    """Return the options that decide which functions are taken and what they get."""
    args: list[str] = []
    if options.all_files:
        args.append("--all")
    if options.style is not None:
        args += ["--style", options.style]
    if options.provider is not None:
        args += ["--provider", options.provider]
    if options.budget_usd is not None:
        args += ["--budget-usd", repr(options.budget_usd)]
    if options.require_complete:
        args.append("--require-complete")
    return args


def _path_arg(path: Path, cwd: Path) -> str:
    relative = os.path.relpath(path, cwd)
    return f"./{relative}" if relative.startswith("-") else relative  # never read as an option
