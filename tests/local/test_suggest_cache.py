"""``docgen suggest`` twice on the same code: the second run reuses the first run's answers."""

from __future__ import annotations

import pytest

from tests.fakes.azure import FakeAzureOpenAI
from tests.local.cli import suggest, suggest_json
from tests.local.gitrepo import GitRepo
from tests.local.test_suggest_cli import NEW_IDS, azure_env, repo

__all__ = ["azure_env", "repo"]  # fixtures


def test_running_suggest_twice_costs_once(
    repo: GitRepo, azure_env: FakeAzureOpenAI, capsys: pytest.CaptureFixture[str]
) -> None:
    code, first = suggest_json(capsys)
    paid = len(azure_env.requests)
    assert code == 0 and paid >= 1 and first["usage"]["calls"] == paid
    code, out, _ = suggest(capsys)
    assert code == 0 and len(azure_env.requests) == paid
    assert f"Reused from cache: {len(NEW_IDS)} (no model call)" in out
    code, again = suggest_json(capsys)
    assert again["usage"]["calls"] == 0 and len(azure_env.requests) == paid
    assert again["suggestions"] == first["suggestions"]


def test_the_offline_skeleton_is_never_cached(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    suggest(capsys)
    code, out, _ = suggest(capsys)
    assert "Reused from cache" not in out
