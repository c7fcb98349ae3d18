"""An installation's life in Redis: suspended flags, and forgetting what was kept for it.

GitHub tells the App when an installation is suspended, unsuspended or deleted, and
when repositories leave it. A suspension sets a flag that both processes read (the
web process ignores the installation's deliveries, the worker ends its queued jobs);
a deletion or a repository's removal deletes every key kept for it, as named in
:mod:`bot.keys`. Deleting walks the keyspace once with ``SCAN`` (never ``KEYS``,
which blocks Redis) and drops what matches with ``UNLINK`` in batches, so Redis
frees the memory off its main thread.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import redis.asyncio

from bot import keys

SCAN_COUNT = 1000
UNLINK_BATCH = 500


async def is_suspended(client: redis.asyncio.Redis, installation_id: int) -> bool:
    """Return True while the installation is suspended."""
    return bool(await client.exists(keys.suspended_key(installation_id)))


async def suspend(client: redis.asyncio.Redis, installation_id: int) -> None:
    """Mark the installation suspended until it is unsuspended (no expiry)."""
    await client.set(keys.suspended_key(installation_id), b"1")


async def unsuspend(client: redis.asyncio.Redis, installation_id: int) -> int:
    """Clear the installation's suspended flag; return the keys deleted (0 or 1)."""
    return int(await client.unlink(keys.suspended_key(installation_id)))


async def forget_installation(
    client: redis.asyncio.Redis, installation_id: int, repos: Iterable[str] = ()
) -> int:
    """Delete every key kept for the installation and for ``repos``; return how many."""
    patterns = list(keys.installation_patterns(installation_id))
    for repo in repos:
        patterns += keys.repository_patterns(repo)
    return await delete_matching(client, patterns)


async def forget_repositories(client: redis.asyncio.Redis, repos: Iterable[str]) -> int:
    """Delete every key kept for ``repos`` (``owner/name``); return how many."""
    patterns = [p for repo in repos for p in keys.repository_patterns(repo)]
    return await delete_matching(client, patterns)


async def delete_matching(client: redis.asyncio.Redis, patterns: Iterable[str]) -> int:
    """Delete docgen's keys matching any of the glob ``patterns``; return how many.

    One ``SCAN`` over docgen's keys, matched here against all the patterns at once,
    rather than one walk of the keyspace per pattern: an installation with many
    repositories has three patterns per repository.
    """
    matcher = _compile(patterns)
    if matcher is None:
        return 0
    deleted = 0
    batch: list[bytes | str] = []
    async for key in client.scan_iter(match=keys.SCAN_ALL, count=SCAN_COUNT):
        name = key.decode("utf-8", "replace") if isinstance(key, bytes) else key
        if matcher.fullmatch(name):
            batch.append(key)
            if len(batch) >= UNLINK_BATCH:
                deleted += int(await client.unlink(*batch))
                batch = []
    if batch:
        deleted += int(await client.unlink(*batch))
    return deleted


def _compile(patterns: Iterable[str]) -> re.Pattern[str] | None:
    parts = [glob_to_regex(p) for p in dict.fromkeys(patterns)]
    return re.compile("|".join(f"(?:{p})" for p in parts), re.S) if parts else None


def glob_to_regex(pattern: str) -> str:
    """Return a regular expression matching what Redis's glob ``pattern`` matches.

    Understands what :mod:`bot.keys` writes: ``*``, ``?``, ``[...]`` and ``\\`` escapes.
    """
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        if ch == "*":
            out.append(".*")
        elif ch == "?":
            out.append(".")
        elif ch == "[" and (end := pattern.find("]", i + 1)) > i:
            out.append("[" + "".join(re.escape(c) for c in pattern[i + 1 : end]) + "]")
            i = end + 1
            continue
        else:
            out.append(re.escape(ch))
        i += 1
    return "".join(out)
