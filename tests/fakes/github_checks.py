"""Check runs in the fake GitHub: what GitHub checks before it accepts one, as pure functions.

GitHub refuses a malformed check run with 422 and a sentence: a missing name or
head SHA, a status only GitHub Actions may set, a conclusion it does not know (or
``stale``, which only GitHub sets), a completed run without a conclusion, an output
without its title or summary, a summary or text over 65,535 characters. An App
without ``checks: write`` gets 403. The fake also refuses keys GitHub does not
document, so a typo in docgen cannot pass unnoticed.

A completed run is final: GitHub says that once a run is completed "it's not
possible to modify its status nor its conclusion further" (GitHub staff on the
community forum, "Stale check runs"). The fake accepts such an update and keeps
the status, conclusion and completion time, answering what the run still is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from tests.fakes.github_json import JSON, Urls, iso, node_id
from tests.fakes.github_model import ApiError, CheckRunRecord, Installation

MAX_OUTPUT_CHARS = 65_535
MAX_ANNOTATIONS = 50
APP_STATUSES = frozenset({"queued", "in_progress", "completed"})
ACTIONS_STATUSES = frozenset({"waiting", "requested", "pending"})
CONCLUSIONS = frozenset(
    {"action_required", "cancelled", "failure", "neutral", "success", "skipped", "timed_out"}
)
_KEYS = frozenset(
    {
        "name",
        "head_sha",
        "details_url",
        "external_id",
        "status",
        "started_at",
        "conclusion",
        "completed_at",
        "output",
        "actions",
    }
)
_OUTPUT_KEYS = frozenset({"title", "summary", "text", "annotations", "images"})
DOCS = "https://docs.github.com/rest/checks/runs"


def invalid(sentence: str) -> ApiError:
    """Return GitHub's 422 for a check run payload it refuses."""
    body = {"message": f"Invalid request.\n\n{sentence}", "documentation_url": DOCS}
    return ApiError(422, {**body, "status": "422"})


def require_checks_write(installation: Installation) -> None:
    """Refuse with 403 unless the installation granted ``checks: write``."""
    if installation.permissions.get("checks") != "write":
        body = {"message": "Resource not accessible by integration", "documentation_url": DOCS}
        raise ApiError(403, {**body, "status": "403"})


def new_check_run(
    check_id: int, owner: str, repo: str, payload: Mapping[str, Any], known_shas: set[str]
) -> CheckRunRecord:
    """Check a create payload and return the record GitHub would keep."""
    _known_keys(payload)
    name, sha = payload.get("name"), payload.get("head_sha")
    if not isinstance(name, str) or not name.strip():
        raise invalid('"name" wasn\'t supplied.')
    if not isinstance(sha, str) or not sha:
        raise invalid('"head_sha" wasn\'t supplied.')
    if sha not in known_shas:
        raise ApiError(422, {"message": f"No commit found for SHA: {sha}", "status": "422"})
    now = datetime.now(UTC)
    empty = CheckRunRecord(
        check_id, owner, repo, name, sha, "queued", None, None, None, None, now, None
    )
    return _apply(empty, payload, creating=True)


def updated_check_run(record: CheckRunRecord, payload: Mapping[str, Any]) -> CheckRunRecord:
    """Check an update payload and return the record after it, with its history."""
    _known_keys(payload)
    if "head_sha" in payload:
        raise invalid('"head_sha" cannot be changed.')
    name = payload.get("name", record.name)
    if not isinstance(name, str) or not name.strip():
        raise invalid('"name" must be a non-empty string.')
    after = _apply(replace(record, name=name), payload, creating=False)
    if record.status == "completed":  # final: only the output and the rest change
        after = replace(
            after,
            status=record.status,
            conclusion=record.conclusion,
            completed_at=record.completed_at,
        )
    return replace(after, history=(*record.history, replace(record, history=())))


def _known_keys(payload: Mapping[str, Any]) -> None:
    if not isinstance(payload, Mapping):
        raise ApiError(400, {"message": "Problems parsing JSON", "status": "400"})
    unknown = sorted(set(payload) - _KEYS)
    if unknown:
        raise invalid(f'"{unknown[0]}" is not a permitted key.')


def _apply(record: CheckRunRecord, payload: Mapping[str, Any], *, creating: bool) -> CheckRunRecord:
    status = payload.get("status", record.status if not creating else "queued")
    conclusion = payload.get("conclusion", record.conclusion)
    if status in ACTIONS_STATUSES:
        raise invalid(f'"status" {status} is reserved for GitHub Actions.')
    if status not in APP_STATUSES:
        raise invalid(f'"status" {status!r} is not a member of {sorted(APP_STATUSES)}.')
    if conclusion is not None and conclusion not in CONCLUSIONS:
        raise invalid(f'"conclusion" {conclusion!r} is not a member of {sorted(CONCLUSIONS)}.')
    if "conclusion" in payload and conclusion is not None:
        status = "completed"  # GitHub: a conclusion completes the run
    if (status == "completed" or "completed_at" in payload) and conclusion is None:
        raise invalid('"conclusion" wasn\'t supplied.')
    started = _time(payload, "started_at") or record.started_at
    completed = _time(payload, "completed_at")
    if status == "completed" and completed is None:
        completed = record.completed_at or datetime.now(UTC)
    title, summary, text = _output(payload.get("output"), record, creating=creating)
    return replace(
        record,
        status=status,
        conclusion=conclusion,
        title=title,
        summary=summary,
        text=text,
        started_at=started,
        completed_at=completed,
        details_url=_string(payload, "details_url", record.details_url),
        external_id=_string(payload, "external_id", record.external_id),
    )


def _output(
    output: Any, record: CheckRunRecord, *, creating: bool
) -> tuple[str | None, str | None, str | None]:
    if output is None:
        return record.title, record.summary, record.text
    if not isinstance(output, Mapping):
        raise invalid('"output" is not an object.')
    unknown = sorted(set(output) - _OUTPUT_KEYS)
    if unknown:
        raise invalid(f'"{unknown[0]}" is not a permitted key of "output".')
    title = output.get("title", None if creating else record.title)
    summary = output.get("summary")
    if not isinstance(title, str):
        raise invalid('"title" wasn\'t supplied.')
    if not isinstance(summary, str):
        raise invalid('"summary" wasn\'t supplied.')
    text = output.get("text", record.text)
    if text is not None and not isinstance(text, str):
        raise invalid('"text" is not a string.')
    for field, value in (("title", title), ("summary", summary), ("text", text or "")):
        if len(value) > MAX_OUTPUT_CHARS:
            raise invalid(
                f"Only {MAX_OUTPUT_CHARS} characters are allowed; {field} was {len(value)}."
            )
    if len(output.get("annotations") or []) > MAX_ANNOTATIONS:
        raise invalid(f"Only {MAX_ANNOTATIONS} annotations are allowed per request.")
    return title, summary, text


def _time(payload: Mapping[str, Any], key: str) -> datetime | None:
    value = payload.get(key)
    if value is None:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise invalid(f'"{key}" is not a timestamp.') from None


def _string(payload: Mapping[str, Any], key: str, default: str | None) -> str | None:
    value = payload.get(key, default)
    if value is not None and not isinstance(value, str):
        raise invalid(f'"{key}" is not a string.')
    return value


def check_run_json(urls: Urls, record: CheckRunRecord) -> JSON:
    """Build a CheckRun as GitHub answers it."""
    api = urls.repo_api(record.owner, record.repo)
    return {
        "id": record.id,
        "head_sha": record.head_sha,
        "node_id": node_id("CheckRun", record.id),
        "external_id": record.external_id or "",
        "url": f"{api}/check-runs/{record.id}",
        "html_url": f"{urls.web}/{record.owner}/{record.repo}/runs/{record.id}",
        "details_url": record.details_url,
        "status": record.status,
        "conclusion": record.conclusion,
        "started_at": iso(record.started_at),
        "completed_at": iso(record.completed_at) if record.completed_at else None,
        "output": {
            "title": record.title,
            "summary": record.summary,
            "text": record.text,
            "annotations_count": 0,
            "annotations_url": f"{api}/check-runs/{record.id}/annotations",
        },
        "name": record.name,
        "check_suite": {"id": record.id + 500_000},
        "app": None,
        "pull_requests": [],
    }
