"""Benchmark: how fast docgen acknowledges webhook deliveries, against a minimal receiver.

Run from the repository root, with Redis on 127.0.0.1:6379:

    .venv/bin/python bench/webhook_ack.py

It starts two servers under the same uvicorn (httptools + uvloop, one process
each): docgen's real app (``bot.web.app.create_app``) and a minimal reference
receiver (starlette, constant-time HMAC, ``json.loads``, one LPUSH of a small
record, 202). This process then sends signed ``pull_request`` deliveries of
about 28 KB with unique delivery ids to each, interleaved round by round, and
prints for both: closed-loop throughput at concurrency 64, and latency at a
fixed offered rate (default 1,000/s, measured from each request's scheduled
time), non-2xx answers, and the ratio docgen/reference. It then floods docgen
with wrongly signed requests, replays deliveries already sent, counts jobs in
Redis (none lost, none duplicated), and times one enqueue both ways (arq's
``enqueue_job`` and docgen's script).

The Redis database given by ``--redis-db`` (default 14) is flushed before and
after the run. Everything is bounded: a few seconds per phase.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECRET = "bench-webhook-secret-7d1f"
PAYLOAD = ROOT / "tests" / "payloads" / "pull_request.opened.json"
REFERENCE_LIST = "ref:deliveries"


# ---------------------------------------------------------------- servers


def reference_app(secret: bytes, redis_url: str) -> Any:
    """Return the minimal reference receiver: verify, json.loads, one LPUSH, 202."""
    import redis.asyncio
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    client = redis.asyncio.Redis.from_url(redis_url)

    async def webhook(request: Request) -> Response:
        body = await request.body()
        expected = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, request.headers.get("x-hub-signature-256", "")):
            return Response(status_code=401)
        payload = json.loads(body)
        pr = payload["pull_request"]
        record = json.dumps(
            [
                request.headers["x-github-event"],
                payload["action"],
                payload["installation"]["id"],
                payload["repository"]["full_name"],
                pr["number"],
                pr["head"]["sha"],
            ]
        )
        await client.lpush(REFERENCE_LIST, record)
        return Response(b'{"ok":true}', status_code=202, media_type="application/json")

    return Starlette(routes=[Route("/api/github/webhooks", webhook, methods=["POST"])])


def docgen_app(redis_url: str) -> Any:
    """Return docgen's real app, logging as in production (INFO, JSON lines to stderr)."""
    from bot.logging_setup import configure_logging
    from bot.settings import Settings
    from bot.web.app import create_app

    settings = Settings.from_env({"GITHUB_WEBHOOK_SECRET": SECRET, "REDIS_URL": redis_url})
    configure_logging("INFO")
    return create_app(settings)


def serve(kind: str, fd: int, redis_url: str, profile: str | None) -> None:
    """Run one server on the inherited listening socket until SIGTERM."""
    import uvicorn

    app = docgen_app(redis_url) if kind == "docgen" else reference_app(SECRET.encode(), redis_url)
    config = uvicorn.Config(
        app, http="httptools", loop="uvloop", access_log=False, log_level="warning"
    )
    server = uvicorn.Server(config)
    sock = socket.socket(fileno=fd)
    if profile is None:
        server.run(sockets=[sock])
        return
    import cProfile

    # uvicorn re-raises the SIGTERM it caught once it has shut down: make that a no-op
    # so the profile is written.
    signal.signal(signal.SIGTERM, lambda *_: None)
    profiler = cProfile.Profile()
    profiler.runcall(server.run, sockets=[sock])
    profiler.dump_stats(profile)


@dataclass
class Server:
    """A server subprocess this benchmark started."""

    kind: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=20)

    def log_lines(self) -> list[str]:
        return self.log_path.read_text(errors="replace").splitlines()


def start_server(kind: str, redis_url: str, workdir: Path, profile: str | None) -> Server:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    log_path = workdir / f"{kind}.log"
    args = [sys.executable, __file__, "--serve", kind, "--fd", str(sock.fileno())]
    args += ["--redis-url", redis_url] + (["--profile", profile] if profile else [])
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            args, pass_fds=(sock.fileno(),), stdout=log, stderr=log, cwd=ROOT
        )
    port = sock.getsockname()[1]
    sock.close()
    return Server(kind, port, process, log_path)


# ---------------------------------------------------------------- client


class Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection that sends a request and awaits its status."""

    def __init__(self) -> None:
        self.transport: Any = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future[int] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self.buffer[:end]).lower()
        at = head.find(b"content-length:")
        length = int(head[at + 15 :].split(b"\r\n", 1)[0]) if at >= 0 else 0
        if len(self.buffer) < end + 4 + length:
            return
        del self.buffer[: end + 4 + length]
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(int(head[9:12]))

    def connection_lost(self, exc: Exception | None) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError("server closed the connection"))

    async def send(self, parts: list[bytes]) -> int:
        assert self.transport is not None
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.writelines(parts)
        return await self.waiter


class Deliveries:
    """Signed pull_request deliveries: one body, a fresh delivery id each time."""

    def __init__(self, body: bytes, secret: str) -> None:
        self.body = body
        signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        self.head = (
            "POST /api/github/webhooks HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/json\r\nUser-Agent: GitHub-Hookshot/bench\r\n"
            "X-GitHub-Event: pull_request\r\nX-GitHub-Hook-ID: 512209731\r\n"
            f"X-Hub-Signature-256: {signature}\r\nContent-Length: {len(body)}\r\n"
            "X-GitHub-Delivery: "
        ).encode()
        self.sent: list[str] = []

    def next(self, delivery_id: str | None = None) -> list[bytes]:
        if delivery_id is None:
            delivery_id = str(uuid.uuid4())
            self.sent.append(delivery_id)
        return [self.head, delivery_id.encode(), b"\r\n\r\n", self.body]


@dataclass
class Tally:
    """What one target answered over the run."""

    throughput: list[float] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    # How late the generator itself was in sending, to tell its lag from the server's,
    # and the latency counted from the actual send.
    send_delays: list[float] = field(default_factory=list)
    from_send: list[float] = field(default_factory=list)
    per_round: list[list[float]] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)

    def count(self, status: int) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1

    def non_2xx(self) -> int:
        return sum(n for s, n in self.statuses.items() if not 200 <= s < 300)


async def connect(port: int, n: int) -> list[Connection]:
    loop = asyncio.get_running_loop()
    conns = []
    for _ in range(n):
        _, proto = await loop.create_connection(Connection, "127.0.0.1", port)
        conns.append(proto)
    return conns


async def closed_loop(
    port: int, make: Callable[[], list[bytes]], tally: Tally, concurrency: int, seconds: float
) -> float:
    """Send back to back on ``concurrency`` connections for ``seconds``; return requests/s."""
    conns = await connect(port, concurrency)
    deadline = time.perf_counter() + seconds
    done = 0

    async def worker(conn: Connection) -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            tally.count(await conn.send(make()))
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker(c) for c in conns))
    elapsed = time.perf_counter() - started
    for c in conns:
        assert c.transport is not None
        c.transport.close()
    return done / elapsed


async def open_loop(
    port: int, make: Callable[[], list[bytes]], tally: Tally, rate: float, seconds: float
) -> None:
    """Offer ``rate`` requests/s on schedule; latency counts from each scheduled time."""
    idle: asyncio.Queue[Connection] = asyncio.Queue()
    for conn in await connect(port, 128):
        idle.put_nowait(conn)
    total = int(rate * seconds)
    tasks = []

    async def one(scheduled: float) -> None:
        conn = await idle.get()
        sent = time.perf_counter()
        tally.send_delays.append(sent - scheduled)
        tally.count(await conn.send(make()))
        done = time.perf_counter()
        tally.latencies.append(done - scheduled)
        tally.from_send.append(done - sent)
        idle.put_nowait(conn)

    start = time.perf_counter() + 0.05
    for i in range(total):
        scheduled = start + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0.0005:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(scheduled)))
    await asyncio.gather(*tasks)
    while not idle.empty():
        conn = idle.get_nowait()
        assert conn.transport is not None
        conn.transport.close()


# ---------------------------------------------------------------- phases


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


async def compare(
    args: argparse.Namespace, servers: dict[str, Server], body: bytes
) -> dict[str, Any]:
    deliveries = {k: Deliveries(body, SECRET) for k in servers}
    tallies = {k: Tally() for k in servers}
    order = list(servers)
    for round_no in range(args.rounds):
        for kind in order if round_no % 2 == 0 else order[::-1]:
            d, tally, port = deliveries[kind], tallies[kind], servers[kind].port
            rps = await closed_loop(port, d.next, tally, args.concurrency, args.seconds)
            tally.throughput.append(rps)
            before = len(tally.latencies)
            await open_loop(port, d.next, tally, args.rate, args.seconds)
            tally.per_round.append(tally.latencies[before:])
            print(f"  round {round_no + 1} {kind:9} closed-loop {rps:7.0f}/s", flush=True)
    return {"deliveries": deliveries, "tallies": tallies}


async def flood(args: argparse.Namespace, server: Server, body: bytes) -> tuple[float, int]:
    """Send wrongly signed deliveries; return requests/s and the log lines it caused."""
    before = len(server.log_lines())
    forged = Deliveries(body, "not-the-secret")
    tally = Tally()
    rps = await closed_loop(server.port, forged.next, tally, args.concurrency, args.seconds)
    await asyncio.sleep(0.2)
    assert set(tally.statuses) == {401}, tally.statuses
    return rps, len(server.log_lines()) - before


async def replay(server: Server, deliveries: Deliveries, n: int) -> dict[int, int]:
    """Send ``n`` deliveries again (same ids, concurrently); return the statuses."""
    tally = Tally()
    conns = await connect(server.port, 64)
    ids = deliveries.sent[:: max(1, len(deliveries.sent) // n)][:n]

    async def worker(conn: Connection, chunk: list[str]) -> None:
        for delivery_id in chunk:
            tally.count(await conn.send(deliveries.next(delivery_id)))

    await asyncio.gather(*(worker(c, ids[i::64]) for i, c in enumerate(conns)))
    for c in conns:
        assert c.transport is not None
        c.transport.close()
    return tally.statuses


async def count_jobs(redis_url: str) -> dict[str, int]:
    import redis.asyncio

    client = redis.asyncio.Redis.from_url(redis_url)
    jobs = 0
    async for _ in client.scan_iter(match="arq:job:*", count=5000):
        jobs += 1
    counts = {
        "docgen_job_keys": jobs,
        "docgen_queue": await client.zcard("arq:queue"),
        "reference_list": await client.llen(REFERENCE_LIST),
    }
    await client.aclose()
    return counts


async def enqueue_cost(redis_url: str, n: int) -> dict[str, float]:
    """Time enqueues both ways, one at a time and 64 at once, interleaved.

    Return the median over 5 rounds of microseconds of wall time per enqueue.
    """
    from arq.connections import ArqRedis
    from redis.asyncio import ConnectionPool

    from bot.contract import JOB_FUNCTION, ReviewJob
    from bot.web.events import decide
    from bot.web.queue import JobQueue

    redis = ArqRedis(pool_or_conn=ConnectionPool.from_url(redis_url))
    queue = JobQueue(redis, debounce_seconds=0, queue_name="bench:queue")
    spec = decide("pull_request", PAYLOAD.read_bytes())
    assert isinstance(spec, ReviewJob)

    async def arq_one() -> None:
        job_id = str(uuid.uuid4())
        kwargs = spec.for_delivery(job_id).to_kwargs()
        await redis.enqueue_job(JOB_FUNCTION, _job_id=job_id, _queue_name="bench:queue", **kwargs)

    async def docgen_one() -> None:
        await queue.enqueue(spec, delivery_id=str(uuid.uuid4()))

    ways = {"arq enqueue_job": arq_one, "docgen": docgen_one}
    samples: dict[str, list[float]] = {}
    for _ in range(5):
        for name, one in ways.items():
            started = time.perf_counter()
            for _ in range(n):
                await one()
            samples.setdefault(f"{name}, one at a time", []).append(
                (time.perf_counter() - started) / n * 1e6
            )
            started = time.perf_counter()
            for _ in range(n // 64):
                await asyncio.gather(*(one() for _ in range(64)))
            samples.setdefault(f"{name}, 64 at once", []).append(
                (time.perf_counter() - started) / (n // 64 * 64) * 1e6
            )
    await redis.delete("bench:queue")
    await redis.aclose(close_connection_pool=True)
    return {k: statistics.median(v) for k, v in samples.items()}


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def flush(redis_url: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    client.close()


# ---------------------------------------------------------------- report


def report(result: dict[str, Any], args: argparse.Namespace, body: bytes) -> None:
    tallies: dict[str, Tally] = result["tallies"]
    print(f"\nwebhook ack benchmark, {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} CPUs")
    print(f"load average before {result['load_before']}, after {_load()}")
    print(
        f"body {len(body):,} bytes; {args.rounds} rounds x {args.seconds:g} s per phase, "
        f"concurrency {args.concurrency}, offered rate {args.rate:g}/s"
    )
    print(
        f"{'':10} {'throughput/s':>13} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'non-2xx':>8}"
        f" {'send-lag p99':>13} {'p99 from send':>14}"
    )
    for kind, tally in tallies.items():
        ms = [x * 1000 for x in tally.latencies]
        lag = percentile(tally.send_delays, 99) * 1000
        from_send = percentile(tally.from_send, 99) * 1000
        print(
            f"{kind:10} {statistics.median(tally.throughput):13,.0f} {percentile(ms, 50):8.2f} "
            f"{percentile(ms, 99):8.2f} {max(ms):8.2f} {tally.non_2xx():8} {lag:13.2f}"
            f" {from_send:14.2f}"
        )
    rounds = {k: " ".join(f"{x:,.0f}" for x in t.throughput) for k, t in tallies.items()}
    print(f"closed-loop throughput per round: {rounds}")
    ratio = statistics.median(tallies["docgen"].throughput) / statistics.median(
        tallies["reference"].throughput
    )
    print(f"throughput ratio docgen/reference: {ratio:.2f}x (goal >= 1.00x)")
    p99 = percentile(tallies["docgen"].latencies, 99) * 1000
    print(f"docgen p99 at {args.rate:g}/s: {p99:.2f} ms from schedule (goal < 10 ms)")
    p99_rounds = [f"{percentile(lat, 99) * 1000:.1f}" for lat in tallies["docgen"].per_round]
    print(f"docgen p99 per round, ms: {' '.join(p99_rounds)}")


async def run(args: argparse.Namespace) -> int:
    redis_url = f"redis://127.0.0.1:6379/{args.redis_db}"
    body = json.dumps(json.loads(PAYLOAD.read_text()), separators=(",", ":")).encode()
    flush(redis_url)
    with tempfile.TemporaryDirectory(prefix="docgen-bench-") as tmp:
        servers = {
            "docgen": start_server("docgen", redis_url, Path(tmp), args.profile),
            "reference": start_server("reference", redis_url, Path(tmp), args.profile_reference),
        }
        try:
            await asyncio.sleep(1.5)  # both servers import and start
            load_before = _load()
            result = await compare(args, servers, body)
            result["load_before"] = load_before
            flood_rps, flood_lines = await flood(args, servers["docgen"], body)
            replayed = await replay(servers["docgen"], result["deliveries"]["docgen"], 1000)
        finally:
            for server in servers.values():
                server.stop()
        counts = await count_jobs(redis_url)
        enqueue = await enqueue_cost(redis_url, 2048)
    flush(redis_url)
    report(result, args, body)
    tallies = result["tallies"]
    good_rps = statistics.median(tallies["docgen"].throughput)
    print(
        f"wrong signatures: {flood_rps:,.0f}/s ({flood_rps / good_rps:.2f}x the signed rate), "
        f"{flood_lines} log line(s) over {args.seconds:g} s"
    )
    print(f"replayed 1,000 delivered ids: answers {replayed} (200 = duplicate, nothing queued)")
    sent = {k: len(d.sent) for k, d in result["deliveries"].items()}
    accepted = {k: t.statuses.get(202, 0) for k, t in tallies.items()}
    print(f"deliveries sent {sent}, answered 202 {accepted}; in Redis {counts}")
    lost = accepted["docgen"] - counts["docgen_job_keys"]
    ok = lost == 0 and counts["docgen_queue"] == counts["docgen_job_keys"] == sent["docgen"]
    ok = ok and accepted["docgen"] == sent["docgen"]
    print(f"docgen jobs lost or duplicated: {'none' if ok else 'MISMATCH'}")
    print("enqueue wall time, us per job (median of 5 rounds of 2,048):")
    for name, micros in enqueue.items():
        print(f"  {name:30} {micros:7.0f}")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=4.0, help="length of each phase")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--rate", type=float, default=1000.0)
    parser.add_argument("--redis-db", type=int, default=14, help="flushed before and after")
    parser.add_argument("--profile", help="write a cProfile of the docgen server to this file")
    parser.add_argument(
        "--profile-reference", help="write a cProfile of the reference server to this file"
    )
    parser.add_argument("--serve", choices=["docgen", "reference"], help=argparse.SUPPRESS)
    parser.add_argument("--fd", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--redis-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.fd, args.redis_url, args.profile)
        return 0
    import uvloop

    return uvloop.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
