"""GitHub: the App's JWT (``GET /app``), one installation's token, and the permissions.

The App client is built as the worker builds it (githubkit's AppAuthStrategy), but
with no retries, a timeout, and caches of its own, so that what is shown is what
GitHub answers now.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from githubkit import AppAuthStrategy, GitHub
from githubkit.cache import MemCacheStrategy
from githubkit.exception import GitHubException, RequestFailed

from bot.doctor.report import CheckResult, failed, passed
from bot.doctor.runner import Context, Probe

# What docgen's work needs of an installation (app.yml asks for these).
REQUIRED_PERMISSIONS: dict[str, str] = {
    "pull_requests": "write",
    "contents": "read",
    "issues": "write",
    "checks": "write",
    "metadata": "read",
}
_LEVELS = {"read": 1, "write": 2, "admin": 3}
_GITHUB_SETTINGS = ("github_app_id", "github_private_key", "github_private_key_path")
KEY_FIX = (
    "check GITHUB_APP_ID and that GITHUB_PRIVATE_KEY (or _PATH) is a current private key "
    "of this App (App settings > Private keys); and that this machine's clock is right"
)


def missing_permissions(granted: Mapping[str, Any]) -> list[str]:
    """Return ``name: level`` for each permission docgen needs that ``granted`` lacks."""
    return [
        f"{name}: {level}"
        for name, level in REQUIRED_PERMISSIONS.items()
        if _LEVELS.get(str(granted.get(name)), 0) < _LEVELS[level]
    ]


def _refusal(exc: GitHubException) -> str:
    if isinstance(exc, RequestFailed):
        try:
            message = exc.response.json().get("message", "")
        except ValueError:
            message = exc.response.text[:200]
        return f"HTTP {exc.response.status_code}: {message}"
    return f"{type(exc).__name__}: {str(exc)[:200] or 'no answer'}"


def _status(exc: GitHubException) -> int | None:
    return exc.response.status_code if isinstance(exc, RequestFailed) else None


def app_client(ctx: Context) -> GitHub[AppAuthStrategy]:
    """Return an App client with the worker's authentication, no retries and a timeout."""
    s = ctx.settings
    pem = s.private_key()
    assert s.github_app_id is not None and pem is not None  # checked by the caller
    return GitHub(
        AppAuthStrategy(str(s.github_app_id), pem),
        base_url=s.github_api_url,
        timeout=ctx.timeout,
        auto_retry=False,
        cache_strategy=MemCacheStrategy(),  # a fresh JWT, never one cached earlier
        http_cache=False,
    )


async def check_github(ctx: Context, out: list[CheckResult]) -> None:
    """Check the App's JWT, then an installation token and the permissions granted."""
    s = ctx.settings
    if ctx.broken & set(_GITHUB_SETTINGS) or s.github_app_id is None or s.private_key() is None:
        fix = "set GITHUB_APP_ID and GITHUB_PRIVATE_KEY (or GITHUB_PRIVATE_KEY_PATH)"
        out.append(failed("github app", "the App's id or private key is missing or invalid", fix))
        return
    async with app_client(ctx) as gh:
        app = await _app(gh, ctx, out)
        if app is None:
            return
        installation = await _installation(gh, ctx, app, out)
        if installation is not None:
            await _token(gh, installation, app, out)


async def _app(gh: GitHub[AppAuthStrategy], ctx: Context, out: list[CheckResult]) -> Any:
    api = ctx.settings.github_api_url
    try:
        response = await gh.rest.apps.async_get_authenticated()
        app = response.parsed_data
    except GitHubException as exc:
        if _status(exc) == 401:
            out.append(
                failed("github app", f"GitHub refused the App's JWT ({_refusal(exc)})", KEY_FIX)
            )
        else:
            fix = "check GITHUB_API_URL (GitHub Enterprise: https://HOST/api/v3) and the network"
            out.append(failed("github app", f"GET {api}/app failed ({_refusal(exc)})", fix))
        return None
    assert app is not None
    count = (
        ""
        if not isinstance(app.installations_count, int)
        else f", {app.installations_count} installation(s)"
    )
    out.append(passed("github app", f"{app.name} ({app.slug}), App id {app.id}{count}"))
    return response.json()


async def _installation(
    gh: GitHub[AppAuthStrategy], ctx: Context, app: Mapping[str, Any], out: list[CheckResult]
) -> Mapping[str, Any] | None:
    name = "github installation"
    if ctx.installation_id is not None:
        return {"id": ctx.installation_id}
    try:
        listed = (await gh.rest.apps.async_list_installations(per_page=100)).json()
    except GitHubException as exc:
        fix = "retry; if it persists, check GitHub's status page"
        out.append(failed(name, f"GET /app/installations failed ({_refusal(exc)})", fix))
        return None
    if not listed:
        page = app.get("html_url", "the App's page")
        fix = f"install the App on an account: {page}/installations/new"
        out.append(failed(name, "the App is not installed anywhere", fix))
        return None
    chosen: Mapping[str, Any] = listed[0]
    return chosen


async def _token(
    gh: GitHub[AppAuthStrategy],
    installation: Mapping[str, Any],
    app: Mapping[str, Any],
    out: list[CheckResult],
) -> None:
    number = int(installation["id"])
    try:
        response = await gh.rest.apps.async_create_installation_access_token(number)
    except GitHubException as exc:
        status = _status(exc)
        if status == 404:
            detail = f"installation {number} not found for this App ({_refusal(exc)})"
            fix = "pass --installation with an id from the App's installations (or none: the first)"
        elif status == 403:
            detail = f"installation {number} refused a token ({_refusal(exc)})"
            fix = "unsuspend the installation (the account's Settings > GitHub Apps)"
        else:
            detail = f"minting a token for installation {number} failed ({_refusal(exc)})"
            fix = KEY_FIX
        out.append(failed("github installation", detail, fix))
        return
    granted = response.json().get("permissions") or {}
    account = (installation.get("account") or {}).get("login")
    on = f" on {account}" if account else ""
    out.append(passed("github installation", f"installation {number}{on}: token minted"))
    out.append(_permissions(granted, app, installation))


def _permissions(
    granted: Mapping[str, Any], app: Mapping[str, Any], installation: Mapping[str, Any]
) -> CheckResult:
    name = "github permissions"
    lacking = missing_permissions(granted)
    if not lacking:
        shown = ", ".join(f"{k}: {granted[k]}" for k in REQUIRED_PERMISSIONS)
        return passed(name, shown)
    app_lacks = missing_permissions(app.get("permissions") or {})
    detail = f"installation {installation['id']} lacks {', '.join(lacking)}"
    if app_lacks:
        fix = (
            f"grant {', '.join(app_lacks)} in the App's settings (Permissions & events), "
            "then have each installation's owner accept the new permissions"
        )
    else:
        where = installation.get("html_url") or "the account's Settings > GitHub Apps"
        fix = f"the installation's owner must accept the App's new permissions: {where}"
    return failed(name, detail, fix)


GITHUB = Probe(
    ("github app", "github installation", "github permissions"),
    check_github,
    "check GITHUB_API_URL and that this machine reaches it (proxy, firewall)",
)
