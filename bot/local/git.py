"""A thin wrapper over the ``git`` command: what changed, and file contents at a ref or on disk.

Every call is ``git -C <root>`` with options that keep the output independent of the
user's configuration: no colour, no external diff or textconv driver, unquoted paths,
and ``-z`` wherever paths are listed.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from bot.errors import DocgenError

Status = Literal["added", "modified", "removed", "renamed"]

_STATUS: dict[str, Status] = {"A": "added", "M": "modified", "T": "modified", "D": "removed"}
_DIFF_OPTIONS = ("--no-color", "--no-ext-diff", "--no-textconv", "--no-relative", "-M")
_DEFAULT_BRANCHES = ("refs/heads/main", "refs/heads/master")
_REMOTE_DEFAULT_BRANCHES = ("refs/remotes/origin/main", "refs/remotes/origin/master")


class GitError(DocgenError):
    """git failed or refused; the message says what, in one line."""


class NotARepository(GitError):
    """The path given is not inside a git working tree."""


@dataclass(frozen=True)
class Change:
    """One file that differs between two trees, as ``git diff --name-status`` reports it."""

    path: str
    status: Status
    previous_path: str | None = None


class Repo:
    """A git working tree, addressed by its top-level directory."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def find(cls, path: Path) -> Repo:
        """Return the repository holding ``path``; raise NotARepository when there is none."""
        if not path.exists():
            raise NotARepository(f"{path} does not exist")
        where = path if path.is_dir() else path.parent
        try:
            out = _run(["git", "-C", str(where), "rev-parse", "--show-toplevel"], what="rev-parse")
        except GitError:
            raise NotARepository(f"{path} is not inside a git working tree") from None
        return cls(Path(out.decode().strip()))

    def git(self, *args: str, stdin: bytes | None = None) -> bytes:
        """Run ``git args`` in this repository and return its standard output."""
        command = ["git", "-C", str(self.root), "-c", "core.quotepath=off", *args]
        return _run(command, stdin, what=args[0])

    def commit(self, ref: str) -> str | None:
        """Return the commit ``ref`` names, or None when it names none."""
        if ref.startswith("-"):  # never let a name pass as an option
            return None
        try:
            out = self.git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
        except GitError:
            return None
        return out.decode().strip() or None

    def abbrev(self, commit: str) -> str:
        """Return the shortest id that names ``commit`` unambiguously here (7+ characters)."""
        return self.git("rev-parse", "--short", commit).decode().strip()

    def empty_tree(self) -> str:
        """Return the id of the empty tree (it differs between SHA-1 and SHA-256 repositories)."""
        return self.git("hash-object", "-t", "tree", "--stdin", stdin=b"").decode().strip()

    def default_branch(self) -> str | None:
        """Return the default branch: ``origin/HEAD``'s target, else main or master."""
        try:
            out = self.git("symbolic-ref", "--quiet", "refs/remotes/origin/HEAD").decode().strip()
        except GitError:
            out = ""
        for ref in (out, *_DEFAULT_BRANCHES, *_REMOTE_DEFAULT_BRANCHES):
            if ref and self.commit(ref) is not None:
                return ref.removeprefix("refs/heads/").removeprefix("refs/remotes/")
        return None

    def merge_base(self, first: str, second: str) -> str | None:
        """Return the best common ancestor of two commits, or None when they share none."""
        try:
            return self.git("merge-base", first, second).decode().strip() or None
        except GitError:
            return None

    def changes(self, base: str, head: str | None, pathspecs: Sequence[str]) -> list[Change]:
        """Return the files that differ from ``base`` in ``head`` (None: the working tree)."""
        revs = [base] if head is None else [base, head]
        out = self.git("diff", "--name-status", "-z", *_DIFF_OPTIONS, *revs, "--", *pathspecs)
        fields = _fields(out)
        changes: list[Change] = []
        while fields:
            code = fields.pop(0)
            if code.startswith("R"):
                old, new = fields.pop(0), fields.pop(0)
                changes.append(Change(new, "renamed", old))
            elif code[:1] in _STATUS:
                changes.append(Change(fields.pop(0), _STATUS[code[:1]]))
            else:  # unmerged or unknown: nothing docgen can read reliably
                fields.pop(0)
        return changes

    def patch(self, base: str, head: str | None, change: Change, *, context: int) -> str:
        """Return one file's unified diff with ``context`` lines around each change."""
        revs = [base] if head is None else [base, head]
        paths = [change.path]
        if change.previous_path is not None:
            paths.insert(0, change.previous_path)
        out = self.git("diff", f"-U{context}", *_DIFF_OPTIONS, *revs, "--", *_literal(paths))
        return out.decode("utf-8", errors="surrogateescape")

    def untracked(self, pathspecs: Sequence[str]) -> list[str]:
        """Return the untracked files that are not ignored."""
        out = self.git("ls-files", "-z", "--others", "--exclude-standard", "--", *pathspecs)
        return _fields(out)

    def files(self, head: str | None, pathspecs: Sequence[str]) -> list[str]:
        """Return every file in ``head``'s tree, or tracked in the working tree when None."""
        if head is None:
            out = self.git("ls-files", "-z", "--cached", "--", *pathspecs)
            return [path for path in _fields(out) if (self.root / path).is_file()]
        return _fields(self.git("ls-tree", "-r", "-z", "--name-only", head, "--", *pathspecs))

    def blobs(self, ref: str, paths: Iterable[str]) -> dict[str, bytes]:
        """Return the contents of ``paths`` at ``ref``; paths missing there are left out."""
        wanted = [p for p in paths if "\n" not in p]  # --batch reads one name per line
        if not wanted:
            return {}
        names = "".join(f"{ref}:{path}\n" for path in wanted).encode()
        out = self.git("cat-file", "--batch", stdin=names)
        found: dict[str, bytes] = {}
        at = 0
        for path in wanted:
            end = out.index(b"\n", at)
            header = out[at:end].split(b" ")
            at = end + 1
            if len(header) == 3 and header[2].isdigit():  # "<oid> <type> <size>"
                size = int(header[2])
                if header[1] == b"blob":
                    found[path] = out[at : at + size]
                at += size + 1
        return found

    def read(self, path: str) -> bytes | None:
        """Return a working-tree file's bytes, or None when it is not a readable file."""
        try:
            return (self.root / path).read_bytes()
        except OSError:
            return None

    def pathspec(self, path: Path) -> str | None:
        """Return the literal pathspec for ``path`` (None for the whole repository)."""
        relative = path.resolve().relative_to(self.root.resolve()).as_posix()
        return None if relative == "." else _literal([relative])[0]


def _literal(paths: Iterable[str]) -> list[str]:
    # Paths are names, not globs: "a[1].py" must match that file only.
    return [f":(literal){path}" for path in paths]


def _fields(out: bytes) -> list[str]:
    return [f.decode("utf-8", errors="surrogateescape") for f in out.split(b"\0") if f]


def _run(command: list[str], stdin: bytes | None = None, *, what: str) -> bytes:
    try:
        done = subprocess.run(command, input=stdin, capture_output=True, check=False)
    except FileNotFoundError:
        raise GitError("git is not installed (or not on PATH)") from None
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        detail = message[-1] if message else f"exit status {done.returncode}"
        raise GitError(f"git {what} failed: {detail}")
    return done.stdout
