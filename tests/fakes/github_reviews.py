"""What GitHub checks before it accepts a review or a comment, as pure functions.

A review is all or nothing: one comment off the diff refuses the whole review with
422 "Unprocessable Entity" and a list of sentences; a body over 65,536 characters is
422 "Validation Failed" with a structured error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tests.fakes.github_diff import diff_hunk_text, find_hunk, parse_hunks
from tests.fakes.github_model import MAX_BODY_CHARS, ApiError, PullRequestSeed

REVIEW_DOCS = "https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request"
LINE_NOT_IN_DIFF = "Pull request review thread line must be part of the diff"
START_NOT_IN_HUNK = (
    "Pull request review thread start line must be part of the same hunk as the line."
)
START_NOT_BEFORE = "Pull request review thread start line must precede the end line."
PATH_UNKNOWN = "Path could not be resolved"
REVIEW_STATES = {
    "APPROVE": "APPROVED",
    "REQUEST_CHANGES": "CHANGES_REQUESTED",
    "COMMENT": "COMMENTED",
}


@dataclass(frozen=True)
class CheckedComment:
    """A review comment that passed the checks, with the diff hunk GitHub attaches."""

    path: str
    body: str
    line: int
    side: str
    start_line: int | None
    start_side: str | None
    diff_hunk: str


def body_too_long(resource: str) -> ApiError:
    """Return GitHub's 422 for a body over the limit."""
    error = {
        "resource": resource,
        "code": "custom",
        "field": "body",
        "message": f"body is too long (maximum is {MAX_BODY_CHARS} characters)",
    }
    return ApiError(
        422,
        {
            "message": "Validation Failed",
            "errors": [error],
            "documentation_url": "https://docs.github.com/rest",
            "status": "422",
        },
    )


def check_body(body: object, resource: str) -> str:
    """Return the body as text, or raise the 422 GitHub gives for a missing or long body."""
    if not isinstance(body, str):
        raise ApiError(
            422,
            {
                "message": "Invalid request.\n\nFor 'properties/body', nil is not a string.",
                "documentation_url": "https://docs.github.com/rest",
                "status": "422",
            },
        )
    if len(body) > MAX_BODY_CHARS:
        raise body_too_long(resource)
    return body


def to_sentence(items: Sequence[str]) -> str:
    """Join sentences like Ruby's `to_sentence`, as GitHub's review errors are."""
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + ", and " + items[-1]


def unprocessable(messages: Sequence[str]) -> ApiError:
    """Return GitHub's 422 for review threads that do not fit the diff."""
    unique = list(dict.fromkeys(messages))
    return ApiError(
        422,
        {
            "message": "Unprocessable Entity",
            "errors": [to_sentence(unique)],
            "documentation_url": REVIEW_DOCS,
            "status": "422",
        },
    )


def check_review_comments(
    pr: PullRequestSeed, comments: Sequence[Mapping[str, Any]]
) -> tuple[CheckedComment, ...]:
    """Check every comment of a review against the PR's diff; refuse them all if one fails."""
    if not all(isinstance(c, Mapping) for c in comments):
        raise ApiError(422, {"message": "Invalid request.", "status": "422"})
    for comment in comments:
        check_body(comment.get("body"), "PullRequestReviewComment")
    checked: list[CheckedComment] = []
    problems: list[str] = []
    for comment in comments:
        result = _check_comment(pr, comment)
        if isinstance(result, str):
            problems.append(result)
        else:
            checked.append(result)
    if problems:
        raise unprocessable(problems)
    return tuple(checked)


def _check_comment(pr: PullRequestSeed, comment: Mapping[str, Any]) -> CheckedComment | str:
    entry = pr.file(str(comment.get("path")))
    if entry is None:
        return PATH_UNKNOWN
    line, side = comment.get("line"), comment.get("side") or "RIGHT"
    start_line = comment.get("start_line")
    start_side = (comment.get("start_side") or side) if start_line is not None else None
    hunks = parse_hunks("" if entry.binary else entry.patch or "")
    hunk = find_hunk(hunks, side, line) if isinstance(line, int) else None
    if hunk is None or not isinstance(line, int):
        return LINE_NOT_IN_DIFF
    if start_line is not None:
        if not isinstance(start_line, int) or start_line >= line:
            return START_NOT_BEFORE
        if find_hunk(hunks, str(start_side), start_line) != hunk:
            return START_NOT_IN_HUNK
    return CheckedComment(
        path=entry.filename,
        body=str(comment["body"]),
        line=line,
        side=side,
        start_line=start_line,
        start_side=start_side,
        diff_hunk=diff_hunk_text(entry.patch or "", hunks[hunk], side, line),
    )
