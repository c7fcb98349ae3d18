"""Throwaway git repositories for the local front's tests, isolated from the user's git config."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

GIT_ENV = {
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Tester",
    "GIT_AUTHOR_EMAIL": "tester@example.invalid",
    "GIT_COMMITTER_NAME": "Tester",
    "GIT_COMMITTER_EMAIL": "tester@example.invalid",
}
# Every variable that could point docgen at a real model or change its provider.
MODEL_ENV = (
    "AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_DEPLOYMENT",
    "OPENAI_BASE_URL", "OPENAI_API_KEY", "DOCGEN_PROVIDER", "DOCGEN_MODEL", "NO_COLOR",
)  # fmt: skip


class GitRepo:
    """A repository in a temporary directory, driven with the real ``git``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str, stdin: str | None = None) -> str:
        """Run git in the repository and return its output; fail the test on an error."""
        done = subprocess.run(
            ["git", "-C", str(self.root), *args],
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
        return done.stdout

    def write(self, path: str, text: str) -> Path:
        """Write a file in the working tree."""
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        return target

    def read(self, path: str) -> str:
        """Read a file from the working tree."""
        return (self.root / path).read_text()

    def commit(self, message: str, files: dict[str, str] | None = None) -> str:
        """Write ``files`` (path -> text), commit everything, and return the commit id."""
        for path, text in (files or {}).items():
            self.write(path, text)
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD").strip()


def isolate(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the process's git config and model settings away from a test."""
    for name, value in GIT_ENV.items():
        monkeypatch.setenv(name, value)
    for name in MODEL_ENV:
        monkeypatch.delenv(name, raising=False)
