"""The fake GitHub's directory listings (contents API on a directory), driven through githubkit."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest
from githubkit.exception import RequestFailed
from githubkit_schemas.v2026_03_10.models import ContentDirectoryItems, ContentFile

from tests.fakes.github import FakeGitHub, Route
from tests.fakes.github_json import git_blob_sha
from tests.fakes.github_tree import LISTING_LIMIT
from tests.fakes.test_fake_github import INSTALLATION, OWNER, REPO, as_list, installation_client

FILES = {
    "pyproject.toml": "[project]\nname = 'demo'\n",
    ".pre-commit-config.yaml": "repos: []\n",
    ".github/docgen.yml": "style: google\n",
    "src/demo/__init__.py": "",
    "src/demo/io.py": "x = 1\n",
    "src/demo-tools.py": "y = 2\n",  # "-" sorts before "/": git orders "demo/" after it
}


def _seed(fake: FakeGitHub, ref: str | None = None) -> None:
    fake.add_installation(INSTALLATION, repos=[f"{OWNER}/{REPO}"])
    for path, text in FILES.items():
        fake.add_file(OWNER, REPO, path, text, ref=ref)


def _git_tree_sha(tmp: Path, directory: str) -> str:
    """Return the tree SHA git itself gives ``directory`` of FILES."""
    for path, text in FILES.items():
        (tmp / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp / path).write_text(text)

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=tmp, capture_output=True, text=True, check=True)
        return done.stdout.strip()

    git("init", "-q")
    git("add", "-A")
    return git("rev-parse", f"{git('write-tree')}:{directory}")


async def test_the_root_lists_files_and_directories_in_git_order(
    fake_github: FakeGitHub, tmp_path: Path
) -> None:
    _seed(fake_github)
    gh = installation_client(fake_github)
    answer = await gh.rest.repos.async_get_content(OWNER, REPO, "", ref="main")
    listed = as_list(answer.parsed_data, ContentDirectoryItems)
    assert [(e.name, e.type) for e in listed] == [
        (".github", "dir"),
        (".pre-commit-config.yaml", "file"),
        ("pyproject.toml", "file"),
        ("src", "dir"),
    ]
    pyproject = listed[2]
    text = FILES["pyproject.toml"].encode()
    assert (pyproject.path, pyproject.size, pyproject.sha) == (
        "pyproject.toml",
        len(text),
        git_blob_sha(text),
    )
    assert pyproject.download_url and pyproject.links.self_ == pyproject.url
    src = listed[3]
    assert (src.size, src.download_url) == (0, None)
    assert src.sha == _git_tree_sha(tmp_path, "src")
    # Without a ref, the default branch; "/contents" without the slash is the root too.
    again = await gh.rest.repos.async_get_content(OWNER, REPO, "")
    assert answer.json() == again.json()
    bare = await gh.arequest("GET", f"/repos/{OWNER}/{REPO}/contents")
    assert bare.json() == answer.json()
    assert fake_github.requests(Route.GET_CONTENT)[-1].path.endswith("/contents")  # no redirect


async def test_a_directory_lists_its_own_entries_and_a_file_stays_a_file(
    fake_github: FakeGitHub, tmp_path: Path
) -> None:
    _seed(fake_github)
    gh = installation_client(fake_github)
    src = as_list(
        (await gh.rest.repos.async_get_content(OWNER, REPO, "src")).parsed_data,
        ContentDirectoryItems,
    )
    assert [(e.path, e.type) for e in src] == [
        ("src/demo-tools.py", "file"),
        ("src/demo", "dir"),
    ]
    assert src[1].sha == _git_tree_sha(tmp_path, "src/demo")
    file = (await gh.rest.repos.async_get_content(OWNER, REPO, "src/demo/io.py")).parsed_data
    assert isinstance(file, ContentFile)


@pytest.mark.parametrize(("path", "ref"), [("", "nope"), ("src", "nope"), ("lib", "main")])
async def test_a_missing_ref_or_directory_is_a_404(
    fake_github: FakeGitHub, path: str, ref: str
) -> None:
    _seed(fake_github)
    gh = installation_client(fake_github)
    with pytest.raises(RequestFailed) as missing:
        await gh.rest.repos.async_get_content(OWNER, REPO, path, ref=ref)
    assert missing.value.response.status_code == 404


async def test_an_empty_repository_root_is_a_404(fake_github: FakeGitHub) -> None:
    fake_github.add_installation(INSTALLATION, repos=[f"{OWNER}/{REPO}"])
    gh = installation_client(fake_github)
    with pytest.raises(RequestFailed) as empty:
        await gh.rest.repos.async_get_content(OWNER, REPO, "")
    assert empty.value.response.status_code == 404


async def test_a_listing_stops_at_a_thousand_entries(fake_github: FakeGitHub) -> None:
    fake_github.add_installation(INSTALLATION, repos=[f"{OWNER}/{REPO}"])
    for i in range(LISTING_LIMIT + 5):
        fake_github.add_file(OWNER, REPO, f"f{i:04d}.txt", "")
    gh = installation_client(fake_github)
    listed = as_list(
        (await gh.rest.repos.async_get_content(OWNER, REPO, "")).parsed_data,
        ContentDirectoryItems,
    )
    assert (len(listed), listed[-1].name) == (LISTING_LIMIT, "f0999.txt")


def test_a_listing_needs_the_installation_token(fake_github: FakeGitHub) -> None:
    _seed(fake_github)
    response = httpx.get(f"{fake_github.base_url}/repos/{OWNER}/{REPO}/contents/", timeout=10)
    assert response.status_code == 401
