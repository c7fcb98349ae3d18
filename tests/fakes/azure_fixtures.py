"""Fixtures for the fake Azure OpenAI server: one server per session, fresh state per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.azure import FakeAzureOpenAI


@pytest.fixture(scope="session")
def fake_azure_server() -> Iterator[FakeAzureOpenAI]:
    """Start one fake Azure OpenAI server for the whole session."""
    with FakeAzureOpenAI() as fake:
        yield fake


@pytest.fixture
def fake_azure(fake_azure_server: FakeAzureOpenAI) -> Iterator[FakeAzureOpenAI]:
    """Return the running fake with only its default deployment, no faults, no records.

    ``.endpoint``, ``.api_key`` and ``.default_deployment`` ("docgen-test", gpt-4o-mini)
    configure a client; ``.add_deployment``, ``.queue_fault``, ``.set_quota`` and
    ``.set_answer_mode`` shape the next answers; ``.requests`` and ``.quota_charges``
    tell what happened.
    """
    fake_azure_server.reset()
    yield fake_azure_server
    fake_azure_server.reset()
