"""Helpers for the web tests: a real uvicorn server in a thread, payloads, signed deliveries."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette

from bot.web.webhook import sign

PAYLOADS = Path(__file__).parent.parent / "payloads"
SECRET = "whsec-test-3f9a1c7e"
OLD_SECRET = "whsec-previous-88d2"
WEBHOOK = "/api/github/webhooks"


def payload(name: str) -> dict[str, Any]:
    """Return the sample payload ``tests/payloads/<name>.json`` as a dict."""
    data: dict[str, Any] = json.loads((PAYLOADS / f"{name}.json").read_text())
    return data


def compact(data: dict[str, Any]) -> bytes:
    """Return ``data`` as GitHub sends it: compact JSON."""
    return json.dumps(data, separators=(",", ":")).encode()


def new_delivery_id() -> str:
    """Return a fresh GUID like GitHub's X-GitHub-Delivery."""
    return str(uuid.uuid4())


def headers(
    event: str,
    body: bytes,
    *,
    delivery_id: str | None = None,
    secret: str | None = SECRET,
) -> dict[str, str]:
    """Return the headers GitHub would send with ``body`` (signed with ``secret`` if given)."""
    out = {
        "Content-Type": "application/json",
        "User-Agent": "GitHub-Hookshot/8f3e1a2",
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery_id or new_delivery_id(),
        "X-GitHub-Hook-ID": "512209731",
    }
    if secret is not None:
        out["X-Hub-Signature-256"] = sign(secret.encode(), body)
    return out


def deliver(client: httpx.Client, event: str, body: bytes, **kwargs: Any) -> httpx.Response:
    """POST a signed delivery and return the answer."""
    return client.post(WEBHOOK, content=body, headers=headers(event, body, **kwargs))


async def adeliver(
    client: httpx.AsyncClient, event: str, body: bytes, **kwargs: Any
) -> httpx.Response:
    """POST a signed delivery with an async client and return the answer."""
    return await client.post(WEBHOOK, content=body, headers=headers(event, body, **kwargs))


@contextmanager
def serve(app: Starlette) -> Iterator[str]:
    """Run ``app`` under a real uvicorn on an ephemeral 127.0.0.1 port; yield its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, log_config=None, access_log=False, lifespan="on", timeout_graceful_shutdown=5
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


# Runs the real entry point (app_from_env, as `docgen serve` does) on an inherited socket.
_SUBPROCESS_SERVER = """
import socket, sys, uvicorn
config = uvicorn.Config(
    "bot.web.app:app_from_env", factory=True, access_log=False, log_level="warning"
)
uvicorn.Server(config).run(sockets=[socket.socket(fileno=int(sys.argv[1]))])
"""


@contextmanager
def serve_subprocess(env: dict[str, str]) -> Iterator[tuple[str, int]]:
    """Run docgen's web process in a child process; yield its base URL and pid."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    port = sock.getsockname()[1]
    child_env = {"PATH": os.environ.get("PATH", ""), **env}
    process = subprocess.Popen(
        [sys.executable, "-c", _SUBPROCESS_SERVER, str(sock.fileno())],
        pass_fds=(sock.fileno(),),
        env=child_env,
        cwd=Path(__file__).parent.parent.parent,
    )
    sock.close()
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the web process did not start")
            time.sleep(0.05)
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=20)
