"""The pure decision over real GitHub payload shapes."""

from __future__ import annotations

from typing import Any

import pytest

from bot.contract import JOB_FUNCTION, ReviewJob
from bot.web.events import BadPayload, Decision, Ignore, InstallationChange, command_args, decide
from tests.web.support import compact, payload

HEAD = "7c1d0f3e5a9b24c8d6e1f0a3b5c7d9e2f4a6b8c0"
HEAD2 = "e4b9a2c71f08d3e6a5b4c3d2e1f0a9b8c7d6e5f4"


def _decide(event: str, data: dict[str, Any], **kwargs: Any) -> Decision:
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


@pytest.mark.parametrize(
    ("body", "command"),
    [
        ("/docgen", ""),
        ("/docgen   ", ""),
        ("  /docgen please", "please"),
        ("   /docgen all", "all"),  # three spaces: still a paragraph in Markdown
        ("/docgen\r\nmore", ""),
        ("/docgen\tall", "all"),
        ("/DocGen Rerun  --Force ", "Rerun  --Force"),  # any case; the arguments keep theirs
        ("/DOCGEN", ""),
        ("/docgen only src/**\nThe rest is prose\n/docgen other", "only src/**"),
        ("/docgen retry\r\n\r\n> /docgen quoted", "retry"),
        ("/docgen\u00a0nbsp", "nbsp"),
    ],
)
def test_docgen_command_makes_a_job_with_its_first_line_arguments(body: str, command: str) -> None:
    data = payload("issue_comment.created")
    data["comment"]["body"] = body
    spec = _decide("issue_comment", data)
    assert isinstance(spec, ReviewJob) and spec.comment_id == 2497731185
    assert spec.is_command and spec.command == command


@pytest.mark.parametrize(
    "body",
    [
        "LGTM",
        "please run /docgen",
        "/docgenerate",
        "/docgen-all",
        "/docgen:all",
        "> /docgen",  # a quoted reply
        ">/docgen all",
        "```\n/docgen\n```",  # a fence: line 1 is the fence
        "~~~text\n/docgen\n~~~",
        "    /docgen",  # four spaces: an indented code block
        "\t/docgen",
        "`/docgen`",
        "\n/docgen",  # line 1 is empty
        "Thanks!\n/docgen",  # only line 1 counts
        "docgen",
        "",
        None,
    ],
)
def test_other_comments_are_ignored(body: str | None) -> None:
    data = payload("issue_comment.created")
    data["comment"]["body"] = body
    assert _decide("issue_comment", data) == Ignore("comment is not a /docgen command")
    assert command_args(body) is None


def test_a_docgen_comment_by_docgen_itself_is_ignored() -> None:
    data = payload("issue_comment.created")
    data["comment"]["body"] = "/docgen\n<!-- docgen:summary -->"
    data["comment"]["user"].update(login="docgen-bot[bot]", type="Bot")
    assert _decide("issue_comment", data) == Ignore("/docgen comment by a bot (docgen-bot[bot])")


def test_deleted_command_is_ignored() -> None:
    data = payload("issue_comment.created")
    data["action"] = "deleted"
    assert _decide("issue_comment", data) == Ignore(
        "issue_comment.deleted: only new comments are commands"
    )


def _fork(data: dict[str, Any], owner: str = "bob-forks") -> dict[str, Any]:
    head = data["pull_request"]["head"]
    head["repo"]["full_name"] = f"{owner}/pipelines"
    head["repo"]["owner"]["login"] = owner
    head["label"] = f"{owner}:reader-docs"
    return data


def test_pull_request_from_a_fork_carries_the_flag() -> None:
    spec = _decide("pull_request", _fork(payload("pull_request.opened")))
    assert isinstance(spec, ReviewJob) and spec.from_fork
    assert spec.repo == "acme-data/pipelines"  # still the base repository's job
    same = _decide("pull_request", payload("pull_request.synchronize"))
    assert isinstance(same, ReviewJob) and not same.from_fork


def test_pull_request_whose_fork_was_deleted_is_from_a_fork() -> None:
    data = payload("pull_request.synchronize")
    data["pull_request"]["head"]["repo"] = None
    spec = _decide("pull_request", data)
    assert isinstance(spec, ReviewJob) and spec.from_fork


def test_a_head_in_the_same_repository_spelt_in_another_case_is_not_a_fork() -> None:
    data = payload("pull_request.opened")
    data["pull_request"]["head"]["repo"]["full_name"] = "Acme-Data/Pipelines"
    spec = _decide("pull_request", data)
    assert isinstance(spec, ReviewJob) and not spec.from_fork


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


def test_ping_is_acknowledged() -> None:
    assert _decide("ping", payload("ping")) == Ignore("pong")


REPOS = ("acme-data/pipelines", "acme-data/warehouse-models")


@pytest.mark.parametrize(
    ("event", "action", "repos"),
    [
        ("installation", "created", ()),
        ("installation", "deleted", REPOS),
        ("installation", "suspend", ()),
        ("installation", "unsuspend", ()),
        ("installation", "new_permissions_accepted", ()),
        ("installation_repositories", "added", ()),
        ("installation_repositories", "removed", ("acme-data/warehouse-models",)),
    ],
)
def test_installation_events_are_changes(event: str, action: str, repos: tuple[str, ...]) -> None:
    change = _decide(event, payload(f"{event}.{action}"))
    assert change == InstallationChange(58213377, event, action, repos)
    assert isinstance(change, InstallationChange) and change.name == f"{event}.{action}"


def test_unknown_installation_actions_are_ignored() -> None:
    data = payload("installation.created")
    data["action"] = "renamed"
    assert _decide("installation", data) == Ignore("installation.renamed: nothing to do")


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
        ("installation", "installation.deleted", ("installation", "id")),
        ("installation_repositories", "installation_repositories.removed", ("installation",)),
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
