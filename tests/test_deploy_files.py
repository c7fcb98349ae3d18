"""Process, deploy and CI files parse, and every command they run is one docgen has."""

from __future__ import annotations

import argparse
import re
import shlex
import signal
import time
import tomllib
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import uvicorn
import yaml
from starlette.routing import Route

from bot.cli import build_parser
from bot.settings import Settings
from bot.web.app import create_app
from bot.web.metrics import WebhookMetrics
from bot.worker import heartbeat, runner
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
    assert re.findall(r"^USER (\S+)", text, re.M) == ["10001:10001"]
    # Written at build time where tiktoken reads them, outside the writable /tmp.
    cache = re.search(r"TIKTOKEN_CACHE_DIR=(\S+)", text)
    assert cache and not cache[1].startswith("/tmp")
    assert text.index("TIKTOKEN_CACHE_DIR=") < text.index("docgen tokenizers")
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


K8S = ROOT / "deploy" / "k8s"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
COMPOSE = ROOT / "deploy" / "docker-compose.yml"
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
# The oldest Kubernetes the manifests are checked against, and the newest schemas bundled.
K8S_VERSIONS = ("1.29.0", kubernetes_validate.latest_version())
LOCKED_DOWN = {
    "runAsNonRoot": True,
    "runAsUser": 10001,
    "readOnlyRootFilesystem": True,
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
    "seccompProfile": {"type": "RuntimeDefault"},
}


def k8s_docs() -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for path in sorted(K8S.glob("*.yaml")):
        docs.extend(d for d in yaml.safe_load_all(path.read_text()) if d)
    return docs


def of_kind(kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in k8s_docs() if d["kind"] == kind}


def pod_spec(name: str) -> dict[str, Any]:
    spec: dict[str, Any] = of_kind("Deployment")[name]["spec"]["template"]["spec"]
    return spec


def container(name: str) -> dict[str, Any]:
    (only,) = pod_spec(name)["containers"]
    assert isinstance(only, dict)
    return only


def all_containers() -> list[dict[str, Any]]:
    return [
        c
        for name in of_kind("Deployment")
        for c in (*pod_spec(name)["containers"], *pod_spec(name).get("initContainers", []))
    ]


def web_get_routes() -> set[str]:
    """Return the paths the web app answers GET on, read from its router."""
    app = create_app(Settings.from_env({"GITHUB_WEBHOOK_SECRET": "s"}))
    return {r.path for r in app.routes if isinstance(r, Route) and "GET" in (r.methods or ())}


def uvicorn_options(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, Any]:
    """Return the options ``docgen serve`` gives uvicorn (uvicorn itself not started)."""
    seen: dict[str, Any] = {}
    monkeypatch.chdir(tmp_path)  # no developer .env
    monkeypatch.setenv("GITHUB_WEBHOOK_SECRET", "s")
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: seen.update(kwargs))
    monkeypatch.setattr(signal, "signal", lambda *args: None)
    args = build_parser().parse_args(["serve"])
    assert args.handler(args) == 0
    return seen


def seconds(text: str) -> int:
    match = re.fullmatch(r"(\d+)s", text)
    assert match, text
    return int(match[1])


def test_kubernetes_manifests_hold_what_an_operator_needs() -> None:
    kinds = sorted(d["kind"] for d in k8s_docs())
    assert kinds == sorted(
        ["Deployment"] * 2
        + ["HorizontalPodAutoscaler"] * 2
        + ["PodDisruptionBudget"] * 2
        + ["Secret", "Service"]
    )
    assert container("docgen-web")["command"] == procfile()["web"][:2]
    assert container("docgen-worker")["command"] == procfile()["worker"]
    for c in all_containers():
        for need in ("requests", "limits"):
            assert c["resources"][need]["cpu"] and c["resources"][need]["memory"], c["name"]


@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_every_manifest_is_valid_kubernetes(version: str) -> None:
    # Strict: a misspelt or misplaced field is an error, not silently dropped.
    for doc in k8s_docs():
        kubernetes_validate.validate(doc, version, strict=True)


def test_every_container_is_locked_down() -> None:
    for name in of_kind("Deployment"):
        pod = pod_spec(name)
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, name
        volumes = {v["name"]: v for v in pod["volumes"]}
        for c in (*pod["containers"], *pod.get("initContainers", [])):
            assert {k: c["securityContext"].get(k) for k in LOCKED_DOWN} == LOCKED_DOWN, c["name"]
            mounts = {m["mountPath"]: m["name"] for m in c["volumeMounts"]}
            # The one writable folder: the heartbeat, tempfile and Python's scratch files.
            assert "emptyDir" in volumes[mounts["/tmp"]], c["name"]
            # The tokenizer files are in the image; a volume there would hide them.
            assert not any(p.startswith("/opt/docgen") for p in mounts), c["name"]


def pinned(image: str) -> tuple[str, str]:
    """Return an image's name and its tag (or digest); fail if it is neither pinned nor tagged."""
    name, _, digest = image.partition("@")
    if digest:
        assert digest.startswith("sha256:"), image
        return name.split(":")[0], digest
    name, _, tag = image.rpartition(":")
    assert name and tag and tag != "latest" and "/" not in tag, image
    return name, tag


def test_images_are_pinned_to_the_package_version() -> None:
    compose = yaml.safe_load(COMPOSE.read_text())["services"]
    images = [c["image"] for c in all_containers()] + [s["image"] for s in compose.values()]
    tags = dict(pinned(image) for image in images)
    assert tags["docgen"] == VERSION  # the image built from this pyproject.toml


def test_web_probes_answer_on_real_routes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    routes = web_get_routes()
    assert {"/livez", "/readyz", "/healthz"} <= routes
    web = container("docgen-web")
    assert web["livenessProbe"]["httpGet"]["path"] == "/livez"
    assert web["readinessProbe"]["httpGet"]["path"] == "/readyz"
    port_names = {p["name"] for p in web["ports"]}
    for probe in ("livenessProbe", "readinessProbe"):
        assert web[probe]["httpGet"]["port"] in port_names
    compose_web = yaml.safe_load(COMPOSE.read_text())["services"]["web"]
    for text in (DOCKERFILE.read_text(), " ".join(compose_web["healthcheck"]["test"])):
        [path] = re.findall(r"127\.0\.0\.1:\S+?(/[a-z]+)'", text)
        assert path == "/livez" and path in routes


def test_worker_probe_is_its_own_heartbeat_file(tmp_path: Path) -> None:
    worker = container("docgen-worker")
    commands = [worker[p]["exec"]["command"] for p in ("startupProbe", "livenessProbe")]
    compose = yaml.safe_load(COMPOSE.read_text())["services"]["worker"]
    commands.append(compose["healthcheck"]["test"][1:])  # after "CMD"
    beat = tmp_path / "docgen-worker.heartbeat"
    for command in commands:
        assert command[:3] == ["python", "-m", heartbeat.__name__], command
        argv = [*command[3:], "--file", str(beat)]
        assert heartbeat.main(argv) == 1  # nothing beat yet
        heartbeat.write_beat(beat, time.time(), pid=1)
        assert heartbeat.main(argv) == 0
        beat.unlink()


def test_grace_periods_let_work_in_flight_finish(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert runner.DRAIN_SECONDS >= runner.JOB_TIMEOUT_SECONDS
    margin = 10  # closing clients after the last job
    compose = yaml.safe_load(COMPOSE.read_text())["services"]
    worker_grace = pod_spec("docgen-worker")["terminationGracePeriodSeconds"]
    assert worker_grace >= runner.DRAIN_SECONDS + margin
    assert seconds(compose["worker"]["stop_grace_period"]) >= runner.DRAIN_SECONDS + margin
    graceful = uvicorn_options(monkeypatch, tmp_path)["timeout_graceful_shutdown"]
    web = container("docgen-web")
    pre_stop = web["lifecycle"]["preStop"]["exec"]["command"]
    assert pre_stop[0] == "sleep"
    assert pod_spec("docgen-web")["terminationGracePeriodSeconds"] >= (
        int(pre_stop[1]) + graceful + margin
    )
    assert seconds(compose["web"]["stop_grace_period"]) >= graceful + margin


def test_disruption_budgets_and_autoscalers_select_the_deployments() -> None:
    deployments = of_kind("Deployment")
    service = of_kind("Service")["docgen-web"]
    assert (
        service["spec"]["selector"] == deployments["docgen-web"]["spec"]["selector"]["matchLabels"]
    )
    for name, pdb in of_kind("PodDisruptionBudget").items():
        spec = deployments[name]["spec"]
        assert pdb["spec"]["selector"] == spec["selector"]
        assert (
            spec["selector"]["matchLabels"].items()
            <= spec["template"]["metadata"]["labels"].items()
        )
        assert ("minAvailable" in pdb["spec"]) != ("maxUnavailable" in pdb["spec"]), name
    hpas = of_kind("HorizontalPodAutoscaler")
    assert set(hpas) == set(deployments)
    for name, hpa in hpas.items():
        target = hpa["spec"]["scaleTargetRef"]
        assert target == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
        assert hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
    [web_metric] = hpas["docgen-web"]["spec"]["metrics"]
    assert web_metric["resource"]["name"] == "cpu"  # utilisation is of the cpu request
    assert container("docgen-web")["resources"]["requests"]["cpu"]
    [worker_metric] = hpas["docgen-worker"]["spec"]["metrics"]
    assert worker_metric["type"] == "External"
    name = worker_metric["external"]["metric"]["name"]
    assert f"\n{name} " in WebhookMetrics(()).render().decode()  # the web exports it


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


# The one install .ci/run makes besides the README's command: the locked versions, checked
# against their hashes, before it (tests/test_locks.py checks the lock itself).
LOCK_INSTALL = re.compile(
    r"python3 -m venv \.venv && \.venv/bin/pip install --require-hashes --no-deps "
    r"-r requirements-dev\.lock && \.venv/bin/pip check"
)


def test_ci_installs_the_lock_then_runs_the_readme_test_command_verbatim() -> None:
    command = readme_test_command()
    lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    code = [line for line in lines if line and not line.startswith("#")]
    assert command in code, f".ci/run must run the README's test command verbatim: {command}"
    installs = [line for line in code if "pip install" in line]
    assert len(installs) == 2 and installs[1] == command, installs
    assert LOCK_INSTALL.fullmatch(installs[0]), installs[0]


def test_the_image_installs_the_lock_and_docgen_without_resolving() -> None:
    text = DOCKERFILE.read_text()
    installs = [i.strip() for i in re.findall(r"pip install ([^\\\n]*)", text)]
    assert installs == [
        "--no-cache-dir --require-hashes --no-deps -r requirements.lock",
        "--no-cache-dir --no-deps --no-build-isolation .",
    ]
    assert text.index("COPY requirements.lock") < text.index("-r requirements.lock")
