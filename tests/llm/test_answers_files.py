"""``docgen suggest``'s answer cache: files that expire, survive concurrent runs and damage."""

from __future__ import annotations

import json
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import platformdirs
import pytest

from bot.llm.answers import DAY_SECONDS, DEFAULT_TTL_SECONDS
from bot.llm.answers_files import (
    MAX_ENTRY_BYTES,
    TEMP_GRACE_SECONDS,
    FileAnswerCache,
    default_answer_dir,
)

TEXT = "Return the total of ``prices``.\n\n:param prices: Prices in cents — “net”."
T0 = 1_800_000_000.0


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_the_default_folder_is_the_user_cache_folder(tmp_path: Path) -> None:
    assert default_answer_dir() == platformdirs.user_cache_path("docgen", False) / "answers"
    assert default_answer_dir(tmp_path) == tmp_path / "answers"
    assert default_answer_dir(str(tmp_path)) == tmp_path / "answers"


async def test_answers_round_trip_and_unknown_keys_are_absent(tmp_path: Path) -> None:
    cache = FileAnswerCache(tmp_path / "answers")
    await cache.put_many({"k1": TEXT, "k2": "Open it."})
    assert await cache.get_many(["k1", "k2", "k3", "k1"]) == {"k1": TEXT, "k2": "Open it."}
    again = FileAnswerCache(tmp_path / "answers")  # the next run
    assert await again.get_many(["k1"]) == {"k1": TEXT}
    assert await FileAnswerCache(tmp_path / "elsewhere").get_many(["k1"]) == {}


def test_any_key_stays_inside_the_folder(tmp_path: Path) -> None:
    cache = FileAnswerCache(tmp_path)
    for key in ("../../etc/passwd", "/abs", "a\0b", ""):
        path = cache.path_for(key)
        assert path.parent.parent == tmp_path and path.suffix == ".json"
    cache.write_many({"../../escape": TEXT})
    assert cache.read_many(["../../escape"]) == {"../../escape": TEXT}
    assert not (tmp_path.parent / "escape").exists()


def test_entries_expire_after_the_ttl(tmp_path: Path) -> None:
    clock = Clock()
    cache = FileAnswerCache(tmp_path, ttl_seconds=2 * DAY_SECONDS, clock=clock)
    cache.write_many({"k": TEXT})
    clock.now += 2 * DAY_SECONDS - 1
    assert cache.read_many(["k"]) == {"k": TEXT}
    clock.now += 1
    assert cache.read_many(["k"]) == {}
    cache.write_many({"k": TEXT})  # a new answer lives again
    assert cache.read_many(["k"]) == {"k": TEXT}
    assert FileAnswerCache(tmp_path).read_many(["k"]) == {"k": TEXT}  # default ttl: 30 days
    assert DEFAULT_TTL_SECONDS == 30 * DAY_SECONDS
    with pytest.raises(ValueError, match="positive"):
        FileAnswerCache(tmp_path, ttl_seconds=0)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b'{"key": "k", "stored_at": 1800000000.0, "text": "Trunc',
        b"\xff\xfe\x00 not utf-8",
        b"[1, 2, 3]",
        b'{"key": "other", "stored_at": 1800000000.0, "text": "Answer."}',
        b'{"key": "k", "stored_at": "yesterday", "text": "Answer."}',
        b'{"key": "k", "stored_at": true, "text": "Answer."}',
        b'{"key": "k", "stored_at": 1800000000.0, "text": ""}',
        b'{"key": "k", "stored_at": 1800000000.0, "text": 7}',
        b"[" * 100_000 + b"]" * 100_000,
        json.dumps({"key": "k", "stored_at": T0, "text": "x" * MAX_ENTRY_BYTES}).encode(),
    ],
    ids=[
        "empty",
        "truncated",
        "binary",
        "not-an-object",
        "another-key",
        "bad-time",
        "bool-time",
        "empty-text",
        "number-text",
        "deep",
        "too-large",
    ],
)
def test_a_damaged_file_is_ignored_then_overwritten(tmp_path: Path, content: bytes) -> None:
    cache = FileAnswerCache(tmp_path, clock=Clock())
    path = cache.path_for("k")
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    assert cache.read_many(["k"]) == {}
    cache.write_many({"k": TEXT})
    assert cache.read_many(["k"]) == {"k": TEXT}


def test_concurrent_runs_never_see_half_an_entry(tmp_path: Path) -> None:
    texts = ("A" * 5_000, "B" * 20_000)
    writers = [FileAnswerCache(tmp_path) for _ in texts]
    reader = FileAnswerCache(tmp_path)
    writers[0].write_many({"shared": texts[0]})

    def write(pair: tuple[FileAnswerCache, str]) -> None:
        for _ in range(150):
            pair[0].write_many({"shared": pair[1]})

    def read() -> list[str | None]:
        return [reader.read_many(["shared"]).get("shared") for _ in range(600)]

    with ThreadPoolExecutor(max_workers=3) as pool:
        reading = pool.submit(read)
        list(pool.map(write, zip(writers, texts, strict=True)))
        seen = reading.result()
    # Once an entry exists, every read finds one whole entry: never a gap, never a torn one.
    assert set(seen) <= set(texts)
    assert not list(tmp_path.rglob("*.tmp"))  # no temporary file left behind


async def test_a_folder_that_cannot_be_written_never_fails_the_run(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    cache = FileAnswerCache(blocked / "answers")
    with caplog.at_level(logging.WARNING):
        await cache.put_many({"k": TEXT})
    assert await cache.get_many(["k"]) == {}
    assert "answers not kept" in caplog.text
    assert blocked.read_text() == "not a folder"


def test_prune_removes_expired_broken_and_abandoned_files(tmp_path: Path) -> None:
    clock = Clock()
    cache = FileAnswerCache(tmp_path, ttl_seconds=3_600, clock=clock)
    cache.write_many({"old": "Old answer."})
    clock.now += 7_200  # "old" has expired; no prune is due yet
    cache.write_many({"new": "New answer."})
    broken = cache.path_for("broken")
    broken.parent.mkdir(parents=True, exist_ok=True)
    broken.write_bytes(b"{")
    shard = cache.path_for("new").parent
    abandoned, fresh_temp = shard / ".x.1.tmp", shard / ".x.2.tmp"
    abandoned.write_bytes(b"half")
    fresh_temp.write_bytes(b"being written")
    os.utime(abandoned, (clock.now - TEMP_GRACE_SECONDS, clock.now - TEMP_GRACE_SECONDS))
    os.utime(fresh_temp, (clock.now, clock.now))
    assert cache.prune() == 3
    left = {p.name for p in tmp_path.rglob("*") if p.is_file()}
    assert left == {cache.path_for("new").name, fresh_temp.name, ".pruned"}
    assert cache.read_many(["new"]) == {"new": "New answer."}


def test_writes_prune_at_most_once_a_day(tmp_path: Path) -> None:
    clock = Clock()
    cache = FileAnswerCache(tmp_path, ttl_seconds=3_600, clock=clock)
    cache.write_many({"a": "A."})
    clock.now += 7_200  # "a" has expired, but the last prune is recent
    cache.write_many({"b": "B."})
    assert cache.path_for("a").exists()
    clock.now += DAY_SECONDS
    cache.write_many({"c": "C."})
    assert not cache.path_for("a").exists() and not cache.path_for("b").exists()
    assert cache.read_many(["a", "b", "c"]) == {"c": "C."}
