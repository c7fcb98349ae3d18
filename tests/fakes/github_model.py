"""Plain data held by the fake GitHub: what tests seed and what the fake records."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from tests.fakes.github_diff import count_changes, make_patch

# GitHub's ceiling for issue, review and review-comment bodies.
MAX_BODY_CHARS = 65_536
# GitHub lists at most this many files of a pull request.
MAX_LISTED_FILES = 3000

_EMPTY: Mapping[str, Any] = MappingProxyType({})
# What the docgen App asks for (app.yml); an installation grants these unless a test
# seeds it with less (an owner who has not yet accepted a new permission).
APP_PERMISSIONS: Mapping[str, str] = MappingProxyType(
    {
        "checks": "write",
        "contents": "read",
        "issues": "write",
        "metadata": "read",
        "pull_requests": "write",
    }
)


class Route(StrEnum):
    """The fake's routes, named after githubkit's methods; keys of counts and faults."""

    CREATE_TOKEN = "apps.create_installation_access_token"
    GET_PULL = "pulls.get"
    LIST_FILES = "pulls.list_files"
    GET_CONTENT = "repos.get_content"
    CREATE_REVIEW = "pulls.create_review"
    LIST_REVIEWS = "pulls.list_reviews"
    LIST_REVIEW_COMMENTS = "pulls.list_review_comments"
    CREATE_ISSUE_COMMENT = "issues.create_comment"
    LIST_ISSUE_COMMENTS = "issues.list_comments"
    UPDATE_ISSUE_COMMENT = "issues.update_comment"
    CREATE_REACTION = "reactions.create_for_issue_comment"
    GET_PERMISSION = "repos.get_collaborator_permission_level"
    CREATE_CHECK_RUN = "checks.create"
    UPDATE_CHECK_RUN = "checks.update"
    GET_APP = "apps.get_authenticated"
    LIST_INSTALLATIONS = "apps.list_installations"
    LIST_HOOK_DELIVERIES = "apps.list_webhook_deliveries"
    REDELIVER_HOOK_DELIVERY = "apps.redeliver_webhook_delivery"


class ApiError(Exception):
    """An error answer of the fake API: status, GitHub-shaped JSON body, extra headers."""

    def __init__(
        self, status: int, body: Mapping[str, Any], headers: Mapping[str, str] = _EMPTY
    ) -> None:
        super().__init__(status, body.get("message"))
        self.status = status
        self.body = dict(body)
        self.headers = dict(headers)


@dataclass(frozen=True)
class PrFile:
    """One file of a pull request as the files list shows it.

    `patch=None` with `patch_too_large=False` and a status other than removed means a
    file without textual diff (binary); `patch_too_large=True` keeps the patch for the
    line counts but omits it from the API answer, as GitHub does for big diffs.
    """

    filename: str
    status: str = "modified"
    patch: str | None = None
    previous_filename: str | None = None
    head_text: str | None = None
    patch_too_large: bool = False
    binary: bool = False

    @classmethod
    def from_texts(cls, filename: str, base: str | None, head: str | None, **extra: Any) -> PrFile:
        """Build a file entry whose patch is the `git diff -U3` of base and head texts."""
        status = "added" if base is None else "removed" if head is None else "modified"
        patch = make_patch(base or "", head or "")
        extra.setdefault("status", status)
        return cls(filename=filename, patch=patch, head_text=head, **extra)

    @property
    def visible_patch(self) -> str | None:
        """Return the patch as the API shows it (None when omitted)."""
        if self.binary or self.patch_too_large:
            return None
        return self.patch

    def changes(self) -> tuple[int, int]:
        """Return (additions, deletions) of this file."""
        return count_changes(self.patch) if self.patch else (0, 0)


@dataclass(frozen=True)
class PullRequestSeed:
    """A pull request seeded by a test."""

    owner: str
    repo: str
    number: int
    head_sha: str
    base_sha: str
    files: tuple[PrFile, ...]
    head_ref: str = "feature"
    base_ref: str = "main"
    title: str = "Add things"
    body: str | None = None
    draft: bool = False
    state: str = "open"
    user_login: str = "octocat"
    created_at: datetime | None = None

    def file(self, path: str) -> PrFile | None:
        """Return the PR's file entry for `path` on the head side, if any."""
        return next((f for f in self.files if f.filename == path), None)


@dataclass(frozen=True)
class Installation:
    """An installation of the test App: `repos=None` means all repositories."""

    id: int
    account: str
    repos: frozenset[str] | None
    permissions: Mapping[str, str] = field(default_factory=lambda: dict(APP_PERMISSIONS))

    def can_access(self, owner: str, repo: str) -> bool:
        """Tell whether this installation's tokens reach `owner/repo`."""
        return self.repos is None or f"{owner}/{repo}".lower() in self.repos


@dataclass(frozen=True, repr=False)
class InstallationToken:
    """An issued installation access token."""

    token: str
    installation_id: int
    expires_at: datetime

    def __repr__(self) -> str:
        return f"InstallationToken(installation_id={self.installation_id}, <redacted>)"


@dataclass(frozen=True)
class ReviewCommentRecord:
    """A review comment the fake accepted."""

    id: int
    review_id: int
    owner: str
    repo: str
    pull_number: int
    path: str
    body: str
    line: int
    side: str
    start_line: int | None
    start_side: str | None
    commit_id: str
    diff_hunk: str
    user_login: str
    created_at: datetime


@dataclass(frozen=True)
class ReviewRecord:
    """A review the fake accepted, with its comments. `event=None` means PENDING."""

    id: int
    owner: str
    repo: str
    pull_number: int
    commit_id: str
    body: str
    event: str | None
    state: str
    comments: tuple[ReviewCommentRecord, ...]
    user_login: str
    submitted_at: datetime
    outdated: bool  # commit_id was not the head SHA when posted


@dataclass(frozen=True)
class IssueCommentRecord:
    """An issue (conversation) comment; `previous_bodies` holds the bodies before each edit."""

    id: int
    owner: str
    repo: str
    issue_number: int
    body: str
    user_login: str
    created_at: datetime
    updated_at: datetime
    previous_bodies: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReactionRecord:
    """A reaction to an issue comment."""

    id: int
    comment_id: int
    content: str
    user_login: str
    created_at: datetime


@dataclass(frozen=True)
class RecordedRequest:
    """One request the fake answered (the Authorization header is never kept)."""

    route: str
    method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]
    status: int
    at: float = 0.0  # time.monotonic() when the request arrived: the same clock as the tests


@dataclass(frozen=True)
class CheckRunRecord:
    """A check run the fake accepted; `history` holds its state before each update."""

    id: int
    owner: str
    repo: str
    name: str
    head_sha: str
    status: str
    conclusion: str | None
    title: str | None
    summary: str | None
    text: str | None
    started_at: datetime
    completed_at: datetime | None
    details_url: str | None = None
    external_id: str | None = None
    history: tuple[CheckRunRecord, ...] = ()


@dataclass
class Fault:
    """Answer the next `remaining` calls of a route with this status, body and headers."""

    status: int
    remaining: int
    body: Mapping[str, Any] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
