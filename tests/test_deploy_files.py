"""Process, deploy and CI files parse, and every command they run is one docgen has."""

from __future__ import annotations

import argparse
import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli import build_parser
from tests.fakes.github_model import APP_PERMISSIONS

ROOT = Path(__file__).resolve().parent.parent
SUBCOMMANDS = {
    name
    for action in build_parser()._actions
    if isinstance(action, argparse._SubParsersAction)
    for name in action.choices
}


def procfile() -> dict[str, list[str]]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return {name: shlex.split(cmd) for name, cmd in (line.split(":", 1) for line in lines if line)}


def assert_docgen_command(argv: list[str]) -> None:
    assert argv[0] == "docgen", argv
    assert argv[1] in SUBCOMMANDS, argv
    build_parser().parse_args([a for a in argv[1:] if not a.startswith("$")][:1])


def test_console_script_is_declared() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"]["docgen"] == "bot.cli:main"


def test_procfile_runs_web_on_port_and_worker() -> None:
    procs = procfile()
    assert set(procs) == {"web", "worker"}
    assert procs["web"][:2] == ["docgen", "serve"] and "$PORT" in procs["web"]
    assert procs["worker"] == ["docgen", "worker"]
    for argv in procs.values():
        assert_docgen_command(argv)


def test_app_manifest_asks_for_the_least() -> None:
    manifest = yaml.safe_load((ROOT / "app.yml").read_text())
    for key in ("name", "description", "url", "hook_attributes", "public", "default_events"):
        assert key in manifest
    assert manifest["hook_attributes"]["url"].endswith("/api/github/webhooks")
    assert manifest["default_permissions"] == {
        "checks": "write",
        "pull_requests": "write",
        "contents": "read",
        "issues": "write",
        "metadata": "read",
    }
    # The fake GitHub grants what the App asks for, no more.
    assert manifest["default_permissions"] == dict(APP_PERMISSIONS)
    assert set(manifest["default_events"]) == {"pull_request", "issue_comment"}


def test_dockerfile_is_slim_non_root_and_runs_docgen() -> None:
    text = (ROOT / "deploy" / "Dockerfile").read_text()
    bases = re.findall(r"^FROM (\S+)", text, re.M)
    assert bases and all(b.endswith("-slim") for b in bases)
    assert re.search(r"^USER (?!root|0\b)\S+", text, re.M)
    assert "docgen tokenizers" in text, "the image must carry the tokenizer files"
    cmd = re.findall(r"^CMD (\[.*\])", text, re.M)[-1]
    assert_docgen_command(yaml.safe_load(cmd))
    for copied in re.findall(r"^COPY (?!--)(\S+)", text, re.M):
        assert (ROOT / copied).exists(), copied


def test_compose_has_redis_web_worker_with_health_checks() -> None:
    compose: dict[str, Any] = yaml.safe_load((ROOT / "deploy" / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"redis", "web", "worker"}
    for name, service in services.items():
        assert "healthcheck" in service, name
    assert services["web"]["command"] == procfile()["web"][:2]
    assert services["worker"]["command"] == procfile()["worker"]


def k8s_docs() -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for path in sorted((ROOT / "deploy" / "k8s").glob("*.yaml")):
        docs.extend(d for d in yaml.safe_load_all(path.read_text()) if d)
    return docs


def test_kubernetes_manifests() -> None:
    docs = k8s_docs()
    kinds = sorted(d["kind"] for d in docs)
    assert kinds == ["Deployment", "Deployment", "Secret", "Service"]
    deployments = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Deployment"}
    web = deployments["docgen-web"]["spec"]["template"]["spec"]["containers"][0]
    worker = deployments["docgen-worker"]["spec"]["template"]["spec"]["containers"][0]
    assert web["command"] == procfile()["web"][:2]
    assert worker["command"] == procfile()["worker"]
    for probe in ("readinessProbe", "livenessProbe"):
        assert web[probe]["httpGet"]["path"] == "/healthz"
    for container in (web, worker):
        assert container["resources"]["requests"]["cpu"]
        assert container["resources"]["requests"]["memory"]


@pytest.mark.parametrize("name", ["GITHUB_APP_ID", "GITHUB_WEBHOOK_SECRET", "REDIS_URL"])
def test_secret_template_names_real_settings(name: str) -> None:
    secret = next(d for d in k8s_docs() if d["kind"] == "Secret")
    assert name in secret["stringData"]


def readme_test_command() -> str:
    """Return the README's Quick start command 2: install the dev tools, run the tests."""
    text = (ROOT / "README.md").read_text()
    quick_start = text.split("\n## Quick start\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"^```sh\n(.*?)^```", quick_start, re.M | re.S)
    assert block, "the Quick start has a sh block"
    commands = [line for line in block[1].splitlines() if line and not line.startswith("#")]
    assert len(commands) == 2 and "pytest" in commands[1], commands
    return commands[1]


def test_ci_runs_the_readme_test_command_verbatim_and_installs_nothing_else() -> None:
    command = readme_test_command()
    lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    code = [line for line in lines if line and not line.startswith("#")]
    assert command in code, f".ci/run must run the README's test command verbatim: {command}"
    assert [line for line in code if "pip install" in line] == [command]
