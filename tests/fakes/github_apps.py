"""The App's own routes of the fake GitHub: GET /app and GET /app/installations.

Both take the App's JWT only (the server checks it before calling these), as GitHub
does; an installation token there is refused with GitHub's 401.
"""

from __future__ import annotations

from starlette.responses import JSONResponse, Response

from tests.fakes.github_json import JSON, Urls, iso, node_id
from tests.fakes.github_model import Installation
from tests.fakes.github_routes import Call, paginate
from tests.fakes.github_state import FakeGitHub


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
