"""The starlette app of the fake Azure OpenAI server: routing, auth and the request flow.

Order of checks for each request, as the services layer them: auth, deployment
(model on the OpenAI path), api-version, then the next queued fault, the body's
parameters and schema, the context window, the quota, and finally the answer.
Every request is recorded on arrival, and completed with its status and answer.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import threading
import uuid
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.fakes import azure_checks as checks
from tests.fakes import azure_errors as errors
from tests.fakes.azure_completion import Ask, completion_body
from tests.fakes.azure_faults import (
    AnswerFault,
    Fault,
    PromptFiltered,
    RateLimited,
    ServerError,
    Slow,
)
from tests.fakes.azure_state import Deployment, FakeAzureState, RecordedRequest, header_map
from tests.fakes.azure_tokens import prompt_sequence, prompt_tokens

AZURE_PATH = "/openai/deployments/{deployment}/chat/completions"
OPENAI_PATH = "/v1/chat/completions"
_SLEEP_STEP = 0.05


def build_app(state: FakeAzureState, stopping: threading.Event) -> Starlette:
    """Return the fake's app; ``stopping`` cuts slow answers short at shutdown."""
    handler = _Handler(state, stopping)
    routes = [
        Route(AZURE_PATH, handler.azure, methods=["POST"]),
        Route(OPENAI_PATH, handler.openai, methods=["POST"]),
    ]
    return Starlette(routes=routes)


def _same_secret(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def _fault_refusal(fault: Fault | None, api_version: str | None) -> errors.Reply | None:
    if isinstance(fault, RateLimited):
        return errors.rate_limited(fault.retry_after, api_version)
    if isinstance(fault, ServerError):
        return errors.server_error(fault.status)
    if isinstance(fault, PromptFiltered):
        return errors.prompt_filtered()
    return None


def _invalid_json() -> errors.Reply:
    message = "We could not parse the JSON body of your request. (HINT: ...)"
    return errors.invalid_request(message, None, None)


class _Handler:
    def __init__(self, state: FakeAzureState, stopping: threading.Event) -> None:
        self.state = state
        self.stopping = stopping

    async def azure(self, request: Request) -> JSONResponse:
        name = request.path_params["deployment"]
        version = request.query_params.get("api-version")
        record, body = await self._arrive(request, "azure", name, version)
        if not _same_secret(request.headers.get("api-key", ""), self.state.api_key):
            return self._reply(record, errors.azure_unauthorized())
        deployment = self.state.deployment(name)
        if deployment is None:
            return self._reply(record, errors.deployment_not_found())
        if version is None:
            return self._reply(record, errors.resource_not_found())
        unsupported = errors.api_version_not_supported(version)
        if unsupported:
            return self._reply(record, unsupported)
        if body is None:
            return self._reply(record, _invalid_json(), deployment)
        refusal = errors.check_azure_version(body, version)
        if refusal:
            return self._reply(record, refusal, deployment)
        return await self._complete(record, deployment, body)

    async def openai(self, request: Request) -> JSONResponse:
        record, body = await self._arrive(request, "openai", None, None)
        bearer = f"Bearer {self.state.api_key}"
        if not _same_secret(request.headers.get("authorization", ""), bearer):
            return self._reply(record, errors.openai_unauthorized())
        if body is None:
            return self._reply(record, _invalid_json())
        deployment = self.state.deployment_for_model(str(body.get("model")))
        if deployment is None:
            return self._reply(record, errors.model_not_found(body.get("model")))
        record.deployment = deployment.name
        return await self._complete(record, deployment, body)

    async def _arrive(
        self, request: Request, api: str, deployment: str | None, version: str | None
    ) -> tuple[RecordedRequest, dict[str, Any] | None]:
        raw = await request.body()
        try:
            decoded = json.loads(raw)
        except ValueError:
            decoded = None
        body = decoded if isinstance(decoded, dict) else None
        record = RecordedRequest(
            api=api,
            path=request.url.path,
            deployment=deployment,
            api_version=version,
            body=body or {},
            time=self.state.clock(),
            headers=header_map(request.headers),
        )
        return self.state.record(record), body

    async def _complete(
        self, record: RecordedRequest, deployment: Deployment, body: dict[str, Any]
    ) -> JSONResponse:
        generation = self.state.generation
        fault = self.state.pop_fault(deployment.name)
        if isinstance(fault, Slow) and not await self._sleep(fault.delay, generation):
            return self._reply(record, errors.server_error(503))
        refusal = _fault_refusal(fault, record.api_version) or checks.check_body(body)
        if refusal:
            return self._reply(record, refusal, deployment)
        messages = body["messages"]
        prompt = prompt_tokens(messages, deployment.encoding)
        if checks.wants_json_schema(body):
            prompt += deployment.schema_overhead_tokens
        record.prompt_tokens = prompt
        cap = checks.requested_completion(body, deployment)
        refusal = (
            checks.check_parameters(body, deployment)
            or checks.check_structured_outputs(body, deployment)
            or checks.check_response_format(body)
            or checks.check_context(prompt, cap, deployment)
        )
        if refusal:
            return self._reply(record, refusal, deployment)
        verdict = self.state.admit(deployment.name, prompt + cap)
        if verdict.retry_after is not None:
            limited = errors.rate_limited(
                verdict.retry_after, record.api_version, calls=verdict.calls
            )
            return self._reply(record, limited, deployment)
        record.charged_tokens = prompt + cap
        cached = self.state.cached_tokens(
            deployment, prompt_sequence(messages, deployment.encoding)
        )
        mode = self.state.answer_mode(deployment.name)
        ask = Ask(record.api, deployment, messages, cap, prompt, cached, mode)
        answer_fault = fault if isinstance(fault, AnswerFault) else None
        return self._reply(
            record, errors.Reply(200, completion_body(ask, answer_fault)), deployment
        )

    async def _sleep(self, delay: float, generation: int) -> bool:
        """Wait ``delay`` s; False if the fake was reset or is stopping meanwhile."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + delay
        while (left := deadline - loop.time()) > 0:
            if self.state.generation != generation or self.stopping.is_set():
                return False
            await asyncio.sleep(min(left, _SLEEP_STEP))
        return True

    def _reply(
        self, record: RecordedRequest, answer: errors.Reply, deployment: Deployment | None = None
    ) -> JSONResponse:
        record.status = answer.status
        record.response = answer.body
        request_id = str(uuid.uuid4())
        headers = {"x-request-id": request_id, "apim-request-id": request_id, **answer.headers}
        if deployment is not None:
            requests_left, tokens_left = self.state.remaining(deployment.name)
            headers["x-ratelimit-remaining-requests"] = str(requests_left)
            headers["x-ratelimit-remaining-tokens"] = str(tokens_left)
        return JSONResponse(answer.body, status_code=answer.status, headers=headers)
