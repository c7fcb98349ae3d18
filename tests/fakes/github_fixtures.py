"""Fixtures for the fake GitHub server: one server per session, fresh state per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.github import FakeGitHub, FakeGitHubServer


@pytest.fixture(scope="session")
def fake_github_server() -> Iterator[FakeGitHubServer]:
    """Run the fake GitHub API on an ephemeral 127.0.0.1 port for the whole session."""
    server = FakeGitHubServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def fake_github(fake_github_server: FakeGitHubServer) -> FakeGitHub:
    """Return the fake GitHub with fresh state: a new App id, nothing seeded or recorded.

    Use `fake_github.base_url`, `.app_id` and `.private_key_pem` to build a client.
    """
    return fake_github_server.reset()
