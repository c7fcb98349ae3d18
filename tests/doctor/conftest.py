"""Fixtures for `docgen doctor`: an installed App on the fakes, and a Redis of the test's own."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from tests.fakes.github import FakeGitHub

INSTALLATION = 77


def free_port() -> int:
    """Return a 127.0.0.1 port nothing listens on (bound once, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def env(app_env: dict[str, str], fake_github: FakeGitHub) -> dict[str, str]:
    """Return a deployment's environment on the fakes, the App installed once."""
    fake_github.add_installation(INSTALLATION, account="octo-org")
    return dict(app_env)


@pytest.fixture(autouse=True)
def offline_tokenizer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Give each test an empty tokenizer cache and make every download fail."""
    cache = tmp_path / "tiktoken"
    cache.mkdir()
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(cache))
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")  # the fakes stay reachable
    return cache


@pytest.fixture
def start_redis(tmp_path: Path) -> Iterator[Callable[..., str]]:
    """Start redis-servers of the test's own with extra arguments; return their URLs."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    procs: list[subprocess.Popen[Any]] = []

    def start(*args: str) -> str:
        port = free_port()
        argv = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        argv += ["--appendonly", "no", "--dir", str(tmp_path), *args]
        procs.append(subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        url = f"redis://127.0.0.1:{port}/0"
        client = redis.Redis.from_url(url)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        client.close()
        return url

    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(10)
