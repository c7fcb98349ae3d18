"""What ``docgen suggest`` reads: the revisions to compare and the changed Python files.

Each file goes to the engine with a patch from ``git diff`` whose context spans the
whole file, so its changed lines come from git itself while every line stays
commentable: locally there is no review that must stay inside the diff's hunks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.core.skips import Skip, SkipKind
from bot.engine.analyse import SourceFile, is_python
from bot.local.engine import same_code
from bot.local.git import Change, GitError, Repo

EMPTY_TREE_LABEL = "the empty tree"


@dataclass(frozen=True)
class Range:
    """The two sides to compare: ``head`` None means the working tree; ``base`` None, none.

    ``description`` says it in words for the first line of the output, e.g.
    "comparing HEAD~1..HEAD (1a2b3c4..5d6e7f8)".
    """

    base: str | None
    base_label: str
    head: str | None
    head_label: str
    description: str = ""


@dataclass(frozen=True)
class Scope:
    """Which files to read and from where.

    ``on_disk`` analyses the working-tree text even when comparing commits (for
    ``--write``): allowed where it differs from the head only in docstrings, or with
    ``force``. ``untracked`` adds new files git does not track yet (working tree only).
    """

    pathspecs: tuple[str, ...] = ()
    all_files: bool = False
    untracked: bool = True
    on_disk: bool = False
    force: bool = False


@dataclass
class Collected:
    """The files for the engine, files that could not be read, and files --write must spare."""

    files: list[SourceFile] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)


def short(commit: str) -> str:
    """Return the abbreviated id people read in ``git log --oneline``."""
    return commit[:7]


def resolve_range(
    repo: Repo, *, base: str | None, head: str | None, working_tree: bool, all_files: bool = False
) -> Range:
    """Resolve ``--base``/``--head``/``--working-tree`` to commits; raise GitError if unknown."""
    head_commit: str | None = None
    head_name = head or "HEAD"
    head_label = "the working tree"
    if not working_tree:
        head_commit = repo.commit(head_name)
        if head_commit is None:
            hint = " (the repository has no commits yet: use --working-tree)" if not head else ""
            raise GitError(f"{head_name!r} is not a commit in this repository{hint}")
        head_label = f"{head_name} ({short(head_commit)})"
    if all_files:
        return Range(None, "", head_commit, head_label, f"every Python file in {head_label}")
    if base is None:
        return _default_range(repo, _Head(head_name, head_commit, head_label))
    commit = repo.commit(base)
    if commit is not None:
        return _Head(head_name, head_commit, head_label).against(
            commit, f"{base} ({short(commit)})", base
        )
    if base == "HEAD" and working_tree:  # a repository without commits yet
        empty = f"{EMPTY_TREE_LABEL} (no commits yet)"
        return _Head(head_name, None, head_label).against(repo.empty_tree(), empty)
    raise GitError(f"--base {base!r} is not a commit in this repository")


@dataclass(frozen=True)
class _Head:
    """The side to document: its name, its commit (None: the working tree), its label."""

    name: str
    commit: str | None
    label: str

    def against(
        self, base: str, base_label: str, base_name: str | None = None, dots: str = ".."
    ) -> Range:
        """Return the range from ``base``, said as git would: ``HEAD~1..HEAD``, ``main...HEAD``."""
        if self.commit is None:
            said = f"comparing the working tree against {base_label}"
        elif base_name is None:
            said = f"comparing {self.label} with {base_label}"
        else:
            spans = f"{base_name}{dots}{self.name} ({short(base)}..{short(self.commit)})"
            said = f"comparing {spans}"
        return Range(base, base_label, self.commit, self.label, said)


def _default_range(repo: Repo, head: _Head) -> Range:
    """Compare with the merge base with the default branch, else with the head's parent."""
    tip = head.commit or repo.commit("HEAD")
    if tip is None:
        return head.against(repo.empty_tree(), f"{EMPTY_TREE_LABEL} (no commits yet)")
    branch = repo.default_branch()
    merge_base = repo.merge_base(branch, tip) if branch is not None else None
    if merge_base is not None and merge_base == tip and head.commit is None:
        # The working tree of the default branch (or of a branch not diverged from it).
        return head.against(merge_base, f"HEAD ({short(tip)})")
    # On the default branch itself the merge base is the head: compare with its parent.
    if merge_base is not None and merge_base != head.commit:
        label = f"the merge base with {branch} ({short(merge_base)})"
        return head.against(merge_base, label, branch, dots="...")
    parent = repo.commit(f"{tip}~1")
    if parent is not None:
        return head.against(parent, f"{head.name}~1 ({short(parent)})", f"{head.name}~1")
    label = f"{EMPTY_TREE_LABEL} ({head.name} is the first commit)"
    return head.against(repo.empty_tree(), label)


def collect(repo: Repo, rng: Range, scope: Scope, included: Callable[[str], bool]) -> Collected:
    """Read every changed (or, with ``all_files``, every) Python file in scope."""
    changes, whole = _changes(repo, rng, scope)
    changes = [c for c in changes if is_python(c.path) and c.status != "removed"]
    changes = [c for c in changes if included(c.path)]
    on_disk = rng.head is None or scope.on_disk
    heads = _texts(repo.blobs(rng.head, [c.path for c in changes])) if rng.head else {}
    disk = {c.path: repo.read(c.path) for c in changes} if on_disk else {}
    bases: dict[str, bytes] = {}
    if rng.base is not None:
        old = [c.previous_path or c.path for c in changes if c.status != "added"]
        bases = repo.blobs(rng.base, old)
    guarded = on_disk and rng.head is not None and not scope.force
    out = Collected()
    for change in changes:
        if on_disk:
            raw = disk.get(change.path)
            text = _decode(raw)
            if guarded and not same_code(heads.get(change.path), text):
                out.blocked.append(change.path)  # --write would touch work docgen did not do
                continue
        else:
            raw, text = b"", heads.get(change.path)
        if text is None:
            why = "file is missing" if raw is None else "file could not be read (not UTF-8 text)"
            out.skipped.append(Skip(change.path, why, kind=SkipKind.FILE))
            continue
        base_text = _decode(bases.get(change.previous_path or change.path))
        out.files.append(_source(repo, rng, change, text, base_text, change.path in whole, on_disk))
    return out


def _changes(repo: Repo, rng: Range, scope: Scope) -> tuple[list[Change], set[str]]:
    """Return the changes in scope, and the paths to read as wholly new."""
    untracked = repo.untracked(scope.pathspecs) if rng.head is None and scope.untracked else []
    if scope.all_files or rng.base is None:
        paths = repo.files(rng.head, scope.pathspecs) + untracked
        return [Change(p, "added") for p in paths], set(paths)
    changes = repo.changes(rng.base, rng.head, scope.pathspecs)
    return changes + [Change(p, "added") for p in untracked], set(untracked)


def _source(
    repo: Repo,
    rng: Range,
    change: Change,
    text: str,
    base_text: str | None,
    whole: bool,
    on_disk: bool,
) -> SourceFile:
    patch = None
    if not whole and rng.base is not None:
        lines = max(text.count("\n"), (base_text or "").count("\n")) + 1
        patch = repo.patch(rng.base, None if on_disk else rng.head, change, context=lines)
    return SourceFile(
        path=change.path,
        head_text=text,
        status=change.status,
        patch=patch,
        base_text=base_text,
        previous_path=change.previous_path,
        whole_file=whole,
    )


def _decode(data: bytes | None) -> str | None:
    if data is None:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _texts(blobs: dict[str, bytes]) -> dict[str, str]:
    return {path: text for path, data in blobs.items() if (text := _decode(data)) is not None}


def pathspecs_for(repo: Repo, paths: Sequence[str]) -> tuple[str, ...]:
    """Return the literal pathspecs that limit a run to ``paths`` (none: the whole repo)."""
    specs = [repo.pathspec(Path(p)) for p in paths]
    return () if any(s is None for s in specs) else tuple(s for s in specs if s is not None)
