"""The model: one call of one token, then one asking for docgen's JSON schema.

The SDK client is built from the same settings as the worker's caller
(``bot.wiring.endpoint_for``), with no retries and the doctor's timeout: a
failure is shown as the service gave it, with the setting that fixes it.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, cast

import openai
from openai.types.chat import ChatCompletion, ChatCompletionMessageParam

from bot.doctor.report import CheckResult, failed, passed, warned
from bot.doctor.runner import Context, Probe
from bot.errors import TokenizerUnavailable
from bot.llm.client import Endpoint, sdk_client
from bot.llm.models import ModelFacts
from bot.llm.prompt import RESPONSE_FORMAT
from bot.llm.tokens import TokenCounter
from bot.wiring import endpoint_for

MESSAGES: list[dict[str, str]] = [{"role": "user", "content": "Answer with the word OK."}]
SCHEMA_TOKENS = 5  # enough for the answer to start; being cut short is fine
_PROVIDER_SETTINGS = frozenset(
    {"azure_openai_endpoint", "azure_openai_api_key", "azure_openai_deployment",
     "azure_openai_api_version", "openai_base_url", "openai_api_key", "docgen_provider",
     "docgen_model", "docgen_context_window", "docgen_max_output_tokens"}
)  # fmt: skip
_DATED = re.compile(r"-\d{4}-\d{2}-\d{2}$")
STRUCTURED_MODELS = "gpt-4o (2024-08-06 or later), gpt-4o-mini, gpt-4.1, o3-mini, o4-mini, gpt-5"


def _params(endpoint: Endpoint, facts: ModelFacts, tokens: int) -> dict[str, Any]:
    params: dict[str, Any] = {"model": endpoint.requested_model, facts.token_param: tokens}
    if facts.takes_temperature:
        params["temperature"] = 0
    return params


def _where(endpoint: Endpoint) -> str:
    if endpoint.kind == "azure":
        return f"deployment {endpoint.deployment!r} at {endpoint.url}"
    return f"model {endpoint.model!r} at {endpoint.url or 'api.openai.com'}"


def _refused(exc: openai.APIError, endpoint: Endpoint) -> tuple[str, str]:
    """Return (detail, fix) for a failed first call."""
    if isinstance(exc, openai.APITimeoutError):
        return "no answer in time", "check the endpoint's URL and that this machine reaches it"
    if isinstance(exc, openai.APIConnectionError):
        url = "AZURE_OPENAI_ENDPOINT" if endpoint.kind == "azure" else "OPENAI_BASE_URL"
        return f"cannot connect ({exc.__cause__ or exc})", f"check {url} and the network"
    status = exc.status_code if isinstance(exc, openai.APIStatusError) else None
    message = str(getattr(exc, "message", exc))[:200]
    detail = f"HTTP {status}: {message}" if status else message
    azure = endpoint.kind == "azure"
    if status in (401, 403):
        return detail, f"check {'AZURE_OPENAI_API_KEY' if azure else 'OPENAI_API_KEY'}"
    if status == 404 and azure:
        fix = (
            "set AZURE_OPENAI_DEPLOYMENT to a deployment's name (Azure AI Foundry > Deployments) "
            "and AZURE_OPENAI_ENDPOINT to the resource's endpoint (https://NAME.openai.azure.com)"
        )
        return detail, fix
    if status == 404:
        return detail, "set DOCGEN_MODEL to a model this server serves"
    if status == 400 and "api version" in message.lower():
        return detail, "set AZURE_OPENAI_API_VERSION to a version Azure serves, e.g. 2024-10-21"
    return detail, "see the detail; the worker's calls would be refused the same way"


def _model_notes(completion: ChatCompletion, facts: ModelFacts, counted: int | None) -> list[str]:
    """Return what looks wrong: another model behind the deployment, or a count that differs."""
    notes = []
    served = _DATED.sub("", completion.model or "")
    if served and served != facts.name:
        notes.append(
            f"the deployment serves {completion.model}, DOCGEN_MODEL is {facts.name}: "
            "set DOCGEN_MODEL to it (its context window, output cap and prices)"
        )
    reported = completion.usage.prompt_tokens if completion.usage else None
    if counted is not None and reported is not None and counted != reported:
        notes.append(f"the API counted {reported} prompt tokens, docgen {counted}")
    return notes


def _count(facts: ModelFacts) -> int | None:
    try:
        return TokenCounter.for_model(facts).messages(MESSAGES)
    except TokenizerUnavailable:  # the tokenizer check reports it
        return None


async def check_model(ctx: Context, out: list[CheckResult]) -> None:
    """Make the one-token call, then the json_schema call."""
    endpoint = endpoint_for(ctx.settings)
    if ctx.broken & _PROVIDER_SETTINGS or endpoint is None:
        fix = "set AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY and AZURE_OPENAI_DEPLOYMENT"
        detail = f"no model API configured (provider: {ctx.settings.provider() or 'none'})"
        out.append(failed("model", detail, fix))
        return
    facts = ctx.settings.model_facts()
    messages = cast(list[ChatCompletionMessageParam], MESSAGES)
    async with sdk_client(dataclasses.replace(endpoint, timeout=ctx.timeout)) as client:
        try:
            completion = await client.chat.completions.create(
                messages=messages, **_params(endpoint, facts, 1)
            )
        except openai.APIError as exc:
            detail, fix = _refused(exc, endpoint)
            out.append(failed("model", f"{_where(endpoint)}: {detail}", fix))
            return
        out.append(_answered(completion, endpoint, facts))
        await _schema(client, messages, endpoint, facts, out)


def _answered(completion: ChatCompletion, endpoint: Endpoint, facts: ModelFacts) -> CheckResult:
    version = f"; api-version {endpoint.api_version} accepted" if endpoint.kind == "azure" else ""
    detail = (
        f"{_where(endpoint)} answers: model {completion.model}, "
        f"context window {facts.context_window:,} (docgen's){version}"
    )
    notes = _model_notes(completion, facts, _count(facts))
    if notes:
        return warned("model", f"{detail}; {'; '.join(notes)}", notes[0].partition(": ")[2])
    return passed("model", detail)


async def _schema(
    client: openai.AsyncOpenAI,
    messages: list[ChatCompletionMessageParam],
    endpoint: Endpoint,
    facts: ModelFacts,
    out: list[CheckResult],
) -> None:
    name = "model json_schema"
    try:
        params = _params(endpoint, facts, SCHEMA_TOKENS) | {"response_format": RESPONSE_FORMAT}
        await client.chat.completions.create(messages=messages, **params)
    except openai.APIError as exc:
        detail, fix = _refused(exc, endpoint)
        message = str(getattr(exc, "message", exc)).lower()
        if "api version" in message or "api versions" in message:
            fix = "set AZURE_OPENAI_API_VERSION to 2024-10-21 or later (json_schema needs it)"
        elif "response_format" in message or "json_schema" in message:
            fix = f"deploy a model with structured outputs ({STRUCTURED_MODELS})"
        out.append(failed(name, f"response_format json_schema refused: {detail}", fix))
        return
    out.append(passed(name, "strict response_format json_schema accepted (docgen's own schema)"))


MODEL = Probe(
    ("model", "model json_schema"),
    check_model,
    "check the endpoint's URL and that this machine reaches it",
)
