"""The fake Azure OpenAI server, driven through the openai SDK as docgen will drive it."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Callable
from typing import Any

import openai
import pytest
import tiktoken
from docstring_parser import Docstring, google, numpydoc, rest
from pydantic import BaseModel

from bot.core.render import style_of
from bot.llm.prompt import STYLES, Style, system_message
from tests.fakes.azure import FakeAzureOpenAI
from tests.fakes.azure_answer import asked_functions, docstring_for
from tests.fakes.azure_faults import (
    ExtraId,
    MalformedJson,
    MissingIds,
    OutputFiltered,
    PromptFiltered,
    RateLimited,
    ServerError,
    Slow,
)
from tests.fakes.azure_modes import AnswerMode, requested_style
from tests.fakes.azure_quota import Ledger, Quota

Messages = list[Any]  # chat messages as plain dicts, the way docgen builds them
SOURCES = {
    "src/pkg/io.py::Reader.read_all": (
        "def read_all(self, path, /, size=-1, *rest, strict, **options):\n    return path\n"
    ),
    "src/pkg/io.py::make": "@cache\nasync def make(cls_name: str) -> int:\n    return 1\n",
    "src/pkg/cli.py::main": "def main():\n    pass\n",
}
ITEM = {
    "type": "object",
    "properties": {"id": {"type": "string"}, "docstring": {"type": "string"}},
    "required": ["id", "docstring"],
    "additionalProperties": False,
}
SCHEMA = {
    "type": "object",
    "properties": {"docstrings": {"type": "array", "items": ITEM}},
    "required": ["docstrings"],
    "additionalProperties": False,
}
JSON_SCHEMA = {
    "type": "json_schema",
    "json_schema": {"name": "docstrings", "strict": True, "schema": SCHEMA},
}
# The openai-cookbook's "How to count tokens with tiktoken" example and the counts the
# API reported for it: 124 for gpt-4o / gpt-4o-mini, 129 for gpt-4 / gpt-3.5-turbo.
_JARGON = [
    (
        "system",
        None,
        "You are a helpful, pattern-following assistant that translates corporate "
        "jargon into plain English.",
    ),
    ("system", "example_user", "New synergies will help drive top-line growth."),
    ("system", "example_assistant", "Things working well together will increase revenue."),
    (
        "system",
        "example_user",
        "Let's circle back when we have more bandwidth to touch base on "
        "opportunities for increased leverage.",
    ),
    (
        "system",
        "example_assistant",
        "Let's talk later when we're less busy about how to do better.",
    ),
    (
        "user",
        None,
        "This late pivot means we don't have time to boil the ocean for the client deliverable.",
    ),
]
COOKBOOK: Messages = [
    {"role": role, "content": content} | ({"name": name} if name else {})
    for role, name, content in _JARGON
]


class Item(BaseModel):
    id: str
    docstring: str


class Docstrings(BaseModel):
    docstrings: list[Item]


def prompt(sources: dict[str, str]) -> Messages:
    """Build messages following the fake's convention: ``### <id>`` then fenced source."""
    body = "\n".join(f"### {fid}\n```python\n{src}```\n" for fid, src in sources.items())
    return [
        {"role": "system", "content": "Write docstrings. Answer ### ids only."},
        {"role": "user", "content": "Document these functions.\n\n" + body},
    ]


def cookbook_count(messages: Messages, encoding: str) -> int:
    """The cookbook's formula, restated here as the test's own oracle."""
    enc = tiktoken.get_encoding(encoding)
    total = 3
    for message in messages:
        total += 3 + sum(len(enc.encode_ordinary(v)) for v in message.values())
        total += 1 if "name" in message else 0
    return total


ClientFactory = Callable[..., openai.AsyncAzureOpenAI]


@pytest.fixture
async def azure(fake_azure: FakeAzureOpenAI) -> AsyncIterator[ClientFactory]:
    """Return a factory of Azure clients on the fake, closed after the test."""
    clients: list[openai.AsyncAzureOpenAI] = []

    def make(deployment: str = "docgen-test", **options: Any) -> openai.AsyncAzureOpenAI:
        settings: dict[str, Any] = {"api_version": "2024-10-21", "api_key": fake_azure.api_key}
        settings |= {"max_retries": 0, "timeout": 10} | options
        client = openai.AsyncAzureOpenAI(
            azure_endpoint=fake_azure.endpoint, azure_deployment=deployment, **settings
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.close()


async def ask(client: openai.AsyncAzureOpenAI, **overrides: Any) -> Any:
    """Send the standard request (three functions, strict schema) with ``overrides``."""
    request: dict[str, Any] = {
        "model": "gpt-4o-mini",
        "messages": prompt(SOURCES),
        "response_format": JSON_SCHEMA,
        "max_tokens": 1000,
    }
    return await client.chat.completions.create(**(request | overrides))


# --- answers ---------------------------------------------------------------


async def test_answer_holds_exactly_the_asked_ids(
    fake_azure: FakeAzureOpenAI, azure: ClientFactory
) -> None:
    completion = await ask(azure())
    answer = json.loads(completion.choices[0].message.content)
    assert [d["id"] for d in answer["docstrings"]] == list(SOURCES)
    by_id = {d["id"]: d["docstring"] for d in answer["docstrings"]}
    assert by_id["src/pkg/io.py::Reader.read_all"] == (
        "Read all.\n\nArgs:\n    path: The path.\n    size: The size.\n    *rest: The rest.\n"
        "    strict: The strict.\n    **options: The options.\n\nReturns:\n    The result."
    )
    assert by_id["src/pkg/io.py::make"] == (
        "Make.\n\nArgs:\n    cls_name: The cls name.\n\nReturns:\n    The result."
    )
    assert by_id["src/pkg/cli.py::main"] == "Main.\n\nIt works on the state it is given."
    assert completion.choices[0].finish_reason == "stop"
    assert [r.status for r in fake_azure.requests] == [200]


async def test_parse_with_a_pydantic_model(azure: ClientFactory) -> None:
    completion = await azure().chat.completions.parse(
        model="gpt-4o-mini", messages=prompt(SOURCES), response_format=Docstrings
    )
    parsed = completion.choices[0].message.parsed
    assert parsed is not None
    assert [d.id for d in parsed.docstrings] == list(SOURCES)


async def test_openai_compatible_path(fake_azure: FakeAzureOpenAI) -> None:
    async with openai.AsyncOpenAI(
        base_url=fake_azure.openai_base_url, api_key=fake_azure.api_key, max_retries=0
    ) as client:
        completion = await client.chat.completions.parse(
            model="gpt-4o-mini", messages=prompt(SOURCES), response_format=Docstrings
        )
        with pytest.raises(openai.AuthenticationError):
            await client.with_options(api_key="wrong").chat.completions.create(
                model="gpt-4o-mini", messages=prompt(SOURCES)
            )
        with pytest.raises(openai.NotFoundError):
            await client.chat.completions.create(model="gpt-9", messages=prompt(SOURCES))
    assert completion.choices[0].message.parsed is not None
    record = fake_azure.requests[0]
    assert (record.api, record.deployment, record.status) == ("openai", "docgen-test", 200)
    assert [r.status for r in fake_azure.requests] == [200, 401, 404]
    assert "prompt_filter_results" not in (record.response or {})


def test_sync_client_in_a_sync_test(fake_azure: FakeAzureOpenAI) -> None:
    with openai.AzureOpenAI(
        azure_endpoint=fake_azure.endpoint,
        azure_deployment=fake_azure.default_deployment,
        api_version="2024-10-21",
        api_key=fake_azure.api_key,
        max_retries=0,
    ) as client:
        completion = client.chat.completions.create(model="m", messages=prompt(SOURCES))
    assert completion.choices[0].message.content is not None
    assert len(fake_azure.requests) == 1


async def test_answers_are_deterministic(azure: ClientFactory) -> None:
    first, second = await ask(azure()), await ask(azure())
    assert first.choices[0].message.content == second.choices[0].message.content


async def test_headers_like_azure(azure: ClientFactory) -> None:
    raw = await azure().chat.completions.with_raw_response.create(
        model="m", messages=prompt(SOURCES), max_tokens=100
    )
    assert raw.headers["x-request-id"] and raw.headers["apim-request-id"]
    assert int(raw.headers["x-ratelimit-remaining-requests"]) > 0
    assert int(raw.headers["x-ratelimit-remaining-tokens"]) > 0


# --- counting --------------------------------------------------------------


@pytest.mark.parametrize(("model", "expected"), [("gpt-4o-mini", 124), ("gpt-4", 129)])
async def test_cookbook_example_counts(
    fake_azure: FakeAzureOpenAI, azure: ClientFactory, model: str, expected: int
) -> None:
    fake_azure.add_deployment("counted", model)
    completion = await azure("counted").chat.completions.create(model=model, messages=COOKBOOK)
    assert completion.usage is not None
    assert completion.usage.prompt_tokens == expected


@pytest.mark.parametrize(
    "content",
    ["", "hi", "def f():\n    return '<|endoftext|>'\n" * 40, "x = 1  # é ü 中文\n" * 500],
    ids=["empty", "short", "endoftext", "long"],
)
async def test_prompt_tokens_follow_the_cookbook(azure: ClientFactory, content: str) -> None:
    messages: Messages = [
        {"role": "system", "content": "You write docstrings."},
        {"role": "user", "name": "dev", "content": content},
    ]
    completion = await azure().chat.completions.create(model="m", messages=messages)
    assert completion.usage is not None
    assert completion.usage.prompt_tokens == cookbook_count(messages, "o200k_base")
    details = completion.usage.completion_tokens_details
    assert details is not None and details.reasoning_tokens == 0


async def test_usage_counts_the_content(azure: ClientFactory) -> None:
    completion = await ask(azure())
    usage = completion.usage
    enc = tiktoken.get_encoding("o200k_base")
    assert usage.completion_tokens == len(
        enc.encode_ordinary(completion.choices[0].message.content)
    )
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    assert usage.prompt_tokens_details.cached_tokens == 0


async def test_schema_overhead_is_added_only_when_configured(
    fake_azure: FakeAzureOpenAI, azure: ClientFactory
) -> None:
    fake_azure.add_deployment("overhead", schema_overhead_tokens=57)
    plain = await ask(azure(), messages=COOKBOOK)
    costly = await ask(azure("overhead"), messages=COOKBOOK)
    without = await ask(azure("overhead"), messages=COOKBOOK, response_format=None)
    assert plain.usage.prompt_tokens == 124
    assert costly.usage.prompt_tokens == 124 + 57
    assert without.usage.prompt_tokens == 124


async def test_repeated_prefix_is_reported_cached(
    fake_azure: FakeAzureOpenAI, azure: ClientFactory
) -> None:
    fake_azure.add_deployment(
        "cache", prompt_caching=True, cache_min_tokens=64, cache_block_tokens=16
    )
    shared = "Rules for docstrings: imperative mood, one summary line.\n" * 20
    first = await ask(azure("cache"), messages=[{"role": "system", "content": shared}])
    tail = [{"role": "system", "content": shared}, {"role": "user", "content": "### a.py::f"}]
    second = await ask(azure("cache"), messages=tail)
    cached = second.usage.prompt_tokens_details.cached_tokens
    assert first.usage.prompt_tokens_details.cached_tokens == 0
    assert cached > 64 and cached % 16 == 0 and cached <= second.usage.prompt_tokens


# --- refusals --------------------------------------------------------------


async def test_context_length_exceeded(fake_azure: FakeAzureOpenAI, azure: ClientFactory) -> None:
    fake_azure.add_deployment("small", context_window=8192)
    client = azure("small")
    messages: Messages = [*prompt(SOURCES), {"role": "user", "content": "pad " * 400}]
    with pytest.raises(openai.BadRequestError) as caught:
        await ask(client, messages=messages, max_tokens=8000)
    prompt_tokens = fake_azure.requests[0].prompt_tokens
    assert prompt_tokens is not None
    assert caught.value.code == "context_length_exceeded"
    assert caught.value.param == "messages"
    assert caught.value.message.endswith(
        f"This model's maximum context length is 8192 tokens. However, you requested "
        f"{prompt_tokens + 8000} tokens ({prompt_tokens} in the messages, 8000 in the "
        "completion). Please reduce the length of the messages or completion."
    )
    fits = await ask(client, messages=messages, max_tokens=8192 - prompt_tokens)
    assert fits.choices[0].finish_reason == "stop"


async def test_omitted_cap_counts_the_models_max_output(
    fake_azure: FakeAzureOpenAI, azure: ClientFactory
) -> None:
    fake_azure.add_deployment("small", context_window=8192)
    with pytest.raises(openai.BadRequestError, match="16384 in the completion"):
        await ask(azure("small"), max_tokens=openai.omit)


async def test_cap_above_the_models_output_is_refused(azure: ClientFactory) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        await ask(azure(), max_tokens=20_000)
    assert (caught.value.code, caught.value.param) == ("invalid_value", "max_tokens")


async def test_reasoning_models_refuse_max_tokens_and_temperature(
    fake_azure: FakeAzureOpenAI, azure: ClientFactory
) -> None:
    fake_azure.add_deployment("reasoning", "o4-mini")
    client = azure("reasoning")
    with pytest.raises(openai.BadRequestError) as caught:
        await ask(client, model="o4-mini")
    assert (caught.value.code, caught.value.param) == ("unsupported_parameter", "max_tokens")
    with pytest.raises(openai.BadRequestError) as caught:
        await ask(client, max_tokens=openai.omit, max_completion_tokens=900, temperature=0.2)
    assert caught.value.code == "unsupported_value"
    done = await ask(client, max_tokens=openai.omit, max_completion_tokens=900, temperature=1)
    assert done.choices[0].finish_reason == "stop"


def _loose(schema: dict[str, Any], path: tuple[str, ...], key: str, value: Any) -> dict[str, Any]:
    copy: dict[str, Any] = json.loads(json.dumps(schema))
    node = copy
    for step in path:
        node = node[step]
    node[key] = value
    return copy


@pytest.mark.parametrize(
    ("schema", "strict", "complaint"),
    [
        (SCHEMA, False, "'strict': true"),
        (
            _loose(SCHEMA, ("properties", "docstrings", "items"), "additionalProperties", True),
            True,
            "'additionalProperties' is required",
        ),
        (
            _loose(SCHEMA, ("properties", "docstrings", "items"), "required", ["id"]),
            True,
            "Missing 'docstring'",
        ),
        (_loose(SCHEMA, (), "additionalProperties", None), True, "In context=(),"),
    ],
    ids=["not-strict", "extra-properties", "not-all-required", "top-level"],
)
async def test_non_strict_schemas_are_refused(
    azure: ClientFactory, schema: dict[str, Any], strict: bool, complaint: str
) -> None:
    fmt = {"type": "json_schema", "json_schema": {"name": "d", "strict": strict, "schema": schema}}
    with pytest.raises(openai.BadRequestError, match=re.escape(complaint)) as caught:
        await ask(azure(), response_format=fmt)
    assert caught.value.param == "response_format"


async def test_old_api_version_refuses_json_schema(azure: ClientFactory) -> None:
    with pytest.raises(openai.BadRequestError, match="enabled only for api versions 2024-08-01"):
        await ask(azure(api_version="2024-06-01"))
    preview = azure(api_version="2024-08-01-preview")
    assert (await ask(preview)).choices[0].finish_reason == "stop"
    with pytest.raises(openai.BadRequestError, match="max_completion_tokens"):
        await ask(preview, max_tokens=openai.omit, max_completion_tokens=500)


async def test_wrong_key_and_unknown_deployment(
    fake_azure: FakeAzureOpenAI, azure: ClientFactory
) -> None:
    with pytest.raises(openai.AuthenticationError):
        await ask(azure(api_key="not-the-key"))
    with pytest.raises(openai.NotFoundError) as caught:
        await ask(azure("nowhere"))
    assert caught.value.code == "DeploymentNotFound"
    assert [r.status for r in fake_azure.requests] == [401, 404]
    assert "not-the-key" not in repr(fake_azure.requests)


async def test_reset_forgets_everything_but_the_default_deployment(
    fake_azure: FakeAzureOpenAI, azure: ClientFactory
) -> None:
    assert fake_azure.requests == []
    fake_azure.add_deployment("extra")
    fake_azure.queue_fault(ServerError())
    fake_azure.set_quota(requests_per_minute=1)
    with pytest.raises(openai.InternalServerError):
        await ask(azure())
    fake_azure.reset()
    assert (fake_azure.requests, fake_azure.pending_faults()) == ([], [])
    assert fake_azure.deployment("extra") is None
    await ask(azure())
    await ask(azure())  # the request quota is gone too
    assert [r.status for r in fake_azure.requests] == [200, 200]


# --- faults ----------------------------------------------------------------


async def test_faults_apply_once_each_in_order(
    fake_azure: FakeAzureOpenAI, azure: ClientFactory
) -> None:
    fake_azure.queue_fault(RateLimited(retry_after=2.5), ServerError(503), ServerError(500))
    client = azure()
    with pytest.raises(openai.RateLimitError) as limited:
        await ask(client)
    assert limited.value.response.headers["retry-after"] == "3"
    assert limited.value.response.headers["retry-after-ms"] == "2500"
    for status in (503, 500):
        with pytest.raises(openai.InternalServerError) as failed:
            await ask(client)
        assert failed.value.status_code == status
    assert (await ask(client)).choices[0].finish_reason == "stop"
    assert fake_azure.pending_faults() == []
    assert [r.status for r in fake_azure.requests] == [429, 503, 500, 200]


async def test_slow_answer_times_out_the_client(
    fake_azure: FakeAzureOpenAI, azure: ClientFactory
) -> None:
    fake_azure.queue_fault(Slow(delay=5))
    with pytest.raises(openai.APITimeoutError):
        await ask(azure(timeout=0.2))
    assert len(fake_azure.requests) == 1


async def test_short_cap_truncates_with_length(
    fake_azure: FakeAzureOpenAI, azure: ClientFactory
) -> None:
    completion = await ask(azure(), max_tokens=10)
    assert completion.choices[0].finish_reason == "length"
    assert completion.usage.completion_tokens == 10
    with pytest.raises(json.JSONDecodeError):
        json.loads(completion.choices[0].message.content)
    with pytest.raises(openai.LengthFinishReasonError):
        await azure().chat.completions.parse(
            model="m", messages=prompt(SOURCES), response_format=Docstrings, max_tokens=10
        )


async def test_output_content_filter(fake_azure: FakeAzureOpenAI, azure: ClientFactory) -> None:
    fake_azure.queue_fault(OutputFiltered(), OutputFiltered())
    completion = await ask(azure())
    assert completion.choices[0].finish_reason == "content_filter"
    assert completion.choices[0].message.content is None
    with pytest.raises(openai.ContentFilterFinishReasonError):
        await azure().chat.completions.parse(
            model="m", messages=prompt(SOURCES), response_format=Docstrings
        )


async def test_prompt_content_filter(fake_azure: FakeAzureOpenAI, azure: ClientFactory) -> None:
    fake_azure.queue_fault(PromptFiltered())
    with pytest.raises(openai.BadRequestError) as caught:
        await ask(azure())
    assert (caught.value.code, caught.value.param) == ("content_filter", "prompt")


async def test_spoiled_answers(fake_azure: FakeAzureOpenAI, azure: ClientFactory) -> None:
    fake_azure.queue_fault(MalformedJson(), MissingIds(), MissingIds(("src/pkg/io.py::make",)))
    fake_azure.queue_fault(ExtraId())
    client = azure()
    malformed = await ask(client)
    assert malformed.choices[0].finish_reason == "stop"
    with pytest.raises(json.JSONDecodeError):
        json.loads(malformed.choices[0].message.content)
    answers = [json.loads((await ask(client)).choices[0].message.content) for _ in range(3)]
    ids = [[d["id"] for d in a["docstrings"]] for a in answers]
    first, second, third = list(SOURCES)
    assert ids == [[first, second], [first, third], [first, second, third, "not/asked.py::ghost"]]


# --- quota -----------------------------------------------------------------


class ManualClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_quota_refuses_over_the_window_and_records_charges() -> None:
    clock = ManualClock()
    with FakeAzureOpenAI(clock=clock) as fake:
        fake.set_quota(tokens_per_minute=2500)
        async with openai.AsyncAzureOpenAI(
            azure_endpoint=fake.endpoint,
            azure_deployment=fake.default_deployment,
            api_version="2024-10-21",
            api_key=fake.api_key,
            max_retries=0,
        ) as client:
            await ask(client)
            clock.now += 10
            await ask(client)
            with pytest.raises(openai.RateLimitError) as limited:
                await ask(client)
            clock.now += 50
            await ask(client)
        charge, counted = fake.requests[0].charged_tokens, fake.requests[0].prompt_tokens
        assert counted is not None and charge == counted + 1000
        assert limited.value.response.headers["retry-after"] == "50"
        assert "token rate limit" in limited.value.message
        assert [c.admitted for c in fake.quota_charges()] == [True, True, False, True]
        assert [c.tokens for c in fake.quota_charges()] == [charge] * 4
        assert fake.peak_usage() == (2 * charge, 2)


async def test_request_quota(fake_azure: FakeAzureOpenAI, azure: ClientFactory) -> None:
    fake_azure.set_quota(requests_per_minute=2)
    client = azure()
    await ask(client)
    await ask(client)
    with pytest.raises(openai.RateLimitError, match="call rate limit") as limited:
        await ask(client)
    assert 1 <= int(limited.value.response.headers["retry-after"]) <= 60
    assert fake_azure.peak_usage()[1] == 2


async def test_concurrent_requests_never_exceed_the_quota(
    fake_azure: FakeAzureOpenAI, azure: ClientFactory
) -> None:
    client = azure()
    await ask(client)
    charge = fake_azure.requests[0].charged_tokens
    fake_azure.reset()
    fake_azure.set_quota(tokens_per_minute=4 * charge)
    results = await asyncio.gather(*(ask(client) for _ in range(10)), return_exceptions=True)
    limited = [r for r in results if isinstance(r, openai.RateLimitError)]
    assert len(limited) == 6
    assert fake_azure.peak_usage() == (4 * charge, 4)
    assert sum(c.admitted for c in fake_azure.quota_charges()) == 4


def test_ledger_waits_for_the_oldest_charges_to_expire() -> None:
    ledger = Ledger(Quota(tokens_per_minute=100, window_seconds=60))
    assert ledger.admit(0.0, 40).admitted
    assert ledger.admit(5.0, 40).admitted
    assert ledger.admit(10.0, 50).retry_after == 50.0  # the oldest charge must expire
    assert ledger.admit(20.0, 20).admitted
    assert ledger.admit(30.0, 101).retry_after == 60.0  # bigger than the quota itself
    assert ledger.remaining(61.0) == (10_000 - 2, 100 - 60)
    assert ledger.peak() == (100, 3)


def test_ledger_enforces_a_request_quota_over_short_periods_too() -> None:
    # 600 a minute, evaluated over 10-second periods: at most 100 in any 10 seconds.
    ledger = Ledger(Quota(requests_per_minute=600, request_period_seconds=10.0))
    assert all(ledger.admit(0.01 * n, 1).admitted for n in range(100))
    refused = ledger.admit(1.0, 1)
    assert not refused.admitted and refused.calls
    assert refused.retry_after == pytest.approx(9.0)
    assert ledger.admit(10.5, 1).admitted
    assert Ledger(Quota(requests_per_minute=6, request_period_seconds=1.0)).quota.period_share == 1


# --- the prompt convention, directly ---------------------------------------


def test_ids_come_from_user_messages_in_order_without_repeats() -> None:
    messages = [
        {"role": "system", "content": "### example.py::not_asked\n"},
        {"role": "user", "content": "### a.py::f\ndef f(x): pass\n### b c.py::C.g  \nbroken(\n"},
        {"role": "user", "content": "### a.py::f\n"},
    ]
    functions = asked_functions(messages)
    assert [f.id for f in functions] == ["a.py::f", "b c.py::C.g"]
    assert docstring_for(functions[0]) == "F.\n\nArgs:\n    x: The x."
    assert docstring_for(functions[1]) == "G.\n\nIt works on the state it is given."


def test_method_source_is_dedented_and_self_or_cls_skipped() -> None:
    source = "\n    @classmethod\n    def build(cls, spec, *, dry_run=False):\n        ...\n"
    messages = [{"role": "user", "content": "### m.py::Builder.build\n" + source}]
    (function,) = asked_functions(messages)
    assert (
        docstring_for(function) == "Build.\n\nArgs:\n    spec: The spec.\n    dry_run: The dry run."
    )


def test_a_longer_fence_may_hold_backticks() -> None:
    source = 'def quote(text):\n    """Wrap in ```."""\n    return f"```{text}```"\n'
    content = f"### q.py::quote\n````python\n{source}````\n### q.py::other\nx = 1\n"
    first, second = asked_functions([{"role": "user", "content": content}])
    assert docstring_for(first) == (
        "Quote.\n\nArgs:\n    text: The text.\n\nReturns:\n    The result."
    )
    assert docstring_for(second) == "Other.\n\nIt works on the state it is given."


def test_server_starts_and_stops_from_plain_code() -> None:
    fake = FakeAzureOpenAI()
    with fake:
        port = fake.port
        assert fake.endpoint == f"http://127.0.0.1:{port}"
        with pytest.raises(RuntimeError):
            fake.start()
    fake.stop()
    with fake:
        assert fake.port != 0


# --- answer modes: a careless model, one mistake at a time ------------------

MODE_SOURCES = {
    **SOURCES,
    "src/pkg/io.py::Parser.parse#2": "    def parse(self, text):\n        yield from text\n",
}


def styled_prompt(style: Style, sources: dict[str, str] = MODE_SOURCES) -> Messages:
    """Build docgen's own system message for ``style`` and the fake's function listing."""
    return [system_message(style), prompt(sources)[1]]


async def answered(client: openai.AsyncAzureOpenAI, style: Style) -> dict[str, str]:
    """Ask about MODE_SOURCES in ``style``; return the answer's docstrings by id."""
    completion = await ask(client, messages=styled_prompt(style))
    assert completion.choices[0].finish_reason == "stop"
    items = json.loads(completion.choices[0].message.content)["docstrings"]
    return {item["id"]: item["docstring"] for item in items}


def parsed(text: str, style: Style) -> Docstring:
    """Parse with docstring_parser's own parser for ``style``, an oracle independent of docgen."""
    parsers = {"google": google.parse, "numpy": numpydoc.parse, "sphinx": rest.parse}
    return parsers[style](text)


def documented(doc: Docstring) -> list[str]:
    """Return the documented parameter names, stars dropped (Sphinx writes none)."""
    return [p.arg_name.lstrip("*") for p in doc.params]


def result_kinds(doc: Docstring) -> list[str]:
    return ["yields" if r.is_generator else "returns" for r in doc.many_returns]


READ_ALL, MAKE, MAIN, PARSE = MODE_SOURCES


@pytest.mark.parametrize("style", STYLES)
def test_the_style_asked_for_is_read_from_docgens_system_message(style: Style) -> None:
    assert requested_style([system_message(style)]) == style
    assert requested_style([{"role": "user", "content": "Use NumPy style."}]) == "google"
    assert requested_style([{"role": "system", "content": "In reST style."}]) == "sphinx"


async def test_careful_answers_in_the_style_asked_for(
    fake_azure: FakeAzureOpenAI, azure: ClientFactory
) -> None:
    assert fake_azure.answer_mode() is AnswerMode.CAREFUL
    client = azure()
    numpy_answer = await answered(client, "numpy")
    assert numpy_answer[READ_ALL] == (
        "Read all.\n\nParameters\n----------\npath\n    The path.\nsize\n    The size.\n"
        "*rest\n    The rest.\nstrict\n    The strict.\n**options\n    The options.\n\n"
        "Returns\n-------\nobject\n    The result."
    )
    sphinx_answer = await answered(client, "sphinx")
    assert sphinx_answer[MAKE] == (
        "Make.\n\n:param cls_name: The cls name.\n:returns: The result.\n:rtype: int"
    )
    assert sphinx_answer[PARSE] == "Parse.\n\n:param text: The text.\n:yields: The next item."
    google_answer = await answered(client, "google")
    assert google_answer[PARSE] == (
        "Parse.\n\nArgs:\n    text: The text.\n\nYields:\n    The next item."
    )
    pairs: tuple[tuple[Style, dict[str, str]], ...] = (
        ("numpy", numpy_answer),
        ("sphinx", sphinx_answer),
    )
    for style, answer in pairs:
        for fid in MODE_SOURCES:
            assert style_of(answer[fid]) in (style, None)
        doc = parsed(answer[READ_ALL], style)
        assert documented(doc) == ["path", "size", "rest", "strict", "options"]
        assert result_kinds(doc) == ["returns"]
        assert answer[MAIN] == "Main.\n\nIt works on the state it is given."


async def test_other_style_answers_numpy_for_google_and_google_for_the_others(
    fake_azure: FakeAzureOpenAI, azure: ClientFactory
) -> None:
    fake_azure.set_answer_mode("other_style")
    client = azure()
    swaps: tuple[tuple[Style, Style], ...] = (
        ("google", "numpy"),
        ("numpy", "google"),
        ("sphinx", "google"),
    )
    for asked, written in swaps:
        answer = await answered(client, asked)
        assert style_of(answer[READ_ALL]) == written
        doc = parsed(answer[READ_ALL], written)
        assert documented(doc) == ["path", "size", "rest", "strict", "options"]
        assert result_kinds(parsed(answer[PARSE], written)) == ["yields"]


@pytest.mark.parametrize("style", STYLES)
async def test_omit_returns_leaves_out_returns_and_yields(
    fake_azure: FakeAzureOpenAI, azure: ClientFactory, style: Style
) -> None:
    fake_azure.set_answer_mode(AnswerMode.OMIT_RETURNS)
    answer = await answered(azure(), style)
    for fid in (READ_ALL, MAKE, PARSE):
        doc = parsed(answer[fid], style)
        assert result_kinds(doc) == [] and documented(doc) != []
    assert "Returns" not in answer[READ_ALL] and ":returns:" not in answer[MAKE]


@pytest.mark.parametrize("style", STYLES)
async def test_omit_param_leaves_out_the_first_parameter(
    fake_azure: FakeAzureOpenAI, azure: ClientFactory, style: Style
) -> None:
    fake_azure.set_answer_mode("omit_param")
    answer = await answered(azure(), style)
    read_all = parsed(answer[READ_ALL], style)
    assert documented(read_all) == ["size", "rest", "strict", "options"]
    assert result_kinds(read_all) == ["returns"]
    # A function with one parameter loses its whole parameter section.
    assert documented(parsed(answer[MAKE], style)) == []
    assert result_kinds(parsed(answer[MAKE], style)) == ["returns"]


@pytest.mark.parametrize("style", STYLES)
async def test_invent_param_documents_a_parameter_that_does_not_exist(
    fake_azure: FakeAzureOpenAI, azure: ClientFactory, style: Style
) -> None:
    fake_azure.set_answer_mode("invent_param")
    answer = await answered(azure(), style)
    read_all = documented(parsed(answer[READ_ALL], style))
    assert read_all == ["path", "size", "rest", "strict", "options", "verbose"]
    assert documented(parsed(answer[MAIN], style)) == ["verbose"]


async def test_drop_suffix_answers_ids_without_their_number(
    fake_azure: FakeAzureOpenAI, azure: ClientFactory
) -> None:
    fake_azure.set_answer_mode("drop_suffix")
    answer = await answered(azure(), "google")
    assert list(answer) == [READ_ALL, MAKE, MAIN, "src/pkg/io.py::Parser.parse"]
    assert answer["src/pkg/io.py::Parser.parse"].startswith("Parse.\n\nArgs:\n    text:")


@pytest.mark.parametrize("style", STYLES)
async def test_prose_only_writes_one_line_without_sections(
    fake_azure: FakeAzureOpenAI, azure: ClientFactory, style: Style
) -> None:
    fake_azure.set_answer_mode("prose_only")
    answer = await answered(azure(), style)
    assert answer[READ_ALL] == (
        "Read all. It uses path, size, rest, strict and options and returns the result."
    )
    assert answer[PARSE] == "Parse. It uses text and yields each item."
    assert answer[MAIN] == "Main. It works on the state it is given."
    for text in answer.values():
        assert "\n" not in text and style_of(text) is None
        assert parsed(text, style).meta == []


async def test_a_deployments_own_mode_wins_and_reset_restores_careful(
    fake_azure: FakeAzureOpenAI, azure: ClientFactory
) -> None:
    fake_azure.add_deployment("sloppy")
    fake_azure.set_answer_mode("prose_only", deployment="sloppy")
    fake_azure.set_answer_mode("omit_param")
    assert fake_azure.answer_mode("sloppy") is AnswerMode.PROSE_ONLY
    assert fake_azure.answer_mode() is AnswerMode.OMIT_PARAM
    assert "\n" not in (await answered(azure("sloppy"), "google"))[READ_ALL]
    assert "    path:" not in (await answered(azure(), "google"))[READ_ALL]
    fake_azure.set_answer_mode("careful")
    assert "    path:" in (await answered(azure(), "google"))[READ_ALL]
    with pytest.raises(ValueError):
        fake_azure.set_answer_mode("sloppy")
    fake_azure.set_answer_mode("prose_only")
    fake_azure.reset()
    assert fake_azure.answer_mode() is AnswerMode.CAREFUL
    assert fake_azure.answer_mode("sloppy") is AnswerMode.CAREFUL


@pytest.mark.parametrize("mode", list(AnswerMode))
async def test_every_mode_keeps_usage_exact_and_requests_strict(
    fake_azure: FakeAzureOpenAI, azure: ClientFactory, mode: AnswerMode
) -> None:
    fake_azure.set_answer_mode(mode)
    messages = styled_prompt("sphinx")
    completion = await ask(azure(), messages=messages)
    usage = completion.usage
    enc = tiktoken.get_encoding("o200k_base")
    content = completion.choices[0].message.content
    assert usage.completion_tokens == len(enc.encode_ordinary(content))
    assert usage.prompt_tokens == cookbook_count(messages, "o200k_base")
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    cut = await ask(azure(), messages=messages, max_tokens=10)
    assert (cut.choices[0].finish_reason, cut.usage.completion_tokens) == ("length", 10)
    loose = {"type": "json_schema", "json_schema": {"name": "d", "strict": False, "schema": SCHEMA}}
    with pytest.raises(openai.BadRequestError):
        await ask(azure(), messages=messages, response_format=loose)
    assert [r.status for r in fake_azure.requests] == [200, 200, 400]


def test_careful_returns_follow_the_code_and_its_annotation() -> None:
    sources = {
        "a.py::stub": "def stub(x) -> int:\n    raise NotImplementedError\n",
        "a.py::nothing": "def nothing(x):\n    return None\n",
        "a.py::declared": "def declared(x) -> None:\n    return print(x)\n",
        "a.py::quoted": "def quoted(x) -> 'None':\n    return print(x)\n",
    }
    functions = asked_functions(prompt(sources)[1:])
    stub, nothing, declared, quoted = (docstring_for(f) for f in functions)
    assert stub.endswith("Returns:\n    The result.")
    assert all("Returns" not in text for text in (nothing, declared, quoted))
    assert docstring_for(functions[0], "numpy").endswith("Returns\n-------\nint\n    The result.")
