"""Redis: it answers, its version, and an eviction policy that never drops the queue."""

from __future__ import annotations

import redis.asyncio
from redis.exceptions import AuthenticationError, RedisError, ResponseError

from bot.doctor.report import CheckResult, Status, failed, passed, warned
from bot.doctor.runner import Context, Probe
from bot.settings import redact_url

POLICY_FIX = (
    "set maxmemory-policy noeviction (redis.conf, `CONFIG SET maxmemory-policy noeviction`, "
    "or the provider's parameter group)"
)


async def check_redis(ctx: Context, out: list[CheckResult]) -> None:
    """Ping Redis, read its version, then its ``maxmemory-policy``."""
    if "redis_url" in ctx.broken:
        fix = "set REDIS_URL to redis://HOST:6379/0 (or rediss:// for TLS)"
        out.append(failed("redis", "REDIS_URL is invalid (see settings)", fix))
        return
    url = ctx.settings.redis_url.get_secret_value()
    shown = redact_url(url)
    client = redis.asyncio.Redis.from_url(
        url, socket_connect_timeout=ctx.timeout, socket_timeout=ctx.timeout
    )
    try:
        await _ping(client, shown, out)
        if out[-1].status is Status.PASS:
            await _policy(client, out)
    finally:
        await client.aclose()


async def _ping(client: redis.asyncio.Redis, shown: str, out: list[CheckResult]) -> None:
    try:
        await client.ping()
        info = await client.info("server")
    except AuthenticationError as exc:
        fix = "put the right user and password in REDIS_URL (redis://user:password@host:port/db)"
        out.append(failed("redis", f"{shown} refused docgen's credentials ({exc})", fix))
        return
    except RedisError as exc:
        fix = "start Redis, or point REDIS_URL at a reachable one (host, port, TLS: rediss://)"
        out.append(failed("redis", f"cannot reach {shown} ({exc})", fix))
        return
    out.append(passed("redis", f"{shown} answers PING; Redis {info.get('redis_version', '?')}"))


async def _policy(client: redis.asyncio.Redis, out: list[CheckResult]) -> None:
    name = "redis eviction policy"
    try:
        answer = await client.config_get("maxmemory-policy")
    except ResponseError as exc:  # managed services disable or rename CONFIG
        detail = f"unknown: CONFIG GET is not allowed here ({str(exc)[:80]})"
        fix = "check in the provider's settings that maxmemory-policy is noeviction"
        out.append(warned(name, detail, fix))
        return
    policy = _text(answer.get("maxmemory-policy") or answer.get(b"maxmemory-policy"))
    if not policy:
        fix = "check that maxmemory-policy is noeviction"
        out.append(warned(name, "unknown: CONFIG GET returned nothing", fix))
    elif policy == "noeviction":
        out.append(passed(name, "noeviction: queued jobs and locks are never evicted"))
    else:
        detail = f"{policy}: under memory pressure Redis may evict queued jobs, locks and budgets"
        out.append(failed(name, detail, POLICY_FIX))


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value or "")


REDIS = Probe(
    ("redis", "redis eviction policy"),
    check_redis,
    "check that REDIS_URL's host and port are right and reachable from here",
)
