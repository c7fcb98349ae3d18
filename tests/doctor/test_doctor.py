"""`docgen doctor` against the fake GitHub, the fake Azure OpenAI and real Redis servers."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import pytest

from bot.cli import main
from bot.doctor.cli import diagnose
from bot.doctor.report import CheckResult, Status, exit_code
from tests.doctor.conftest import INSTALLATION, free_port
from tests.fakes.azure import FakeAzureOpenAI
from tests.fakes.azure_faults import Slow
from tests.fakes.github import FakeGitHub, Route
from tests.fakes.keys import generate_key_pair

ALL = (
    "settings",
    "redis",
    "redis eviction policy",
    "github app",
    "github installation",
    "github permissions",
    "webhook secret",
    "model",
    "model json_schema",
    "tokenizer",
)


def by_name(results: Sequence[CheckResult]) -> dict[str, CheckResult]:
    assert [r.check for r in results] == list(ALL)  # every check reports, always
    return {r.check: r for r in results}


def only_failures(results: Iterable[CheckResult]) -> dict[str, str]:
    return {r.check: r.status.value for r in results if r.status is not Status.PASS}


async def test_everything_passes_on_a_good_deployment(
    env: dict[str, str],
    fake_github: FakeGitHub,
    fake_azure: FakeAzureOpenAI,
    offline_tokenizer: Path,
) -> None:
    results = by_name(await diagnose(env))
    assert only_failures(results.values()) == {}
    assert exit_code(list(results.values())) == 0
    assert "docgen (test) (docgen-test)" in results["github app"].detail
    assert f"installation {INSTALLATION} on octo-org" in results["github installation"].detail
    assert "checks: write" in results["github permissions"].detail
    model = results["model"].detail
    assert "gpt-4o-mini" in model and "128,000" in model and "2024-10-21 accepted" in model
    assert "noeviction" in results["redis eviction policy"].detail
    # The tokenizer files were made offline: the cache was empty and downloads impossible.
    assert any(offline_tokenizer.iterdir())
    assert [r.body.get("max_tokens") for r in fake_azure.requests] == [1, 5]
    assert fake_azure.requests[1].body["response_format"]["type"] == "json_schema"
    assert fake_github.request_count(Route.GET_APP) == 1
    assert fake_github.tokens_minted == 1


async def test_redis_unreachable(env: dict[str, str]) -> None:
    env["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"
    results = by_name(await diagnose(env))
    assert only_failures(results.values()) == {"redis": "FAIL", "redis eviction policy": "SKIP"}
    assert "cannot reach" in results["redis"].detail and "REDIS_URL" in results["redis"].fix


async def test_eviction_policy_that_drops_keys_fails(
    env: dict[str, str], start_redis: Callable[..., str]
) -> None:
    env["REDIS_URL"] = start_redis("--maxmemory-policy", "allkeys-lru")
    results = by_name(await diagnose(env))
    assert only_failures(results.values()) == {"redis eviction policy": "FAIL"}
    policy = results["redis eviction policy"]
    assert "allkeys-lru" in policy.detail
    assert "set maxmemory-policy noeviction" in policy.fix


async def test_config_disabled_is_a_warning_not_a_failure(
    env: dict[str, str], start_redis: Callable[..., str]
) -> None:
    env["REDIS_URL"] = start_redis("--rename-command", "CONFIG", "")
    results = await diagnose(env)
    assert only_failures(results) == {"redis eviction policy": "WARN"}
    assert "unknown" in by_name(results)["redis eviction policy"].detail
    assert exit_code(results) == 0


async def test_app_key_refused(env: dict[str, str]) -> None:
    env["GITHUB_PRIVATE_KEY"] = generate_key_pair().private_pem  # a valid key, not the App's
    results = by_name(await diagnose(env))
    assert only_failures(results.values()) == {
        "github app": "FAIL",
        "github installation": "SKIP",
        "github permissions": "SKIP",
    }
    assert "HTTP 401" in results["github app"].detail
    assert "private key" in results["github app"].fix


async def test_app_not_installed(app_env: dict[str, str]) -> None:
    results = by_name(await diagnose(app_env))
    assert only_failures(results.values()) == {
        "github installation": "FAIL",
        "github permissions": "SKIP",
    }
    assert "not installed anywhere" in results["github installation"].detail
    assert "/apps/docgen-test/installations/new" in results["github installation"].fix


async def test_chosen_installation(env: dict[str, str], fake_github: FakeGitHub) -> None:
    fake_github.add_installation(5, account="first")
    chosen = by_name(await diagnose(env, installation_id=INSTALLATION))
    assert chosen["github installation"].detail.startswith(f"installation {INSTALLATION}")
    first = by_name(await diagnose(env))
    assert "installation 5 on first" in first["github installation"].detail
    missing = by_name(await diagnose(env, installation_id=999))
    assert only_failures(missing.values()) == {
        "github installation": "FAIL",
        "github permissions": "SKIP",
    }
    assert "999 not found" in missing["github installation"].detail
    assert "--installation" in missing["github installation"].fix


async def test_permission_not_yet_accepted(
    app_env: dict[str, str], fake_github: FakeGitHub
) -> None:
    granted = {"contents": "read", "issues": "write", "metadata": "read", "pull_requests": "read"}
    fake_github.add_installation(3, permissions=granted)
    results = by_name(await diagnose(app_env))
    assert only_failures(results.values()) == {"github permissions": "FAIL"}
    permissions = results["github permissions"]
    assert "lacks pull_requests: write, checks: write" in permissions.detail
    assert "accept" in permissions.fix and "/settings/installations/3" in permissions.fix


async def test_permission_the_app_never_asked_for(
    app_env: dict[str, str], fake_github: FakeGitHub
) -> None:
    del fake_github.app_permissions["checks"]
    fake_github.add_installation(3, permissions=fake_github.app_permissions)
    results = by_name(await diagnose(app_env))
    assert only_failures(results.values()) == {"github permissions": "FAIL"}
    assert "grant checks: write in the App's settings" in results["github permissions"].fix


@pytest.mark.parametrize(
    ("secret", "status", "said"),
    [
        (None, "FAIL", "not set"),
        ("   ", "FAIL", "not set"),
        ("change-me", "FAIL", "placeholder"),
        ("<your webhook secret>", "FAIL", "placeholder"),
        ("short1", "WARN", "only 6 characters"),
    ],
)
async def test_webhook_secret(
    env: dict[str, str], secret: str | None, status: str, said: str
) -> None:
    if secret is None:
        del env["GITHUB_WEBHOOK_SECRET"]
    else:
        env["GITHUB_WEBHOOK_SECRET"] = secret
    results = by_name(await diagnose(env))
    assert only_failures(results.values()) == {"webhook secret": status}
    assert said in results["webhook secret"].detail


async def test_deployment_not_found(env: dict[str, str]) -> None:
    env["AZURE_OPENAI_DEPLOYMENT"] = "no-such-deployment"
    results = by_name(await diagnose(env))
    assert only_failures(results.values()) == {"model": "FAIL", "model json_schema": "SKIP"}
    assert "HTTP 404" in results["model"].detail and "no-such-deployment" in results["model"].detail
    assert "AZURE_OPENAI_DEPLOYMENT" in results["model"].fix


async def test_wrong_api_key(env: dict[str, str]) -> None:
    env["AZURE_OPENAI_API_KEY"] = "not-the-key"
    results = by_name(await diagnose(env))
    assert only_failures(results.values()) == {"model": "FAIL", "model json_schema": "SKIP"}
    assert "HTTP 401" in results["model"].detail and "AZURE_OPENAI_API_KEY" in results["model"].fix


async def test_api_version_azure_does_not_serve(env: dict[str, str]) -> None:
    env["AZURE_OPENAI_API_VERSION"] = "2024-13-01"
    results = by_name(await diagnose(env))
    assert only_failures(results.values()) == {"model": "FAIL", "model json_schema": "SKIP"}
    assert "API version not supported" in results["model"].detail
    assert "AZURE_OPENAI_API_VERSION" in results["model"].fix


async def test_api_version_too_old_for_json_schema(env: dict[str, str]) -> None:
    env["AZURE_OPENAI_API_VERSION"] = "2024-06-01"
    results = by_name(await diagnose(env))
    assert only_failures(results.values()) == {"model json_schema": "FAIL"}
    assert "2024-06-01 accepted" in results["model"].detail
    assert "AZURE_OPENAI_API_VERSION to 2024-10-21 or later" in results["model json_schema"].fix


async def test_model_without_structured_outputs(
    env: dict[str, str], fake_azure: FakeAzureOpenAI
) -> None:
    fake_azure.add_deployment("legacy", "gpt-4o-mini", structured_outputs=False)
    env["AZURE_OPENAI_DEPLOYMENT"] = "legacy"
    results = by_name(await diagnose(env))
    assert only_failures(results.values()) == {"model json_schema": "FAIL"}
    assert "'json_schema' is not supported" in results["model json_schema"].detail
    assert "structured outputs" in results["model json_schema"].fix


async def test_another_model_behind_the_deployment_is_a_warning(
    env: dict[str, str], fake_azure: FakeAzureOpenAI
) -> None:
    fake_azure.add_deployment("big", "gpt-4o")
    env["AZURE_OPENAI_DEPLOYMENT"] = "big"  # DOCGEN_MODEL stays gpt-4o-mini
    results = await diagnose(env)
    assert only_failures(results) == {"model": "WARN"}
    model = by_name(results)["model"]
    assert "serves gpt-4o, DOCGEN_MODEL is gpt-4o-mini" in model.detail
    assert "DOCGEN_MODEL" in model.fix and exit_code(results) == 0


async def test_a_slow_check_times_out_alone(
    env: dict[str, str], fake_azure: FakeAzureOpenAI
) -> None:
    fake_azure.queue_fault(Slow(delay=3))
    results = by_name(await diagnose(env, timeout=0.5))
    assert only_failures(results.values()) == {"model": "FAIL", "model json_schema": "SKIP"}
    assert "no answer" in results["model"].detail


@pytest.mark.parametrize("where", ["unwritable", "caching off"])
async def test_tokenizer_files_cannot_be_had(
    env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    if where == "unwritable":
        blocker = tmp_path / "a-file"
        blocker.write_text("")
        monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(blocker / "cache"))
    else:
        monkeypatch.setenv("TIKTOKEN_CACHE_DIR", "")
    results = by_name(await diagnose(env))
    assert only_failures(results.values()) == {"tokenizer": "FAIL"}
    assert "TIKTOKEN_CACHE_DIR" in results["tokenizer"].detail
    assert "docgen tokenizers" in results["tokenizer"].fix


async def test_invalid_setting_is_named_and_the_rest_still_run(env: dict[str, str]) -> None:
    env["GITHUB_PRIVATE_KEY"] = "not a key at all"
    env["DOCGEN_MAX_CONCURRENCY"] = "0"
    results = by_name(await diagnose(env))
    assert only_failures(results.values()) == {
        "settings": "FAIL",
        "github app": "FAIL",
        "github installation": "SKIP",
        "github permissions": "SKIP",
    }
    detail = results["settings"].detail
    assert "GITHUB_PRIVATE_KEY is not a PEM private key" in detail
    assert "DOCGEN_MAX_CONCURRENCY" in detail
    assert "not a key at all" not in detail


def test_command_prints_a_table_or_json_and_never_a_secret(
    env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)  # no developer .env
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(["doctor"]) == 0
    table = capsys.readouterr().out
    assert table.splitlines()[0].split() == ["check", "status", "detail", "fix"]
    assert "docgen is ready: 10 pass" in table
    monkeypatch.setenv("AZURE_OPENAI_DEPLOYMENT", "gone")
    assert main(["doctor", "--json", "--installation", str(INSTALLATION)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    assert {c["check"]: c["status"] for c in report["checks"]}["model"] == "FAIL"
    for secret in (env["GITHUB_WEBHOOK_SECRET"], env["AZURE_OPENAI_API_KEY"], "PRIVATE KEY"):
        assert secret not in table and secret not in json.dumps(report)


@pytest.mark.parametrize("argv", [["--installation", "0"], ["--timeout", "-1"], ["--bogus"]])
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["doctor", *argv])
    assert done.value.code == 2
