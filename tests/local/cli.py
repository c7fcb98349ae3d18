"""Run the real ``docgen`` console entry point in-process, and point it at the fake Azure."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.cli import main
from tests.fakes.azure import FakeAzureOpenAI


def use_fake_azure(monkeypatch: pytest.MonkeyPatch, fake: FakeAzureOpenAI) -> FakeAzureOpenAI:
    """Point docgen's settings at the fake Azure OpenAI server; return it."""
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", fake.endpoint)
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", fake.api_key)
    monkeypatch.setenv("AZURE_OPENAI_DEPLOYMENT", fake.default_deployment)
    monkeypatch.setenv("DOCGEN_MODEL", "gpt-4o-mini")
    return fake


def suggest(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run ``docgen suggest`` in-process; return its exit code, stdout and stderr."""
    code = main(["suggest", *args])
    out, err = capsys.readouterr()
    return code, out, err


def suggest_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    """Run ``docgen suggest --format json``; return its exit code and document."""
    code, out, _ = suggest(capsys, *args, "--format", "json")
    return code, json.loads(out)
