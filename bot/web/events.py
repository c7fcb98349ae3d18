"""Pure decision: a verified delivery (event name + raw JSON body) -> ignore, or a job.

Only the fields the decision needs are decoded (msgspec skips the rest of a
30 KB payload without building it), so the web process stays fast. The job is
a :class:`bot.contract.ReviewJob`, the record the worker reads back.
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

# `/docgen` alone or followed by arguments; not `/docgenerate`.
_COMMAND = re.compile(r"\s*/docgen(?:\s|$)")


class BadPayload(DocgenError):
    """The body is not JSON, or lacks a field the event needs."""


@dataclass(frozen=True, slots=True)
class Ignore:
    """A valid delivery that asks nothing of docgen, and why."""

    reason: str


Decision = Ignore | ReviewJob
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


class _PullRequest(msgspec.Struct):
    number: int
    state: str
    head: _Head
    user: _User
    draft: bool = False


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


class _Envelope(msgspec.Struct):
    action: str | None = None


_PULL_REQUEST = msgspec.json.Decoder(_PullRequestEvent)
_ISSUE_COMMENT = msgspec.json.Decoder(_IssueCommentEvent)
_INSTALLATION = msgspec.json.Decoder(_InstallationEvent)
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
    )


def _issue_comment(body: bytes, review_drafts: bool) -> Decision:
    event = _decode(_ISSUE_COMMENT, body)
    issue, comment = event.issue, event.comment
    installation_id = _installation_id(event.installation)
    if event.action != "created":
        return Ignore(f"issue_comment.{event.action}: only new comments are commands")
    if issue.pull_request is None:
        return Ignore(f"#{issue.number} is an issue, not a pull request")
    if not _COMMAND.match(comment.body or ""):
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
        command=(comment.body or "").lstrip().splitlines()[0].removeprefix("/docgen").strip(),
    )


def _installation(body: bytes, review_drafts: bool) -> Decision:
    event = _decode(_INSTALLATION, body)
    # Tokens are minted per job, so an installation change needs nothing from us now.
    return Ignore(f"installation.{event.action}: nothing to do")


def _ping(body: bytes, review_drafts: bool) -> Decision:
    _decode(_ENVELOPE, body)
    return Ignore("pong")


_HANDLERS: dict[str, Callable[[bytes, bool], Decision]] = {
    "pull_request": _pull_request,
    "issue_comment": _issue_comment,
    "installation": _installation,
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
