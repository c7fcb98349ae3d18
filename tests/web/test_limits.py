"""The 25 MiB cap: refused without reading the body into memory, in a real web process."""

from __future__ import annotations

import json
import select
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.web.webhook import MAX_BODY_BYTES
from tests.conftest import TEST_REDIS_BASE, TEST_REDIS_DB
from tests.web.support import SECRET, WEBHOOK, headers, serve_subprocess

MiB = 1024 * 1024


@pytest.fixture(scope="module")
def web_process() -> Iterator[tuple[str, int]]:
    """Run one real web process for these tests (none of them writes to Redis)."""
    redis_url = f"{TEST_REDIS_BASE}/{TEST_REDIS_DB}"
    env = {"GITHUB_WEBHOOK_SECRET": SECRET, "REDIS_URL": redis_url, "DOCGEN_LOG_LEVEL": "WARNING"}
    with serve_subprocess(env) as served:
        yield served


def _status(pid: int, field: str) -> int:
    """Return a /proc/<pid>/status figure in bytes (VmRSS, VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024
    raise KeyError(field)


def _reset_peak(pid: int) -> None:
    # Writing 5 resets the peak RSS (VmHWM) to the current RSS (Linux >= 4.0).
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def _stream(url: str, total: int, chunk: int = MiB) -> tuple[int, int]:
    """Upload ``total`` bytes with chunked encoding until the server answers.

    Return the status and how many body bytes were sent before the answer came.
    """
    host, port = url.removeprefix("http://").split(":")
    head = (
        f"POST {WEBHOOK} HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked\r\n"
        "Content-Type: application/json\r\nX-GitHub-Event: push\r\n"
        "X-GitHub-Delivery: 7f1a3c2e-5b4d-11ef-9a8b-0242ac120002\r\n\r\n"
    )
    piece = f"{chunk:x}\r\n".encode() + b"x" * chunk + b"\r\n"
    sent = 0
    with socket.create_connection((host, int(port)), timeout=20) as conn:
        conn.sendall(head.encode())
        try:
            while sent < total and not select.select([conn], [], [], 0)[0]:
                conn.sendall(piece)
                sent += chunk
            if sent >= total:
                conn.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed: the rest was never wanted
        answer = conn.recv(4096)
    return int(answer.split(b" ", 2)[1]), sent


def test_over_25_mib_streamed_is_413_and_memory_does_not_grow_with_the_body(
    web_process: tuple[str, int],
) -> None:
    url, pid = web_process
    base = _status(pid, "VmRSS")
    peaks = {}
    for size in (30 * MiB, 60 * MiB):
        _reset_peak(pid)
        status, sent = _stream(url, size)
        assert status == 413
        # The server answered long before the client had sent everything.
        assert sent < MAX_BODY_BYTES + 16 * MiB
        peaks[size] = _status(pid, "VmHWM")
    assert peaks[60 * MiB] - peaks[30 * MiB] < 4 * MiB
    # At most the 25 MiB the cap allows were ever held.
    assert peaks[30 * MiB] - base < MAX_BODY_BYTES + 12 * MiB


def test_declared_length_over_25_mib_is_413_before_reading(
    web_process: tuple[str, int],
) -> None:
    url, pid = web_process
    _reset_peak(pid)
    before = _status(pid, "VmHWM")
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(
            f"POST {WEBHOOK} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {MAX_BODY_BYTES + 1}\r\n"
            "X-GitHub-Event: push\r\n\r\n".encode()
        )
        answer = conn.recv(4096)  # no body byte was sent
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert b"connection: close" in answer.lower()
    assert _status(pid, "VmHWM") - before < 2 * MiB


def test_exactly_25_mib_is_accepted(web_process: tuple[str, int]) -> None:
    url, _ = web_process
    skeleton = json.dumps({"ref": "refs/heads/main", "pad": ""}).encode()
    body = skeleton[:-2] + b"x" * (MAX_BODY_BYTES - len(skeleton)) + skeleton[-2:]
    assert len(body) == MAX_BODY_BYTES
    answer = httpx.post(f"{url}{WEBHOOK}", content=body, headers=headers("push", body), timeout=30)
    assert (answer.status_code, answer.json()) == (200, {"reason": "push is not handled"})
