"""The fake Azure OpenAI refuses api-versions Azure does not serve, and json_schema on models
without structured outputs, with the services' own answers."""

from __future__ import annotations

from typing import Any

import openai
import pytest

from bot.llm.prompt import RESPONSE_FORMAT
from tests.fakes.azure import FakeAzureOpenAI

MESSAGES = [{"role": "user", "content": "Say OK."}]


def client(fake: FakeAzureOpenAI, deployment: str, version: str) -> openai.AsyncAzureOpenAI:
    return openai.AsyncAzureOpenAI(
        azure_endpoint=fake.endpoint,
        azure_deployment=deployment,
        api_version=version,
        api_key=fake.api_key,
        max_retries=0,
        timeout=10,
    )


@pytest.mark.parametrize("version", ["2024-13-01", "latest", "2024-10-21x", "2021-06-01"])
async def test_unserved_api_version_is_a_400(fake_azure: FakeAzureOpenAI, version: str) -> None:
    async with client(fake_azure, fake_azure.default_deployment, version) as c:
        with pytest.raises(openai.BadRequestError, match="API version not supported") as caught:
            await c.chat.completions.create(model="m", messages=MESSAGES, max_tokens=1)  # type: ignore[arg-type]
    assert caught.value.code == "BadRequest"


@pytest.mark.parametrize("version", ["2024-10-21", "2025-04-01-preview", "2022-12-01"])
async def test_served_api_versions_answer(fake_azure: FakeAzureOpenAI, version: str) -> None:
    async with client(fake_azure, fake_azure.default_deployment, version) as c:
        done = await c.chat.completions.create(model="m", messages=MESSAGES, max_tokens=1)  # type: ignore[arg-type]
    assert done.choices[0].finish_reason == "length"


async def test_model_without_structured_outputs(fake_azure: FakeAzureOpenAI) -> None:
    fake_azure.add_deployment("old", "gpt-4-turbo", structured_outputs=False)
    async with client(fake_azure, "old", "2024-10-21") as c:
        plain = await c.chat.completions.create(model="m", messages=MESSAGES, max_tokens=1)  # type: ignore[arg-type]
        with pytest.raises(openai.BadRequestError, match="'json_schema' is not supported") as e:
            schema: dict[str, Any] = {"response_format": RESPONSE_FORMAT}
            await c.chat.completions.create(model="m", messages=MESSAGES, max_tokens=1, **schema)  # type: ignore[arg-type]
    assert plain.choices[0].finish_reason == "length"
    assert e.value.param == "response_format"
