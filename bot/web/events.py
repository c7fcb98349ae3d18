"""Pure decision: a verified delivery (event name + raw JSON body) -> ignore, a job, or a change.

Only the fields the decision needs are decoded (msgspec skips the rest of a
30 KB payload without building it), so the web process stays fast. The job is
a :class:`bot.contract.ReviewJob`, the record the worker reads back; an
:class:`InstallationChange` is carried out by the web process itself, in Redis.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import msgspec

from bot.contract import ReviewJob
from bot.errors import DocgenError

# Actions after which the pull request's code may hold functions to document.
REVIEWED_ACTIONS = frozenset({"opened", "synchronize", "reopened", "ready_for_review"})

# A comment's first line that is `/docgen`, alone or followed by its arguments; not
# `/docgenerate`. Up to three spaces may lead: four make a Markdown code block, which
# shows the command rather than giving it (so do a quote, `> /docgen`, and a fence).
_COMMAND = re.compile(r" {0,3}/docgen(?:\s(?P<args>.*))?", re.IGNORECASE | re.DOTALL)
_FIRST_LINE = re.compile(r"\r\n|\r|\n")

# Installation actions that change what docgen keeps or does for an installation.
INSTALLATION_ACTIONS = frozenset(
    {"created", "deleted", "suspend", "unsuspend", "new_permissions_accepted"}
)
REPOSITORIES_ACTIONS = frozenset({"added", "removed"})


class BadPayload(DocgenError):
    """The body is not JSON, or lacks a field the event needs."""


@dataclass(frozen=True, slots=True)
class Ignore:
    """A valid delivery that asks nothing of docgen, and why."""

    reason: str


@dataclass(frozen=True, slots=True)
class InstallationChange:
    """An installation or its repositories changed; the web process updates Redis.

    ``event`` is ``installation`` or ``installation_repositories``; ``repos`` are
    the repositories (``owner/name``) whose keys go: all of them when the
    installation was deleted, the removed ones when repositories were removed.
    """

    installation_id: int
    event: str
    action: str
    repos: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """Return ``event.action``, as logs and answers spell it."""
        return f"{self.event}.{self.action}"


Decision = Ignore | ReviewJob | InstallationChange
_T = TypeVar("_T")


# The payload shapes, reduced to what the decision reads.
class _User(msgspec.Struct):
    login: str
    type: str = "User"


class _Repository(msgspec.Struct):
    full_name: str


class _Installation(msgspec.Struct):
    id: int


class _Head(msgspec.Struct):
    sha: str
    # None when the fork was deleted; absent only in hand-made payloads.
    repo: _Repository | None | msgspec.UnsetType = msgspec.UNSET


class _Base(msgspec.Struct):
    repo: _Repository


class _PullRequest(msgspec.Struct):
    number: int
    state: str
    head: _Head
    user: _User
    draft: bool = False
    base: _Base | None = None


class _PullRequestEvent(msgspec.Struct):
    action: str
    pull_request: _PullRequest
    repository: _Repository
    sender: _User
    installation: _Installation | None = None


class _IssuePullRequest(msgspec.Struct):
    url: str


class _Issue(msgspec.Struct):
    number: int
    state: str
    # Present only when the issue is a pull request.
    pull_request: _IssuePullRequest | None = None


class _Comment(msgspec.Struct):
    id: int
    user: _User
    body: str | None = None


class _IssueCommentEvent(msgspec.Struct):
    action: str
    issue: _Issue
    comment: _Comment
    repository: _Repository
    sender: _User
    installation: _Installation | None = None


class _InstallationEvent(msgspec.Struct):
    action: str
    installation: _Installation
    # Present on created and deleted: the repositories the installation could reach.
    repositories: list[_Repository] | None = None


class _RepositoriesEvent(msgspec.Struct):
    action: str
    installation: _Installation
    repositories_removed: list[_Repository] = []


class _Envelope(msgspec.Struct):
    action: str | None = None


_PULL_REQUEST = msgspec.json.Decoder(_PullRequestEvent)
_ISSUE_COMMENT = msgspec.json.Decoder(_IssueCommentEvent)
_INSTALLATION = msgspec.json.Decoder(_InstallationEvent)
_REPOSITORIES = msgspec.json.Decoder(_RepositoriesEvent)
_ENVELOPE = msgspec.json.Decoder(_Envelope)


def _decode(decoder: msgspec.json.Decoder[_T], body: bytes) -> _T:
    try:
        return decoder.decode(body)
    except msgspec.ValidationError as exc:
        raise BadPayload(f"payload lacks what the event needs: {exc}") from None
    except msgspec.DecodeError:
        raise BadPayload(
            "body is not JSON (set the webhook content type to application/json)"
        ) from None


def _installation_id(installation: _Installation | None) -> int:
    if installation is None:
        raise BadPayload("payload has no installation (not a GitHub App delivery)")
    return installation.id


def _pull_request(body: bytes, review_drafts: bool) -> Decision:
    event = _decode(_PULL_REQUEST, body)
    pr = event.pull_request
    installation_id = _installation_id(event.installation)
    if event.action not in REVIEWED_ACTIONS:
        return Ignore(f"pull_request.{event.action} is not reviewed")
    if pr.state != "open":
        return Ignore(f"pull request #{pr.number} is {pr.state}")
    if pr.draft and not review_drafts:
        return Ignore(f"pull request #{pr.number} is a draft")
    if pr.user.type == "Bot":
        return Ignore(f"pull request #{pr.number} was opened by a bot ({pr.user.login})")
    return ReviewJob(
        installation_id=installation_id,
        repo=event.repository.full_name,
        number=pr.number,
        head_sha=pr.head.sha,
        trigger=f"pull_request.{event.action}",
        sender=event.sender.login,
        from_fork=_from_fork(pr, event.repository),
    )


def _from_fork(pr: _PullRequest, repository: _Repository) -> bool:
    """Return True when the pull request's head lives in another repository than its base."""
    if pr.head.repo is msgspec.UNSET:
        return False  # not said; GitHub always says, null included
    if pr.head.repo is None:
        return True  # the fork was deleted
    base = pr.base.repo if pr.base is not None else repository
    return pr.head.repo.full_name.casefold() != base.full_name.casefold()


def command_args(body: str | None) -> str | None:
    """Return the arguments of a ``/docgen`` command, or None if ``body`` gives none.

    Only the comment's first line counts: ``/docgen`` at its start (any case, up
    to three leading spaces), then its arguments, stripped (``""`` for a bare
    ``/docgen``). A quoted reply or a fenced block starting the comment is not a
    command, and neither is a ``/docgen`` on a later line.
    """
    if not body:
        return None
    first = _FIRST_LINE.split(body, maxsplit=1)[0]
    match = _COMMAND.fullmatch(first)
    if match is None:
        return None
    return (match.group("args") or "").strip()


def _issue_comment(body: bytes, review_drafts: bool) -> Decision:
    event = _decode(_ISSUE_COMMENT, body)
    issue, comment = event.issue, event.comment
    installation_id = _installation_id(event.installation)
    if event.action != "created":
        return Ignore(f"issue_comment.{event.action}: only new comments are commands")
    if issue.pull_request is None:
        return Ignore(f"#{issue.number} is an issue, not a pull request")
    command = command_args(comment.body)
    if command is None:
        return Ignore("comment is not a /docgen command")
    if comment.user.type == "Bot" or event.sender.type == "Bot":
        return Ignore(f"/docgen comment by a bot ({comment.user.login})")
    if issue.state != "open":
        return Ignore(f"pull request #{issue.number} is {issue.state}")
    # Write access is checked by the job: it needs a GitHub call.
    return ReviewJob(
        installation_id=installation_id,
        repo=event.repository.full_name,
        number=issue.number,
        head_sha=None,
        trigger="issue_comment",
        sender=event.sender.login,
        comment_id=comment.id,
        commenter=comment.user.login,
        command=command,
    )


def _installation(body: bytes, review_drafts: bool) -> Decision:
    event = _decode(_INSTALLATION, body)
    if event.action not in INSTALLATION_ACTIONS:
        return Ignore(f"installation.{event.action}: nothing to do")
    repos: tuple[str, ...] = ()
    if event.action == "deleted":
        repos = tuple(r.full_name for r in event.repositories or ())
    return InstallationChange(event.installation.id, "installation", event.action, repos)


def _installation_repositories(body: bytes, review_drafts: bool) -> Decision:
    event = _decode(_REPOSITORIES, body)
    if event.action not in REPOSITORIES_ACTIONS:
        return Ignore(f"installation_repositories.{event.action}: nothing to do")
    repos: tuple[str, ...] = ()
    if event.action == "removed":
        repos = tuple(r.full_name for r in event.repositories_removed)
    return InstallationChange(
        event.installation.id, "installation_repositories", event.action, repos
    )


def _ping(body: bytes, review_drafts: bool) -> Decision:
    _decode(_ENVELOPE, body)
    return Ignore("pong")


_HANDLERS: dict[str, Callable[[bytes, bool], Decision]] = {
    "pull_request": _pull_request,
    "issue_comment": _issue_comment,
    "installation": _installation,
    "installation_repositories": _installation_repositories,
    "ping": _ping,
}

HANDLED_EVENTS = frozenset(_HANDLERS)


def decide(event: str, body: bytes, *, review_drafts: bool = False) -> Decision:
    """Decide what a verified delivery asks of docgen.

    Raises BadPayload when the body is not JSON or lacks a field the event needs.
    """
    handler = _HANDLERS.get(event)
    if handler is None:
        envelope = _decode(_ENVELOPE, body)
        action = f".{envelope.action}" if envelope.action else ""
        return Ignore(f"{event}{action} is not handled")
    return handler(body, review_drafts)
