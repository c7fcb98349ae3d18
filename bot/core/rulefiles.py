"""Read a repository's docstring rules from its linters' configuration files.

:func:`read_doc_rules` takes the texts of the files in :data:`RULE_FILES` and returns
one :class:`~bot.core.docrules.DocRules`: ruff's ``D`` rules
(:mod:`bot.core.ruffconfig`), pydocstyle's, interrogate's and pydoclint's
(:mod:`bot.core.toolconfig`), each with the arguments its pre-commit hook passes
(:mod:`bot.core.hookargs`). It never raises: a file that cannot be parsed, or a setting
that cannot be read, adds one line to ``problems`` and the rest still applies.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from bot.core.configfiles import ConfigFiles
from bot.core.docrules import DocRules
from bot.core.hookargs import Hook, read_hooks
from bot.core.ruffconfig import read_ruff
from bot.core.toolconfig import read_interrogate, read_pydoclint, read_pydocstyle

T = TypeVar("T")

# The repository-root files docstring rules are read from, in the order reported.
RULE_FILES: tuple[str, ...] = (
    "pyproject.toml",
    "ruff.toml",
    ".ruff.toml",
    "setup.cfg",
    "tox.ini",
    ".pydocstyle",
    ".pydocstyle.ini",
    ".pydocstylerc",
    ".pydocstylerc.ini",
    ".pre-commit-config.yaml",
)


def read_doc_rules(files: Mapping[str, str | None]) -> DocRules:
    """Read the docstring rules the repository's configuration files set.

    Args:
        files: Each path of :data:`RULE_FILES` mapped to its text; None or a missing
            key means the repository has no such file.

    Returns:
        The rules, with the files that contributed, where each setting came from and
        one line per problem met.
    """
    config = ConfigFiles(
        {p: files.get(p) for p in RULE_FILES} if isinstance(files, Mapping) else {}
    )
    no_hooks: dict[str, Hook] = {}
    hooks = _guarded(config, "pre-commit hooks", lambda: read_hooks(config), no_hooks)
    ruff = _guarded(config, "ruff", lambda: read_ruff(config, hooks.get("ruff")), None)
    pydocstyle = _guarded(
        config, "pydocstyle", lambda: read_pydocstyle(config, hooks.get("pydocstyle")), None
    )
    interrogate = _guarded(
        config, "interrogate", lambda: read_interrogate(config, hooks.get("interrogate")), None
    )
    pydoclint = _guarded(
        config, "pydoclint", lambda: read_pydoclint(config, hooks.get("pydoclint")), None
    )
    return DocRules(
        ruff=ruff,
        pydocstyle=pydocstyle,
        interrogate=interrogate,
        pydoclint=pydoclint,
        sources=tuple(p for p in RULE_FILES if p in config.used),
        origins=tuple(config.origins),
        problems=tuple(config.problems),
    )


def _guarded(config: ConfigFiles, what: str, read: Callable[[], T], fallback: T) -> T:
    """Run one tool's reader; a failure the readers did not foresee costs that tool only."""
    try:
        return read()
    except Exception as e:  # bad input must never fail the whole read
        config.problem(what, f"settings could not be read ({type(e).__name__}: {e}); ignored")
        return fallback
