"""Log lines: one JSON object (or key=value line) per event, with the context, never a secret."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator

import pytest

from bot.logctx import bind, current, get_logger, log_context, unbind
from bot.logging_setup import KeyValueFormatter, configure_logging, formatter
from bot.settings import Settings
from tests.logs import as_json


class Capture(logging.Handler):
    """Keep every line the real formatter writes."""

    def __init__(self, fmt: logging.Formatter) -> None:
        super().__init__()
        self.setFormatter(fmt)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def capture() -> Iterator[Capture]:
    handler = Capture(formatter("json"))
    logger = logging.getLogger("docgen.test")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield handler
    logger.removeHandler(handler)


def test_an_event_is_one_json_line_with_the_fields_in_order(capture: Capture) -> None:
    log = get_logger("docgen.test")
    with log_context(delivery_id="d-1", installation=42, repo="octo/shop", pr=7, job_id="j-1"):
        log.info("review.posted", suggested=3, note='two\nlines "quoted"')
    [line] = capture.lines
    data = json.loads(line)
    assert list(data)[:9] == [
        "ts",
        "level",
        "logger",
        "msg",
        "delivery_id",
        "installation",
        "repo",
        "pr",
        "job_id",
    ]
    assert data["level"] == "info" and data["logger"] == "docgen.test"
    assert data["msg"] == "review.posted" and data["suggested"] == 3
    assert data["installation"] == 42 and data["pr"] == 7
    assert data["note"] == 'two\nlines "quoted"'
    assert data["ts"].endswith("Z") and "T" in data["ts"]


def test_an_exception_is_in_the_same_line(capture: Capture) -> None:
    log = get_logger("docgen.test")
    try:
        raise ValueError("boom")
    except ValueError:
        log.exception("job.failed", error="ValueError")
    [line] = capture.lines
    data = json.loads(line)
    assert data["level"] == "error" and "ValueError: boom" in data["exc"]


async def test_the_context_follows_awaits_and_tasks_and_never_crosses_jobs(
    capture: Capture,
) -> None:
    log = get_logger("docgen.test")

    async def deep(step: str) -> None:
        await asyncio.sleep(0)
        log.info("step", step=step)

    async def job(delivery: str, pr: int) -> None:
        with log_context(delivery_id=delivery, repo="octo/shop", pr=pr, job_id=f"job-{pr}"):
            await deep("a")
            # A task started inside copies the context: gather, create_task.
            await asyncio.gather(deep("b"), asyncio.create_task(deep("c")))
            await deep("d")

    await asyncio.gather(job("d-1", 1), job("d-2", 2), job("d-3", 3))
    log.info("after")
    found = [json.loads(line) for line in capture.lines]
    by_pr: dict[int, set[str]] = {}
    for data in found[:-1]:
        assert data["delivery_id"] == f"d-{data['pr']}" and data["job_id"] == f"job-{data['pr']}"
        by_pr.setdefault(data["pr"], set()).add(data["step"])
    assert by_pr == {1: {"a", "b", "c", "d"}, 2: {"a", "b", "c", "d"}, 3: {"a", "b", "c", "d"}}
    assert "delivery_id" not in found[-1] and current() == {}


def test_bind_adds_to_the_context_and_unbind_restores_it() -> None:
    outer = bind(delivery_id="d-1")
    inner = bind(repo="octo/shop", pr=None)  # None is not bound
    assert dict(current()) == {"delivery_id": "d-1", "repo": "octo/shop"}
    unbind(inner)
    assert dict(current()) == {"delivery_id": "d-1"}
    unbind(outer)
    assert current() == {}
    with pytest.raises(ValueError, match="not a context field: token"):
        bind(token="x")


def test_a_library_record_gets_the_context_of_the_line_that_logged_it(
    capture: Capture,
) -> None:
    with log_context(delivery_id="d-9"):
        logging.getLogger("docgen.test.lib").warning("plain %s message", "stdlib")
    data = json.loads(capture.lines[0])
    assert data["msg"] == "plain stdlib message" and data["delivery_id"] == "d-9"


def test_secrets_never_reach_a_line(capture: Capture) -> None:
    log = get_logger("docgen.test")
    settings = Settings.from_env({"AZURE_OPENAI_API_KEY": "sk-live-91c2", "REDIS_URL": "redis://"})
    log.info(
        "oops",
        api_key="sk-live-91c2",
        token="ghs_installation_7f3e",
        installation_token="ghs_installation_7f3e",
        webhook_secret="whsec-3f9a",
        password="hunter2",
        authorization="Bearer ghs_x",
        key=settings.azure_openai_api_key,
        prompt_tokens=1234,  # a count, not a credential
    )
    [line] = capture.lines
    for secret in ("sk-live-91c2", "ghs_installation_7f3e", "whsec-3f9a", "hunter2", "ghs_x"):
        assert secret not in line
    data = json.loads(line)
    assert data["prompt_tokens"] == 1234 and data["api_key"] == "**********"
    assert data["key"] == "**********"


def test_the_text_format_is_one_key_value_line(capture: Capture) -> None:
    capture.setFormatter(KeyValueFormatter())
    log = get_logger("docgen.test")
    with log_context(delivery_id="d-1", repo="octo/shop", pr=7):
        log.warning("delivery.bad_request", error='bad "json"\nforged=1')
    [line] = capture.lines
    assert "\n" not in line
    assert " level=warning logger=docgen.test msg=delivery.bad_request " in line
    assert line.endswith(' delivery_id=d-1 repo=octo/shop pr=7 error="bad \\"json\\"\\nforged=1"')


def test_configure_logging_picks_the_format(capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    saved, level = root.handlers[:], root.level
    try:
        configure_logging("INFO", "json")
        get_logger("docgen.test.cfg").info("hello", n=1)
        configure_logging("INFO", "text")
        get_logger("docgen.test.cfg").info("hello", n=2)
    finally:
        root.handlers[:], root.level = saved, level
    first, second = capsys.readouterr().err.splitlines()
    assert json.loads(first)["n"] == 1
    assert second.endswith("msg=hello n=2")


def test_the_setting_is_validated() -> None:
    assert Settings.from_env({}).docgen_log_format == "json"
    assert Settings.from_env({"DOCGEN_LOG_FORMAT": "text"}).docgen_log_format == "text"
    with pytest.raises(ValueError, match="docgen_log_format"):
        Settings.from_env({"DOCGEN_LOG_FORMAT": "xml"})
    with pytest.raises(ValueError, match="docgen_worker_metrics_port"):
        Settings.from_env({"DOCGEN_WORKER_METRICS_PORT": "70000"})


def test_the_test_reader_uses_the_real_formatter() -> None:
    record = logging.LogRecord("docgen.x", logging.INFO, __file__, 1, "plain", None, None)
    assert as_json(record)["msg"] == "plain"
