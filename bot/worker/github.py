"""The only module that talks to GitHub: a thin githubkit wrapper returning plain data.

Installation tokens are minted by githubkit from the App's JWT and cached in
Redis (shared by every worker) until shortly before they expire.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

import redis.asyncio
from githubkit import AppAuthStrategy, GitHub
from githubkit.cache import AsyncRedisCacheStrategy
from githubkit.exception import GitHubException, RateLimitExceeded, RequestFailed
from githubkit.retry import RetryOption

from bot.settings import Settings

# A rate limit that clears within this many seconds is waited out in place;
# longer ones are handed back to the job queue (arq Retry) instead of holding a worker.
MAX_INLINE_WAIT = timedelta(seconds=30)
SERVER_ERROR_RETRIES = 2

ReactionContent = Literal["+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"]


def retry_policy(exc: GitHubException, retry_count: int) -> RetryOption:
    """Decide whether githubkit retries a failed request in place."""
    if isinstance(exc, RateLimitExceeded):
        return RetryOption(retry_count < 1 and exc.retry_after <= MAX_INLINE_WAIT, exc.retry_after)
    if isinstance(exc, RequestFailed) and exc.response.status_code >= 500:
        return RetryOption(
            retry_count < SERVER_ERROR_RETRIES, timedelta(seconds=1 + 3 * retry_count)
        )
    return RetryOption(False)


@dataclass(frozen=True)
class PullRequest:
    """The facts about a pull request that a review needs."""

    number: int
    state: str
    draft: bool
    head_sha: str
    base_sha: str
    base_ref: str
    default_branch: str
    author: str
    author_is_bot: bool


@dataclass(frozen=True)
class ChangedFile:
    """One entry of the pull request's file list."""

    path: str
    status: str
    patch: str | None
    previous_path: str | None
    additions: int
    deletions: int


@dataclass(frozen=True)
class PostedComment:
    """A review comment or issue comment already on the pull request."""

    id: int
    body: str
    author_is_bot: bool


class GitHubApp:
    """The App's client; hands out per-installation repository clients."""

    def __init__(self, settings: Settings, redis_client: redis.asyncio.Redis | None = None) -> None:
        pem = settings.private_key()
        if settings.github_app_id is None or pem is None:
            raise ValueError("GitHubApp needs GITHUB_APP_ID and a private key")
        cache = AsyncRedisCacheStrategy(redis_client, prefix="docgen:gh") if redis_client else None
        self._app = GitHub(
            AppAuthStrategy(str(settings.github_app_id), pem),
            base_url=settings.github_api_url,
            timeout=30.0,
            auto_retry=retry_policy,
            cache_strategy=cache,
            http_cache=False,
        )

    def repo(self, installation_id: int, full_name: str) -> RepoClient:
        """Return a client acting as ``installation_id`` on repository ``owner/name``."""
        auth = self._app.auth.as_installation(installation_id)
        owner, _, name = full_name.partition("/")
        return RepoClient(self._app.with_auth(auth), owner, name)


class RepoClient:
    """Calls on one repository as one installation; answers are plain dataclasses."""

    def __init__(self, gh: GitHub[Any], owner: str, name: str) -> None:
        self._gh = gh
        self.owner = owner
        self.name = name

    async def pull_request(self, number: int) -> PullRequest:
        """Fetch the pull request."""
        resp = await self._gh.rest.pulls.async_get(self.owner, self.name, number)
        data = resp.json()
        return PullRequest(
            number=number,
            state=data["state"],
            draft=bool(data.get("draft")),
            head_sha=data["head"]["sha"],
            base_sha=data["base"]["sha"],
            base_ref=data["base"]["ref"],
            default_branch=data["base"]["repo"].get("default_branch") or data["base"]["ref"],
            author=data["user"]["login"],
            author_is_bot=data["user"].get("type") == "Bot",
        )

    async def changed_files(self, number: int) -> list[ChangedFile]:
        """List every changed file (all pages; GitHub stops at 3,000)."""
        files: list[ChangedFile] = []
        page = 1
        while True:
            resp = await self._gh.rest.pulls.async_list_files(
                self.owner, self.name, number, per_page=100, page=page
            )
            batch: list[dict[str, Any]] = resp.json()  # plain JSON: 3,000 files parse fast
            files.extend(_changed_file(item) for item in batch)
            if len(batch) < 100 or 'rel="next"' not in resp.headers.get("link", ""):
                return files
            page += 1

    async def file_text(self, path: str, ref: str) -> str | None:
        """Return a file's text at ``ref``, or None when absent or not UTF-8 text."""
        try:
            resp = await self._gh.rest.repos.async_get_content(self.owner, self.name, path, ref=ref)
        except RequestFailed as exc:
            if exc.response.status_code == 404:
                return None
            raise
        data: Any = resp.json()
        if not isinstance(data, dict) or data.get("type") != "file":
            return None
        try:
            return base64.b64decode(data.get("content", "")).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return None

    async def review_comments(self, number: int) -> list[PostedComment]:
        """List the review comments on the pull request (all pages)."""
        return await self._list_comments(self._gh.rest.pulls.async_list_review_comments, number)

    async def issue_comments(self, number: int) -> list[PostedComment]:
        """List the conversation comments on the pull request (all pages)."""
        return await self._list_comments(self._gh.rest.issues.async_list_comments, number)

    async def _list_comments(self, method: Any, number: int) -> list[PostedComment]:
        out: list[PostedComment] = []
        page = 1
        while True:
            resp = await method(self.owner, self.name, number, per_page=100, page=page)
            batch = resp.json()
            out.extend(
                PostedComment(c["id"], c.get("body") or "", c["user"].get("type") == "Bot")
                for c in batch
            )
            if len(batch) < 100:
                return out
            page += 1

    async def create_review(
        self, number: int, *, commit_id: str, body: str, comments: Sequence[Mapping[str, object]]
    ) -> int:
        """Post one COMMENT review with its suggestion comments; return its id."""
        resp = await self._gh.rest.pulls.async_create_review(
            self.owner,
            self.name,
            number,
            commit_id=commit_id,
            body=body,
            event="COMMENT",
            comments=[dict(c) for c in comments],
        )
        return int(resp.json()["id"])

    async def create_comment(self, number: int, body: str) -> int:
        """Post a conversation comment; return its id."""
        resp = await self._gh.rest.issues.async_create_comment(
            self.owner, self.name, number, body=body
        )
        return int(resp.json()["id"])

    async def update_comment(self, comment_id: int, body: str) -> None:
        """Replace a conversation comment's body."""
        await self._gh.rest.issues.async_update_comment(
            self.owner, self.name, comment_id, body=body
        )

    async def permission(self, username: str) -> str:
        """Return the user's permission on the repository: admin, write, read or none."""
        resp = await self._gh.rest.repos.async_get_collaborator_permission_level(
            self.owner, self.name, username
        )
        return str(resp.json().get("permission", "none"))

    async def react(self, comment_id: int, content: ReactionContent = "eyes") -> None:
        """Add a reaction to a conversation comment (a repeat is harmless)."""
        await self._gh.rest.reactions.async_create_for_issue_comment(
            self.owner, self.name, comment_id, content=content
        )


def _changed_file(item: dict[str, Any]) -> ChangedFile:
    return ChangedFile(
        path=item["filename"],
        status=item["status"],
        patch=item.get("patch") or None,
        previous_path=item.get("previous_filename") or None,
        additions=int(item.get("additions", 0)),
        deletions=int(item.get("deletions", 0)),
    )
