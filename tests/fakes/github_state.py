"""The fake GitHub's API actions over its store, each held to GitHub's rules.

Methods raise `ApiError` carrying the answer GitHub would give.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, replace
from datetime import UTC, datetime
from typing import Any

from tests.fakes import github_auth, github_tree
from tests.fakes.github_checks import new_check_run, require_checks_write, updated_check_run
from tests.fakes.github_model import (
    ApiError,
    CheckRunRecord,
    Installation,
    InstallationToken,
    IssueCommentRecord,
    PullRequestSeed,
    ReactionRecord,
    ReviewCommentRecord,
    ReviewRecord,
)
from tests.fakes.github_reviews import REVIEW_STATES, check_body, check_review_comments
from tests.fakes.github_store import GitHubStore

REACTIONS = frozenset({"+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"})


def not_found() -> ApiError:
    """Return GitHub's 404 answer."""
    body = {"message": "Not Found", "documentation_url": github_auth.DOCS, "status": "404"}
    return ApiError(404, body)


class FakeGitHub(GitHubStore):
    """The fake GitHub: seed and inspect it (see GitHubStore); the server calls the rest."""

    # -- auth ----------------------------------------------------------------------------

    def check_app_jwt(self, app_jwt: str | None) -> None:
        """Accept a valid App JWT, or raise the 401 GitHub answers (App routes need one)."""
        if app_jwt is None:
            raise github_auth.unauthorized("A JSON web token could not be decoded")
        github_auth.verify_app_jwt(app_jwt, public_pem=self.public_key_pem, app_id=self.app_id)

    def mint_token(self, installation_id: int, app_jwt: str | None) -> InstallationToken:
        """Check the App JWT and issue an installation token."""
        self.check_app_jwt(app_jwt)
        with self.lock:
            if installation_id not in self._installations:
                raise not_found()
            token = InstallationToken(
                github_auth.new_token(), installation_id, datetime.now(UTC) + self.token_lifetime
            )
            self._tokens[token.token] = token
            self._minted += 1
            return token

    def installations(self) -> list[Installation]:
        """Return the App's installations, oldest (lowest id) first, as GET /app/installations."""
        with self.lock:
            return sorted(self._installations.values(), key=lambda i: i.id)

    def installation(self, installation_id: int) -> Installation:
        """Return an installation."""
        with self.lock:
            return self._installations[installation_id]

    def authorize(self, token: str | None, owner: str, repo: str) -> Installation:
        """Return the installation behind a valid token that may reach `owner/repo`."""
        with self.lock:
            issued = self._tokens.get(token or "")
            if issued is None or issued.expires_at <= datetime.now(UTC):
                raise github_auth.unauthorized()
            installation = self._installations.get(issued.installation_id)
            if installation is None:
                raise github_auth.unauthorized()
            if not installation.can_access(owner, repo):
                raise not_found()
            return installation

    # -- API actions ---------------------------------------------------------------------

    def pull(self, owner: str, repo: str, number: int) -> PullRequestSeed:
        """Return a seeded pull request."""
        with self.lock:
            pr = self._pulls.get((owner, repo, number))
            if pr is None:
                raise not_found()
            return pr

    def content(self, owner: str, repo: str, path: str, ref: str | None) -> bytes:
        """Return a file's bytes at `ref` (default branch when None)."""
        with self.lock:
            data = self._contents.get((owner, repo, ref or self.default_branch(owner, repo), path))
            if data is None:
                raise not_found()
            return data

    def directory(
        self, owner: str, repo: str, path: str, ref: str | None
    ) -> list[github_tree.Entry] | None:
        """Return a directory's entries at `ref` ("" the root), or None when it is not one."""
        with self.lock:
            at = (owner, repo, ref or self.default_branch(owner, repo))
            files = {p: data for (o, r, f, p), data in self._contents.items() if (o, r, f) == at}
        return github_tree.entries(files, path)

    def create_review(
        self, owner: str, repo: str, number: int, payload: Mapping[str, Any]
    ) -> ReviewRecord:
        """Check and record a review with its comments, all or nothing."""
        with self.lock:
            pr = self.pull(owner, repo, number)
            body = check_body(payload.get("body") or "", "PullRequestReview")
            checked = check_review_comments(pr, payload.get("comments") or [])
            event = payload.get("event")
            commit_id = str(payload.get("commit_id") or pr.head_sha)
            review_id, now = next(self._ids), datetime.now(UTC)
            where: dict[str, Any] = {
                "owner": owner,
                "repo": repo,
                "pull_number": number,
                "commit_id": commit_id,
            }
            comments = tuple(
                ReviewCommentRecord(
                    id=next(self._ids),
                    review_id=review_id,
                    user_login=self.bot_login,
                    created_at=now,
                    **where,
                    **asdict(c),
                )
                for c in checked
            )
            record = ReviewRecord(
                id=review_id,
                body=body,
                event=event,
                state=REVIEW_STATES.get(str(event), "PENDING"),
                comments=comments,
                user_login=self.bot_login,
                submitted_at=now,
                outdated=commit_id != pr.head_sha,
                **where,
            )
            self._reviews.append(record)
            return record

    def reviews_of(self, owner: str, repo: str, number: int) -> list[ReviewRecord]:
        """Return the reviews of one pull request."""
        with self.lock:
            self.pull(owner, repo, number)
            key = (owner, repo, number)
            return [r for r in self._reviews if (r.owner, r.repo, r.pull_number) == key]

    def create_issue_comment(
        self, owner: str, repo: str, number: int, body: object
    ) -> IssueCommentRecord:
        """Check and record a conversation comment by the App's bot."""
        with self.lock:
            self.pull(owner, repo, number)
            return self.add_issue_comment(owner, repo, number, check_body(body, "IssueComment"))

    def comments_of(self, owner: str, repo: str, number: int) -> list[IssueCommentRecord]:
        """Return the conversation comments of one pull request, oldest first."""
        with self.lock:
            self.pull(owner, repo, number)
            key = (owner, repo, number)
            return [c for c in self.issue_comments if (c.owner, c.repo, c.issue_number) == key]

    def update_issue_comment(
        self, owner: str, repo: str, comment_id: int, body: object
    ) -> IssueCommentRecord:
        """Replace a comment's body, keeping the old one in its history."""
        with self.lock:
            old = self._comment(owner, repo, comment_id)
            text = check_body(body, "IssueComment")
            new = replace(
                old,
                body=text,
                updated_at=datetime.now(UTC),
                previous_bodies=(*old.previous_bodies, old.body),
            )
            self._issue_comments[comment_id] = new
            return new

    def create_reaction(
        self, owner: str, repo: str, comment_id: int, content: object
    ) -> tuple[ReactionRecord, bool]:
        """Add the bot's reaction to a comment; return it and whether it is new."""
        with self.lock:
            self._comment(owner, repo, comment_id)
            if content not in REACTIONS:
                raise ApiError(422, {"message": "Validation Failed", "status": "422"})
            for existing in self._reactions:
                if (existing.comment_id, existing.content, existing.user_login) == (
                    comment_id,
                    content,
                    self.bot_login,
                ):
                    return existing, False
            record = ReactionRecord(
                next(self._ids), comment_id, str(content), self.bot_login, datetime.now(UTC)
            )
            self._reactions.append(record)
            return record, True

    def create_check_run(
        self, installation: Installation, owner: str, repo: str, payload: Mapping[str, Any]
    ) -> CheckRunRecord:
        """Check and record a new check run on a commit the repository has."""
        with self.lock:
            require_checks_write(installation)
            known = {
                sha
                for (o, r, _), pr in self._pulls.items()
                if (o, r) == (owner, repo)
                for sha in (pr.head_sha, pr.base_sha)
            }
            record = new_check_run(next(self._ids), owner, repo, payload, known)
            self._check_runs[record.id] = record
            return record

    def update_check_run(
        self,
        installation: Installation,
        owner: str,
        repo: str,
        check_run_id: int,
        payload: Mapping[str, Any],
    ) -> CheckRunRecord:
        """Check and apply an update to one of the repository's check runs."""
        with self.lock:
            require_checks_write(installation)
            record = self._check_runs.get(check_run_id)
            if record is None or (record.owner, record.repo) != (owner, repo):
                raise not_found()
            updated = updated_check_run(record, payload)
            self._check_runs[check_run_id] = updated
            return updated

    def role(self, owner: str, repo: str, login: str) -> str:
        """Return a user's role on a repository ("none" when not seeded)."""
        with self.lock:
            return self._roles.get((owner, repo, login), "none")

    def _comment(self, owner: str, repo: str, comment_id: int) -> IssueCommentRecord:
        comment = self._issue_comments.get(comment_id)
        if comment is None or (comment.owner, comment.repo) != (owner, repo):
            raise not_found()
        return comment
