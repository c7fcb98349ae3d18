"""The ``/docgen`` command's grammar, pure: the words after ``/docgen`` -> one record.

The words are split as a shell would (``shlex``), so a path with spaces can be
quoted. A form is made of at most one keyword, paths, and options anywhere::

    /docgen                      review the changed functions again
    /docgen all                  every function lacking a docstring in the changed files
    /docgen PATH...              only the changed files these paths or globs match
    /docgen all PATH...          both
    /docgen help | usage         answers, no review
    options: --style google|numpy|sphinx, --dry-run, --force

A word is read as a path only when it looks like one (it holds ``/`` or ``.``
or a glob character), so a mistyped keyword (``/docgen hlep``) is answered as
unknown rather than taken for a file nobody changed. Nothing here raises: every
text gives a :class:`Command`, an unknown one carrying a short reason.
"""

from __future__ import annotations

import re
import shlex
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, get_args

from bot.core.gitignore import gitignore_spec

Style = Literal["google", "numpy", "sphinx"]
STYLES: tuple[str, ...] = get_args(Style)
_STYLE_OF: dict[str, Style] = {"google": "google", "numpy": "numpy", "sphinx": "sphinx"}

MAX_PATHS = 20
MAX_PATH_CHARS = 200
_SHOWN_CHARS = 40  # of a user's word echoed in a reason
_PATH_HINT = re.compile(r"[/.*?\[]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class Action(StrEnum):
    """What a command asks for."""

    REVIEW = "review"  # plain, `all`, paths: a review (or, with --dry-run, its plan)
    HELP = "help"
    USAGE = "usage"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Command:
    """One parsed ``/docgen`` command.

    ``every_function``: every function of the selected files lacking a docstring,
    changed or not (``all``). ``paths``: gitignore-style patterns a changed file must
    match (empty: every file). ``style``: this run's docstring style, over the
    repository's. ``dry_run``: plan only. ``force``: suggest again what was suggested
    before. ``reason``: why an unknown command was not understood.
    """

    action: Action
    every_function: bool = False
    paths: tuple[str, ...] = ()
    style: Style | None = None
    dry_run: bool = False
    force: bool = False
    reason: str = ""

    def selects(self, path: str) -> bool:
        """Tell whether the command's paths let ``path`` in (no paths: every path)."""
        if not self.paths:
            return True
        return bool(gitignore_spec(self.paths).match_file(path))


# The forms, as help_text lists them and the README documents them.
FORMS: tuple[tuple[str, str], ...] = (
    (
        "/docgen",
        "review the changed functions again; what was suggested before is not repeated",
    ),
    (
        "/docgen all",
        "every function lacking a docstring in the changed files, changed or not",
    ),
    (
        "/docgen PATH...",
        "only the changed files matching these paths or gitignore-style globs "
        "(`src/`, `app.py`, `pkg/**/io.py`); combine with `all`",
    ),
    ("/docgen --style STYLE", "write this run's docstrings in STYLE: google, numpy or sphinx"),
    (
        "/docgen --dry-run",
        "reply with the plan (functions, requests, prompt tokens, worst-case cost); "
        "call no model, post nothing",
    ),
    ("/docgen --force", "suggest again what was suggested before"),
    ("/docgen help", "this list"),
    ("/docgen usage", "this month's spend against the monthly budget, and this pull request's"),
)


def help_text() -> str:
    """Return the markdown list of every command form (the answer to ``/docgen help``)."""
    rows = "\n".join(f"| `{form}` | {what} |" for form, what in FORMS)
    return (
        "**docgen commands** (for people with write access to the repository)\n\n"
        "| command | what it does |\n| --- | --- |\n"
        f"{rows}\n\n"
        "Options go anywhere and combine: `/docgen all src/ --style numpy --dry-run`."
    )


def unknown(reason: str) -> Command:
    """Return the command that was not understood, and why."""
    return Command(Action.UNKNOWN, reason=reason)


def parse_command(text: str | None) -> Command:
    """Parse the words after ``/docgen`` (None or "": a plain review); never raise."""
    try:
        words = shlex.split(text or "")
    except ValueError as exc:  # an unclosed quote, a trailing backslash
        return unknown(f"could not read the command ({exc})")
    return _Reader().read(words)


class _Reader:
    """One pass over the words; options anywhere, at most one keyword."""

    def __init__(self) -> None:
        self.keyword: str | None = None
        self.paths: list[str] = []
        self.style: Style | None = None
        self.dry_run = False
        self.force = False
        self.options: list[str] = []

    def read(self, words: list[str]) -> Command:
        rest = iter(words)
        only_paths = False
        for word in rest:
            if only_paths or not word.startswith("-"):
                problem = self._word(word, only_paths)
            elif word == "--":
                only_paths, problem = True, None
            else:
                problem = self._option(word, rest)
            if problem is not None:
                return unknown(problem)
        return self._command()

    def _word(self, word: str, only_paths: bool) -> str | None:
        lowered = word.lower()
        if not only_paths and lowered in ("all", "help", "usage"):
            if self.keyword is not None and self.keyword != lowered:
                return f"`{self.keyword}` and `{lowered}` cannot be combined"
            self.keyword = lowered
            return None
        if not only_paths and not _PATH_HINT.search(word):
            return f"unknown word `{_shown(word)}` (write a folder as `{_shown(word)}/`)"
        problem = path_problem(word)
        if problem is None:
            self.paths.append(word.removeprefix("./"))
        return problem

    def _option(self, word: str, rest: Iterator[str]) -> str | None:
        name, eq, value = word.partition("=")
        if name == "--style":
            return self._set_style(value if eq else next(rest, ""))
        if eq:
            return f"`{_shown(name)}` takes no value"
        if name == "--dry-run":
            self.dry_run = True
        elif name == "--force":
            self.force = True
        else:
            return f"unknown option `{_shown(word)}`"
        self.options.append(name)
        return None

    def _set_style(self, value: str) -> str | None:
        style = _STYLE_OF.get(value)
        if style is None:
            shown = f"`{_shown(value)}`" if value else "nothing"
            return f"`--style` takes google, numpy or sphinx, not {shown}"
        if self.style is not None and self.style != style:
            return "`--style` given twice"
        self.style = style
        self.options.append("--style")
        return None

    def _command(self) -> Command:
        if self.keyword in ("help", "usage"):
            extra = [*self.paths, *self.options]
            if extra:
                return unknown(f"`{self.keyword}` takes nothing else (got `{_shown(extra[0])}`)")
            return Command(Action(self.keyword))
        if len(self.paths) > MAX_PATHS:
            return unknown(f"at most {MAX_PATHS} paths")
        return Command(
            Action.REVIEW,
            every_function=self.keyword == "all",
            paths=tuple(dict.fromkeys(self.paths)),
            style=self.style,
            dry_run=self.dry_run,
            force=self.force,
        )


def path_problem(path: str) -> str | None:
    """Return why ``path`` is refused as a path or glob, or None when it is fine.

    A path is relative to the repository's root, stays inside it and is a
    gitignore-style pattern that selects (negation is not).
    """
    shown = _shown(path)
    if not path or not path.strip():
        return "an empty path"
    if len(path) > MAX_PATH_CHARS:
        return f"a path longer than {MAX_PATH_CHARS} characters"
    if _CONTROL.search(path):
        return "a path with control characters"
    if path.startswith(("/", "\\", "~")) or re.match(r"[A-Za-z]:", path):
        return f"`{shown}` is absolute: give paths relative to the repository's root"
    if ".." in re.split(r"[/\\]", path):
        return f"`{shown}` leaves the repository (`..`)"
    if path.startswith("!"):
        return f"`{shown}` is a negation: name the files to review"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a regex warning (a nested set) is a bad glob too
            gitignore_spec((path,))
    except (ValueError, TypeError, re.error, Warning) as exc:
        return f"`{shown}` is not a valid glob ({_shown(str(exc))})"
    return None


def _shown(word: str) -> str:
    """Return a user's word as safe to echo inside a code span: no backticks, short."""
    clean = _CONTROL.sub("?", word.replace("`", "'"))
    return clean if len(clean) <= _SHOWN_CHARS else clean[: _SHOWN_CHARS - 1] + "…"
