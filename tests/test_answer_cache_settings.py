"""DOCGEN_ANSWER_CACHE_DAYS and DOCGEN_CACHE_DIR, and the answer caches they wire."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis.asyncio

from bot.errors import SettingsError
from bot.llm.answers import DAY_SECONDS, NoCache, Question
from bot.llm.answers_files import FileAnswerCache
from bot.llm.answers_redis import RedisAnswerCache
from bot.settings import Front, load_settings
from bot.wiring import answer_book_for, answer_cache_for, local_answer_cache_for

AZURE = {
    "AZURE_OPENAI_ENDPOINT": "https://res.openai.azure.com",
    "AZURE_OPENAI_API_KEY": "azure-secret",
    "AZURE_OPENAI_DEPLOYMENT": "docs",
}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"DOCGEN_ANSWER_CACHE_DAYS": "-1"},
            "DOCGEN_ANSWER_CACHE_DAYS: Input should be greater than or equal to 0",
        ),
        (
            {"DOCGEN_ANSWER_CACHE_DAYS": "a month"},
            "DOCGEN_ANSWER_CACHE_DAYS: Input should be a valid integer",
        ),
        (
            {"DOCGEN_ANSWER_CACHE_DAYS": "100000"},
            "DOCGEN_ANSWER_CACHE_DAYS: Input should be less than or equal to 3650",
        ),
    ],
)
def test_a_bad_cache_setting_is_one_line_naming_it(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError) as info:
        load_settings(Front.CLI, env)
    assert str(info.value).startswith(message)


def test_the_cache_folder_must_be_a_folder(tmp_path: Path) -> None:
    file = tmp_path / "file"
    file.write_text("x")
    with pytest.raises(SettingsError, match="^DOCGEN_CACHE_DIR is not a directory$"):
        load_settings(Front.CLI, {"DOCGEN_CACHE_DIR": str(file)})
    missing = tmp_path / "not-yet"  # created on the first answer kept
    assert load_settings(Front.CLI, {"DOCGEN_CACHE_DIR": str(missing)}).docgen_cache_dir == missing


def test_defaults_keep_answers_thirty_days_in_the_user_cache_folder() -> None:
    settings = load_settings(Front.CLI, {})
    assert settings.docgen_answer_cache_days == 30
    assert settings.docgen_cache_dir is None
    shown = settings.redacted()
    assert shown["DOCGEN_ANSWER_CACHE_DAYS"] == 30 and shown["DOCGEN_CACHE_DIR"] is None


async def test_the_app_keeps_answers_per_installation_for_the_configured_days(
    redis_client: redis.asyncio.Redis,
) -> None:
    settings = load_settings(Front.CLI, {**AZURE, "DOCGEN_ANSWER_CACHE_DAYS": "2"})
    cache = answer_cache_for(settings, redis_client, 11)
    assert isinstance(cache, RedisAnswerCache) and cache.ttl_seconds == 2 * DAY_SECONDS
    book = answer_book_for(settings, cache, style="numpy")
    assert (book.model, book.style) == ("gpt-4o-mini", "numpy")
    await book.remember([(Question("a.py::f", "0" * 16), "Return f.")])
    [key] = await redis_client.keys("docgen:answer:11:*")
    assert 0 < await redis_client.ttl(key) <= 2 * DAY_SECONDS
    off = load_settings(Front.CLI, {**AZURE, "DOCGEN_ANSWER_CACHE_DAYS": "0"})
    assert isinstance(answer_cache_for(off, redis_client, 11), NoCache)


def test_the_command_line_keeps_model_answers_only(tmp_path: Path) -> None:
    env = {**AZURE, "DOCGEN_CACHE_DIR": str(tmp_path)}
    cache = local_answer_cache_for(load_settings(Front.CLI, env))
    assert isinstance(cache, FileAnswerCache) and cache.directory == tmp_path / "answers"
    assert cache.ttl_seconds == 30 * DAY_SECONDS
    off = {**env, "DOCGEN_ANSWER_CACHE_DAYS": "0"}
    assert isinstance(local_answer_cache_for(load_settings(Front.CLI, off)), NoCache)
    # The offline skeleton costs nothing; its placeholders must never pass for a model's.
    skeleton = {**env, "DOCGEN_PROVIDER": "skeleton"}
    assert isinstance(local_answer_cache_for(load_settings(Front.CLI, skeleton)), NoCache)
    assert isinstance(local_answer_cache_for(load_settings(Front.CLI, {})), NoCache)
