"""The App's answer cache: Redis, one namespace per installation, every entry with a TTL.

Keys: ``docgen:answer:{installation_id}:{answer_key}``, each a string holding the
answer text as the model gave it. Installations never see each other's answers:
what one paid for, another did not. A read is one MGET and a write one pipeline,
whatever the number of functions.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import redis.asyncio
from redis.exceptions import RedisError

from bot import keys
from bot.llm.answers import DEFAULT_TTL_SECONDS
from bot.logctx import get_logger

log = get_logger("docgen.answer_cache")


class RedisAnswerCache:
    """Answers of one installation in Redis, each kept ``ttl_seconds`` after it was last put."""

    def __init__(
        self,
        client: redis.asyncio.Redis,
        installation_id: int,
        ttl_seconds: int = DEFAULT_TTL_SECONDS,
    ) -> None:
        if ttl_seconds <= 0:  # Redis would refuse the SET; "off" is NoCache's job
            raise ValueError("ttl_seconds must be positive")
        self._client = client
        self._installation_id = installation_id
        self.ttl_seconds = ttl_seconds

    def redis_key(self, key: str) -> str:
        """Return the Redis key that holds the answer kept under ``key``."""
        return keys.answer_key(self._installation_id, key)

    async def get_many(self, keys: Collection[str]) -> dict[str, str]:
        """Return the texts kept under any of ``keys``, in one MGET; empty if Redis fails."""
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}
        try:
            values = await self._client.mget([self.redis_key(k) for k in wanted])
        except RedisError as exc:
            log.warning("answer_cache.read_failed", error=str(exc)[:200])
            return {}
        found: dict[str, str] = {}
        for key, value in zip(wanted, values, strict=True):
            text = _text(value)
            if text is not None:
                found[key] = text
        return found

    async def put_many(self, items: Mapping[str, str]) -> None:
        """Keep every text under its key with a fresh TTL, in one pipeline; drop on failure."""
        if not items:
            return
        pipe = self._client.pipeline(transaction=False)
        for key, text in items.items():
            pipe.set(self.redis_key(key), text.encode(), ex=self.ttl_seconds)
        try:
            await pipe.execute()
        except RedisError as exc:
            log.warning("answer_cache.not_kept", answers=len(items), error=str(exc)[:200])


def _text(value: object) -> str | None:
    # The client may or may not decode responses; an entry that is not UTF-8 is no answer.
    if isinstance(value, str):
        return value or None
    if isinstance(value, bytes):
        try:
            return value.decode() or None
        except UnicodeDecodeError:
            return None
    return None
