"""Building blocks of the fake's GitHub JSON: ids, times, users, repositories, URLs.

They carry every field githubkit's models require, so `.parsed_data` works on the
fake's answers the way it does on GitHub's.
"""

from __future__ import annotations

import base64
import hashlib
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

JSON = dict[str, Any]

_USER_URLS = (
    "followers",
    "following{/other_user}",
    "gists{/gist_id}",
    "starred{/owner}{/repo}",
    "subscriptions",
    "organizations",
    "repos",
    "events{/privacy}",
    "received_events",
)

_REPO_URLS = (
    "archive_url:{archive_format}{/ref}",
    "assignees_url:assignees{/user}",
    "blobs_url:git/blobs{/sha}",
    "branches_url:branches{/branch}",
    "collaborators_url:collaborators{/collaborator}",
    "comments_url:comments{/number}",
    "commits_url:commits{/sha}",
    "compare_url:compare/{base}...{head}",
    "contents_url:contents/{+path}",
    "contributors_url:contributors",
    "deployments_url:deployments",
    "downloads_url:downloads",
    "events_url:events",
    "forks_url:forks",
    "git_commits_url:git/commits{/sha}",
    "git_refs_url:git/refs{/sha}",
    "git_tags_url:git/tags{/sha}",
    "issue_comment_url:issues/comments{/number}",
    "issue_events_url:issues/events{/number}",
    "issues_url:issues{/number}",
    "keys_url:keys{/key_id}",
    "labels_url:labels{/name}",
    "languages_url:languages",
    "merges_url:merges",
    "milestones_url:milestones{/number}",
    "notifications_url:notifications{?since,all,participating}",
    "pulls_url:pulls{/number}",
    "releases_url:releases{/id}",
    "stargazers_url:stargazers",
    "statuses_url:statuses/{sha}",
    "subscribers_url:subscribers",
    "subscription_url:subscription",
    "tags_url:tags",
    "teams_url:teams",
    "trees_url:git/trees{/sha}",
    "hooks_url:hooks",
)


def iso(moment: datetime) -> str:
    """Format a time the way GitHub does (UTC, seconds, `Z`)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def numeric_id(text: str) -> int:
    """Return a stable positive id for a name."""
    return zlib.crc32(text.encode()) or 1


def node_id(kind: str, number: int) -> str:
    """Return an opaque GraphQL-style node id."""
    return base64.b64encode(f"{kind}:{number}".encode()).decode().rstrip("=")


def git_blob_sha(data: bytes) -> str:
    """Return git's blob SHA-1 of some content."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class Urls:
    """The fake's roots: `api` like https://ghe/api/v3, `web` like https://ghe."""

    api: str
    web: str

    def repo_api(self, owner: str, repo: str) -> str:
        """Return the API URL of a repository."""
        return f"{self.api}/repos/{owner}/{repo}"

    def user(self, login: str, *, bot: bool = False) -> JSON:
        """Build a SimpleUser."""
        api = f"{self.api}/users/{login}"
        user: JSON = {
            "login": login,
            "id": numeric_id(login),
            "node_id": node_id("User", numeric_id(login)),
            "avatar_url": f"{self.web}/avatars/u/{numeric_id(login)}",
            "gravatar_id": "",
            "url": api,
            "html_url": f"{self.web}/{login}",
            "type": "Bot" if bot else "User",
            "site_admin": False,
        }
        for suffix in _USER_URLS:
            user[suffix.split("{")[0] + "_url"] = f"{api}/{suffix}"
        return user

    def repository(self, owner: str, repo: str, default_branch: str) -> JSON:
        """Build a Repository."""
        api = self.repo_api(owner, repo)
        full = f"{owner}/{repo}"
        data: JSON = {
            "id": numeric_id(full),
            "node_id": node_id("Repository", numeric_id(full)),
            "name": repo,
            "full_name": full,
            "license": None,
            "forks": 0,
            "owner": self.user(owner),
            "private": False,
            "html_url": f"{self.web}/{full}",
            "description": None,
            "fork": False,
            "url": api,
            "git_url": f"git://{self.web.split('://')[-1]}/{full}.git",
            "ssh_url": f"git@{self.web.split('://')[-1]}:{full}.git",
            "clone_url": f"{self.web}/{full}.git",
            "svn_url": f"{self.web}/{full}",
            "mirror_url": None,
            "homepage": None,
            "language": "Python",
            "forks_count": 0,
            "stargazers_count": 0,
            "watchers_count": 0,
            "size": 1,
            "default_branch": default_branch,
            "open_issues_count": 0,
            "open_issues": 0,
            "watchers": 0,
            "has_pages": False,
            "disabled": False,
            "pushed_at": None,
            "created_at": None,
            "updated_at": None,
        }
        for spec in _REPO_URLS:
            key, _, suffix = spec.partition(":")
            data[key] = f"{api}/{suffix}"
        return data

    def link(self, href: str) -> JSON:
        """Build a `{"href": ...}` link."""
        return {"href": href}
