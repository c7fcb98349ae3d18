"""Directory listings of the fake GitHub's contents API, built from the files seeded at a ref.

The store keeps files only, so a directory exists where some file lies below it, as in
git. Entries come in git's tree order with git's SHAs (blob SHAs for files, tree SHAs
for directories), and at most 1,000 of them, as GitHub lists a directory.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from tests.fakes.github_json import JSON, Urls, git_blob_sha

# GitHub's contents API lists the first 1,000 entries of a directory and drops the rest.
LISTING_LIMIT = 1000


@dataclass(frozen=True)
class Entry:
    """One entry of a directory: a file with its size, or a directory (size 0)."""

    name: str
    path: str
    type: Literal["file", "dir"]
    sha: str
    size: int


def _tree_sha(files: Mapping[str, bytes]) -> str:
    """Return git's tree SHA-1 of files given by paths relative to the tree."""
    blobs: dict[str, bytes] = {}
    subtrees: dict[str, dict[str, bytes]] = {}
    for path, data in files.items():
        head, sep, rest = path.partition("/")
        if sep:
            subtrees.setdefault(head, {})[rest] = data
        else:
            blobs[head] = data
    rows = [(name, b"100644", git_blob_sha(data)) for name, data in blobs.items()]
    rows += [(name, b"40000", _tree_sha(below)) for name, below in subtrees.items()]
    # git orders a tree's entries by name, a directory's name read with a trailing "/".
    rows.sort(key=lambda r: (r[0] + "/" if r[1] == b"40000" else r[0]).encode())
    body = b"".join(
        mode + b" " + name.encode() + b"\0" + bytes.fromhex(sha) for name, mode, sha in rows
    )
    return hashlib.sha1(b"tree %d\0" % len(body) + body, usedforsecurity=False).hexdigest()


def entries(files: Mapping[str, bytes], directory: str) -> list[Entry] | None:
    """List the entries right inside ``directory`` ("" is the root) of ``files`` (path to bytes).

    Returns None when no file lies below ``directory``: there is no such directory.
    """
    prefix = f"{directory}/" if directory else ""
    blobs: dict[str, bytes] = {}
    subtrees: dict[str, dict[str, bytes]] = {}
    for path, data in files.items():
        if not path.startswith(prefix):
            continue
        name, sep, rest = path[len(prefix) :].partition("/")
        if sep:
            subtrees.setdefault(name, {})[rest] = data
        else:
            blobs[name] = data
    if not blobs and not subtrees:
        return None
    found = [Entry(n, prefix + n, "file", git_blob_sha(d), len(d)) for n, d in blobs.items()]
    found += [Entry(n, prefix + n, "dir", _tree_sha(t), 0) for n, t in subtrees.items()]
    found.sort(key=lambda e: (e.name + "/" if e.type == "dir" else e.name).encode())
    return found[:LISTING_LIMIT]


def entry_json(urls: Urls, owner: str, repo: str, ref: str, entry: Entry) -> JSON:
    """Build one ContentDirectoryItems object, as a directory listing carries it."""
    api = urls.repo_api(owner, repo)
    self_url = f"{api}/contents/{entry.path}?ref={ref}"
    if entry.type == "file":
        git = f"{api}/git/blobs/{entry.sha}"
        html = f"{urls.web}/{owner}/{repo}/blob/{ref}/{entry.path}"
        download: str | None = f"{urls.web}/{owner}/{repo}/raw/{ref}/{entry.path}"
    else:
        git = f"{api}/git/trees/{entry.sha}"
        html = f"{urls.web}/{owner}/{repo}/tree/{ref}/{entry.path}"
        download = None
    return {
        "name": entry.name,
        "path": entry.path,
        "sha": entry.sha,
        "size": entry.size,
        "url": self_url,
        "html_url": html,
        "git_url": git,
        "download_url": download,
        "type": entry.type,
        "_links": {"self": self_url, "git": git, "html": html},
    }
