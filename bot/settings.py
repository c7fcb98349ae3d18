"""The operator's settings: one pydantic-settings object, validated at start-up.

Every name is the environment variable of the design notes' operator contract.
Secrets are SecretStr, so they print as ``**********`` in reprs, logs and errors.
Each front demands only what it uses: the web process needs the webhook secret,
the worker needs App credentials and a model provider, the CLI needs nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import SettingsError
from bot.llm.answers import DEFAULT_TTL_DAYS
from bot.llm.models import ModelFacts, Overrides, resolve_model


class Front(StrEnum):
    """The process a settings object is loaded for; each demands different settings."""

    WEB = "web"
    WORKER = "worker"
    CLI = "cli"


Provider = Literal["auto", "azure", "openai", "skeleton"]


def _is_pem_private_key(text: str) -> bool:
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        load_pem_private_key(text.encode(), password=None)
    except (ValueError, TypeError):
        return False
    return True


class Settings(BaseSettings):
    """Every setting docgen reads, by its environment variable name (case-insensitive)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    # GitHub App
    github_app_id: int | None = Field(default=None, gt=0)
    github_private_key: SecretStr | None = None
    github_private_key_path: Path | None = None
    github_webhook_secret: SecretStr | None = None
    # Comma-separated secrets still accepted while a new one is rolled out.
    github_webhook_previous_secrets: SecretStr | None = None
    github_api_url: str = "https://api.github.com"

    # Queue
    redis_url: SecretStr = SecretStr("redis://localhost:6379")

    # Model provider: Azure OpenAI, or any OpenAI-compatible server.
    azure_openai_endpoint: str | None = None
    azure_openai_api_key: SecretStr | None = None
    azure_openai_deployment: str | None = None
    azure_openai_api_version: str = "2024-10-21"
    openai_base_url: str | None = None
    openai_api_key: SecretStr | None = None
    docgen_provider: Provider = "auto"

    # Model facts and overrides
    docgen_model: str = "gpt-4o-mini"
    docgen_context_window: int | None = Field(default=None, gt=0)
    docgen_max_output_tokens: int | None = Field(default=None, gt=0)
    docgen_price_input: float | None = Field(default=None, ge=0)
    docgen_price_cached_input: float | None = Field(default=None, ge=0)
    docgen_price_output: float | None = Field(default=None, ge=0)

    # Limits and behaviour
    docgen_max_functions_per_run: int = Field(default=60, gt=0)
    docgen_max_prompt_tokens_per_run: int = Field(default=250_000, gt=0)
    docgen_max_cost_per_run_usd: float = Field(default=1.0, ge=0)
    docgen_monthly_budget_usd: float = Field(default=50.0, ge=0)
    docgen_monthly_token_budget: int = Field(default=25_000_000, ge=0)
    docgen_requests_per_minute: int | None = Field(default=None, gt=0)
    docgen_tokens_per_minute: int | None = Field(default=None, gt=0)
    # Model calls in flight per job; also one work item of a long review (bot.worker.workitems).
    docgen_max_concurrency: int = Field(default=4, gt=0)
    # Reviews of one installation running at once, across every worker: a burst from one
    # organisation waits its turn while the others are served.
    docgen_max_jobs_per_installation: int = Field(default=2, gt=0)
    docgen_request_timeout_seconds: float = Field(default=60.0, gt=0)
    docgen_review_drafts: bool = False
    docgen_sync_debounce_seconds: float = Field(default=5.0, ge=0)
    # GitHub asks for a pause between content-creating requests; per installation.
    docgen_github_write_spacing_seconds: float = Field(default=1.0, ge=0, le=60)
    # Every this many minutes a worker asks GitHub to redeliver failed deliveries (0: never).
    docgen_redeliver_minutes: int = Field(default=10, ge=0, le=60)
    # Answers already paid for are reused for this many days (0: never kept).
    docgen_answer_cache_days: int = Field(default=DEFAULT_TTL_DAYS, ge=0, le=3650)
    # Where `docgen suggest` keeps them; default: the user cache folder.
    docgen_cache_dir: Path | None = None
    docgen_log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # One JSON object per line for log collectors; "text" (key=value) for people.
    docgen_log_format: Literal["json", "text"] = "json"
    # The worker serves Prometheus metrics on this port (0: not served).
    docgen_worker_metrics_port: int = Field(default=9100, ge=0, lt=65536)
    port: int = Field(default=8000, gt=0, lt=65536)

    @field_validator("github_private_key")
    @classmethod
    def _pem(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _is_pem_private_key(_unescape_pem(value.get_secret_value())):
            raise ValueError("is not a PEM private key")
        return SecretStr(_unescape_pem(value.get_secret_value())) if value else None

    @field_validator("github_private_key_path")
    @classmethod
    def _pem_file(cls, value: Path | None) -> Path | None:
        if value is None:
            return None
        try:
            text = value.read_text()
        except OSError as exc:
            raise ValueError(f"cannot be read ({exc.strerror})") from None
        if not _is_pem_private_key(text):
            raise ValueError("is not a file holding a PEM private key")
        return value

    @field_validator("docgen_cache_dir")
    @classmethod
    def _directory(cls, value: Path | None) -> Path | None:
        if value is not None and value.exists() and not value.is_dir():
            raise ValueError("is not a directory")
        return value

    @field_validator("github_api_url", "azure_openai_endpoint", "openai_base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and urlsplit(value).scheme not in ("http", "https"):
            raise ValueError("is not an http(s) URL")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: SecretStr) -> SecretStr:
        if urlsplit(value.get_secret_value()).scheme not in ("redis", "rediss", "unix"):
            raise ValueError("is not a redis://, rediss:// or unix:// URL")
        return value

    @model_validator(mode="after")
    def _known_model(self) -> Settings:
        try:
            resolve_model(self.docgen_model, self.model_overrides())
        except KeyError as exc:
            raise ValueError(f"DOCGEN_MODEL: {exc.args[0]}") from None
        return self

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """Build settings from a mapping alone (no process environment, no .env)."""
        fields = cls.model_fields
        data = {k.lower(): v for k, v in environ.items() if k.lower() in fields and v != ""}
        return cls.model_validate(data)

    def model_overrides(self) -> Overrides:
        """Return the operator's model-number overrides."""
        return Overrides(
            context_window=self.docgen_context_window,
            max_output_tokens=self.docgen_max_output_tokens,
            price_input=self.docgen_price_input,
            price_cached_input=self.docgen_price_cached_input,
            price_output=self.docgen_price_output,
        )

    def model_facts(self) -> ModelFacts:
        """Return the facts of the configured model, overrides applied."""
        return resolve_model(self.docgen_model, self.model_overrides())

    def private_key(self) -> str | None:
        """Return the App's PEM private key text, from the variable or the file."""
        if self.github_private_key is not None:
            return self.github_private_key.get_secret_value()
        if self.github_private_key_path is not None:
            return self.github_private_key_path.read_text()
        return None

    def webhook_secrets(self) -> list[bytes]:
        """Return every webhook secret currently accepted, the current one first."""
        secrets: list[bytes] = []
        if self.github_webhook_secret is not None:
            secrets.append(self.github_webhook_secret.get_secret_value().encode())
        if self.github_webhook_previous_secrets is not None:
            raw = self.github_webhook_previous_secrets.get_secret_value().split(",")
            secrets.extend(s.strip().encode() for s in raw if s.strip())
        return secrets

    def provider(self) -> Literal["azure", "openai", "skeleton"] | None:
        """Return the model provider in use; None when 'auto' finds none configured."""
        if self.docgen_provider != "auto":
            return self.docgen_provider
        if self.openai_base_url or self.openai_api_key:
            return "openai"
        if self.azure_openai_endpoint:
            return "azure"
        return None

    def require(self, front: Front) -> None:
        """Raise SettingsError naming the first setting this front needs but lacks."""
        for problem in _problems(self, front):
            raise SettingsError(problem)

    def redacted(self) -> dict[str, Any]:
        """Return the effective settings by variable name, secrets replaced by a mask."""
        out: dict[str, Any] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if name == "redis_url":
                value = redact_url(value.get_secret_value())
            elif isinstance(value, SecretStr):
                value = "**********"
            elif isinstance(value, Path):
                value = str(value)
            out[name.upper()] = value
        return out


def _problems(s: Settings, front: Front) -> list[str]:
    problems: list[str] = []
    if front is Front.WEB and not s.webhook_secrets():
        problems.append(
            "GITHUB_WEBHOOK_SECRET is not set (the web process verifies every delivery)"
        )
    if front is Front.WORKER:
        if s.github_app_id is None:
            problems.append("GITHUB_APP_ID is not set (the worker acts as the GitHub App)")
        if s.github_private_key is None and s.github_private_key_path is None:
            problems.append("GITHUB_PRIVATE_KEY or GITHUB_PRIVATE_KEY_PATH must be set")
        problems.extend(_provider_problems(s, front))
    if front is Front.CLI and s.provider() in ("azure", "openai"):
        problems.extend(_provider_problems(s, front))
    return problems


_AZURE = ("azure_openai_endpoint", "azure_openai_api_key", "azure_openai_deployment")


def _provider_problems(s: Settings, front: Front) -> list[str]:
    provider = s.provider()
    if provider is None:
        return ["AZURE_OPENAI_ENDPOINT (or OPENAI_BASE_URL / OPENAI_API_KEY) is not set"]
    if provider == "azure":
        missing = [name.upper() for name in _AZURE if getattr(s, name) is None]
        if missing:
            return [f"{_names(missing)} {'is' if len(missing) == 1 else 'are'} not set "
                    "(the Azure OpenAI provider needs all three)"]  # fmt: skip
    if provider == "openai" and s.openai_api_key is None:
        return ["OPENAI_API_KEY is not set (the OpenAI-compatible provider needs it)"]
    if provider == "skeleton" and front is Front.WORKER:
        return ["DOCGEN_PROVIDER=skeleton writes placeholders and is for the CLI, not the App"]
    return []


def _names(names: list[str]) -> str:
    """Return ``A``, ``A and B`` or ``A, B and C``."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _unescape_pem(text: str) -> str:
    # Platforms that cannot hold newlines in a variable get "\n" escapes instead.
    return text.replace("\\n", "\n") if "\\n" in text and "\n" not in text else text


def redact_url(url: str) -> str:
    """Return ``url`` with any password replaced by a mask."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    user = f"{parts.username}:" if parts.username else ":"
    return urlunsplit(parts._replace(netloc=f"{user}****@{host}"))


def describe_error(exc: ValidationError) -> str:
    """Turn pydantic's report into one line that names the variable and the problem."""
    err = exc.errors(include_url=False, include_input=False)[0]
    name = ".".join(str(p) for p in err["loc"]).upper()
    msg = str(err["msg"]).removeprefix("Value error, ")
    if not name:  # model-level check: the message names the variable itself
        return msg
    return f"{name} {msg}" if msg.startswith(("is ", "cannot ", "must ")) else f"{name}: {msg}"


def load_settings(front: Front, environ: Mapping[str, str] | None = None) -> Settings:
    """Load settings for ``front`` from ``environ`` (default: process env and .env).

    Raises SettingsError with one line naming the offending variable.
    """
    try:
        settings = Settings() if environ is None else Settings.from_env(environ)
    except ValidationError as exc:
        raise SettingsError(describe_error(exc)) from None
    settings.require(front)
    return settings
