"""Handlers of the fake GitHub REST API: one small function per route.

Each handler gets the state and a parsed `Call` and returns a response or raises
`ApiError`; the server wraps them with authentication, fault injection and counting.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from starlette.responses import JSONResponse, Response

from tests.fakes import github_json as gj
from tests.fakes import github_objects as go
from tests.fakes import github_tree as tree
from tests.fakes.github_auth import credentials
from tests.fakes.github_checks import check_run_json
from tests.fakes.github_model import MAX_LISTED_FILES, ApiError, Installation, Route
from tests.fakes.github_state import FakeGitHub

T = TypeVar("T")


@dataclass(frozen=True)
class Call:
    """What a handler needs from one request."""

    params: Mapping[str, Any]
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: Any
    url: str  # absolute, without the query
    urls: gj.Urls

    @property
    def owner(self) -> str:
        """Return the repository owner of the path."""
        return str(self.params["owner"])

    @property
    def repo(self) -> str:
        """Return the repository name of the path."""
        return str(self.params["repo"])

    def number(self, name: str) -> int:
        """Return an integer path parameter."""
        return int(self.params[name])


Handler = Callable[[FakeGitHub, Call], Response]


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def paginate(call: Call, items: Sequence[T]) -> tuple[Sequence[T], dict[str, str]]:
    """Cut one page out of `items` and build GitHub's Link header with absolute URLs."""
    per_page = min(max(_int(call.query.get("per_page"), 30), 1), 100)
    page = max(_int(call.query.get("page"), 1), 1)
    last = max(math.ceil(len(items) / per_page), 1)

    def url(number: int) -> str:
        query = {**call.query, "per_page": str(per_page), "page": str(number)}
        return f"{call.url}?{urlencode(query)}"

    links = []
    if page > 1:
        links.append(f'<{url(min(page - 1, last))}>; rel="prev"')
    if page < last:
        links += [f'<{url(page + 1)}>; rel="next"', f'<{url(last)}>; rel="last"']
    if page > 1:
        links.append(f'<{url(1)}>; rel="first"')
    headers = {"Link": ", ".join(links)} if links else {}
    return items[(page - 1) * per_page : page * per_page], headers


def _json_body(call: Call) -> Mapping[str, Any]:
    if not isinstance(call.body, Mapping):
        raise ApiError(400, {"message": "Problems parsing JSON", "status": "400"})
    return call.body


def create_token(state: FakeGitHub, call: Call) -> Response:
    """POST /app/installations/{installation_id}/access_tokens."""
    token = state.mint_token(call.number("installation_id"), credentials(call.headers, "Bearer"))
    installation = state.installation(token.installation_id)
    data = {
        "token": token.token,
        "expires_at": gj.iso(token.expires_at),
        "permissions": dict(installation.permissions),
        "repository_selection": "all" if installation.repos is None else "selected",
    }
    return JSONResponse(data, status_code=201)


def get_pull(state: FakeGitHub, call: Call) -> Response:
    """GET /repos/{owner}/{repo}/pulls/{number}."""
    pr = state.pull(call.owner, call.repo, call.number("number"))
    branch = state.default_branch(call.owner, call.repo)
    return JSONResponse(go.pull_request(call.urls, pr, branch))


def list_files(state: FakeGitHub, call: Call) -> Response:
    """GET /repos/{owner}/{repo}/pulls/{number}/files (GitHub stops at 3000 files)."""
    pr = state.pull(call.owner, call.repo, call.number("number"))
    page, headers = paginate(call, pr.files[:MAX_LISTED_FILES])
    return JSONResponse([go.diff_entry(call.urls, pr, f) for f in page], headers=headers)


def get_content(state: FakeGitHub, call: Call) -> Response:
    """GET /repos/{owner}/{repo}/contents/{path}: base64 JSON, or raw bytes on request.

    A directory (the root when the path is empty) is listed instead: an array of its
    entries. A ref or path the repository lacks is a 404, as is an empty repository's root.
    """
    ref = call.query.get("ref")
    path = str(call.params.get("path", ""))
    listing = state.directory(call.owner, call.repo, path, ref)
    if listing is not None:
        at = ref or state.default_branch(call.owner, call.repo)
        return JSONResponse(
            [tree.entry_json(call.urls, call.owner, call.repo, at, e) for e in listing]
        )
    data = state.content(call.owner, call.repo, path, ref)
    if _wants_raw(call.headers.get("accept", "")):
        return Response(data, media_type="application/vnd.github.raw")
    ref = ref or state.default_branch(call.owner, call.repo)
    return JSONResponse(go.content_file(call.urls, call.owner, call.repo, path, ref, data))


# The media types GitHub answers with a file's bytes; any other Accept gets the JSON
# object, whose content is empty (encoding "none") for a file over 1 MiB.
RAW_MEDIA_TYPES = frozenset(
    {
        "application/vnd.github.raw",
        "application/vnd.github.raw+json",
        "application/vnd.github.v3.raw",
    }
)


def _wants_raw(accept: str) -> bool:
    return any(part.split(";")[0].strip().lower() in RAW_MEDIA_TYPES for part in accept.split(","))


def create_review(state: FakeGitHub, call: Call) -> Response:
    """POST /repos/{owner}/{repo}/pulls/{number}/reviews."""
    record = state.create_review(call.owner, call.repo, call.number("number"), _json_body(call))
    return JSONResponse(go.review(call.urls, record))


def list_reviews(state: FakeGitHub, call: Call) -> Response:
    """GET /repos/{owner}/{repo}/pulls/{number}/reviews."""
    reviews = state.reviews_of(call.owner, call.repo, call.number("number"))
    page, headers = paginate(call, reviews)
    return JSONResponse([go.review(call.urls, r) for r in page], headers=headers)


def list_review_comments(state: FakeGitHub, call: Call) -> Response:
    """GET /repos/{owner}/{repo}/pulls/{number}/comments."""
    reviews = state.reviews_of(call.owner, call.repo, call.number("number"))
    page, headers = paginate(call, [c for r in reviews for c in r.comments])
    return JSONResponse([go.review_comment(call.urls, c) for c in page], headers=headers)


def create_issue_comment(state: FakeGitHub, call: Call) -> Response:
    """POST /repos/{owner}/{repo}/issues/{number}/comments."""
    body = _json_body(call).get("body")
    record = state.create_issue_comment(call.owner, call.repo, call.number("number"), body)
    return JSONResponse(go.issue_comment(call.urls, record), status_code=201)


def list_issue_comments(state: FakeGitHub, call: Call) -> Response:
    """GET /repos/{owner}/{repo}/issues/{number}/comments."""
    comments = state.comments_of(call.owner, call.repo, call.number("number"))
    page, headers = paginate(call, comments)
    return JSONResponse([go.issue_comment(call.urls, c) for c in page], headers=headers)


def update_issue_comment(state: FakeGitHub, call: Call) -> Response:
    """PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}."""
    body = _json_body(call).get("body")
    record = state.update_issue_comment(call.owner, call.repo, call.number("comment_id"), body)
    return JSONResponse(go.issue_comment(call.urls, record))


def create_reaction(state: FakeGitHub, call: Call) -> Response:
    """POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions: 201 new, 200 known."""
    content = _json_body(call).get("content")
    record, created = state.create_reaction(
        call.owner, call.repo, call.number("comment_id"), content
    )
    return JSONResponse(go.reaction(call.urls, record), status_code=201 if created else 200)


def get_permission(state: FakeGitHub, call: Call) -> Response:
    """GET /repos/{owner}/{repo}/collaborators/{username}/permission."""
    login = str(call.params["username"])
    role = state.role(call.owner, call.repo, login)
    return JSONResponse(go.collaborator_permission(call.urls, login, role))


def _installation(state: FakeGitHub, call: Call) -> Installation:
    token = credentials(call.headers, "token") or credentials(call.headers, "Bearer")
    return state.authorize(token, call.owner, call.repo)


def create_check_run(state: FakeGitHub, call: Call) -> Response:
    """POST /repos/{owner}/{repo}/check-runs."""
    record = state.create_check_run(_installation(state, call), call.owner, call.repo, call.body)
    return JSONResponse(check_run_json(call.urls, record), status_code=201)


def update_check_run(state: FakeGitHub, call: Call) -> Response:
    """PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}."""
    record = state.update_check_run(
        _installation(state, call), call.owner, call.repo, call.number("check_run_id"), call.body
    )
    return JSONResponse(check_run_json(call.urls, record))


HANDLERS: dict[Route, Handler] = {
    Route.CREATE_TOKEN: create_token,
    Route.GET_PULL: get_pull,
    Route.LIST_FILES: list_files,
    Route.GET_CONTENT: get_content,
    Route.CREATE_REVIEW: create_review,
    Route.LIST_REVIEWS: list_reviews,
    Route.LIST_REVIEW_COMMENTS: list_review_comments,
    Route.CREATE_ISSUE_COMMENT: create_issue_comment,
    Route.LIST_ISSUE_COMMENTS: list_issue_comments,
    Route.UPDATE_ISSUE_COMMENT: update_issue_comment,
    Route.CREATE_REACTION: create_reaction,
    Route.GET_PERMISSION: get_permission,
    Route.CREATE_CHECK_RUN: create_check_run,
    Route.UPDATE_CHECK_RUN: update_check_run,
}
