"""The App's own routes of the fake GitHub: GET /app, GET /app/installations, and the
webhook's deliveries (GET /app/hook/deliveries, POST /app/hook/deliveries/{id}/attempts).

All take the App's JWT only (the server checks it before calling these), as GitHub
does; an installation token there is refused with GitHub's 401.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from starlette.responses import JSONResponse, Response

from tests.fakes.github_auth import DOCS
from tests.fakes.github_hooks import HookAttempt
from tests.fakes.github_json import JSON, Urls, iso, node_id
from tests.fakes.github_model import ApiError, Installation
from tests.fakes.github_routes import Call, paginate
from tests.fakes.github_state import FakeGitHub, not_found

_CURSOR = re.compile(r"v1_(\d+)")


def app_json(urls: Urls, state: FakeGitHub) -> JSON:
    """Build an Integration: the App as GET /app describes it to itself."""
    with state.lock:
        count = len(state.installations())
        return {
            "id": state.app_id,
            "slug": state.app_slug,
            "node_id": node_id("Integration", state.app_id),
            "client_id": f"Iv1.{state.app_id:016x}",
            "owner": urls.user("octo"),
            "name": state.app_name,
            "description": "Suggests docstrings.",
            "external_url": "https://docgen.example.com",
            "html_url": f"{urls.web}/apps/{state.app_slug}",
            "created_at": iso(state.created_at),
            "updated_at": iso(state.created_at),
            "permissions": dict(state.app_permissions),
            "events": list(state.app_events),
            "installations_count": count,
        }


def installation_json(urls: Urls, state: FakeGitHub, installation: Installation) -> JSON:
    """Build an Installation as the App's installations list shows it."""
    account = urls.user(installation.account)
    return {
        "id": installation.id,
        "account": account,
        "repository_selection": "all" if installation.repos is None else "selected",
        "access_tokens_url": f"{urls.api}/app/installations/{installation.id}/access_tokens",
        "repositories_url": f"{urls.api}/installation/repositories",
        "html_url": f"{urls.web}/organizations/{installation.account}/settings/installations/"
        f"{installation.id}",
        "app_id": state.app_id,
        "app_slug": state.app_slug,
        "target_id": account["id"],
        "target_type": "Organization",
        "permissions": dict(installation.permissions),
        "events": list(state.app_events),
        "created_at": iso(state.created_at),
        "updated_at": iso(state.created_at),
        "single_file_name": None,
        "suspended_by": None,
        "suspended_at": None,
    }


def get_app(state: FakeGitHub, call: Call) -> Response:
    """GET /app."""
    return JSONResponse(app_json(call.urls, state))


def list_installations(state: FakeGitHub, call: Call) -> Response:
    """GET /app/installations (paginated like every GitHub list)."""
    page, headers = paginate(call, state.installations())
    body = [installation_json(call.urls, state, i) for i in page]
    return JSONResponse(body, headers=headers)


def hook_attempt_json(attempt: HookAttempt) -> JSON:
    """Build a HookDeliveryItem: one attempt as the deliveries list shows it."""
    return {
        "id": attempt.id,
        "guid": attempt.guid,
        "delivered_at": iso(attempt.delivered_at),
        "redelivery": attempt.redelivery,
        "duration": attempt.duration,
        "status": attempt.status,
        "status_code": attempt.status_code,
        "event": attempt.event,
        "action": attempt.action,
        "installation_id": attempt.installation_id,
        "repository_id": attempt.repository_id,
        "throttled_at": None,
    }


def _invalid(field: str, value: str) -> ApiError:
    body = {"message": f"Invalid {field}: {value}", "documentation_url": DOCS, "status": "422"}
    return ApiError(422, body)


def _number(call: Call, name: str, default: int) -> int:
    text = call.query.get(name)
    if text is None:
        return default
    if not text.isdigit():
        raise _invalid(name, text)
    return int(text)


def list_hook_deliveries(state: FakeGitHub, call: Call) -> Response:
    """GET /app/hook/deliveries: newest first, in cursor pages (``Link: rel="next"``)."""
    per_page = min(max(_number(call, "per_page", 30), 1), 100)
    attempts = state.hooks.attempts()
    cursor = call.query.get("cursor")
    if cursor is not None:
        match = _CURSOR.fullmatch(cursor)
        if match is None:
            raise _invalid("cursor", cursor)
        attempts = [a for a in attempts if a.id < int(match[1])]
    status = call.query.get("status")
    if status not in (None, "success", "failure"):
        raise _invalid("status", str(status))
    if status is not None:
        ok = status == "success"
        attempts = [a for a in attempts if (200 <= a.status_code < 300) is ok]
    page = attempts[:per_page]
    headers = {}
    if len(attempts) > per_page:
        query = {**call.query, "per_page": str(per_page), "cursor": f"v1_{page[-1].id}"}
        headers["Link"] = f'<{call.url}?{urlencode(query)}>; rel="next"'
    return JSONResponse([hook_attempt_json(a) for a in page], headers=headers)


def redeliver_hook_delivery(state: FakeGitHub, call: Call) -> Response:
    """POST /app/hook/deliveries/{delivery_id}/attempts: 202, the event sent again."""
    if state.hooks.redeliver(call.number("delivery_id")) is None:
        raise not_found()
    return JSONResponse({}, status_code=202)
