"""The GitHub client of the worker, against the fake GitHub: plain data from typed answers."""

from __future__ import annotations

from typing import Any

import pytest
from githubkit.exception import RequestFailed
from githubkit.versions import LATEST_VERSION

from bot.settings import Settings
from bot.worker.github import (
    DIRECTORY_LISTING_LIMIT,
    MAX_FILE_BYTES,
    ChangedFile,
    GitHubApp,
    PostedComment,
    PullRequest,
    RepoClient,
)
from tests.fakes.github import FakeGitHub, PrFile, Route
from tests.fakes.github_json import Urls
from tests.fakes.github_objects import content_file

OWNER, REPO, NUMBER, INSTALLATION = "octo", "demo", 7, 42
HEAD, BASE = "a" * 40, "b" * 40


def client(fake: FakeGitHub) -> RepoClient:
    """Return the bot's client for octo/demo, as the worker builds it (no Redis cache)."""
    settings = Settings.from_env(
        {
            "GITHUB_APP_ID": str(fake.app_id),
            "GITHUB_PRIVATE_KEY": fake.private_key_pem,
            "GITHUB_API_URL": fake.base_url,
        }
    )
    return GitHubApp(settings).repo(INSTALLATION, f"{OWNER}/{REPO}")


def seed(fake: FakeGitHub, files: list[PrFile], **fields: Any) -> None:
    """Install the App on octo/demo and open PR #7 with ``files``."""
    fake.add_installation(INSTALLATION, repos=[f"{OWNER}/{REPO}"])
    fake.add_pull_request(OWNER, REPO, NUMBER, head_sha=HEAD, base_sha=BASE, files=files, **fields)


async def test_pull_request_facts(fake_github: FakeGitHub) -> None:
    seed(fake_github, [], draft=True, base_ref="release", user_login="renovate[bot]")
    fake_github.set_default_branch(OWNER, REPO, "trunk")
    pr = await client(fake_github).pull_request(NUMBER)
    assert pr == PullRequest(
        number=NUMBER,
        state="open",
        draft=True,
        head_sha=HEAD,
        base_sha=BASE,
        base_ref="release",
        default_branch="trunk",
        author="renovate[bot]",
        author_is_bot=True,
    )


async def test_changed_files_follow_every_page(fake_github: FakeGitHub) -> None:
    files = [PrFile.from_texts(f"pkg/m{i:03d}.py", "a\n", "b\n") for i in range(250)]
    seed(fake_github, files)
    listed = await client(fake_github).changed_files(NUMBER)
    assert [f.path for f in listed] == [f.filename for f in files]
    requests = fake_github.requests(Route.LIST_FILES)
    assert [(r.query["page"], r.query["per_page"]) for r in requests[1:]] == [
        ("2", "100"),
        ("3", "100"),
    ]
    assert {r.headers.get("x-github-api-version") for r in requests} == {LATEST_VERSION}


async def test_changed_files_without_patch_or_rename_read_as_none(
    fake_github: FakeGitHub,
) -> None:
    seed(
        fake_github,
        [
            PrFile.from_texts("src/mod.py", "x = 1\n", "x = 2\ny = 3\n"),
            PrFile("src/moved.py", status="renamed", previous_filename="src/old.py", patch=""),
            PrFile.from_texts("src/big.py", "a\n", "b\n", patch_too_large=True),
            PrFile("logo.png", status="added", binary=True),
        ],
    )
    by_path = {f.path: f for f in await client(fake_github).changed_files(NUMBER)}
    assert by_path["src/mod.py"] == ChangedFile(
        "src/mod.py", "modified", "@@ -1 +1,2 @@\n-x = 1\n+x = 2\n+y = 3", None, 2, 1
    )
    assert by_path["src/moved.py"] == ChangedFile(
        "src/moved.py", "renamed", None, "src/old.py", 0, 0
    )
    assert (by_path["src/big.py"].patch, by_path["src/big.py"].additions) == (None, 1)
    assert by_path["logo.png"] == ChangedFile("logo.png", "added", None, None, 0, 0)


async def test_changed_files_stop_at_three_thousand(fake_github: FakeGitHub) -> None:
    seed(fake_github, [PrFile(f"f{i}.txt", patch="@@ -1 +1 @@\n-a\n+b") for i in range(3010)])
    listed = await client(fake_github).changed_files(NUMBER)
    assert (len(listed), listed[-1].path) == (3000, "f2999.txt")
    assert fake_github.request_count(Route.LIST_FILES) == 30


async def test_file_text(fake_github: FakeGitHub) -> None:
    seed(fake_github, [])
    fake_github.add_file(OWNER, REPO, "src/mod.py", "x = 'é'\n", ref=HEAD)
    fake_github.add_file(OWNER, REPO, "data.bin", b"\xff\xfe\x00binary", ref=HEAD)
    repo = client(fake_github)
    assert await repo.file_text("src/mod.py", HEAD) == "x = 'é'\n"
    assert await repo.file_text("src/mod.py", BASE) is None  # 404
    assert await repo.file_text("data.bin", HEAD) is None  # not UTF-8


async def test_file_text_over_1_mib_is_fetched_raw(fake_github: FakeGitHub) -> None:
    seed(fake_github, [])
    big = "TABLE = [\n" + f"    {'é' * 60!r},\n" * 10_000 + "]\n"  # 1.2 MiB of UTF-8
    assert len(big.encode()) > 1024 * 1024
    fake_github.add_file(OWNER, REPO, "src/table.py", big, ref=HEAD)
    repo = client(fake_github)
    assert await repo.file_text("src/table.py", HEAD) == big
    first, second = fake_github.requests(Route.GET_CONTENT)
    assert "raw" not in first.headers["accept"] and "raw" in second.headers["accept"]
    assert repo.oversized == {}


async def test_file_text_over_the_limit_is_none_and_named(fake_github: FakeGitHub) -> None:
    seed(fake_github, [])
    huge = b"x = 1\n" * (MAX_FILE_BYTES // 6 + 1)
    fake_github.add_file(OWNER, REPO, "src/huge.py", huge, ref=HEAD)
    repo = client(fake_github)
    assert await repo.file_text("src/huge.py", HEAD) is None
    assert repo.oversized == {"src/huge.py": len(huge)}
    assert len(fake_github.requests(Route.GET_CONTENT)) == 1  # its bytes were never asked for


def _symlink(fake: FakeGitHub, path: str) -> dict[str, object]:
    url = f"{fake.base_url}/repos/{OWNER}/{REPO}/contents/{path}"
    return {
        "type": "symlink",
        "target": "/etc/outside",
        "size": 12,
        "name": path,
        "path": path,
        "sha": "c" * 40,
        "url": url,
        "git_url": None,
        "html_url": None,
        "download_url": None,
        "_links": {"self": url, "git": None, "html": None},
    }


async def test_file_text_of_a_symlink_or_bad_base64_is_none(fake_github: FakeGitHub) -> None:
    seed(fake_github, [])
    fake_github.add_file(OWNER, REPO, "link.py", "x = 1\n", ref=HEAD)
    repo = client(fake_github)
    fake_github.fail_next(Route.GET_CONTENT, 200, body=_symlink(fake_github, "link.py"))
    assert await repo.file_text("link.py", HEAD) is None
    # A complete file answer whose base64 is cut short.
    urls = Urls(api=fake_github.base_url, web=fake_github.base_url.removesuffix("/api/v3"))
    answer = content_file(urls, OWNER, REPO, "link.py", HEAD, b"x = 1\n")
    fake_github.fail_next(Route.GET_CONTENT, 200, body=answer | {"content": "eD0x\neA"})
    assert await repo.file_text("link.py", HEAD) is None
    assert await repo.file_text("link.py", HEAD) == "x = 1\n"


async def test_root_names_lists_the_files_and_folders_at_the_root(fake_github: FakeGitHub) -> None:
    seed(fake_github, [])
    for path in ("pyproject.toml", ".pre-commit-config.yaml", ".github/docgen.yml", "src/a.py"):
        fake_github.add_file(OWNER, REPO, path, "x\n")
    fake_github.add_file(OWNER, REPO, "tox.ini", "[tox]\n", ref=HEAD)  # not on main
    repo = client(fake_github)
    assert await repo.root_names("main") == frozenset(
        {"pyproject.toml", ".pre-commit-config.yaml", ".github/", "src/"}
    )
    [listing] = fake_github.requests(Route.GET_CONTENT)
    assert (listing.path, listing.query) == (
        f"/api/v3/repos/{OWNER}/{REPO}/contents/",
        {"ref": "main"},
    )


async def test_root_names_of_an_empty_repository_or_a_cut_listing(fake_github: FakeGitHub) -> None:
    seed(fake_github, [])
    repo = client(fake_github)
    assert await repo.root_names("main") == frozenset()  # 404: nothing at the root
    for i in range(DIRECTORY_LISTING_LIMIT + 1):
        fake_github.add_file(OWNER, REPO, f"f{i:04d}.txt", "")
    assert await repo.root_names("main") is None  # GitHub listed only 1,000: absence unknown
    fake_github.fail_next(Route.GET_CONTENT, 403, body={"message": "Resource not accessible"})
    with pytest.raises(RequestFailed):
        await repo.root_names("main")


async def test_comments_all_pages_and_who_wrote_them(fake_github: FakeGitHub) -> None:
    seed(fake_github, [PrFile.from_texts("src/mod.py", "x = 1\n", "x = 2\n")])
    for i in range(150):
        fake_github.add_issue_comment(OWNER, REPO, NUMBER, f"c{i}", user_login="alice")
    ours = fake_github.add_issue_comment(OWNER, REPO, NUMBER, "<!-- docgen:summary -->")
    repo = client(fake_github)
    conversation = await repo.issue_comments(NUMBER)
    assert len(conversation) == 151 and conversation[0] == PostedComment(
        conversation[0].id, "c0", False
    )
    assert conversation[-1] == PostedComment(ours.id, "<!-- docgen:summary -->", True)
    assert fake_github.request_count(Route.LIST_ISSUE_COMMENTS) == 2

    review = {"path": "src/mod.py", "body": "fn", "line": 1, "side": "RIGHT"}
    await repo.create_review(NUMBER, commit_id=HEAD, body="", comments=[review])
    [posted] = await repo.review_comments(NUMBER)
    assert (posted.body, posted.author_is_bot) == ("fn", True)


async def test_writes_return_ids_and_permission_folds_roles(fake_github: FakeGitHub) -> None:
    seed(fake_github, [])
    repo = client(fake_github)
    comment_id = await repo.create_comment(NUMBER, "v1")
    await repo.update_comment(comment_id, "v2")
    await repo.react(comment_id)
    assert [(c.id, c.body) for c in fake_github.issue_comments] == [(comment_id, "v2")]
    fake_github.set_role(OWNER, REPO, "alice", "maintain")
    assert await repo.permission("alice") == "write"
    assert await repo.permission("nobody") == "none"


async def test_content_errors_other_than_404_are_raised(fake_github: FakeGitHub) -> None:
    seed(fake_github, [])
    fake_github.fail_next(Route.GET_CONTENT, 403, body={"message": "Resource not accessible"})
    with pytest.raises(RequestFailed) as failure:
        await client(fake_github).file_text("x.py", HEAD)
    assert failure.value.response.status_code == 403
