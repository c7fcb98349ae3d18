"""Settings: one clear line per bad setting, secrets never shown, fronts demand only their own."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.errors import SettingsError
from bot.settings import Front, Settings, load_settings, redact_url

SECRET = "s3cr3t-value-never-shown"


@pytest.fixture(scope="module")
def pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()


def worker_env(pem: str, **extra: str) -> dict[str, str]:
    env = {
        "GITHUB_APP_ID": "123",
        "GITHUB_PRIVATE_KEY": pem,
        "AZURE_OPENAI_ENDPOINT": "https://example.openai.azure.com",
        "AZURE_OPENAI_API_KEY": SECRET,
        "AZURE_OPENAI_DEPLOYMENT": "dep",
    }
    env.update(extra)
    return env


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"GITHUB_PRIVATE_KEY": "not a key"}, "GITHUB_PRIVATE_KEY is not a PEM private key"),
        ({"GITHUB_APP_ID": "abc"}, "GITHUB_APP_ID: Input should be a valid integer"),
        ({"REDIS_URL": "http://x"}, "REDIS_URL is not a redis://, rediss:// or unix:// URL"),
        ({"GITHUB_API_URL": "ftp://x"}, "GITHUB_API_URL is not an http(s) URL"),
        ({"DOCGEN_MODEL": "my-model"}, "DOCGEN_MODEL: unknown model 'my-model'"),
        ({"DOCGEN_CONTEXT_WINDOW": "-5"}, "DOCGEN_CONTEXT_WINDOW: Input should be greater than 0"),
        (
            {"GITHUB_PRIVATE_KEY_PATH": "/nonexistent/key.pem"},
            "GITHUB_PRIVATE_KEY_PATH cannot be read",
        ),
    ],
)
def test_malformed_setting_is_one_line_naming_it(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError) as info:
        load_settings(Front.CLI, env)
    text = str(info.value)
    assert text.startswith(message)
    assert "\n" not in text


def test_secret_values_are_not_echoed_in_errors() -> None:
    with pytest.raises(SettingsError) as info:
        load_settings(Front.CLI, {"GITHUB_PRIVATE_KEY": SECRET})
    assert SECRET not in str(info.value)


def test_each_front_demands_only_what_it_uses(pem: str) -> None:
    assert load_settings(Front.CLI, {}).provider() is None
    with pytest.raises(SettingsError, match="^GITHUB_WEBHOOK_SECRET is not set"):
        load_settings(Front.WEB, {})
    assert load_settings(Front.WEB, {"GITHUB_WEBHOOK_SECRET": "x"}).webhook_secrets() == [b"x"]
    with pytest.raises(SettingsError, match="^GITHUB_APP_ID is not set"):
        load_settings(Front.WORKER, {"GITHUB_WEBHOOK_SECRET": "x"})
    env = worker_env(pem)
    del env["AZURE_OPENAI_DEPLOYMENT"]
    with pytest.raises(SettingsError, match="^AZURE_OPENAI_DEPLOYMENT is not set"):
        load_settings(Front.WORKER, env)
    assert load_settings(Front.WORKER, worker_env(pem)).provider() == "azure"


def test_openai_compatible_provider_wins_when_set(pem: str) -> None:
    env = worker_env(pem, OPENAI_BASE_URL="http://127.0.0.1:9/v1", OPENAI_API_KEY="k")
    assert load_settings(Front.WORKER, env).provider() == "openai"


def test_private_key_with_escaped_newlines_and_from_file(pem: str, tmp_path: Path) -> None:
    escaped = pem.replace("\n", "\\n")
    assert (
        load_settings(Front.WORKER, worker_env(pem, GITHUB_PRIVATE_KEY=escaped)).private_key()
        == pem
    )
    path = tmp_path / "app.pem"
    path.write_text(pem)
    env = worker_env(pem, GITHUB_PRIVATE_KEY_PATH=str(path))
    del env["GITHUB_PRIVATE_KEY"]
    assert load_settings(Front.WORKER, env).private_key() == pem


def test_webhook_secret_rotation_list() -> None:
    s = Settings.from_env(
        {"GITHUB_WEBHOOK_SECRET": "new", "GITHUB_WEBHOOK_PREVIOUS_SECRETS": "a, b,"}
    )
    assert s.webhook_secrets() == [b"new", b"a", b"b"]


def test_model_overrides_and_unknown_model_with_numbers() -> None:
    s = Settings.from_env({"DOCGEN_MODEL": "gpt-4o", "DOCGEN_CONTEXT_WINDOW": "8192"})
    assert s.model_facts().context_window == 8192
    assert s.model_facts().max_output_tokens == 16_384
    custom = Settings.from_env(
        {
            "DOCGEN_MODEL": "llama-local",
            "DOCGEN_CONTEXT_WINDOW": "32000",
            "DOCGEN_MAX_OUTPUT_TOKENS": "4000",
            "DOCGEN_PRICE_INPUT": "0",
            "DOCGEN_PRICE_OUTPUT": "0",
        }
    ).model_facts()
    assert (custom.context_window, custom.encoding, custom.price_cached_input) == (
        32000,
        "o200k_base",
        0,
    )


def test_reprs_and_redacted_view_hide_secrets(pem: str) -> None:
    env = worker_env(
        pem, REDIS_URL=f"redis://user:{SECRET}@localhost:6379/0", GITHUB_WEBHOOK_SECRET=SECRET
    )
    s = load_settings(Front.WORKER, env)
    for text in (repr(s), str(s), json.dumps(s.redacted(), default=str)):
        assert SECRET not in text
        assert "BEGIN" not in text
    assert s.redacted()["REDIS_URL"] == "redis://user:****@localhost:6379/0"
    assert redact_url("redis://localhost:6379") == "redis://localhost:6379"


def run_docgen(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", **env}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).parent,  # no .env here
    )


def test_docgen_config_prints_masked_settings() -> None:
    proc = run_docgen("config", "--json", env={"AZURE_OPENAI_API_KEY": SECRET})
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["settings"]["AZURE_OPENAI_API_KEY"] == "**********"
    assert data["model"]["name"] == "gpt-4o-mini"
    assert SECRET not in proc.stdout + proc.stderr


def test_bad_setting_exits_2_with_one_line() -> None:
    proc = run_docgen("config", env={"GITHUB_APP_ID": "zero"})
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert proc.stderr.startswith("docgen: error: GITHUB_APP_ID")
