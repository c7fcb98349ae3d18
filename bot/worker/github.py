"""The only module that talks to GitHub: a thin githubkit wrapper returning plain data.

Installation tokens are minted by githubkit from the App's JWT and cached in
Redis (shared by every worker) until shortly before they expire. Each
installation's client goes through ``bot.worker.github_limits``: GitHub's rate
limits and write spacing, shared by every worker, and the one retry policy. Answers are read
through githubkit's typed models (``parsed_data``), which validate GitHub's JSON,
and lists are followed through their ``Link: rel="next"`` pages by githubkit's
paginator; callers only ever see the plain dataclasses below.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal

import httpx
import redis.asyncio
from githubkit import AppAuthStrategy, GitHub
from githubkit.cache import AsyncRedisCacheStrategy
from githubkit.exception import RequestFailed
from githubkit.rest import Paginator  # named on each list: mypy cannot infer its model
from githubkit.typing import Missing
from githubkit.utils import UNSET
from githubkit.versions import LATEST_VERSION
from githubkit_schemas.latest.models import (
    ContentDirectoryItems,
    ContentFile,
    DiffEntry,
    HookDeliveryItem,
    IssueComment,
    PullRequestReviewComment,
    SimpleUser,
)
from githubkit_schemas.latest.types import ReposOwnerRepoCheckRunsCheckRunIdPatchBodyPropOutputType

from bot import telemetry
from bot.keys import GITHUB_CACHE_PREFIX
from bot.settings import Settings
from bot.worker.github_limits import (
    InstallationLimits,
    LimitPolicy,
    LimitThrottler,
    RetryPolicy,
)

# githubkit's paginator sends X-GitHub-Api-Version on a list's first page only; passed
# as the caller's header it goes with every page, so all pages answer in the version
# whose models (githubkit's latest, as `gh.rest` uses) parse them.
_PAGED_HEADERS = {"X-GitHub-Api-Version": LATEST_VERSION}

CheckConclusion = Literal[
    "action_required", "cancelled", "failure", "neutral", "success", "skipped", "timed_out"
]
# The contents API inlines a file's base64 up to 1 MiB; past that it answers with
# encoding "none" and no content, and the raw media type serves the bytes (GitHub
# does up to 100 MiB). A Python file past this limit is not reviewed: its text
# alone would cost more to analyse than a review is worth.
MAX_FILE_BYTES = 10 * 1024 * 1024
_RAW = {"Accept": "application/vnd.github.raw+json"}
# The contents API lists at most 1,000 entries of a directory and silently leaves out
# the rest (the trees API would list them all, at the cost of a larger answer).
DIRECTORY_LISTING_LIMIT = 1000

ReactionContent = Literal["+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"]


async def count_response(response: httpx.Response) -> None:
    """Count one GitHub answer by status (an httpx response hook: every request, every try)."""
    telemetry.github_status(response.status_code)


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


@dataclass(frozen=True)
class HookDelivery:
    """One attempt to deliver a webhook event to the App (GitHub lists each attempt)."""

    id: int
    guid: str  # the event: shared by a delivery and all its redeliveries
    delivered_at: datetime
    redelivery: bool
    status_code: int  # 0 when docgen never answered
    event: str


class GitHubApp:
    """The App's client; hands out per-installation repository clients.

    With Redis, each installation's requests honour GitHub's limits as every
    worker shares them (``bot.worker.github_limits``); without it (tests of the
    client alone, ``docgen doctor``) only the retry policy applies.
    """

    def __init__(
        self,
        settings: Settings,
        redis_client: redis.asyncio.Redis | None = None,
        *,
        limits: LimitPolicy | None = None,
    ) -> None:
        self._redis = redis_client
        self._limits = limits or LimitPolicy(spacing=settings.docgen_github_write_spacing_seconds)
        pem = settings.private_key()
        if settings.github_app_id is None or pem is None:
            raise ValueError("GitHubApp needs GITHUB_APP_ID and a private key")
        cache = (
            AsyncRedisCacheStrategy(redis_client, prefix=GITHUB_CACHE_PREFIX)
            if redis_client
            else None
        )
        self._app = GitHub(
            AppAuthStrategy(str(settings.github_app_id), pem),
            base_url=settings.github_api_url,
            timeout=30.0,
            auto_retry=RetryPolicy(self._limits.backoff_base),
            cache_strategy=cache,
            http_cache=False,
            async_event_hooks={"response": [count_response]},
        )

    async def hook_deliveries(self, since: datetime, max_items: int) -> list[HookDelivery]:
        """Return the App's webhook deliveries made since ``since``, newest first.

        GitHub lists them newest first, 100 a page (cursor pages); the walk stops at
        the first one older than ``since`` or after ``max_items``. Takes the App's JWT.
        """
        pages: Paginator[HookDeliveryItem] = self._app.rest.paginate(
            self._app.rest.apps.async_list_webhook_deliveries,
            per_page=100,
            headers=_PAGED_HEADERS,
        )
        found: list[HookDelivery] = []
        async for item in pages:
            if item.delivered_at < since or len(found) >= max_items:
                break
            found.append(_hook_delivery(item))
        return found

    async def redeliver(self, delivery_id: int) -> None:
        """Ask GitHub to deliver a webhook delivery again (it answers 202 and sends later)."""
        await self._app.rest.apps.async_redeliver_webhook_delivery(delivery_id)

    def repo(self, installation_id: int, full_name: str) -> RepoClient:
        """Return a client acting as ``installation_id`` on repository ``owner/name``."""
        auth = self._app.auth.as_installation(installation_id)
        owner, _, name = full_name.partition("/")
        config = self._app.config
        if self._redis is not None:
            limits = InstallationLimits(self._redis, installation_id, self._limits)
            config = replace(
                config,
                throttler=LimitThrottler(limits),
                async_event_hooks={"request": [], "response": [count_response, limits.observe]},
            )
        else:
            config = config.copy()
        return RepoClient(GitHub(auth, config=config), owner, name)


class RepoClient:
    """Calls on one repository as one installation; answers are plain dataclasses."""

    def __init__(self, gh: GitHub[Any], owner: str, name: str) -> None:
        self._gh = gh
        self.owner = owner
        self.name = name
        self.max_file_bytes = MAX_FILE_BYTES  # the largest file it reads
        self.oversized: dict[str, int] = {}

    async def pull_request(self, number: int) -> PullRequest:
        """Fetch the pull request."""
        resp = await self._gh.rest.pulls.async_get(self.owner, self.name, number)
        pr = resp.parsed_data
        return PullRequest(
            number=number,
            state=pr.state,
            draft=bool(pr.draft),  # UNSET (absent) and None read as not a draft
            head_sha=pr.head.sha,
            base_sha=pr.base.sha,
            base_ref=pr.base.ref,
            default_branch=pr.base.repo.default_branch or pr.base.ref,
            author=pr.user.login,
            author_is_bot=pr.user.type == "Bot",
        )

    async def changed_files(self, number: int) -> list[ChangedFile]:
        """List every changed file (all pages; GitHub stops at 3,000)."""
        # Typed like every other answer: validating the 30 pages of a 3,000-file list
        # measured 12-16 ms against 7-10 ms for plain json() (fake GitHub, 2.9 MB),
        # next to the 30 round trips it is noise.
        pages: Paginator[DiffEntry] = self._gh.rest.paginate(
            self._gh.rest.pulls.async_list_files,
            owner=self.owner,
            repo=self.name,
            pull_number=number,
            per_page=100,
            headers=_PAGED_HEADERS,
        )
        return [_changed_file(entry) async for entry in pages]

    async def file_text(self, path: str, ref: str) -> str | None:
        """Return a file's text at ``ref``, or None when absent, too large or not UTF-8 text.

        A file over 1 MiB comes back from the contents API without its content
        (encoding ``none``); its bytes are then fetched raw, up to ``max_file_bytes``.
        Paths refused for their size are kept in ``oversized`` with their size.
        """
        try:
            resp = await self._gh.rest.repos.async_get_content(self.owner, self.name, path, ref=ref)
        except RequestFailed as exc:
            if exc.response.status_code == 404:
                return None
            raise
        data = resp.parsed_data
        if not isinstance(data, ContentFile):
            return None  # a directory listing, a symlink to outside the tree, a submodule
        try:
            if data.encoding == "none" or (not data.content and data.size > 0):
                raw = await self._raw_bytes(path, ref, data.size)
                return None if raw is None else raw.decode("utf-8")
            return base64.b64decode(data.content).decode("utf-8")
        except ValueError:  # binascii.Error and UnicodeDecodeError are both ValueErrors
            return None

    async def root_names(self, ref: str) -> frozenset[str] | None:
        """Return what the repository's root holds at ``ref``: file names, folders as ``name/``.

        One request lists the root, so a caller asks only for the files that exist.
        An empty repository (404) holds nothing. Symlinks count as files: the contents
        API serves their target's text. None means the listing may be incomplete
        (GitHub stops at 1,000 entries), so the absence of a name proves nothing.
        """
        try:
            resp = await self._gh.rest.repos.async_get_content(self.owner, self.name, "", ref=ref)
        except RequestFailed as exc:
            if exc.response.status_code == 404:
                return frozenset()
            raise
        entries = resp.parsed_data
        if not isinstance(entries, list) or len(entries) >= DIRECTORY_LISTING_LIMIT:
            return None
        return frozenset(_listed_name(e) for e in entries if _is_file(e) or e.type == "dir")

    async def _raw_bytes(self, path: str, ref: str, size: int) -> bytes | None:
        """Return a file's bytes through the raw media type, or None when over the limit."""
        if size > self.max_file_bytes:
            self.oversized[path] = size
            return None
        resp = await self._gh.rest.repos.async_get_content(
            self.owner, self.name, path, ref=ref, headers=_RAW
        )
        if len(resp.content) > self.max_file_bytes:  # it grew past what the listing said
            self.oversized[path] = len(resp.content)
            return None
        return resp.content

    async def review_comments(self, number: int) -> list[PostedComment]:
        """List the review comments on the pull request (all pages)."""
        pages: Paginator[PullRequestReviewComment] = self._gh.rest.paginate(
            self._gh.rest.pulls.async_list_review_comments,
            owner=self.owner,
            repo=self.name,
            pull_number=number,
            per_page=100,
            headers=_PAGED_HEADERS,
        )
        return [_posted_comment(c.id, c.body, c.user) async for c in pages]

    async def issue_comments(self, number: int) -> list[PostedComment]:
        """List the conversation comments on the pull request (all pages)."""
        pages: Paginator[IssueComment] = self._gh.rest.paginate(
            self._gh.rest.issues.async_list_comments,
            owner=self.owner,
            repo=self.name,
            issue_number=number,
            per_page=100,
            headers=_PAGED_HEADERS,
        )
        return [_posted_comment(c.id, c.body, c.user) async for c in pages]

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
        return resp.parsed_data.id

    async def create_comment(self, number: int, body: str) -> int:
        """Post a conversation comment; return its id."""
        resp = await self._gh.rest.issues.async_create_comment(
            self.owner, self.name, number, body=body
        )
        return resp.parsed_data.id

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
        return resp.parsed_data.permission

    async def create_check_run(
        self,
        head_sha: str,
        name: str,
        status: Literal["queued", "in_progress"] = "in_progress",
        *,
        output_title: str | None = None,
        output_summary: str = "",
    ) -> int:
        """Start a Check Run on ``head_sha``; return its id.

        The output is sent only with a title: GitHub requires both or neither.
        """
        resp = await self._gh.rest.checks.async_create(
            self.owner,
            self.name,
            name=name,
            head_sha=head_sha,
            status=status,
            started_at=datetime.now(UTC),
            output=(
                {"title": output_title, "summary": output_summary}
                if output_title is not None
                else UNSET
            ),
        )
        return resp.parsed_data.id

    async def restart_check_run(
        self, check_run_id: int, *, output_title: str, output_summary: str
    ) -> bool:
        """Set a Check Run back to ``in_progress`` with a new output; tell whether it is.

        GitHub never reopens a completed run (its status and conclusion are final),
        so the status it answers says whether the run can be taken up again.
        """
        resp = await self._gh.rest.checks.async_update(
            self.owner,
            self.name,
            check_run_id,
            status="in_progress",
            output={"title": output_title, "summary": output_summary},
        )
        return resp.parsed_data.status != "completed"

    async def update_check_run(
        self,
        check_run_id: int,
        *,
        status: Literal["completed"],
        conclusion: CheckConclusion,
        output_title: str,
        output_summary: str,
        output_text: str | None = None,
    ) -> None:
        """Complete a Check Run with its conclusion and output."""
        output: ReposOwnerRepoCheckRunsCheckRunIdPatchBodyPropOutputType = {
            "title": output_title,
            "summary": output_summary,
        }
        if output_text is not None:
            output["text"] = output_text
        await self._gh.rest.checks.async_update(
            self.owner,
            self.name,
            check_run_id,
            status=status,
            conclusion=conclusion,
            completed_at=datetime.now(UTC),
            output=output,
        )

    async def react(self, comment_id: int, content: ReactionContent = "eyes") -> None:
        """Add a reaction to a conversation comment (a repeat is harmless)."""
        await self._gh.rest.reactions.async_create_for_issue_comment(
            self.owner, self.name, comment_id, content=content
        )


def _listed_name(entry: ContentDirectoryItems) -> str:
    return entry.name + "/" if entry.type == "dir" else entry.name


def _is_file(entry: ContentDirectoryItems) -> bool:
    # A listing calls a submodule "file" too (GitHub keeps it so for compatibility);
    # fetching one answers a submodule object, which file_text reads as no text.
    return entry.type in ("file", "symlink")


def _changed_file(entry: DiffEntry) -> ChangedFile:
    # GitHub omits `patch` (binary or too large a diff) and `previous_filename`
    # (not a rename); githubkit reads an absent field as UNSET, which is falsy.
    return ChangedFile(
        path=entry.filename,
        status=entry.status,
        patch=entry.patch or None,
        previous_path=entry.previous_filename or None,
        additions=entry.additions,
        deletions=entry.deletions,
    )


def _posted_comment(
    comment_id: int, body: Missing[str | None], user: SimpleUser | None
) -> PostedComment:
    # A deleted account leaves a comment without a user: it is not ours.
    return PostedComment(comment_id, body or "", user is not None and user.type == "Bot")


def _hook_delivery(item: HookDeliveryItem) -> HookDelivery:
    return HookDelivery(
        id=item.id,
        guid=item.guid,
        delivered_at=item.delivered_at,
        redelivery=item.redelivery,
        status_code=item.status_code,
        event=item.event,
    )
