"""The caller against the fake Azure OpenAI: parameters, usage, and what is retried or not."""

from __future__ import annotations

import socket

import pytest
from pydantic import SecretStr

from bot.llm.client import Endpoint, OpenAICaller, RetryPolicy, open_caller, retry_after
from bot.llm.models import MODELS, resolve_model
from bot.llm.plan import PlanConfig, PlannedRequest, Planner
from bot.llm.tokens import TokenCounter
from bot.llm.usage import CallFailed
from bot.settings import Settings
from bot.wiring import caller_for, planner_for
from tests.fakes.azure import FakeAzureOpenAI
from tests.fakes.azure_faults import PromptFiltered, RateLimited, ServerError, Slow
from tests.llm.helpers import azure_settings, function

FAST = RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.05)


def one_request(settings: Settings, lines: int = 3) -> tuple[Planner, PlannedRequest]:
    planner = planner_for(settings)
    plan = planner.plan([function(name="a", lines=lines), function(name="b")])
    (request,) = plan.requests
    return planner, request


def caller(settings: Settings, policy: RetryPolicy = FAST) -> OpenAICaller:
    built = caller_for(settings, policy=policy)
    assert isinstance(built, OpenAICaller)
    return built


async def test_a_call_sends_the_models_parameters_and_returns_reported_usage(
    fake_azure: FakeAzureOpenAI,
) -> None:
    settings = azure_settings(fake_azure)
    _, request = one_request(settings)
    async with caller(settings) as c:
        answer = await c.complete(request)
    (sent,) = fake_azure.requests
    assert sent.status == 200 and sent.api == "azure"
    assert sent.body["max_tokens"] == request.max_completion
    assert sent.body["temperature"] == 0
    assert sent.body["response_format"]["json_schema"]["strict"] is True
    assert answer.finish_reason == "stop" and answer.attempts == 1
    assert answer.usage.prompt_tokens == sent.prompt_tokens == request.counted_tokens
    assert answer.usage.completion_tokens > 0


async def test_reasoning_models_get_max_completion_tokens_and_no_temperature(
    fake_azure: FakeAzureOpenAI,
) -> None:
    fake_azure.add_deployment("thinker", "gpt-5-mini")
    settings = azure_settings(fake_azure, "thinker", DOCGEN_MODEL="gpt-5-mini")
    _, request = one_request(settings)
    async with caller(settings) as c:
        answer = await c.complete(request)
    (sent,) = fake_azure.requests_to("thinker")
    assert "max_tokens" not in sent.body and "temperature" not in sent.body
    assert sent.body["max_completion_tokens"] == request.max_completion
    assert answer.finish_reason == "stop"


async def test_every_known_model_is_called_the_way_its_family_accepts(
    fake_azure: FakeAzureOpenAI,
) -> None:
    # The fake applies its own rule for which families refuse max_tokens and temperature.
    for n, name in enumerate(MODELS):
        deployment = f"d{n}"
        fake_azure.add_deployment(deployment, name)
        settings = azure_settings(fake_azure, deployment, DOCGEN_MODEL=name)
        _, request = one_request(settings)
        async with caller(settings) as c:
            answer = await c.complete(request)
        (sent,) = fake_azure.requests_to(deployment)
        assert sent.status == 200, (name, sent.body)
        assert answer.usage.prompt_tokens == request.counted_tokens


async def test_openai_compatible_servers_are_called_by_model_name(
    fake_azure: FakeAzureOpenAI,
) -> None:
    env = {"OPENAI_BASE_URL": fake_azure.openai_base_url, "OPENAI_API_KEY": fake_azure.api_key}
    settings = Settings.from_env(env)
    _, request = one_request(settings)
    async with caller(settings) as c:
        answer = await c.complete(request)
    (sent,) = fake_azure.requests
    assert sent.api == "openai" and sent.body["model"] == "gpt-4o-mini"
    assert answer.usage.prompt_tokens == request.counted_tokens


async def test_the_client_is_built_from_plain_values_alone(fake_azure: FakeAzureOpenAI) -> None:
    endpoint = Endpoint(
        kind="azure",
        url=fake_azure.endpoint,
        model="gpt-4o-mini",
        api_key=SecretStr(fake_azure.api_key),
        timeout=10.0,
        deployment=fake_azure.default_deployment,
        api_version="2024-10-21",
    )
    assert fake_azure.api_key not in repr(endpoint)
    facts = resolve_model("gpt-4o-mini")
    planner = Planner(facts, TokenCounter.for_model(facts), PlanConfig())
    (request,) = planner.plan([function(name="a")]).requests
    async with open_caller(endpoint, facts, policy=FAST) as c:
        answer = await c.complete(request)
    (sent,) = fake_azure.requests_to(fake_azure.default_deployment)
    assert sent.status == 200 and sent.body["model"] == fake_azure.default_deployment
    assert answer.usage.prompt_tokens == request.counted_tokens


async def test_429_with_retry_after_is_waited_out(fake_azure: FakeAzureOpenAI) -> None:
    settings = azure_settings(fake_azure)
    _, request = one_request(settings)
    fake_azure.queue_fault(RateLimited(retry_after=0.3))
    async with caller(settings) as c:
        answer = await c.complete(request)
    first, second = fake_azure.requests
    assert (first.status, second.status) == (429, 200)
    assert second.time - first.time >= 0.3  # the service's requested pause was honoured
    assert answer.attempts == 2


async def test_three_503s_then_success(fake_azure: FakeAzureOpenAI) -> None:
    settings = azure_settings(fake_azure)
    _, request = one_request(settings)
    fake_azure.queue_fault(ServerError(503), ServerError(503), ServerError(503))
    async with caller(settings) as c:
        answer = await c.complete(request)
    assert [r.status for r in fake_azure.requests] == [503, 503, 503, 200]
    assert answer.attempts == 4


async def test_retries_are_bounded(fake_azure: FakeAzureOpenAI) -> None:
    settings = azure_settings(fake_azure)
    _, request = one_request(settings)
    fake_azure.queue_fault(*[ServerError(500)] * 5)
    with pytest.raises(CallFailed, match=r"kept failing \(HTTP 500\), 4 attempts"):
        async with caller(settings) as c:
            await c.complete(request)
    assert len(fake_azure.requests) == 4


async def test_a_retry_after_longer_than_docgen_waits_fails_at_once(
    fake_azure: FakeAzureOpenAI,
) -> None:
    settings = azure_settings(fake_azure)
    _, request = one_request(settings)
    fake_azure.queue_fault(RateLimited(retry_after=400))
    with pytest.raises(CallFailed, match="asked to wait 400 s"):
        async with caller(settings) as c:
            await c.complete(request)
    assert len(fake_azure.requests) == 1


async def test_a_timeout_is_retried(fake_azure: FakeAzureOpenAI) -> None:
    settings = azure_settings(fake_azure, DOCGEN_REQUEST_TIMEOUT_SECONDS="0.3")
    _, request = one_request(settings)
    fake_azure.queue_fault(Slow(delay=1.5))
    async with caller(settings) as c:
        answer = await c.complete(request)
    assert answer.attempts == 2
    assert [r.status for r in fake_azure.requests][-1] == 200


async def test_a_permanent_400_is_not_retried(fake_azure: FakeAzureOpenAI) -> None:
    # A deployment whose window is smaller than the settings claim: the service refuses.
    fake_azure.add_deployment("tiny", "gpt-4o-mini", context_window=1_000)
    settings = azure_settings(fake_azure, "tiny")
    _, request = one_request(settings, lines=200)
    with pytest.raises(CallFailed, match="context_length_exceeded") as failure:
        async with caller(settings) as c:
            await c.complete(request)
    assert not failure.value.fatal and not failure.value.splittable
    assert len(fake_azure.requests_to("tiny")) == 1


async def test_the_prompt_filter_is_not_retried_but_may_be_split(
    fake_azure: FakeAzureOpenAI,
) -> None:
    settings = azure_settings(fake_azure)
    _, request = one_request(settings)
    fake_azure.queue_fault(PromptFiltered())
    with pytest.raises(CallFailed, match="content filter") as failure:
        async with caller(settings) as c:
            await c.complete(request)
    assert failure.value.splittable
    assert len(fake_azure.requests) == 1


async def test_bad_credentials_and_unknown_deployments_are_fatal(
    fake_azure: FakeAzureOpenAI,
) -> None:
    settings = azure_settings(fake_azure, AZURE_OPENAI_API_KEY="wrong-key")
    _, request = one_request(settings)
    with pytest.raises(CallFailed, match="credentials") as failure:
        async with caller(settings) as c:
            await c.complete(request)
    assert failure.value.fatal and "wrong-key" not in str(failure.value)
    with pytest.raises(CallFailed, match="not found") as failure:
        async with caller(azure_settings(fake_azure, "nope")) as c:
            await c.complete(request)
    assert failure.value.fatal
    assert len(fake_azure.requests) == 2


async def test_connection_errors_are_retried_then_reported() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        "AZURE_OPENAI_ENDPOINT": f"http://127.0.0.1:{port}",
        "AZURE_OPENAI_API_KEY": "k",
        "AZURE_OPENAI_DEPLOYMENT": "d",
    }
    settings = Settings.from_env(env)
    _, request = one_request(settings)
    with pytest.raises(CallFailed, match="could not be reached, 2 attempts"):
        async with caller(settings, RetryPolicy(max_attempts=2, base_delay=0.01)) as c:
            await c.complete(request)


def test_retry_after_headers_prefer_milliseconds() -> None:
    assert retry_after({"retry-after-ms": "1500", "retry-after": "9"}) == 1.5
    assert retry_after({"retry-after": "2"}) == 2.0
    assert retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0
    assert retry_after({"retry-after": "soon"}) is None
    assert retry_after({"retry-after-ms": "x"}) is None
    assert retry_after({}) is None


def test_backoff_is_jittered_exponential_and_capped() -> None:
    import random

    policy = RetryPolicy(base_delay=1.0, max_delay=4.0)
    rng = random.Random(5)
    for attempt, cap in ((1, 1.0), (2, 2.0), (3, 4.0), (9, 4.0)):
        pauses = [policy.backoff(attempt, rng) for _ in range(50)]
        assert all(0 <= p <= cap for p in pauses)
        assert max(pauses) > cap / 2
