"""The pure decision over real GitHub payload shapes."""

from __future__ import annotations

from typing import Any

import pytest

from bot.contract import JOB_FUNCTION, ReviewJob
from bot.web.events import BadPayload, Ignore, decide
from tests.web.support import compact, payload

HEAD = "7c1d0f3e5a9b24c8d6e1f0a3b5c7d9e2f4a6b8c0"
HEAD2 = "e4b9a2c71f08d3e6a5b4c3d2e1f0a9b8c7d6e5f4"


def _decide(event: str, data: dict[str, Any], **kwargs: Any) -> Ignore | ReviewJob:
    return decide(event, compact(data), **kwargs)


@pytest.mark.parametrize(
    ("action", "head"),
    [("opened", HEAD), ("synchronize", HEAD2), ("reopened", HEAD2), ("ready_for_review", HEAD2)],
)
def test_reviewed_pull_request_actions_make_a_job(action: str, head: str) -> None:
    spec = _decide("pull_request", payload(f"pull_request.{action}"))
    assert spec == ReviewJob(
        installation_id=58213377,
        repo="acme-data/pipelines",
        number=1187,
        head_sha=head,
        trigger=f"pull_request.{action}",
        sender="alice-dev",
    )


def test_only_synchronize_jobs_collapse() -> None:
    sync = _decide("pull_request", payload("pull_request.synchronize"))
    opened = _decide("pull_request", payload("pull_request.opened"))
    assert isinstance(sync, ReviewJob) and sync.collapsible
    assert isinstance(opened, ReviewJob) and not opened.collapsible


def test_job_kwargs_follow_the_contract() -> None:
    spec = _decide("issue_comment", payload("issue_comment.created"))
    assert isinstance(spec, ReviewJob)
    assert JOB_FUNCTION == "review_pull_request"
    assert spec.for_delivery("d-1").to_kwargs() == {
        "installation_id": 58213377,
        "repo": "acme-data/pipelines",
        "number": 1187,
        "head_sha": None,
        "trigger": "issue_comment",
        "delivery_id": "d-1",
        "sender": "carol-maint",
        "comment_id": 2497731185,
        "commenter": "carol-maint",
        "waits": 0,
        "from_fork": False,
        "command": "",
    }


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("pull_request.closed", "pull_request.closed is not reviewed"),
        ("pull_request.labeled", "pull_request.labeled is not reviewed"),
    ],
)
def test_other_pull_request_actions_are_ignored(name: str, reason: str) -> None:
    assert _decide("pull_request", payload(name)) == Ignore(reason)


def test_draft_is_ignored_unless_configured() -> None:
    data = payload("pull_request.opened")
    data["pull_request"]["draft"] = True
    assert _decide("pull_request", data) == Ignore("pull request #1187 is a draft")
    assert isinstance(_decide("pull_request", data, review_drafts=True), ReviewJob)


def test_closed_pull_request_is_ignored() -> None:
    data = payload("pull_request.synchronize")
    data["pull_request"]["state"] = "closed"
    assert _decide("pull_request", data) == Ignore("pull request #1187 is closed")


def test_pull_request_from_a_bot_is_ignored() -> None:
    data = payload("pull_request.opened")
    data["pull_request"]["user"].update(login="dependabot[bot]", type="Bot")
    assert _decide("pull_request", data) == Ignore(
        "pull request #1187 was opened by a bot (dependabot[bot])"
    )


@pytest.mark.parametrize("body", ["/docgen", "  /docgen please", "/docgen\r\nmore", "/docgen\tall"])
def test_docgen_command_makes_a_job(body: str) -> None:
    data = payload("issue_comment.created")
    data["comment"]["body"] = body
    spec = _decide("issue_comment", data)
    assert isinstance(spec, ReviewJob) and spec.comment_id == 2497731185


@pytest.mark.parametrize("body", ["LGTM", "please run /docgen", "/docgenerate", "", None])
def test_other_comments_are_ignored(body: str | None) -> None:
    data = payload("issue_comment.created")
    data["comment"]["body"] = body
    assert _decide("issue_comment", data) == Ignore("comment is not a /docgen command")


def test_comment_on_an_issue_is_ignored() -> None:
    data = payload("issue_comment.created")
    del data["issue"]["pull_request"]
    assert _decide("issue_comment", data) == Ignore("#1187 is an issue, not a pull request")


def test_comment_by_a_bot_is_ignored() -> None:
    data = payload("issue_comment.created")
    data["comment"]["user"].update(login="docgen-bot[bot]", type="Bot")
    data["sender"].update(login="docgen-bot[bot]", type="Bot")
    assert _decide("issue_comment", data) == Ignore("/docgen comment by a bot (docgen-bot[bot])")


def test_edited_comment_is_ignored() -> None:
    data = payload("issue_comment.created")
    data["action"] = "edited"
    assert _decide("issue_comment", data) == Ignore(
        "issue_comment.edited: only new comments are commands"
    )


def test_comment_on_a_closed_pull_request_is_ignored() -> None:
    data = payload("issue_comment.created")
    data["issue"]["state"] = "closed"
    assert _decide("issue_comment", data) == Ignore("pull request #1187 is closed")


def test_installation_and_ping_are_acknowledged() -> None:
    assert _decide("installation", payload("installation.created")) == Ignore(
        "installation.created: nothing to do"
    )
    assert _decide("ping", payload("ping")) == Ignore("pong")


def test_unhandled_events_are_ignored_by_name() -> None:
    assert decide("push", b'{"ref": "refs/heads/main"}') == Ignore("push is not handled")
    assert decide("check_run", b'{"action": "completed"}') == Ignore(
        "check_run.completed is not handled"
    )


@pytest.mark.parametrize("event", ["pull_request", "issue_comment", "ping", "push"])
@pytest.mark.parametrize("body", [b"payload=%7B%7D", b"", b"{", b"\xff\xfe"])
def test_non_json_body_is_a_bad_payload(event: str, body: bytes) -> None:
    with pytest.raises(BadPayload, match="not JSON"):
        decide(event, body)


@pytest.mark.parametrize(
    ("event", "name", "path"),
    [
        ("pull_request", "pull_request.opened", ("pull_request", "head")),
        ("pull_request", "pull_request.opened", ("repository",)),
        ("pull_request", "pull_request.synchronize", ("pull_request", "number")),
        ("issue_comment", "issue_comment.created", ("comment", "id")),
        ("installation", "installation.created", ("installation",)),
    ],
)
def test_missing_fields_are_a_bad_payload(event: str, name: str, path: tuple[str, ...]) -> None:
    data = payload(name)
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    del parent[path[-1]]
    with pytest.raises(BadPayload, match=f"missing required field `{path[-1]}`"):
        _decide(event, data)


def test_wrong_types_are_a_bad_payload() -> None:
    data = payload("pull_request.opened")
    data["pull_request"]["number"] = "1187"
    with pytest.raises(BadPayload, match="Expected `int`"):
        _decide("pull_request", data)
    with pytest.raises(BadPayload):
        decide("pull_request", b"[1, 2]")


@pytest.mark.parametrize("event", ["pull_request", "issue_comment"])
def test_delivery_without_installation_is_a_bad_payload(event: str) -> None:
    name = "pull_request.opened" if event == "pull_request" else "issue_comment.created"
    data = payload(name)
    del data["installation"]
    with pytest.raises(BadPayload, match="no installation"):
        _decide(event, data)


def test_samples_are_realistic_in_size() -> None:
    for name in ("pull_request.opened", "pull_request.synchronize"):
        assert 20_000 < len(compact(payload(name))) < 30_000
