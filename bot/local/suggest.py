"""``docgen suggest``: the bot's engine on a local checkout, from options to a result.

The steps are the bot's: analyse the changed functions, plan under the model's
limits, call the model (or the offline skeleton), render, verify and safety-check;
then, instead of posting a review, the edits are applied to the file texts, shown
as a diff and, with ``--write``, written to the working tree.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, TypeVar

from bot.core.render import collect_docstrings
from bot.core.skips import Skip, SkipKind
from bot.core.summary import RunReport, UsageTotals
from bot.engine.analyse import Analysis, SourceFile, analyse
from bot.engine.cost import CostBound, cost_bound
from bot.engine.document import Engine, Outcome, delivery, document, plan_of, remember
from bot.errors import DocgenError
from bot.llm.plan import Plan, PlannedRequest
from bot.llm.usage import Answer, ModelCaller
from bot.local.collect import Range, Scope, collect, pathspecs_for, resolve_range
from bot.local.engine import FileResult, LocalModel, apply_proposals, local_model
from bot.local.git import Repo
from bot.local.hint import Hint, write_hint
from bot.local.progress import Progress, ProgressFactory, no_progress
from bot.repo_config import (
    CONFIG_PATH,
    REPO_FILES,
    LoadedConfig,
    load_repo_config,
    render_options,
)

EXIT_OK, EXIT_INCOMPLETE, EXIT_USAGE, EXIT_BUDGET = 0, 1, 2, 3
_T = TypeVar("_T")
NO_SAFE_PLACE = "no safe place for a docstring in its header"


class UsageError(DocgenError):
    """The command line asks for something that cannot be done; one line says why."""


@dataclass(frozen=True)
class Options:
    """What the command line asked for."""

    paths: tuple[str, ...] = (".",)
    base: str | None = None
    head: str | None = None
    working_tree: bool = False
    all_files: bool = False
    style: Literal["google", "numpy", "sphinx", "auto"] | None = None
    provider: Literal["azure", "openai", "skeleton"] | None = None
    dry_run: bool = False
    write: bool = False
    force: bool = False
    check: bool = False
    budget_usd: float | None = None
    require_complete: bool = False


@dataclass
class Result:
    """Everything a run found and did, for the output formats and the exit code."""

    model: LocalModel
    range: Range
    analysis: Analysis
    python_files: int
    plan: Plan | None = None
    outcome: Outcome | None = None
    files: list[FileResult] = field(default_factory=list)
    failures: list[Skip] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    check: bool = False
    bound: CostBound | None = None  # with --dry-run: the most the run may cost
    hint: Hint | None = None  # with --check: the command that writes what is missing
    rules: str = ""  # which docstring rules decided the targets, and from where

    @property
    def missing(self) -> int:
        """Return how many changed functions lack a docstring or have a stale one."""
        return len(self.analysis.work)

    @property
    def exit_code(self) -> int:
        """Return 3 when a budget or the function limit stopped the run, 1 when something
        is left undone, else 0."""
        if self.outcome is not None and (self.outcome.budget_stopped or self.outcome.limit_stopped):
            return EXIT_BUDGET
        if self.failures or (self.check and self.missing):
            return EXIT_INCOMPLETE
        return EXIT_OK

    def report(self) -> RunReport:
        """Return the facts the bot's summary comment shows, for this run."""
        outcome = self.outcome
        usage = outcome.usage if outcome is not None else UsageTotals()
        skipped = list(outcome.skipped if outcome is not None else self.analysis.skipped)
        skipped += [s for s in self.failures if s not in skipped]
        applied = [p for f in self.files for p in f.proposals]
        delivered = delivery(self.analysis, applied)
        return RunReport(
            model=self.model.label,
            usage=usage,
            suggested=tuple(p.work.function.id for p in applied),
            incomplete=delivered.incomplete,
            skipped=tuple(skipped),
            coverage_before=self.analysis.coverage_before,
            coverage_after=delivered.coverage_after,
            notes=tuple(self.notes),
            cached=delivered.cached,
            rules=self.rules,
        )


def run(
    options: Options,
    *,
    environ: Mapping[str, str] | None = None,
    progress: ProgressFactory = no_progress,
    announce: Callable[[Result], None] | None = None,
) -> Result:
    """Carry out ``docgen suggest``; raise UsageError, GitError or SettingsError on bad input.

    ``announce`` is shown the result once the files are read, before any model call:
    what is compared, and with which provider.
    """
    if options.write and options.dry_run:
        raise UsageError("--write and --dry-run cannot be used together")
    repo = _repo(options.paths)
    model = local_model(options.provider, options.budget_usd, environ)
    rng = resolve_range(
        repo,
        base=options.base,
        head=options.head,
        working_tree=options.working_tree,
        all_files=options.all_files,
    )
    rule_files = {path: _text(repo, path) for path in REPO_FILES}
    loaded = load_repo_config(_text(repo, CONFIG_PATH), rule_files=rule_files)
    files, result = _analyse(repo, rng, loaded, model, options)
    if options.check and not options.write and result.analysis.work:
        paths = [w.function.path for w in result.analysis.work]
        result.hint = write_hint(repo, rng, options, paths)
    if announce is not None:
        announce(result)
    if not result.analysis.work:
        result.files, _ = apply_proposals(files, [])
        return result
    config = loaded.config
    if options.style is not None:
        config = config.model_copy(update={"style": options.style})
    if options.require_complete:
        config = config.model_copy(update={"require_complete": True})
    loaded = loaded.with_config(config)
    samples = collect_docstrings(f.head_text for f in files if f.head_text)
    render = render_options(loaded, samples=samples)
    engine = model.engine(render, loaded)
    if options.dry_run:
        result.plan = plan_of(engine, result.analysis)
        result.bound = cost_bound(engine, result.plan, result.analysis.work)
        return result
    outcome = run_quietly(_document(model, engine, result.analysis, progress))
    _finish(result, repo, files, outcome, write=options.write)
    run_quietly(remember(engine, [p for f in result.files for p in f.proposals]))
    return result


def run_quietly(coro: Coroutine[Any, Any, _T]) -> _T:
    """Return ``asyncio.run(coro)``'s result without making it the main task's result.

    On the way out, ``asyncio.run`` looks up the SIGINT handler it installed, and
    ``signal.getsignal`` formats that handler's repr, which holds the main task and
    so the repr of its result: seconds for the outcome of a run over a large package.
    """
    box: list[_T] = []

    async def main() -> None:
        box.append(await coro)

    asyncio.run(main())
    return box[0]


def _analyse(
    repo: Repo, rng: Range, loaded: LoadedConfig, model: LocalModel, options: Options
) -> tuple[list[SourceFile], Result]:
    """Collect the files in scope and find the functions to document."""
    scope = Scope(
        pathspecs_for(repo, options.paths),
        all_files=options.all_files,
        untracked=not options.check,  # a commit check looks at what git will commit
        on_disk=options.write,
        force=options.force,
    )
    collected = collect(repo, rng, scope, loaded.config.path_included)
    if collected.blocked:
        raise UsageError(_blocked_message(collected.blocked))
    analysis = analyse(collected.files, loaded.target_rules())
    analysis.skipped.extend(collected.skipped)
    result = Result(model, rng, analysis, len(collected.files) + len(collected.skipped))
    result.notes.extend(loaded.problems)
    result.rules = loaded.docrules.describe()
    result.check = options.check
    result.failures = [s for s in analysis.skipped if s.is_failure] + _no_place(analysis)
    return collected.files, result


def _finish(
    result: Result, repo: Repo, files: list[SourceFile], outcome: Outcome, *, write: bool
) -> None:
    result.outcome = outcome
    result.notes.extend(outcome.notes)
    result.files, refused = apply_proposals(files, outcome.proposals)
    result.failures = [s for s in outcome.skipped if s.is_failure] + refused
    result.failures += _no_place(outcome.analysis)
    if write:
        result.written, refused = write_files(repo, result.files)
        result.failures += refused


def _no_place(analysis: Analysis) -> list[Skip]:
    # Locally every line may carry a docstring, so "not commentable" means no safe place.
    return [Skip(i, NO_SAFE_PLACE, kind=SkipKind.PLACEMENT) for i in analysis.not_commentable]


async def _document(
    model: LocalModel, engine: Engine, analysis: Analysis, progress: ProgressFactory
) -> Outcome:
    plan = plan_of(engine, analysis)
    shown = progress(len(analysis.work), len(plan.requests))
    try:
        async with model.caller(engine.render.style) as caller:
            counting = _Counting(caller, shown)
            return await document(_with_caller(engine, counting), analysis)
    finally:
        shown.close()


def _with_caller(engine: Engine, caller: ModelCaller) -> Engine:
    return replace(engine, caller=caller)


class _Counting:
    """A caller that reports each answered request's functions to a progress callback."""

    def __init__(self, inner: ModelCaller, progress: Progress) -> None:
        self._inner = inner
        self._progress = progress
        self._done = 0

    async def complete(self, request: PlannedRequest) -> Answer:
        """Answer ``request`` through the wrapped caller, then advance the progress."""
        try:
            return await self._inner.complete(request)
        finally:
            self._done += len(request.ids)
            self._progress.update(self._done)


def write_files(repo: Repo, files: list[FileResult]) -> tuple[list[str], list[Skip]]:
    """Write every changed file whose working-tree text is still the one analysed."""
    written: list[str] = []
    refused: list[Skip] = []
    for file in files:
        if file.new_text == file.old_text:
            continue
        if repo.read(file.path) != file.old_text.encode("utf-8"):
            why = "the file changed while docgen ran; not written"
            refused.append(Skip(file.path, why, kind=SkipKind.CONFLICT))
            continue
        (repo.root / file.path).write_bytes(file.new_text.encode("utf-8"))
        written.append(file.path)
    return written, refused


def _repo(paths: tuple[str, ...]) -> Repo:
    repo = Repo.find(Path(paths[0]))
    for path in paths[1:]:
        if Repo.find(Path(path)).root != repo.root:
            raise UsageError(f"{path} is not in the same repository as {paths[0]}")
    return repo


def _text(repo: Repo, path: str) -> str | None:
    data = repo.read(path)
    return data.decode("utf-8", errors="replace") if data is not None else None


def _blocked_message(paths: list[str]) -> str:
    shown = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
    return (
        f"refusing to --write: {shown} differ from the head in more than docstrings "
        "(commit or stash those changes, use --working-tree, or add --force)"
    )
