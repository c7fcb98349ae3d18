"""The fake GitHub, driven through githubkit as the bot drives the real one."""

from __future__ import annotations

import base64
import json
import time
from datetime import timedelta
from typing import Any, TypeVar, cast

import httpx
import jwt
import pytest
from githubkit import AppAuthStrategy, AppInstallationAuthStrategy, GitHub
from githubkit.cache import MemCacheStrategy
from githubkit.exception import RequestError, RequestFailed, SecondaryRateLimitExceeded
from githubkit_schemas.v2026_03_10.models import (
    ContentFile,
    DiffEntry,
    IssueComment,
    PullRequestReview,
    PullRequestReviewComment,
)

from tests.fakes.github import FakeGitHub, FakeGitHubServer, PrFile, Route
from tests.fakes.github_diff import find_hunk, make_patch, parse_hunks
from tests.fakes.keys import generate_key_pair

T = TypeVar("T")
OWNER, REPO, NUMBER, INSTALLATION = "octo", "demo", 7, 42
HEAD, BASE = "a" * 40, "b" * 40

BASE_TEXT = "".join(f"line{i}\n" for i in range(1, 31))
# Two lines added after line 3 and line 24 changed: two hunks, too far apart to merge.
HEAD_TEXT = BASE_TEXT.replace("line3\n", "line3\nadded3a\nadded3b\n").replace(
    "line24\n", "changed24\n"
)
LINE_IN_FIRST_HUNK = 5  # "added3b" (old line 3 is new line 3; two added after it)
LINE_IN_SECOND_HUNK = 26  # "changed24" lands on new line 26
LINE_OUTSIDE = 15


def app_client(
    fake: FakeGitHub, *, key: str | None = None, app_id: int | None = None
) -> GitHub[AppAuthStrategy]:
    """Return an App-authenticated client with its own token cache and no retries."""
    auth = AppAuthStrategy(app_id or fake.app_id, key or fake.private_key_pem)
    return GitHub(
        auth,
        base_url=fake.base_url,
        timeout=10,
        cache_strategy=MemCacheStrategy(),
        # A per-client MemCacheStrategy with the HTTP cache on leaks a sqlite connection.
        http_cache=False,
        auto_retry=False,
    )


def installation_client(fake: FakeGitHub, **kwargs: Any) -> GitHub[AppInstallationAuthStrategy]:
    """Return a client acting as the test installation."""
    app = app_client(fake, **kwargs)
    return app.with_auth(app.auth.as_installation(INSTALLATION))


def as_list(data: object, model: type[T]) -> list[T]:
    """Check a parsed list answer (githubkit's `list[...]` annotations confuse mypy)."""
    assert isinstance(data, list) and all(isinstance(x, model) for x in data)
    return cast(list[T], data)


async def collect(pages: Any, model: type[T]) -> list[T]:
    """Drain a githubkit paginator."""
    return as_list([x async for x in pages], model)


def seed(fake: FakeGitHub, files: list[PrFile] | None = None) -> None:
    """Install the App on octo/demo and open PR #7 changing one Python file."""
    fake.add_installation(INSTALLATION, repos=[f"{OWNER}/{REPO}"])
    if files is None:
        files = [PrFile.from_texts("src/mod.py", BASE_TEXT, HEAD_TEXT)]
    fake.add_pull_request(OWNER, REPO, NUMBER, head_sha=HEAD, base_sha=BASE, files=files)


def comment(line: int, **extra: Any) -> dict[str, Any]:
    """Build a review comment on src/mod.py."""
    body = "```suggestion\nx\n```"
    return {"path": "src/mod.py", "body": body, "line": line, "side": "RIGHT"} | extra


# -- auth ---------------------------------------------------------------------------------


async def test_app_jwt_to_installation_token_and_token_caching(fake_github: FakeGitHub) -> None:
    seed(fake_github)
    gh = installation_client(fake_github)
    pr = (await gh.rest.pulls.async_get(OWNER, REPO, NUMBER)).parsed_data
    again = (await gh.rest.pulls.async_get(OWNER, REPO, NUMBER)).parsed_data
    assert (pr.head.sha, pr.base.sha, pr.draft, pr.number) == (HEAD, BASE, False, NUMBER)
    assert again.head.sha == HEAD
    assert fake_github.tokens_minted == 1
    assert fake_github.request_count(Route.GET_PULL) == 2
    assert all("authorization" not in r.headers for r in fake_github.requests())


async def test_client_with_default_caches_sees_fresh_state(fake_github: FakeGitHub) -> None:
    # The bot's client keeps githubkit's defaults: process-wide token cache and HTTP cache.
    seed(fake_github)
    auth = AppInstallationAuthStrategy(
        fake_github.app_id, fake_github.private_key_pem, INSTALLATION
    )
    gh = GitHub(auth, base_url=fake_github.base_url, timeout=10)
    async with gh:
        assert (await gh.rest.pulls.async_get(OWNER, REPO, NUMBER)).parsed_data.head.sha == HEAD
        fake_github.add_pull_request(OWNER, REPO, NUMBER, head_sha="c" * 40)
        assert (await gh.rest.pulls.async_get(OWNER, REPO, NUMBER)).parsed_data.head.sha == "c" * 40
    assert fake_github.tokens_minted == 1


@pytest.mark.parametrize("problem", ["wrong key", "wrong iss"])
async def test_bad_app_jwt_is_refused(fake_github: FakeGitHub, problem: str) -> None:
    seed(fake_github)
    if problem == "wrong key":
        gh = installation_client(fake_github, key=generate_key_pair().private_pem)
    else:
        gh = installation_client(fake_github, app_id=fake_github.app_id + 1)
    with pytest.raises(RequestError) as failure:
        await gh.rest.pulls.async_get(OWNER, REPO, NUMBER)
    # githubkit wraps a failed token mint: RequestError caused by the token POST's RequestFailed.
    cause = failure.value.__cause__
    assert isinstance(cause, RequestFailed) and cause.response.status_code == 401
    assert fake_github.tokens_minted == 0
    assert fake_github.request_count(Route.GET_PULL) == 0


def _post_token(fake: FakeGitHub, claims: dict[str, Any]) -> httpx.Response:
    # PyJWS signs any payload; PyJWT's encode would refuse the integer `iss` tried below.
    payload = json.dumps(claims).encode()
    token = jwt.PyJWS().encode(payload, fake.private_key_pem, algorithm="RS256")
    url = f"{fake.base_url}/app/installations/{INSTALLATION}/access_tokens"
    return httpx.post(url, json={}, headers={"Authorization": f"Bearer {token}"}, timeout=10)


@pytest.mark.parametrize(
    ("claims", "accepted"),
    [
        ({"iat": -60, "exp": 540}, True),
        ({"iat": -60, "exp": 600}, False),  # 11 minutes after iat
        ({"iat": -700, "exp": -10}, False),  # expired
        ({"exp": 540}, False),  # no iat
    ],
)
def test_app_jwt_lifetime_rules(
    fake_github: FakeGitHub, claims: dict[str, int], accepted: bool
) -> None:
    seed(fake_github)
    now = int(time.time())
    payload: dict[str, Any] = {k: now + v for k, v in claims.items()}
    payload["iss"] = str(fake_github.app_id)
    response = _post_token(fake_github, payload)
    assert response.status_code == (201 if accepted else 401)
    if accepted:
        assert response.json()["expires_at"].endswith("Z")
        assert response.json()["repository_selection"] == "selected"
    else:
        assert response.json()["status"] == "401"


def test_integer_iss_and_unknown_installation(fake_github: FakeGitHub) -> None:
    now = int(time.time())
    claims: dict[str, Any] = {"iat": now - 60, "exp": now + 500, "iss": str(fake_github.app_id)}
    assert _post_token(fake_github, claims).status_code == 404  # nothing installed
    seed(fake_github)
    assert _post_token(fake_github, claims | {"iss": fake_github.app_id}).status_code == 401
    assert _post_token(fake_github, claims).status_code == 201


async def test_expired_installation_token_gets_401(fake_github: FakeGitHub) -> None:
    seed(fake_github)
    gh = installation_client(fake_github)
    await gh.rest.pulls.async_get(OWNER, REPO, NUMBER)
    fake_github.expire_tokens()
    with pytest.raises(RequestFailed) as failure:
        await gh.rest.pulls.async_get(OWNER, REPO, NUMBER)
    assert failure.value.response.status_code == 401
    assert failure.value.response.json() == {
        "message": "Bad credentials",
        "documentation_url": "https://docs.github.com/rest",
        "status": "401",
    }


def test_no_token_and_unreachable_repository(fake_github: FakeGitHub) -> None:
    seed(fake_github)
    fake_github.add_pull_request("other", "repo", 1, head_sha=HEAD)
    url = f"{fake_github.base_url}/repos/{OWNER}/{REPO}/pulls/{NUMBER}"
    assert httpx.get(url, timeout=10).status_code == 401
    gh = installation_client(fake_github)
    with pytest.raises(RequestFailed) as failure:
        gh.rest.pulls.get("other", "repo", 1)  # the sync API works against the fake too
    assert failure.value.response.status_code == 404


async def test_short_token_lifetime_is_reported(fake_github: FakeGitHub) -> None:
    seed(fake_github)
    fake_github.token_lifetime = timedelta(seconds=90)
    gh = AppInstallationAuthStrategy(fake_github.app_id, fake_github.private_key_pem, INSTALLATION)
    client = GitHub(
        gh,
        base_url=fake_github.base_url,
        timeout=10,
        cache_strategy=MemCacheStrategy(),
        http_cache=False,
    )
    await client.rest.pulls.async_get(OWNER, REPO, NUMBER)
    await client.rest.pulls.async_get(OWNER, REPO, NUMBER)
    # githubkit keeps a token until one minute before expiry: 90 s tokens are reused.
    assert fake_github.tokens_minted == 1


# -- reading ------------------------------------------------------------------------------


async def test_files_paginate_with_absolute_links(fake_github: FakeGitHub) -> None:
    files = [PrFile.from_texts(f"pkg/m{i}.py", "a\n", "b\n") for i in range(250)]
    seed(fake_github, files)
    gh = installation_client(fake_github)
    pages: Any = gh.rest.paginate(
        gh.rest.pulls.async_list_files, owner=OWNER, repo=REPO, pull_number=NUMBER, per_page=100
    )
    listed = await collect(pages, DiffEntry)
    assert [e.filename for e in listed] == [f.filename for f in files]
    assert fake_github.request_count(Route.LIST_FILES) == 3
    assert [r.query["page"] for r in fake_github.requests(Route.LIST_FILES)[1:]] == ["2", "3"]
    first = await gh.rest.pulls.async_list_files(OWNER, REPO, NUMBER, per_page=100)
    link = first.headers["link"]
    api = f"{fake_github.base_url}/repos/{OWNER}/{REPO}/pulls/{NUMBER}/files"
    assert f'<{api}?per_page=100&page=2>; rel="next"' in link
    assert f'<{api}?per_page=100&page=3>; rel="last"' in link
    default = await gh.rest.pulls.async_list_files(OWNER, REPO, NUMBER)
    assert len(as_list(default.parsed_data, DiffEntry)) == 30


async def test_file_entries_carry_patch_status_and_renames(fake_github: FakeGitHub) -> None:
    files = [
        PrFile.from_texts("src/mod.py", BASE_TEXT, HEAD_TEXT),
        PrFile.from_texts("src/new.py", None, "x = 1\n"),
        PrFile("src/moved.py", status="renamed", previous_filename="src/old.py", patch=""),
        PrFile.from_texts("src/big.py", "a\n", "b\n", patch_too_large=True),
        PrFile("logo.png", status="added", binary=True),
    ]
    seed(fake_github, files)
    gh = installation_client(fake_github)
    answer = await gh.rest.pulls.async_list_files(OWNER, REPO, NUMBER)
    entries = as_list(answer.parsed_data, DiffEntry)
    by_name = {e.filename: e for e in entries}
    assert by_name["src/mod.py"].patch == make_patch(BASE_TEXT, HEAD_TEXT)
    assert (by_name["src/mod.py"].additions, by_name["src/mod.py"].deletions) == (3, 1)
    assert by_name["src/new.py"].status == "added"
    assert by_name["src/new.py"].patch == "@@ -0,0 +1 @@\n+x = 1"
    assert by_name["src/moved.py"].previous_filename == "src/old.py"
    assert not by_name["src/big.py"].patch and not by_name["logo.png"].patch
    assert by_name["src/big.py"].changes == 2


async def test_file_list_stops_at_3000(fake_github: FakeGitHub) -> None:
    seed(fake_github, [PrFile(f"f{i}.txt", patch="@@ -1 +1 @@\n-a\n+b") for i in range(3010)])
    gh = installation_client(fake_github)
    last = await gh.rest.pulls.async_list_files(OWNER, REPO, NUMBER, per_page=100, page=30)
    beyond = await gh.rest.pulls.async_list_files(OWNER, REPO, NUMBER, per_page=100, page=31)
    assert as_list(last.parsed_data, DiffEntry)[-1].filename == "f2999.txt"
    assert 'rel="next"' not in last.headers["link"]
    assert as_list(beyond.parsed_data, DiffEntry) == []


async def test_contents_base64_raw_and_missing(fake_github: FakeGitHub) -> None:
    seed(fake_github)
    fake_github.add_file(OWNER, REPO, ".github/docgen.yml", "style: google\n")
    gh = installation_client(fake_github)
    data = (await gh.rest.repos.async_get_content(OWNER, REPO, "src/mod.py", ref=HEAD)).parsed_data
    assert isinstance(data, ContentFile)
    assert data.type == "file" and data.path == "src/mod.py"
    assert base64.b64decode(data.content).decode() == HEAD_TEXT
    raw = await gh.rest.repos.async_get_content(
        OWNER, REPO, "src/mod.py", ref=HEAD, headers={"Accept": "application/vnd.github.raw+json"}
    )
    assert raw.content == HEAD_TEXT.encode()
    config = await gh.rest.repos.async_get_content(OWNER, REPO, ".github/docgen.yml")
    assert isinstance(config.parsed_data, ContentFile)
    assert base64.b64decode(config.parsed_data.content) == b"style: google\n"
    with pytest.raises(RequestFailed) as failure:
        await gh.rest.repos.async_get_content(OWNER, REPO, "src/mod.py", ref=BASE)
    assert failure.value.response.status_code == 404


async def test_contents_over_1_mib_come_raw_only(fake_github: FakeGitHub) -> None:
    seed(fake_github)
    big = b"# " + b"x" * (1024 * 1024) + b"\n"
    fake_github.add_file(OWNER, REPO, "big.py", big, ref=HEAD)
    gh = installation_client(fake_github)
    data = (await gh.rest.repos.async_get_content(OWNER, REPO, "big.py", ref=HEAD)).parsed_data
    assert isinstance(data, ContentFile)
    assert (data.encoding, data.content, data.size) == ("none", "", len(big))
    for accept in ("application/vnd.github.raw", "application/vnd.github.v3.raw; q=1"):
        raw = await gh.rest.repos.async_get_content(
            OWNER, REPO, "big.py", ref=HEAD, headers={"Accept": accept}
        )
        assert raw.content == big
    # A media type that merely mentions "raw" is not one GitHub serves bytes for.
    other = await gh.rest.repos.async_get_content(
        OWNER, REPO, "big.py", ref=HEAD, headers={"Accept": "application/vnd.github.rawish"}
    )
    assert isinstance(other.parsed_data, ContentFile) and other.parsed_data.encoding == "none"


@pytest.mark.parametrize(("role", "permission"), [("maintain", "write"), ("admin", "admin")])
async def test_collaborator_permission(fake_github: FakeGitHub, role: str, permission: str) -> None:
    seed(fake_github)
    fake_github.set_role(OWNER, REPO, "alice", role)
    gh = installation_client(fake_github)
    level = await gh.rest.repos.async_get_collaborator_permission_level(OWNER, REPO, "alice")
    assert (level.parsed_data.permission, level.parsed_data.role_name) == (permission, role)
    nobody = await gh.rest.repos.async_get_collaborator_permission_level(OWNER, REPO, "bob")
    assert nobody.parsed_data.permission == "none"


# -- writing ------------------------------------------------------------------------------


async def test_review_with_comments_is_recorded_and_listed(fake_github: FakeGitHub) -> None:
    seed(fake_github)
    gh = installation_client(fake_github)
    posted = await gh.rest.pulls.async_create_review(
        OWNER,
        REPO,
        NUMBER,
        commit_id=HEAD,
        event="COMMENT",
        body="Docstrings",
        comments=[
            comment(LINE_IN_FIRST_HUNK, start_line=LINE_IN_FIRST_HUNK - 2, start_side="RIGHT"),
            comment(LINE_IN_SECOND_HUNK),
        ],
    )
    assert posted.parsed_data.state == "COMMENTED"
    [review] = fake_github.reviews
    assert (review.id, review.commit_id, review.outdated) == (posted.parsed_data.id, HEAD, False)
    assert [(c.start_line, c.line) for c in review.comments] == [(3, 5), (None, 26)]
    pages: Any = gh.rest.paginate(
        gh.rest.pulls.async_list_review_comments, owner=OWNER, repo=REPO, pull_number=NUMBER
    )
    listed = await collect(pages, PullRequestReviewComment)
    assert [c.line for c in listed] == [5, 26]
    assert listed[0].diff_hunk.endswith("+added3b")
    answer = await gh.rest.pulls.async_list_reviews(OWNER, REPO, NUMBER)
    reviews = as_list(answer.parsed_data, PullRequestReview)
    assert [r.body for r in reviews] == ["Docstrings"]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (comment(LINE_OUTSIDE), "Pull request review thread line must be part of the diff"),
        (comment(29, side="LEFT"), "line must be part of the diff"),  # RIGHT 29 would do
        (comment(LINE_IN_SECOND_HUNK, start_line=LINE_IN_FIRST_HUNK), "same hunk as the line."),
        (comment(5, start_line=5), "start line must precede the end line."),
        (comment(5) | {"path": "src/other.py"}, "Path could not be resolved"),
    ],
)
async def test_review_off_the_diff_is_refused_whole(
    fake_github: FakeGitHub, bad: dict[str, Any], message: str
) -> None:
    seed(fake_github)
    gh = installation_client(fake_github)
    with pytest.raises(RequestFailed) as failure:
        await gh.rest.pulls.async_create_review(
            OWNER,
            REPO,
            NUMBER,
            commit_id=HEAD,
            event="COMMENT",
            body="b",
            comments=[comment(LINE_IN_FIRST_HUNK), bad],
        )
    body = failure.value.response.json()
    assert failure.value.response.status_code == 422
    assert body["message"] == "Unprocessable Entity" and body["status"] == "422"
    assert body["errors"][0].endswith(message)
    assert body["documentation_url"].startswith("https://docs.github.com/rest/pulls/reviews")
    assert fake_github.reviews == []


async def test_left_side_and_pending_and_outdated_reviews(fake_github: FakeGitHub) -> None:
    seed(fake_github)
    gh = installation_client(fake_github)
    pending = await gh.rest.pulls.async_create_review(
        OWNER, REPO, NUMBER, commit_id=BASE, comments=[comment(24, side="LEFT")]
    )
    assert pending.parsed_data.state == "PENDING"
    [review] = fake_github.reviews
    assert (review.event, review.commit_id, review.outdated) == (None, BASE, True)
    assert review.comments[0].side == "LEFT"


async def test_too_long_bodies_are_refused(fake_github: FakeGitHub) -> None:
    seed(fake_github)
    gh = installation_client(fake_github)
    long = "x" * 70_000
    with pytest.raises(RequestFailed) as failure:
        await gh.rest.pulls.async_create_review(
            OWNER, REPO, NUMBER, commit_id=HEAD, event="COMMENT", body=long
        )
    assert failure.value.response.status_code == 422
    error = failure.value.response.json()["errors"][0]
    assert error["message"] == "body is too long (maximum is 65536 characters)"
    with pytest.raises(RequestFailed) as failure:
        await gh.rest.issues.async_create_comment(OWNER, REPO, NUMBER, body=long)
    assert failure.value.response.json()["message"] == "Validation Failed"
    assert failure.value.response.json()["errors"][0]["resource"] == "IssueComment"
    exact = await gh.rest.issues.async_create_comment(OWNER, REPO, NUMBER, body="y" * 65_536)
    with pytest.raises(RequestFailed):
        await gh.rest.issues.async_update_comment(OWNER, REPO, exact.parsed_data.id, body=long)
    assert fake_github.reviews == []
    assert [len(c.body) for c in fake_github.issue_comments] == [65_536]


async def test_issue_comment_round_trip(fake_github: FakeGitHub) -> None:
    seed(fake_github)
    fake_github.add_issue_comment(OWNER, REPO, NUMBER, "/docgen", user_login="alice")
    gh = installation_client(fake_github)
    created = (
        await gh.rest.issues.async_create_comment(OWNER, REPO, NUMBER, body="v1")
    ).parsed_data
    assert created.user is not None and created.user.type == "Bot"
    updated = await gh.rest.issues.async_update_comment(OWNER, REPO, created.id, body="v2")
    assert (updated.parsed_data.id, updated.parsed_data.body) == (created.id, "v2")
    pages: Any = gh.rest.paginate(
        gh.rest.issues.async_list_comments, owner=OWNER, repo=REPO, issue_number=NUMBER, per_page=1
    )
    listed = [
        (c.user.login if c.user else None, c.body) for c in await collect(pages, IssueComment)
    ]
    assert listed == [("alice", "/docgen"), ("docgen-test[bot]", "v2")]
    assert fake_github.issue_comments[-1].previous_bodies == ("v1",)
    assert fake_github.request_count(Route.LIST_ISSUE_COMMENTS) == 2


async def test_reaction_created_then_found(fake_github: FakeGitHub) -> None:
    seed(fake_github)
    trigger = fake_github.add_issue_comment(OWNER, REPO, NUMBER, "/docgen", user_login="alice")
    gh = installation_client(fake_github)
    first = await gh.rest.reactions.async_create_for_issue_comment(
        OWNER, REPO, trigger.id, content="eyes"
    )
    second = await gh.rest.reactions.async_create_for_issue_comment(
        OWNER, REPO, trigger.id, content="eyes"
    )
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.parsed_data.id == second.parsed_data.id
    assert [r.content for r in fake_github.reactions] == ["eyes"]


# -- faults -------------------------------------------------------------------------------


async def test_injected_faults_answer_then_clear(fake_github: FakeGitHub) -> None:
    seed(fake_github)
    fake_github.fail_next(Route.GET_PULL, 502, times=2)
    fake_github.fail_next(
        Route.CREATE_ISSUE_COMMENT,
        403,
        body={"message": "You have exceeded a secondary rate limit."},
        headers={"retry-after": "30"},
    )
    gh = installation_client(fake_github)
    for _ in range(2):
        with pytest.raises(RequestFailed) as failure:
            await gh.rest.pulls.async_get(OWNER, REPO, NUMBER)
        assert failure.value.response.status_code == 502
    assert (await gh.rest.pulls.async_get(OWNER, REPO, NUMBER)).parsed_data.number == NUMBER
    with pytest.raises(SecondaryRateLimitExceeded) as limited:
        await gh.rest.issues.async_create_comment(OWNER, REPO, NUMBER, body="hi")
    assert limited.value.retry_after.total_seconds() == 30
    assert fake_github.issue_comments == []
    assert fake_github.request_count(Route.GET_PULL) == 3


def test_unknown_route_is_a_json_404(fake_github: FakeGitHub) -> None:
    response = httpx.get(f"{fake_github.base_url}/nope", timeout=10)
    assert (response.status_code, response.json()["message"]) == (404, "Not Found")
    with pytest.raises(ValueError):
        fake_github.fail_next("pulls.nope", 500)


def test_server_starts_and_stops_cleanly() -> None:
    server = FakeGitHubServer()
    server.start()
    try:
        response = httpx.get(f"{server.base_url}/repos/o/r/pulls/1", timeout=10)
        assert response.status_code == 401
    finally:
        server.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{server.base_url}/repos/o/r/pulls/1", timeout=2)


# -- hunks --------------------------------------------------------------------------------


def test_hunks_map_commentable_lines_per_side() -> None:
    hunks = parse_hunks(make_patch(BASE_TEXT, HEAD_TEXT))
    assert len(hunks) == 2
    assert [find_hunk(hunks, "RIGHT", n) for n in (1, 5, 8, 9, 26, 29, 30)] == [
        0,
        0,
        0,
        None,
        1,
        1,
        None,
    ]
    assert find_hunk(hunks, "LEFT", 24) == 1
    assert find_hunk(hunks, "RIGHT", 26) == 1 and find_hunk(hunks, "LEFT", 26) == 1
    no_newline = parse_hunks("@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+b")
    assert find_hunk(no_newline, "RIGHT", 1) == 0 and find_hunk(no_newline, "LEFT", 1) == 0
