"""The errors the fake Azure OpenAI server answers, with the services' own bodies.

Each check is a pure function of the request that returns a ``Reply`` (status,
JSON body, extra headers) or None. Bodies and messages are the ones Azure OpenAI
and OpenAI send (see DEPENDENCIES.md §3), so client code is exercised against the
same ``e.code`` / ``e.param`` values it will meet in production.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

JSON_SCHEMA_MIN_VERSION = "2024-08-01"
MAX_COMPLETION_TOKENS_MIN_VERSION = "2024-09-01"
# The first data-plane api-version of Azure OpenAI that is still served (GA 2022-12-01).
FIRST_API_VERSION = "2022-12-01"
_API_VERSION = re.compile(r"(\d{4})-(\d{2})-(\d{2})(-preview)?")


@dataclass(frozen=True)
class Reply:
    """An answer: HTTP status, JSON body and headers to add."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def invalid_request(message: str, param: str | None, code: str | None) -> Reply:
    """Return a 400 in OpenAI's ``invalid_request_error`` shape."""
    error = {"message": message, "type": "invalid_request_error", "param": param, "code": code}
    return Reply(400, {"error": error})


def azure_unauthorized() -> Reply:
    """Return Azure's 401 for a missing or wrong ``api-key``."""
    message = (
        "Access denied due to invalid subscription key or wrong API endpoint. Make sure to "
        "provide a valid key for an active subscription and use a correct regional API "
        "endpoint for your resource."
    )
    return Reply(401, {"error": {"code": "401", "message": message}})


def openai_unauthorized() -> Reply:
    """Return OpenAI's 401 for a missing or wrong bearer key (the key is never echoed)."""
    error = {
        "message": "Incorrect API key provided.",
        "type": "invalid_request_error",
        "param": None,
        "code": "invalid_api_key",
    }
    return Reply(401, {"error": error})


def deployment_not_found() -> Reply:
    """Return Azure's 404 for an unknown deployment name."""
    message = (
        "The API deployment for this resource does not exist. If you created the deployment "
        "within the last 5 minutes, please wait a moment and try again."
    )
    return Reply(404, {"error": {"code": "DeploymentNotFound", "message": message}})


def resource_not_found() -> Reply:
    """Return Azure's 404 for a request without ``api-version``."""
    return Reply(404, {"error": {"code": "404", "message": "Resource not found"}})


def model_not_found(model: object) -> Reply:
    """Return OpenAI's 404 for an unknown ``model``."""
    message = f"The model `{model}` does not exist or you do not have access to it."
    error = {"message": message, "type": "invalid_request_error", "param": None}
    return Reply(404, {"error": {**error, "code": "model_not_found"}})


def rate_limited(retry_after: float, api_version: str | None, *, calls: bool = False) -> Reply:
    """Return Azure's 429 with ``retry-after`` (whole seconds) and ``retry-after-ms``."""
    seconds = max(1, math.ceil(retry_after))
    kind = "call rate limit" if calls else "token rate limit"
    message = (
        f"Requests to the ChatCompletions_Create Operation under Azure OpenAI API version "
        f"{api_version or 'v1'} have exceeded {kind} of your current OpenAI S0 pricing tier. "
        f"Please retry after {seconds} seconds. Please go here: https://aka.ms/oai/quotaincrease "
        "if you would like to further increase the default rate limit."
    )
    headers = {
        "retry-after": str(seconds),
        "retry-after-ms": str(max(1, math.ceil(retry_after * 1000))),
    }
    return Reply(429, {"error": {"code": "429", "message": message}}, headers)


def server_error(status: int) -> Reply:
    """Return a 5xx the way Azure's front door does."""
    message = "The server had an error while processing your request. Sorry about that!"
    error = {"message": message, "type": "server_error", "param": None, "code": None}
    return Reply(status, {"error": error})


def prompt_filtered() -> Reply:
    """Return Azure's 400 for a prompt its content filter refused."""
    severities = {"hate": ("high", True), "self_harm": ("safe", False)}
    severities |= {"sexual": ("safe", False), "violence": ("safe", False)}
    result = {k: {"filtered": f, "severity": s} for k, (s, f) in severities.items()}
    message = (
        "The response was filtered due to the prompt triggering Azure OpenAI's content "
        "management policy. Please modify your prompt and retry. To learn more about our "
        "content filtering policies please read our documentation: "
        "https://go.microsoft.com/fwlink/?linkid=2198766"
    )
    inner = {"code": "ResponsibleAIPolicyViolation", "content_filter_result": result}
    error = {"message": message, "type": None, "param": "prompt", "code": "content_filter"}
    return Reply(400, {"error": {**error, "status": 400, "innererror": inner}})


def context_length_exceeded(window: int, prompt: int, completion: int) -> Reply:
    """Return the 400 for prompt + requested completion above the context window."""
    message = (
        f"This model's maximum context length is {window} tokens. However, you requested "
        f"{prompt + completion} tokens ({prompt} in the messages, {completion} in the "
        "completion). Please reduce the length of the messages or completion."
    )
    return invalid_request(message, "messages", "context_length_exceeded")


def api_version_not_supported(api_version: str) -> Reply | None:
    """Return Azure's 400 for an api-version it does not serve: malformed, or too old."""
    match = _API_VERSION.fullmatch(api_version)
    try:
        valid = match is not None and bool(date(*(int(g) for g in match.groups()[:3])))
    except ValueError:  # a month or day that does not exist
        valid = False
    if valid and api_version[:10] >= FIRST_API_VERSION:
        return None
    return Reply(400, {"error": {"code": "BadRequest", "message": "API version not supported"}})


def structured_outputs_unsupported() -> Reply:
    """Return the 400 of a model that has no structured outputs, asked for a json_schema."""
    message = (
        "Invalid parameter: 'response_format' of type 'json_schema' is not supported with "
        "this model. Learn more about supported models at the Structured Outputs guide: "
        "https://platform.openai.com/docs/guides/structured-outputs"
    )
    return invalid_request(message, "response_format", None)


def version_at_least(api_version: str, minimum: str) -> bool:
    """Compare Azure api-versions by their date (``2024-08-01-preview`` >= ``2024-08-01``)."""
    return api_version[:10] >= minimum


def check_azure_version(body: Mapping[str, Any], api_version: str) -> Reply | None:
    """Refuse features the request's Azure api-version does not have."""
    fmt = body.get("response_format")
    wants_schema = isinstance(fmt, dict) and fmt.get("type") == "json_schema"
    if wants_schema and not version_at_least(api_version, JSON_SCHEMA_MIN_VERSION):
        message = (
            "response_format value as json_schema is enabled only for api versions "
            "2024-08-01-preview and later"
        )
        return invalid_request(message, "response_format", None)
    too_old = not version_at_least(api_version, MAX_COMPLETION_TOKENS_MIN_VERSION)
    if "max_completion_tokens" in body and too_old:
        message = "Unrecognized request argument supplied: max_completion_tokens"
        return invalid_request(message, None, None)
    return None
