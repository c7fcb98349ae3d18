"""Settings: load them whatever is wrong, and check the webhook secret.

A setting that fails validation is reported by name (never by value) and then
replaced by its default, so that the other checks still run; those that use it
skip.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from bot.doctor.report import CheckResult, failed, passed, warned
from bot.doctor.runner import Context, Probe
from bot.errors import SettingsError
from bot.settings import Front, Settings

# Values deploy examples and tutorials ship with; a real secret is random.
_PLACEHOLDERS = frozenset(
    {"changeme", "secret", "webhooksecret", "yourwebhooksecret", "yoursecret", "placeholder",
     "todo", "xxx", "test", "example", "development", "dev", "none", "null", "password",
     "githubwebhooksecret", "replaceme", "mysecret"}
)  # fmt: skip
MIN_SECRET_CHARS = 16
NEW_SECRET = "python -c 'import secrets; print(secrets.token_hex(32))'"


def _describe(err: ErrorDetails) -> tuple[str, str]:
    """Return (field, one line naming the variable) for one validation error."""
    field = str(err["loc"][0]) if err["loc"] else "docgen_model"
    msg = str(err["msg"]).removeprefix("Value error, ")
    if not err["loc"]:  # the model-level check names its variable itself
        return field, msg
    name = field.upper()
    return field, f"{name} {msg}" if msg.startswith(
        ("is ", "cannot ", "must ")
    ) else f"{name}: {msg}"


def _build(environ: Mapping[str, str] | None, defaults: dict[str, Any]) -> Settings:
    if environ is None:
        return Settings(**defaults)  # the process environment and .env, bad values replaced
    kept = {k: v for k, v in environ.items() if k.lower() not in defaults}
    return Settings.from_env(kept)


def load_settings_for_doctor(
    environ: Mapping[str, str] | None = None,
) -> tuple[Settings, frozenset[str], tuple[str, ...]]:
    """Load settings, replacing each invalid one by its default.

    Returns the settings, the names of the fields replaced, and one line per problem
    (invalid values, then what the worker needs and lacks).
    """
    defaults: dict[str, Any] = {}
    problems: list[str] = []
    for _ in range(len(Settings.model_fields) + 1):
        try:
            settings = _build(environ, defaults)
            break
        except ValidationError as exc:
            for err in exc.errors(include_url=False, include_input=False):
                field, line = _describe(err)
                problems.append(line)
                defaults[field] = Settings.model_fields[field].default
    else:  # pragma: no cover - every field at its default always validates
        return Settings.from_env({}), frozenset(Settings.model_fields), tuple(problems)
    try:
        settings.require(Front.WORKER)
    except SettingsError as exc:
        problems.append(str(exc))
    return settings, frozenset(defaults), tuple(problems)


async def check_settings(ctx: Context, out: list[CheckResult]) -> None:
    """Report the settings' problems, or what was loaded."""
    if ctx.settings_problems:
        fix = "set the variables named (see `docgen config --front worker` and the README)"
        out.append(failed("settings", "; ".join(ctx.settings_problems), fix))
        return
    s = ctx.settings
    detail = f"valid; provider {s.provider()}, model {s.docgen_model}, App {s.github_app_id}"
    out.append(passed("settings", detail))


def _is_placeholder(value: str) -> bool:
    folded = re.sub(r"[^a-z0-9]", "", value.lower())
    angle = value.startswith("<") and value.endswith(">")
    return angle or folded in _PLACEHOLDERS or len(set(value)) == 1


async def check_webhook_secret(ctx: Context, out: list[CheckResult]) -> None:
    """Check that the webhook secret is set and is not a placeholder (never showing it)."""
    secret = ctx.settings.github_webhook_secret
    value = secret.get_secret_value() if secret is not None else ""
    name = "webhook secret"
    set_it = (
        f"generate one ({NEW_SECRET}), enter it as the App's webhook secret "
        "(App settings > General) and set GITHUB_WEBHOOK_SECRET to it"
    )
    if "github_webhook_secret" in ctx.broken:
        out.append(failed(name, "GITHUB_WEBHOOK_SECRET is invalid (see settings)", set_it))
    elif not value.strip():
        out.append(failed(name, "GITHUB_WEBHOOK_SECRET is not set or empty", set_it))
    elif _is_placeholder(value.strip()):
        out.append(failed(name, "GITHUB_WEBHOOK_SECRET is a placeholder value", set_it))
    elif value != value.strip():
        detail = "GITHUB_WEBHOOK_SECRET has leading or trailing whitespace"
        out.append(warned(name, detail, "remove it, unless the App's secret has it too"))
    elif len(value) < MIN_SECRET_CHARS:
        detail = f"GITHUB_WEBHOOK_SECRET is only {len(value)} characters"
        out.append(warned(name, detail, f"use a long random one: {set_it}"))
    else:
        extra = len(ctx.settings.webhook_secrets()) - 1
        also = f"; {extra} previous secret(s) still accepted" if extra else ""
        out.append(passed(name, f"set ({len(value)} characters){also}"))


SETTINGS = Probe(("settings",), check_settings, "")
WEBHOOK_SECRET = Probe(("webhook secret",), check_webhook_secret, "")
