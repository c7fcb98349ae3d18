"""`docgen serve` and `docgen worker` start against the real Redis and stop cleanly on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import redis

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def base_env(redis_url: str, **extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "AZURE_", "DOCGEN_"))
    }
    env.update({"REDIS_URL": redis_url, "PYTHONUNBUFFERED": "1"}, **extra)
    return env


def start(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", *args],
        env=env,
        cwd=tmp_path,  # keeps any developer .env out of the test
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def stop(proc: subprocess.Popen[bytes]) -> tuple[int, str]:
    proc.send_signal(signal.SIGTERM)
    try:
        out, _ = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:  # pragma: no cover - the failure being tested for
        proc.kill()
        out, _ = proc.communicate()
        pytest.fail(f"did not stop on SIGTERM:\n{out.decode()}")
    return proc.returncode, out.decode()


def wait_for(check: object, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():  # type: ignore[operator]
                return
        except OSError:
            pass
        time.sleep(0.1)
    pytest.fail("timed out waiting for the process")


def test_serve_answers_healthz_and_stops_on_sigterm(redis_url: str, tmp_path: Path) -> None:
    port = free_port()
    proc = start(
        ["serve", "--host", "127.0.0.1", "--port", str(port)],
        base_env(redis_url, GITHUB_WEBHOOK_SECRET="s"),
        tmp_path,
    )

    def healthy() -> bool:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as resp:
            return bool(resp.status == 200)

    wait_for(healthy)
    code, out = stop(proc)
    assert code == 0, out


def test_worker_runs_against_redis_and_stops_on_sigterm(
    redis_url: str, tmp_path: Path, app_env: dict[str, str]
) -> None:
    proc = start(["worker"], base_env(redis_url, **app_env), tmp_path)
    client = redis.Redis.from_url(redis_url)
    wait_for(lambda: client.exists("arq:queue:health-check"))
    code, out = stop(proc)
    client.close()
    assert code == 0, out
    # Every line, arq's own included, is one JSON object (DOCGEN_LOG_FORMAT defaults to json).
    lines = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert {"worker.ready", "worker.stopped"} <= {line["msg"] for line in lines}


@pytest.mark.parametrize(
    ("command", "env", "first_words"),
    [
        (["serve"], {}, "docgen: error: GITHUB_WEBHOOK_SECRET is not set"),
        (
            ["serve"],
            {"GITHUB_WEBHOOK_SECRET": "s", "REDIS_URL": "http://x"},
            "docgen: error: REDIS_URL",
        ),
        (["worker"], {"GITHUB_APP_ID": "1"}, "docgen: error: GITHUB_PRIVATE_KEY"),
        (
            ["worker"],
            {"GITHUB_APP_ID": "1", "GITHUB_PRIVATE_KEY": "x"},
            "docgen: error: GITHUB_PRIVATE_KEY is not a PEM private key",
        ),
    ],
)
def test_bad_setting_stops_startup_with_one_line(
    command: list[str], env: dict[str, str], first_words: str, tmp_path: Path
) -> None:
    full = base_env("redis://127.0.0.1:6379/15")
    full.update(env)
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli", *command],
        env=full,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith(first_words), proc.stderr
    assert proc.stderr.strip().count("\n") == 0
