"""A fake GitHub REST API: a real HTTP server on 127.0.0.1, run in a background thread.

It answers under `/api/v3` like GitHub Enterprise, so clients use
`base_url="http://127.0.0.1:PORT/api/v3"`. State lives in a `FakeGitHub` object
(see github_state.py) that tests seed and inspect; the server thread has its own event
loop, so sync tests and async tests on any loop can use it alike.

    server = FakeGitHubServer(); server.start()
    fake = server.reset()          # fresh state, new App id
    fake.add_installation(1, repos=["octo/demo"])
    ...
    server.stop()
"""

from __future__ import annotations

import itertools
import json
import socket
import threading
import time
from collections.abc import Awaitable, Callable

import uvicorn
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route as Path

from tests.fakes import github_apps as apps
from tests.fakes import github_routes as r
from tests.fakes.github_auth import DOCS, credentials
from tests.fakes.github_json import Urls
from tests.fakes.github_model import (
    ApiError,
    PrFile,
    RecordedRequest,
    Route,
)
from tests.fakes.github_state import FakeGitHub
from tests.fakes.keys import KeyPair, app_key_pair

__all__ = ["FakeGitHub", "FakeGitHubServer", "PrFile", "Route", "build_app"]

# A new App id per state keeps githubkit's process-wide token cache (keyed by App id,
# not by URL) from handing one test the token another test's state issued.
_APP_IDS = itertools.count(900_001)
_REPO = "/repos/{owner}/{repo}"
_ROUTES: tuple[tuple[str, str, Route], ...] = (
    ("GET", "/app", Route.GET_APP),
    ("GET", "/app/installations", Route.LIST_INSTALLATIONS),
    ("POST", "/app/installations/{installation_id:int}/access_tokens", Route.CREATE_TOKEN),
    ("GET", "/app/hook/deliveries", Route.LIST_HOOK_DELIVERIES),
    ("POST", "/app/hook/deliveries/{delivery_id:int}/attempts", Route.REDELIVER_HOOK_DELIVERY),
    ("GET", _REPO + "/pulls/{number:int}", Route.GET_PULL),
    ("GET", _REPO + "/pulls/{number:int}/files", Route.LIST_FILES),
    ("GET", _REPO + "/contents", Route.GET_CONTENT),  # the root, as "/contents/" is
    ("GET", _REPO + "/contents/{path:path}", Route.GET_CONTENT),
    ("POST", _REPO + "/pulls/{number:int}/reviews", Route.CREATE_REVIEW),
    ("GET", _REPO + "/pulls/{number:int}/reviews", Route.LIST_REVIEWS),
    ("GET", _REPO + "/pulls/{number:int}/comments", Route.LIST_REVIEW_COMMENTS),
    ("POST", _REPO + "/issues/{number:int}/comments", Route.CREATE_ISSUE_COMMENT),
    ("GET", _REPO + "/issues/{number:int}/comments", Route.LIST_ISSUE_COMMENTS),
    ("PATCH", _REPO + "/issues/comments/{comment_id:int}", Route.UPDATE_ISSUE_COMMENT),
    ("POST", _REPO + "/issues/comments/{comment_id:int}/reactions", Route.CREATE_REACTION),
    ("GET", _REPO + "/collaborators/{username}/permission", Route.GET_PERMISSION),
    ("POST", _REPO + "/check-runs", Route.CREATE_CHECK_RUN),
    ("PATCH", _REPO + "/check-runs/{check_run_id:int}", Route.UPDATE_CHECK_RUN),
)
# Routes that take the App's JWT, not an installation token.
_APP_ROUTES = frozenset(
    {
        Route.GET_APP,
        Route.LIST_INSTALLATIONS,
        Route.LIST_HOOK_DELIVERIES,
        Route.REDELIVER_HOOK_DELIVERY,
    }
)
_HANDLERS: dict[Route, r.Handler] = {
    **r.HANDLERS,
    Route.GET_APP: apps.get_app,
    Route.LIST_INSTALLATIONS: apps.list_installations,
    Route.LIST_HOOK_DELIVERIES: apps.list_hook_deliveries,
    Route.REDELIVER_HOOK_DELIVERY: apps.redeliver_hook_delivery,
}


def _error(error: ApiError) -> Response:
    return JSONResponse(error.body, status_code=error.status, headers=error.headers)


def _parse_body(raw: bytes) -> object:
    if not raw:
        return {}
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _endpoint(
    current: Callable[[], FakeGitHub], route: Route, handler: r.Handler
) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        arrived = time.monotonic()
        state = current()
        base = str(request.base_url).rstrip("/")
        call = r.Call(
            params=request.path_params,
            query=dict(request.query_params),
            headers={k.lower(): v for k, v in request.headers.items()},
            body=_parse_body(await request.body()),
            url=str(request.url.replace(query="")).rstrip("?"),
            urls=Urls(api=f"{base}/api/v3", web=base),
        )
        response = _answer(state, route, handler, call)
        state.record(
            RecordedRequest(
                route=route.value,
                method=request.method,
                path=request.url.path,
                query=call.query,
                headers={k: v for k, v in call.headers.items() if k != "authorization"},
                status=response.status_code,
                at=arrived,
            )
        )
        return response

    return endpoint


def _answer(state: FakeGitHub, route: Route, handler: r.Handler, call: r.Call) -> Response:
    try:
        if route in _APP_ROUTES:
            state.check_app_jwt(credentials(call.headers, "Bearer"))
        elif route is not Route.CREATE_TOKEN:
            token = credentials(call.headers, "token") or credentials(call.headers, "Bearer")
            state.authorize(token, call.owner, call.repo)
        fault = state.take_fault(route.value)
        if fault is not None:
            return JSONResponse(dict(fault.body), fault.status, headers=dict(fault.headers))
        return handler(state, call)
    except ApiError as error:
        return _error(error)


async def _not_found(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    message = "Not Found" if status == 404 else "Method Not Allowed" if status == 405 else "Error"
    body = {"message": message, "documentation_url": DOCS, "status": str(status)}
    return JSONResponse(body, status_code=status)


def build_app(current: Callable[[], FakeGitHub]) -> Starlette:
    """Build the fake API app; `current` returns the state to serve (it may change per test)."""
    routes = [
        Path("/api/v3" + path, _endpoint(current, route, _HANDLERS[route]), methods=[method])
        for method, path, route in _ROUTES
    ]
    return Starlette(routes=routes, exception_handlers={404: _not_found, 405: _not_found})


class FakeGitHubServer:
    """Serve the fake API on an ephemeral 127.0.0.1 port from a background thread."""

    def __init__(self, keys: KeyPair | None = None) -> None:
        self._keys = keys or app_key_pair()
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        port = self._socket.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}/api/v3"
        self.state = self._new_state()
        config = uvicorn.Config(
            build_app(lambda: self.state),
            lifespan="off",
            log_level="warning",
            access_log=False,
            http="h11",
            ws="none",
            timeout_graceful_shutdown=2,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    def _new_state(self) -> FakeGitHub:
        return FakeGitHub(base_url=self.base_url, app_id=next(_APP_IDS), keys=self._keys)

    def start(self, timeout: float = 10.0) -> None:
        """Start serving and wait until the port accepts requests."""
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the fake GitHub server did not start")
            time.sleep(0.01)

    def reset(self) -> FakeGitHub:
        """Replace the state with a fresh one (new App id, nothing seeded) and return it."""
        self.state = self._new_state()
        return self.state

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving and wait for the thread to end."""
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout)
        self._socket.close()
