"""GitHub REST objects for the fake's records: pull requests, files, contents, reviews, comments.

Each carries every field githubkit's model requires, so `.parsed_data` works on them.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime

from tests.fakes.github_json import JSON, Urls, git_blob_sha, iso, node_id, numeric_id
from tests.fakes.github_model import (
    IssueCommentRecord,
    PrFile,
    PullRequestSeed,
    ReactionRecord,
    ReviewCommentRecord,
    ReviewRecord,
)

# The Contents API returns base64 JSON only up to 1 MB; larger files need the raw media type.
CONTENTS_JSON_LIMIT = 1024 * 1024


def pull_request(urls: Urls, pr: PullRequestSeed, default_branch: str) -> JSON:
    """Build a PullRequest."""
    api = urls.repo_api(pr.owner, pr.repo)
    html = f"{urls.web}/{pr.owner}/{pr.repo}/pull/{pr.number}"
    self_url = f"{api}/pulls/{pr.number}"
    repo = urls.repository(pr.owner, pr.repo, default_branch)
    created = iso(pr.created_at or datetime.now(UTC))
    additions = sum(f.changes()[0] for f in pr.files)
    deletions = sum(f.changes()[1] for f in pr.files)
    return {
        "url": self_url,
        "id": numeric_id(f"{pr.owner}/{pr.repo}#{pr.number}"),
        "node_id": node_id("PullRequest", pr.number),
        "html_url": html,
        "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "issue_url": f"{api}/issues/{pr.number}",
        "commits_url": f"{self_url}/commits",
        "review_comments_url": f"{self_url}/comments",
        "review_comment_url": f"{api}/pulls/comments{{/number}}",
        "comments_url": f"{api}/issues/{pr.number}/comments",
        "statuses_url": f"{api}/statuses/{pr.head_sha}",
        "number": pr.number,
        "state": pr.state,
        "locked": False,
        "title": pr.title,
        "user": urls.user(pr.user_login, bot=pr.user_login.endswith("[bot]")),
        "body": pr.body,
        "labels": [],
        "milestone": None,
        "active_lock_reason": None,
        "created_at": created,
        "updated_at": created,
        "closed_at": None,
        "merged_at": None,
        "merge_commit_sha": None,
        "assignee": None,
        "assignees": [],
        "requested_reviewers": [],
        "requested_teams": [],
        "head": _branch(urls, pr.owner, pr.head_ref, pr.head_sha, pr.user_login, repo),
        "base": _branch(urls, pr.owner, pr.base_ref, pr.base_sha, pr.owner, repo),
        "_links": {
            "self": urls.link(self_url),
            "html": urls.link(html),
            "issue": urls.link(f"{api}/issues/{pr.number}"),
            "comments": urls.link(f"{api}/issues/{pr.number}/comments"),
            "review_comments": urls.link(f"{self_url}/comments"),
            "review_comment": urls.link(f"{api}/pulls/comments{{/number}}"),
            "commits": urls.link(f"{self_url}/commits"),
            "statuses": urls.link(f"{api}/statuses/{pr.head_sha}"),
        },
        "author_association": "CONTRIBUTOR",
        "auto_merge": None,
        "draft": pr.draft,
        "merged": False,
        "mergeable": True,
        "rebaseable": True,
        "mergeable_state": "clean",
        "merged_by": None,
        "comments": 0,
        "review_comments": 0,
        "maintainer_can_modify": False,
        "commits": 1,
        "additions": additions,
        "deletions": deletions,
        "changed_files": len(pr.files),
    }


def _branch(urls: Urls, owner: str, ref: str, sha: str, login: str, repo: JSON) -> JSON:
    return {
        "label": f"{owner}:{ref}",
        "ref": ref,
        "sha": sha,
        "user": urls.user(login),
        "repo": repo,
    }


def diff_entry(urls: Urls, pr: PullRequestSeed, entry: PrFile) -> JSON:
    """Build a DiffEntry (one item of a pull request's files list)."""
    additions, deletions = entry.changes()
    path = entry.filename
    data: JSON = {
        "sha": git_blob_sha((entry.head_text or "").encode()),
        "filename": path,
        "status": entry.status,
        "additions": additions,
        "deletions": deletions,
        "changes": additions + deletions,
        "blob_url": f"{urls.web}/{pr.owner}/{pr.repo}/blob/{pr.head_sha}/{path}",
        "raw_url": f"{urls.web}/{pr.owner}/{pr.repo}/raw/{pr.head_sha}/{path}",
        "contents_url": f"{urls.repo_api(pr.owner, pr.repo)}/contents/{path}?ref={pr.head_sha}",
    }
    if entry.visible_patch is not None:
        data["patch"] = entry.visible_patch
    if entry.previous_filename is not None:
        data["previous_filename"] = entry.previous_filename
    return data


def content_file(urls: Urls, owner: str, repo: str, path: str, ref: str, data: bytes) -> JSON:
    """Build a ContentFile (base64, wrapped at 60 characters like GitHub's)."""
    api = f"{urls.repo_api(owner, repo)}/contents/{path}?ref={ref}"
    sha = git_blob_sha(data)
    html = f"{urls.web}/{owner}/{repo}/blob/{ref}/{path}"
    git = f"{urls.repo_api(owner, repo)}/git/blobs/{sha}"
    if len(data) > CONTENTS_JSON_LIMIT:
        content, encoding = "", "none"
    else:
        encoded = base64.b64encode(data).decode("ascii")
        content = "".join(encoded[i : i + 60] + "\n" for i in range(0, len(encoded), 60))
        encoding = "base64"
    return {
        "type": "file",
        "encoding": encoding,
        "size": len(data),
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "content": content,
        "sha": sha,
        "url": api,
        "git_url": git,
        "html_url": html,
        "download_url": f"{urls.web}/{owner}/{repo}/raw/{ref}/{path}",
        "_links": {"self": api, "git": git, "html": html},
    }


def review(urls: Urls, record: ReviewRecord) -> JSON:
    """Build a PullRequestReview."""
    pr_url = f"{urls.repo_api(record.owner, record.repo)}/pulls/{record.pull_number}"
    html = f"{urls.web}/{record.owner}/{record.repo}/pull/{record.pull_number}"
    html = f"{html}#pullrequestreview-{record.id}"
    data: JSON = {
        "id": record.id,
        "node_id": node_id("PullRequestReview", record.id),
        "user": urls.user(record.user_login, bot=record.user_login.endswith("[bot]")),
        "body": record.body,
        "state": record.state,
        "html_url": html,
        "pull_request_url": pr_url,
        "_links": {"html": urls.link(html), "pull_request": urls.link(pr_url)},
        "commit_id": record.commit_id,
        "author_association": "NONE",
    }
    if record.state != "PENDING":
        data["submitted_at"] = iso(record.submitted_at)
    return data


def review_comment(urls: Urls, record: ReviewCommentRecord) -> JSON:
    """Build a PullRequestReviewComment."""
    api = urls.repo_api(record.owner, record.repo)
    pr_url = f"{api}/pulls/{record.pull_number}"
    url = f"{api}/pulls/comments/{record.id}"
    html = f"{urls.web}/{record.owner}/{record.repo}/pull/{record.pull_number}"
    html = f"{html}#discussion_r{record.id}"
    stamp = iso(record.created_at)
    return {
        "url": url,
        "pull_request_review_id": record.review_id,
        "id": record.id,
        "node_id": node_id("PullRequestReviewComment", record.id),
        "diff_hunk": record.diff_hunk,
        "path": record.path,
        "commit_id": record.commit_id,
        "original_commit_id": record.commit_id,
        "user": urls.user(record.user_login, bot=record.user_login.endswith("[bot]")),
        "body": record.body,
        "created_at": stamp,
        "updated_at": stamp,
        "html_url": html,
        "pull_request_url": pr_url,
        "author_association": "NONE",
        "_links": {
            "self": urls.link(url),
            "html": urls.link(html),
            "pull_request": urls.link(pr_url),
        },
        "start_line": record.start_line,
        "original_start_line": record.start_line,
        "start_side": record.start_side,
        "line": record.line,
        "original_line": record.line,
        "side": record.side,
        "subject_type": "line",
    }


def issue_comment(urls: Urls, record: IssueCommentRecord) -> JSON:
    """Build an IssueComment."""
    api = urls.repo_api(record.owner, record.repo)
    html = f"{urls.web}/{record.owner}/{record.repo}/pull/{record.issue_number}"
    return {
        "id": record.id,
        "node_id": node_id("IssueComment", record.id),
        "url": f"{api}/issues/comments/{record.id}",
        "html_url": f"{html}#issuecomment-{record.id}",
        "body": record.body,
        "user": urls.user(record.user_login, bot=record.user_login.endswith("[bot]")),
        "created_at": iso(record.created_at),
        "updated_at": iso(record.updated_at),
        "issue_url": f"{api}/issues/{record.issue_number}",
        "author_association": "NONE",
    }


def reaction(urls: Urls, record: ReactionRecord) -> JSON:
    """Build a Reaction."""
    return {
        "id": record.id,
        "node_id": node_id("Reaction", record.id),
        "user": urls.user(record.user_login, bot=record.user_login.endswith("[bot]")),
        "content": record.content,
        "created_at": iso(record.created_at),
    }


def collaborator_permission(urls: Urls, login: str, role: str) -> JSON:
    """Build a RepositoryCollaboratorPermission; `permission` folds maintain/triage like GitHub."""
    permission = {"maintain": "write", "triage": "read"}.get(role, role)
    user = urls.user(login) | {"role_name": role}
    return {"permission": permission, "role_name": role, "user": user}
