"""The App's answer cache on a real Redis: per installation, with a TTL, one round trip."""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import Awaitable, Callable

import pytest
import redis.asyncio

from bot.llm.answers import DEFAULT_TTL_SECONDS, AnswerBook, Question
from bot.llm.answers_redis import RedisAnswerCache

TEXT = "Return the total of ``prices``.\n\nArgs:\n    prices: Prices in cents — “net”."


async def commands_during(
    redis_url: str, client: redis.asyncio.Redis, action: Callable[[], Awaitable[object]]
) -> list[str]:
    """Return the commands ``client`` ran on the test's database while ``action`` ran.

    MONITOR (on a connection of its own) sees every client of the server; the
    database number and a marker sent afterwards pick out this test's commands.
    """
    db = client.connection_pool.connection_kwargs.get("db", 0)
    marker = f"end-of-action-{uuid.uuid4().hex}"
    await client.ping()  # a connection is open before watching: its handshake is not counted
    watcher = redis.asyncio.Redis.from_url(redis_url)
    seen: list[str] = []
    async with watcher, watcher.monitor() as monitor:
        await action()
        await client.echo(marker)
        while True:
            command = await asyncio.wait_for(monitor.next_command(), timeout=10)
            if command["db"] != db:
                continue
            if marker in command["command"]:
                return seen
            seen.append(command["command"])


async def test_answers_round_trip_under_the_installation_namespace(
    redis_client: redis.asyncio.Redis,
) -> None:
    cache = RedisAnswerCache(redis_client, installation_id=42)
    await cache.put_many({"k1": TEXT, "k2": "Open it."})
    assert await cache.get_many(["k1", "k2", "k3"]) == {"k1": TEXT, "k2": "Open it."}
    keys = sorted(await redis_client.keys("docgen:answer:*"))
    assert keys == [b"docgen:answer:42:k1", b"docgen:answer:42:k2"]
    assert cache.redis_key("k1") == "docgen:answer:42:k1"
    assert await RedisAnswerCache(redis_client, installation_id=43).get_many(["k1"]) == {}


async def test_every_entry_expires_and_a_put_renews_it(redis_client: redis.asyncio.Redis) -> None:
    default = RedisAnswerCache(redis_client, installation_id=1)
    await default.put_many({"k": TEXT})
    assert 0 < await redis_client.ttl("docgen:answer:1:k") <= DEFAULT_TTL_SECONDS
    assert DEFAULT_TTL_SECONDS == 30 * 86_400
    short = RedisAnswerCache(redis_client, installation_id=1, ttl_seconds=600)
    await short.put_many({"k": TEXT})
    assert 0 < await redis_client.ttl("docgen:answer:1:k") <= 600
    await redis_client.delete("docgen:answer:1:k")  # what expiry does
    assert await short.get_many(["k"]) == {}
    with pytest.raises(ValueError, match="positive"):
        RedisAnswerCache(redis_client, installation_id=1, ttl_seconds=0)


async def test_many_answers_are_read_with_one_mget(
    redis_url: str, redis_client: redis.asyncio.Redis
) -> None:
    cache = RedisAnswerCache(redis_client, installation_id=5)
    await cache.put_many({f"k{i}": f"Answer {i}." for i in range(40)})
    found: dict[str, str] = {}

    async def read() -> None:
        found.update(await cache.get_many([f"k{i}" for i in range(60)]))

    commands = await commands_during(redis_url, redis_client, read)
    assert len(found) == 40
    assert [c.split()[0].upper() for c in commands] == ["MGET"]
    assert await commands_during(redis_url, redis_client, lambda: cache.get_many([])) == []


async def test_entries_that_are_not_text_read_as_missing(
    redis_client: redis.asyncio.Redis,
) -> None:
    cache = RedisAnswerCache(redis_client, installation_id=9)
    await redis_client.set("docgen:answer:9:bad", b"\xff\xfe not utf-8")
    await redis_client.set("docgen:answer:9:empty", b"")
    assert await cache.get_many(["bad", "empty"]) == {}


async def test_a_client_that_decodes_responses_works_too(redis_url: str) -> None:
    client = redis.asyncio.Redis.from_url(redis_url, decode_responses=True)
    try:
        cache = RedisAnswerCache(client, installation_id=3)
        await cache.put_many({"k": TEXT})
        assert await cache.get_many(["k"]) == {"k": TEXT}
    finally:
        await client.aclose()


async def test_an_unreachable_redis_never_fails_the_run() -> None:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = redis.asyncio.Redis(host="127.0.0.1", port=port)
    try:
        cache = RedisAnswerCache(client, installation_id=1)
        await cache.put_many({"k": TEXT})
        assert await cache.get_many(["k"]) == {}
    finally:
        await client.aclose()


async def test_a_book_reuses_an_answer_across_runs_of_one_installation(
    redis_client: redis.asyncio.Redis,
) -> None:
    first = AnswerBook(RedisAnswerCache(redis_client, 7), model="gpt-4o-mini", style="sphinx")
    await first.remember([(Question("pkg/a.py::total", "00ff00ff00ff00ff"), TEXT)])
    # A later run (a re-created pull request, a backport) builds its own book.
    later = AnswerBook(RedisAnswerCache(redis_client, 7), model="gpt-4o-mini", style="sphinx")
    asked = [Question("pkg/b.py::total", "00ff00ff00ff00ff"), Question("x.py::y", "1" * 16)]
    assert await later.lookup(asked) == {"pkg/b.py::total": TEXT}
