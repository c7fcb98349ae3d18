"""A fake Azure OpenAI (and OpenAI) chat-completions server: a real HTTP server on 127.0.0.1.

It serves, on an ephemeral port, from a background thread with its own event loop
(so sync tests, async tests and plain scripts can all use it):

- ``POST /openai/deployments/{deployment}/chat/completions?api-version=...`` with
  header ``api-key`` (client: ``AsyncAzureOpenAI(azure_endpoint=fake.endpoint, ...)``);
- ``POST /v1/chat/completions`` with ``Authorization: Bearer <key>``, the body's
  ``model`` naming a deployment or a deployed model
  (client: ``AsyncOpenAI(base_url=fake.openai_base_url, ...)``).

Prompt convention: each function appears in a user message on its own line
``### <path>::<qualname>``, followed by its source (optionally fenced) up to the
next such line. The answer is the contract's
``{"docstrings": [{"id": ..., "docstring": ...}]}`` with a deterministic docstring
per asked id (summary from the name; a section naming exactly the parameters,
self/cls excluded; Returns or Yields when the code has them) in the style the system
message asks for, cut with ``finish_reason: "length"`` at the request's cap.
``set_answer_mode`` makes the fake model careless in one way (``azure_modes``):
another style, no Returns, a parameter left out or made up, ids without their
``#N``, prose only.

Prompt tokens follow the openai-cookbook formula with ``encode_ordinary`` (see
``azure_tokens``); refusals use the services' exact bodies (``azure_errors``);
faults are queued per deployment (``azure_faults``); quotas and their record live in
``azure_quota``. Typical use::

    with FakeAzureOpenAI() as fake:
        fake.queue_fault(RateLimited(retry_after=2))
        ...  # point a client at fake.endpoint with fake.api_key
        assert len(fake.requests) == 1
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Self

import uvicorn

from tests.fakes.azure_app import build_app
from tests.fakes.azure_state import DEFAULT_API_KEY, Deployment, FakeAzureState

HOST = "127.0.0.1"
START_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0


class FakeAzureOpenAI(FakeAzureState):
    """The fake server: its controls and records (see FakeAzureState) plus start/stop."""

    def __init__(
        self,
        *,
        api_key: str = DEFAULT_API_KEY,
        default_deployment: Deployment | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(api_key=api_key, default_deployment=default_deployment, clock=clock)
        self._stopping = threading.Event()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    @property
    def endpoint(self) -> str:
        """Return the Azure endpoint, ``http://127.0.0.1:PORT``."""
        return f"http://{HOST}:{self.port}"

    @property
    def openai_base_url(self) -> str:
        """Return the base URL for OpenAI-compatible clients."""
        return f"{self.endpoint}/v1"

    def start(self) -> Self:
        """Serve on a fresh ephemeral port; return once the server accepts connections."""
        if self._thread is not None:
            raise RuntimeError("the fake Azure OpenAI server is already running")
        # An explicit IPPROTO_TCP makes asyncio set TCP_NODELAY on accepted connections
        # (it checks sock.proto); with proto 0, Nagle + delayed ACK add ~40 ms per answer.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((HOST, 0))
        self.port = sock.getsockname()[1]
        self._stopping.clear()
        config = uvicorn.Config(
            build_app(self, self._stopping),
            log_level="warning",
            access_log=False,
            lifespan="off",
            ws="none",
            loop="asyncio",
            timeout_graceful_shutdown=2,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name="fake-azure", daemon=True
        )
        self._thread.start()
        self._wait_started(sock)
        return self

    def _wait_started(self, sock: socket.socket) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        assert self._server is not None and self._thread is not None
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                sock.close()
                self._thread = self._server = None
                raise RuntimeError("the fake Azure OpenAI server did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        """Stop serving and wait for the server thread to end (idempotent)."""
        if self._server is None or self._thread is None:
            return
        self._stopping.set()
        self._server.should_exit = True
        self._thread.join(STOP_TIMEOUT)
        if self._thread.is_alive():  # pragma: no cover - only if a handler hangs
            self._server.force_exit = True
            self._thread.join(STOP_TIMEOUT)
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
