"""The model side of a local run, and the edits applied to whole file texts.

The provider is the operator's (Azure OpenAI or an OpenAI-compatible server) when
settings name one, else the offline skeleton; ``--provider`` overrides both. With
no Redis locally, only the run's own limits apply (``--budget-usd`` sets its cost).
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from pydantic import ValidationError

from bot.core.edit import apply_edits, strip_docstrings
from bot.core.pysource import parse
from bot.core.render import RenderOptions
from bot.core.skips import Skip, SkipKind
from bot.engine.analyse import SourceFile
from bot.engine.document import Engine, Proposal
from bot.errors import SettingsError
from bot.llm.prompt import Style
from bot.llm.skeleton import SkeletonCaller
from bot.repo_config import LoadedConfig
from bot.settings import Front, Settings, describe_error
from bot.wiring import (
    answer_book_for,
    budgets_for,
    caller_for,
    local_answer_cache_for,
    overhead_for,
    planner_for,
)

if TYPE_CHECKING:
    from bot.llm.client import OpenAICaller

ProviderName = Literal["azure", "openai", "skeleton"]
SKELETON_LABEL = "skeleton (offline)"
COMBINED_CHECK_FAILED = "the file's suggestions together failed the safety check; none applied"


@dataclass(frozen=True)
class LocalModel:
    """The settings in force and the provider they resolve to."""

    settings: Settings
    provider: ProviderName
    fallback: bool = False  # skeleton only because no provider is configured

    @property
    def label(self) -> str:
        """Return the model's name for the summary."""
        return SKELETON_LABEL if self.provider == "skeleton" else self.settings.docgen_model

    def describe(self) -> str:
        """Return the first line of the output: which provider answers, and why."""
        s = self.settings
        if self.provider == "azure":
            host = urlsplit(s.azure_openai_endpoint or "").netloc
            return (
                f"docgen: using Azure OpenAI deployment {s.azure_openai_deployment} at {host} "
                f"(model {s.docgen_model})"
            )
        if self.provider == "openai":
            host = urlsplit(s.openai_base_url or "https://api.openai.com/v1").netloc
            return f"docgen: using {s.docgen_model} at {host} (OpenAI-compatible API)"
        if self.fallback:
            return (
                "docgen: no model configured (AZURE_OPENAI_ENDPOINT is not set): using the "
                "offline skeleton provider, which writes placeholder docstrings"
            )
        return "docgen: using the offline skeleton provider (placeholder docstrings, no network)"

    def engine(self, render: RenderOptions, loaded: LoadedConfig) -> Engine:
        """Return the engine for this provider; :meth:`caller` supplies the real caller."""
        s, config = self.settings, loaded.config
        # The engine needs a caller to exist; the real one holds connections, so it is
        # opened only for the run (see ``caller``). The skeleton stands in until then.
        stand_in = SkeletonCaller(render.style)
        if self.provider == "skeleton":  # costs nothing: no budget, no function limit
            planner = planner_for(s, style=render.style)
            return Engine(
                planner,
                stand_in,
                render,
                concurrency=s.docgen_max_concurrency,
                require_complete=loaded.require_complete,
                # Placeholders are not meant to pass a linter: no rules check for them.
            )
        overhead = overhead_for(s)
        return Engine(
            planner=planner_for(s, style=render.style, overhead=overhead),
            caller=stand_in,
            render=render,
            budgets=budgets_for(s),
            overhead=overhead,
            concurrency=s.docgen_max_concurrency,
            max_functions=config.effective_max_functions(s.docgen_max_functions_per_run),
            require_complete=loaded.require_complete,
            docrules=loaded.docrules,
            answers=answer_book_for(s, local_answer_cache_for(s), style=render.style),
        )

    def caller(
        self, style: Style
    ) -> AbstractAsyncContextManager[OpenAICaller] | AbstractAsyncContextManager[SkeletonCaller]:
        """Return the provider's caller, to be used as an async context manager."""
        if self.provider == "skeleton":
            return SkeletonCaller(style)
        return caller_for(self.settings, style=style)


def local_model(
    provider: ProviderName | None,
    budget_usd: float | None,
    environ: Mapping[str, str] | None = None,
) -> LocalModel:
    """Load the CLI's settings with the command line's overrides; raise SettingsError."""
    overrides: dict[str, str] = {}
    if provider is not None:
        overrides["docgen_provider"] = provider
    if budget_usd is not None:
        overrides["docgen_max_cost_per_run_usd"] = repr(budget_usd)
    settings = _settings(overrides, environ)
    resolved = settings.provider()
    if resolved is None:
        settings = settings.model_copy(update={"docgen_provider": "skeleton"})
        return LocalModel(settings, "skeleton", fallback=True)
    return LocalModel(settings, resolved)


def _settings(overrides: dict[str, str], environ: Mapping[str, str] | None) -> Settings:
    try:
        if environ is None:  # the process environment and .env, the options on top
            settings = Settings(**overrides)  # type: ignore[arg-type]
        else:
            settings = Settings.from_env(
                {**environ, **{k.upper(): v for k, v in overrides.items()}}
            )
    except ValidationError as exc:
        raise SettingsError(describe_error(exc)) from None
    settings.require(Front.CLI)
    return settings


@dataclass(frozen=True)
class FileResult:
    """One file's text before and after its suggestions."""

    path: str
    old_text: str
    new_text: str
    proposals: tuple[Proposal, ...]


def apply_proposals(
    files: Sequence[SourceFile], proposals: Sequence[Proposal]
) -> tuple[list[FileResult], list[Skip]]:
    """Apply each file's (engine-checked) edits; a file whose edits do not fit keeps its text."""
    by_path: dict[str, list[Proposal]] = {}
    for proposal in proposals:
        by_path.setdefault(proposal.edit.path, []).append(proposal)
    results: list[FileResult] = []
    refused: list[Skip] = []
    for file in sorted(files, key=lambda f: f.path):
        old = file.head_text or ""
        mine = sorted(by_path.get(file.path, []), key=lambda p: p.edit.start_line)
        new = _apply_all(old, mine)
        if new is None:
            refused += [
                Skip(p.work.function.id, COMBINED_CHECK_FAILED, kind=SkipKind.CHECK) for p in mine
            ]
            new, mine = old, []
        results.append(FileResult(file.path, old, new, tuple(mine)))
    return results, refused


def _apply_all(text: str, proposals: Sequence[Proposal]) -> str | None:
    """Apply a file's edits together; None if they do not fit together.

    The engine has already safety-checked all of a file's proposals together
    (``bot.engine.document.check_proposals``); checking them again here would parse
    every file a second time for nothing.
    """
    try:
        return apply_edits(text, [p.edit for p in proposals])
    except ValueError:  # overlapping or out of range: never the case for checked proposals
        return None


def same_code(old: str | None, new: str | None) -> bool:
    """Tell whether two texts of a module differ at most in docstrings (and both parse)."""
    if old is None or new is None:
        return False
    if old == new:
        return True
    try:
        old_tree, new_tree = parse(old), parse(new)
    except (SyntaxError, ValueError):
        return False
    return ast.dump(strip_docstrings(old_tree)) == ast.dump(strip_docstrings(new_tree))
