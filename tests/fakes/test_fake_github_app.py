"""The fake GitHub's App routes (GET /app, GET /app/installations), driven through githubkit."""

from __future__ import annotations

import httpx
import pytest
from githubkit.exception import RequestFailed
from githubkit_schemas.v2026_03_10.models import Installation, Integration

from tests.fakes.github import FakeGitHub, Route
from tests.fakes.keys import generate_key_pair
from tests.fakes.test_fake_github import app_client, as_list

NEEDS = {
    "checks": "write",
    "contents": "read",
    "issues": "write",
    "metadata": "read",
    "pull_requests": "write",
}


async def test_get_app_describes_the_app_to_its_jwt(fake_github: FakeGitHub) -> None:
    fake_github.add_installation(1)
    gh = app_client(fake_github)
    response = await gh.rest.apps.async_get_authenticated()
    app = response.parsed_data
    assert isinstance(app, Integration)
    assert (app.id, app.slug, app.name) == (fake_github.app_id, "docgen-test", "docgen (test)")
    assert app.installations_count == 1
    assert response.json()["permissions"] == NEEDS  # type: ignore[index]


async def test_app_routes_refuse_a_bad_jwt_and_installation_tokens(fake_github: FakeGitHub) -> None:
    fake_github.add_installation(1)
    stranger = app_client(fake_github, key=generate_key_pair().private_pem)
    with pytest.raises(RequestFailed) as refused:
        await stranger.rest.apps.async_get_authenticated()
    assert refused.value.response.status_code == 401
    url = f"{fake_github.base_url}/app/installations"
    assert httpx.get(url, timeout=10).status_code == 401  # no credentials at all
    token_only = {"Authorization": "token ghs_not-a-jwt"}
    assert httpx.get(url, headers=token_only, timeout=10).status_code == 401
    assert [r.status for r in fake_github.requests(Route.GET_APP)] == [401]


async def test_installations_list_pages_and_carries_each_grant(fake_github: FakeGitHub) -> None:
    for number in range(3):
        fake_github.add_installation(10 + number, account=f"org{number}")
    fake_github.add_installation(5, repos=["octo/demo"], permissions={"metadata": "read"})
    gh = app_client(fake_github)
    first = await gh.rest.apps.async_list_installations(per_page=2)
    page = as_list(first.parsed_data, Installation)
    assert [i.id for i in page] == [5, 10]
    assert page[0].repository_selection == "selected" and page[1].account is not None
    assert first.json()[0]["permissions"] == {"metadata": "read"}
    assert 'rel="next"' in first.headers["link"]
    token = await gh.rest.apps.async_create_installation_access_token(5)
    assert token.json()["permissions"] == {"metadata": "read"}
    assert token.status_code == 201


async def test_the_app_can_ask_for_less(fake_github: FakeGitHub) -> None:
    fake_github.app_permissions.pop("checks")
    gh = app_client(fake_github)
    response = await gh.rest.apps.async_get_authenticated()
    assert "checks" not in response.json()["permissions"]  # type: ignore[index]
