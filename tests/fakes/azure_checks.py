"""Request checks of the fake Azure OpenAI server: parameters, strict schemas, limits.

All pure: they take the decoded body and the deployment's facts and return a
``Reply`` when the real service would refuse the request.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from tests.fakes.azure_errors import (
    Reply,
    context_length_exceeded,
    invalid_request,
    structured_outputs_unsupported,
)
from tests.fakes.azure_state import Deployment

_SCHEMA_MAPS = ("properties", "$defs", "definitions", "patternProperties")
_SCHEMA_LISTS = ("anyOf", "allOf", "oneOf", "prefixItems")
_SCHEMA_ONE = ("items", "additionalProperties", "not")


def requested_completion(body: Mapping[str, Any], deployment: Deployment) -> int:
    """Return the completion tokens asked for: the request's cap, else the model's."""
    for key in ("max_completion_tokens", "max_tokens"):
        value = body.get(key)
        if isinstance(value, int):
            return value
    return deployment.max_output_tokens


def check_body(body: Mapping[str, Any]) -> Reply | None:
    """Refuse bodies the fake cannot answer: no message list, or streaming."""
    messages = body.get("messages")
    if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
        return invalid_request("'messages' must be a list of message objects.", "messages", None)
    if body.get("stream"):
        return invalid_request("The fake Azure OpenAI server does not stream.", "stream", None)
    return None


def check_parameters(body: Mapping[str, Any], deployment: Deployment) -> Reply | None:
    """Refuse parameters the deployment's model does not take, or caps above its output."""
    if deployment.reasoning and "max_tokens" in body:
        message = (
            "Unsupported parameter: 'max_tokens' is not supported with this model. "
            "Use 'max_completion_tokens' instead."
        )
        return invalid_request(message, "max_tokens", "unsupported_parameter")
    temperature = body.get("temperature")
    if deployment.reasoning and temperature is not None and temperature != 1:
        message = (
            f"Unsupported value: 'temperature' does not support {temperature} with this "
            "model. Only the default (1) value is supported."
        )
        return invalid_request(message, "temperature", "unsupported_value")
    for key in ("max_completion_tokens", "max_tokens"):
        value = body.get(key)
        if isinstance(value, int) and not 1 <= value <= deployment.max_output_tokens:
            message = (
                f"{key} is too large: {value}. This model supports at most "
                f"{deployment.max_output_tokens} completion tokens, whereas you provided {value}."
            )
            return invalid_request(message, key, "invalid_value")
    return None


def check_structured_outputs(body: Mapping[str, Any], deployment: Deployment) -> Reply | None:
    """Refuse a json_schema response_format on a model without structured outputs."""
    if wants_json_schema(body) and not deployment.structured_outputs:
        return structured_outputs_unsupported()
    return None


def check_response_format(body: Mapping[str, Any]) -> Reply | None:
    """Refuse a json_schema response_format that is not strict-valid."""
    fmt = body.get("response_format")
    if not isinstance(fmt, dict) or fmt.get("type") != "json_schema":
        return None
    spec = fmt.get("json_schema")
    if not isinstance(spec, dict) or not isinstance(spec.get("schema"), dict):
        return invalid_request(
            "Missing required parameter: 'response_format.json_schema'.",
            "response_format",
            "missing_required_parameter",
        )
    name = spec.get("name", "")
    if spec.get("strict") is not True:
        message = f"Invalid schema for response_format '{name}': docgen requires 'strict': true."
        return invalid_request(message, "response_format", None)
    problem = next(_strict_problems(spec["schema"], ()), None)
    if problem is None:
        return None
    message = f"Invalid schema for response_format '{name}': In context={problem[0]}, {problem[1]}"
    return invalid_request(message, "response_format", None)


def _strict_problems(
    schema: Any, context: tuple[str, ...]
) -> Iterator[tuple[tuple[str, ...], str]]:
    if not isinstance(schema, dict):
        return
    if schema.get("type") == "object" or "properties" in schema:
        if schema.get("additionalProperties") is not False:
            yield context, "'additionalProperties' is required to be supplied and to be false."
        keys = list(schema.get("properties", {}))
        missing = [k for k in keys if k not in schema.get("required", [])]
        if missing:
            yield (
                context,
                (
                    "'required' is required to be supplied and to be an array including every "
                    f"key in properties. Missing '{missing[0]}'."
                ),
            )
    for key in _SCHEMA_MAPS:
        for name, sub in (schema.get(key) or {}).items():
            yield from _strict_problems(sub, (*context, key, name))
    for key in _SCHEMA_LISTS:
        for index, sub in enumerate(schema.get(key) or []):
            yield from _strict_problems(sub, (*context, key, str(index)))
    for key in _SCHEMA_ONE:
        yield from _strict_problems(schema.get(key), (*context, key))


def check_context(prompt: int, completion: int, deployment: Deployment) -> Reply | None:
    """Refuse prompt + requested completion above the deployment's context window."""
    if prompt + completion > deployment.context_window:
        return context_length_exceeded(deployment.context_window, prompt, completion)
    return None


def wants_json_schema(body: Mapping[str, Any]) -> bool:
    """Tell whether the request asks for structured output with a JSON schema."""
    fmt = body.get("response_format")
    return isinstance(fmt, dict) and fmt.get("type") == "json_schema"
