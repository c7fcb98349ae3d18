"""The fake GitHub's store: what tests seed and what the fake recorded.

The server thread and the test thread both touch it, so every public method takes `lock`.
"""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.fakes.github_hooks import HookLog
from tests.fakes.github_model import (
    APP_PERMISSIONS,
    CheckRunRecord,
    Fault,
    Installation,
    InstallationToken,
    IssueCommentRecord,
    PrFile,
    PullRequestSeed,
    ReactionRecord,
    RecordedRequest,
    ReviewCommentRecord,
    ReviewRecord,
    Route,
)
from tests.fakes.keys import KeyPair

ROLES = frozenset({"admin", "maintain", "write", "triage", "read", "none"})


class GitHubStore:
    """Seedable, inspectable data behind the fake GitHub REST API at `base_url`.

    `token_lifetime` (default one hour) applies to tokens issued from then on: a short
    one gives short-lived tokens, a negative one already-expired tokens.
    """

    def __init__(
        self, *, base_url: str, app_id: int, keys: KeyPair, app_slug: str = "docgen-test"
    ) -> None:
        self.lock = threading.RLock()
        self.base_url = base_url
        self.app_id = app_id
        self.private_key_pem = keys.private_pem
        self.public_key_pem = keys.public_pem
        self.bot_login = f"{app_slug}[bot]"
        # What GET /app says of the App; tests may change them (an App asking for less).
        self.app_slug = app_slug
        self.app_name = "docgen (test)"
        self.app_permissions: dict[str, str] = dict(APP_PERMISSIONS)
        self.app_events: list[str] = ["issue_comment", "pull_request"]
        self.created_at = datetime.now(UTC)
        self.token_lifetime = timedelta(hours=1)
        self._installations: dict[int, Installation] = {}
        self._tokens: dict[str, InstallationToken] = {}
        self._minted = 0
        self._pulls: dict[tuple[str, str, int], PullRequestSeed] = {}
        self._contents: dict[tuple[str, str, str, str], bytes] = {}
        self._default_branches: dict[tuple[str, str], str] = {}
        self._roles: dict[tuple[str, str, str], str] = {}
        self._reviews: list[ReviewRecord] = []
        self._issue_comments: dict[int, IssueCommentRecord] = {}
        self._reactions: list[ReactionRecord] = []
        self._check_runs: dict[int, CheckRunRecord] = {}
        self._counts: Counter[str] = Counter()
        self._log: list[RecordedRequest] = []
        self._faults: dict[str, list[Fault]] = {}
        self._ids = itertools.count(1001)
        # The App's webhook: point it at the web app, send events, see every attempt.
        self.hooks = HookLog(app_id)

    # -- seeding -------------------------------------------------------------------------

    def add_installation(
        self,
        installation_id: int,
        *,
        repos: Iterable[str] | None = None,
        account: str = "octo",
        permissions: Mapping[str, str] = APP_PERMISSIONS,
    ) -> Installation:
        """Install the App; `repos` as "owner/name" (None: all repositories).

        `permissions` are what the owner granted (default: all the App asks for).
        """
        chosen = None if repos is None else frozenset(r.lower() for r in repos)
        with self.lock:
            installation = Installation(installation_id, account, chosen, dict(permissions))
            self._installations[installation_id] = installation
            return installation

    def add_pull_request(
        self,
        owner: str,
        repo: str,
        number: int,
        *,
        head_sha: str,
        base_sha: str = "b" * 40,
        files: Sequence[PrFile] = (),
        head_files: Mapping[str, str | bytes] | None = None,
        base_files: Mapping[str, str | bytes] | None = None,
        **fields: Any,
    ) -> PullRequestSeed:
        """Add a PR; file texts are served by the Contents API at the head/base SHAs.

        `fields` are other `PullRequestSeed` fields: draft, user_login, title, body, state,
        head_ref, base_ref.
        """
        pr = PullRequestSeed(owner, repo, number, head_sha, base_sha, tuple(files), **fields)
        with self.lock:
            self._pulls[(owner, repo, number)] = pr
            for entry in pr.files:
                if entry.head_text is not None:
                    self.add_file(owner, repo, entry.filename, entry.head_text, ref=head_sha)
            for path, text in (head_files or {}).items():
                self.add_file(owner, repo, path, text, ref=head_sha)
            for path, text in (base_files or {}).items():
                self.add_file(owner, repo, path, text, ref=base_sha)
            return pr

    def add_file(
        self, owner: str, repo: str, path: str, content: str | bytes, *, ref: str | None = None
    ) -> None:
        """Serve `content` at `path` for `ref` (default: the default branch)."""
        data = content.encode() if isinstance(content, str) else content
        with self.lock:
            self._contents[(owner, repo, ref or self.default_branch(owner, repo), path)] = data

    def set_default_branch(self, owner: str, repo: str, branch: str) -> None:
        """Set a repository's default branch (else "main")."""
        with self.lock:
            self._default_branches[(owner, repo)] = branch

    def default_branch(self, owner: str, repo: str) -> str:
        """Return a repository's default branch."""
        with self.lock:
            return self._default_branches.get((owner, repo), "main")

    def set_role(self, owner: str, repo: str, login: str, role: str) -> None:
        """Give a user a role on a repository: admin, maintain, write, triage, read or none."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        with self.lock:
            self._roles[(owner, repo, login)] = role

    def add_issue_comment(
        self, owner: str, repo: str, number: int, body: str, *, user_login: str | None = None
    ) -> IssueCommentRecord:
        """Seed a conversation comment (by the App's bot unless `user_login` is given)."""
        now = datetime.now(UTC)
        with self.lock:
            record = IssueCommentRecord(
                next(self._ids), owner, repo, number, body, user_login or self.bot_login, now, now
            )
            self._issue_comments[record.id] = record
            return record

    def fail_next(
        self,
        route: Route | str,
        status: int,
        *,
        times: int = 1,
        body: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Answer the next `times` calls of `route` with `status` (after auth passes)."""
        name = Route(route).value
        fault = Fault(status, times, dict(body or {"message": "Server Error"}), dict(headers or {}))
        with self.lock:
            self._faults.setdefault(name, []).append(fault)

    def expire_tokens(self) -> None:
        """Make every installation token issued so far expired."""
        past = datetime.now(UTC) - timedelta(seconds=1)
        with self.lock:
            self._tokens = {k: replace(t, expires_at=past) for k, t in self._tokens.items()}

    # -- inspection ----------------------------------------------------------------------

    @property
    def tokens_minted(self) -> int:
        """Return how many installation tokens were issued."""
        with self.lock:
            return self._minted

    def request_count(self, route: Route | str) -> int:
        """Return how many requests reached `route` (refused ones included)."""
        with self.lock:
            return self._counts[Route(route).value]

    def requests(self, route: Route | str | None = None) -> list[RecordedRequest]:
        """Return the requests answered, optionally of one route only."""
        with self.lock:
            name = None if route is None else Route(route).value
            return [r for r in self._log if name is None or r.route == name]

    @property
    def reviews(self) -> list[ReviewRecord]:
        """Return the reviews accepted, oldest first."""
        with self.lock:
            return list(self._reviews)

    @property
    def review_comments(self) -> list[ReviewCommentRecord]:
        """Return the review comments of all accepted reviews, oldest first."""
        with self.lock:
            return [c for r in self._reviews for c in r.comments]

    @property
    def issue_comments(self) -> list[IssueCommentRecord]:
        """Return the conversation comments, oldest first, with their edit history."""
        with self.lock:
            return sorted(self._issue_comments.values(), key=lambda c: c.id)

    @property
    def check_runs(self) -> list[CheckRunRecord]:
        """Return the check runs as they are now, oldest first (each with its history)."""
        with self.lock:
            return sorted(self._check_runs.values(), key=lambda c: c.id)

    @property
    def reactions(self) -> list[ReactionRecord]:
        """Return the reactions created."""
        with self.lock:
            return list(self._reactions)

    # -- request bookkeeping (used by the server) -----------------------------------------

    def record(self, request: RecordedRequest) -> None:
        """Count and log one answered request."""
        with self.lock:
            self._counts[request.route] += 1
            self._log.append(request)

    def take_fault(self, route: str) -> Fault | None:
        """Consume one injected fault of `route`, if any is pending."""
        with self.lock:
            pending = self._faults.get(route, [])
            if not pending:
                return None
            fault = pending[0]
            fault.remaining -= 1
            if fault.remaining <= 0:
                pending.pop(0)
            return fault
