"""A Redis outage under the web process loses no review: the failed deliveries come back.

The test runs a Redis server of its own (its own port), so stopping it disturbs no one.
Deliveries go through the fake GitHub, which records how each was answered, as GitHub
does; the redelivery task asks for the failed ones once Redis is back.
"""

from __future__ import annotations

import copy
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import redis.asyncio

from bot.settings import Front, Settings, load_settings
from bot.web.app import create_app
from bot.worker.redeliver import redeliver_failed
from bot.worker.services import open_services
from tests.fakes.github import PrFile
from tests.web.support import WEBHOOK, compact, payload, serve
from tests.worker.conftest import run_burst as run_worker
from tests.worker.support import INSTALLATION, OWNER, REPO, sha

NUMBERS = (7, 8, 9)
SOURCE = "def total(prices, tax):\n    return sum(prices) * (1 + tax)\n"


class OwnRedis:
    """A redis-server child process on a free port, stopped and started at will."""

    def __init__(self, folder: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.folder = folder
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the server (empty: nothing is saved) and wait until it answers."""
        self._process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--daemonize", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        try:
            for _ in range(200):
                try:
                    if client.ping():
                        return
                except redis.ConnectionError:
                    time.sleep(0.025)
            raise RuntimeError("redis-server did not start")
        finally:
            client.close()

    def stop(self) -> None:
        """Stop the server and wait until it is gone."""
        if self._process is not None:
            self._process.terminate()
            self._process.wait(10)
            self._process = None


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.stop()


def opened(number: int) -> bytes:
    data: dict[str, Any] = copy.deepcopy(payload("pull_request.opened"))
    data["installation"]["id"] = INSTALLATION
    data["number"] = number
    data["repository"].update(full_name=f"{OWNER}/{REPO}", name=REPO)
    data["repository"]["owner"]["login"] = OWNER
    data["pull_request"].update(number=number, draft=False, state="open")
    data["pull_request"]["head"]["sha"] = sha(number)
    return compact(data)


def seed(fake_github: Any) -> None:
    fake_github.add_installation(INSTALLATION, repos=[f"{OWNER}/{REPO}"])
    for number in NUMBERS:
        files = [PrFile.from_texts(f"pkg/pr{number}.py", None, SOURCE)]
        fake_github.add_pull_request(OWNER, REPO, number, head_sha=sha(number), files=files)


async def run_redelivery(settings: Settings) -> int:
    client = redis.asyncio.Redis.from_url(settings.redis_url.get_secret_value())
    services = await open_services(settings, client)
    try:
        return await redeliver_failed({"services": services})
    finally:
        await services.aclose()
        await client.aclose()


def reviewed(fake_github: Any) -> list[int]:
    return sorted(r.pull_number for r in fake_github.reviews)


async def test_deliveries_failed_in_a_redis_outage_are_each_processed_once(
    app_env: dict[str, str], own_redis: OwnRedis, fake_github: Any, fake_azure: Any
) -> None:
    settings = load_settings(Front.WORKER, {**app_env, "REDIS_URL": own_redis.url})
    seed(fake_github)
    hooks = fake_github.hooks
    with serve(create_app(settings)) as url:
        hooks.configure(url + WEBHOOK, app_env["GITHUB_WEBHOOK_SECRET"])
        assert hooks.send("pull_request", opened(7)).status_code == 202
        assert await run_worker(settings) == 1

        own_redis.stop()
        lost = [hooks.send("pull_request", opened(n)) for n in (8, 9)]
        assert [a.status_code for a in lost] == [503, 503]  # GitHub marks them failed

        own_redis.start()  # empty: the outage lost nothing that had been queued
        assert await run_redelivery(settings) == 2
        newest = hooks.attempts()[:2]
        assert {(a.guid, a.redelivery, a.status_code) for a in newest} == {
            (a.guid, True, 202) for a in lost
        }
        assert await run_redelivery(settings) == 0  # they succeeded: nothing left to ask
        assert await run_worker(settings) == 2
        assert reviewed(fake_github) == [7, 8, 9]

        # A redelivery of an event already processed queues nothing (the job id is its GUID).
        again = hooks.redeliver(lost[0].id)
        assert again is not None and again.status_code == 200
        assert await run_worker(settings) == 0
    assert reviewed(fake_github) == [7, 8, 9]
    assert len({a.guid for a in hooks.attempts()}) == 3
