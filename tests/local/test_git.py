"""The git wrapper and what it collects, against real repositories."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.local.collect import Scope, collect, resolve_range
from bot.local.git import Change, GitError, NotARepository, Repo
from tests.local.gitrepo import GitRepo, isolate

FN = "def shout(text: str) -> str:\n    loud = text.upper()\n    return loud + '!'\n"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    """Return an empty repository isolated from the user's git config."""
    isolate(monkeypatch)
    return GitRepo(tmp_path / "repo")


def test_find_returns_the_top_level_from_a_subdirectory(repo: GitRepo) -> None:
    repo.commit("one", {"pkg/a.py": FN})
    assert Repo.find(repo.root / "pkg").root == repo.root.resolve()
    assert Repo.find(repo.root / "pkg" / "a.py").root == repo.root.resolve()


def test_find_refuses_a_directory_outside_any_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    with pytest.raises(NotARepository, match="is not inside a git working tree"):
        Repo.find(tmp_path)


def test_changes_report_renames_additions_and_removals(repo: GitRepo) -> None:
    body = "".join(f"def f{i}(x):\n    return x + {i}\n\n\n" for i in range(8))
    base = repo.commit("one", {"old.py": body, "gone.py": FN})
    repo.git("mv", "old.py", "new name.py")
    repo.git("rm", "-q", "gone.py")
    repo.write("added.py", "VALUE = 1\n")
    repo.commit("two")
    git = Repo(repo.root)
    changes = git.changes(base, "HEAD", [])
    assert sorted(changes, key=lambda c: c.path) == [
        Change("added.py", "added"),
        Change("gone.py", "removed"),
        Change("new name.py", "renamed", "old.py"),
    ]


def test_blobs_reads_many_files_at_once_and_leaves_out_missing_ones(repo: GitRepo) -> None:
    repo.commit("one", {"a.py": FN, "b c.py": "x = 1\n", "empty.py": ""})
    blobs = Repo(repo.root).blobs("HEAD", ["a.py", "missing.py", "b c.py", "empty.py"])
    assert blobs == {"a.py": FN.encode(), "b c.py": b"x = 1\n", "empty.py": b""}


def test_commit_resolves_names_and_refuses_options(repo: GitRepo) -> None:
    head = repo.commit("one", {"a.py": FN})
    git = Repo(repo.root)
    assert git.commit("HEAD") == head
    assert git.commit("main") == head
    assert git.commit("nope") is None
    assert git.commit("--all") is None


def test_default_branch_prefers_origin_head(repo: GitRepo) -> None:
    head = repo.commit("one", {"a.py": FN})
    git = Repo(repo.root)
    assert git.default_branch() == "main"
    repo.git("update-ref", "refs/remotes/origin/trunk", head)
    repo.git("symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/trunk")
    assert git.default_branch() == "origin/trunk"


def test_head_on_the_default_branch_is_compared_with_its_parent(repo: GitRepo) -> None:
    first = repo.commit("one", {"a.py": FN})
    repo.commit("two", {"b.py": FN})
    rng = resolve_range(Repo(repo.root), base=None, head=None, working_tree=False)
    assert rng.base == first
    assert rng.base_label.startswith("HEAD~1")
    tree = resolve_range(Repo(repo.root), base=None, head=None, working_tree=True)
    assert tree.head is None and tree.base == repo.git("rev-parse", "HEAD").strip()


def test_a_repository_without_commits(repo: GitRepo) -> None:
    git = Repo(repo.root)
    with pytest.raises(GitError, match="no commits yet"):
        resolve_range(git, base=None, head=None, working_tree=False)
    rng = resolve_range(git, base="HEAD", head=None, working_tree=True)
    assert rng.base == git.empty_tree()
    repo.write("a.py", FN)
    found = collect(git, rng, Scope(), lambda path: True)
    assert [f.path for f in found.files] == ["a.py"]


def test_collect_gives_whole_file_patches_so_every_line_is_commentable(repo: GitRepo) -> None:
    lines = [f"x{i} = {i}\n" for i in range(40)]
    base = repo.commit("one", {"m.py": "".join(lines) + FN})
    repo.commit("two", {"m.py": "".join(lines) + FN.replace("upper", "lower")})
    git = Repo(repo.root)
    rng = resolve_range(git, base=base, head=None, working_tree=False)
    (file,) = collect(git, rng, Scope(), lambda path: True).files
    assert file.patch is not None and file.base_text is not None
    hunk_headers = [line for line in file.patch.splitlines() if line.startswith("@@")]
    assert hunk_headers == ["@@ -1,43 +1,43 @@"]


def test_collect_skips_files_that_are_not_utf8(repo: GitRepo) -> None:
    base = repo.commit("one")
    (repo.root / "latin.py").write_bytes("s = 'caf\u00e9'\n".encode("latin-1"))
    repo.commit("two")
    git = Repo(repo.root)
    found = collect(git, resolve_range(git, base=base, head=None, working_tree=False), Scope(),
                    lambda path: True)  # fmt: skip
    assert found.files == []
    assert [(s.function_id, s.reason) for s in found.skipped] == [
        ("latin.py", "file could not be read (not UTF-8 text)")
    ]
