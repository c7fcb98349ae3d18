"""The local answer cache of ``docgen suggest``: one small JSON file per answer.

The files live in the user's cache folder (``platformdirs``), or wherever the
caller says. One file per answer keeps concurrent runs apart: each is written
to a temporary file beside it and moved into place with ``os.replace``, so a
reader sees the old entry or the new one, never half of one, and the last
writer wins. A file that cannot be read as an entry (truncated, edited, from
another version) is ignored and overwritten by the next answer for its key.
Entries expire ``ttl_seconds`` after they were written; expired and broken
files are removed by :meth:`FileAnswerCache.prune`, which writes run at most
once a day.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from pathlib import Path

import platformdirs

from bot.llm.answers import DAY_SECONDS, DEFAULT_TTL_SECONDS

log = logging.getLogger(__name__)

APP_NAME = "docgen"
MAX_ENTRY_BYTES = 256 * 1024  # far above any docstring; larger files are not entries
PRUNE_EVERY_SECONDS = DAY_SECONDS
TEMP_GRACE_SECONDS = 3_600  # a temporary file this old was left by a run that was killed
_PRUNED = ".pruned"  # holds the time of the last prune


def default_answer_dir(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Return where local answers are kept: ``<cache_dir>/answers``, by default in the
    user cache folder (e.g. ``~/.cache/docgen/answers`` on Linux)."""
    root = Path(cache_dir) if cache_dir else platformdirs.user_cache_path(APP_NAME, False)
    return root / "answers"


class FileAnswerCache:
    """Answers kept as files under ``directory``, each for ``ttl_seconds`` after it was put."""

    def __init__(
        self,
        directory: str | os.PathLike[str],
        ttl_seconds: int = DEFAULT_TTL_SECONDS,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if ttl_seconds <= 0:
            raise ValueError("ttl_seconds must be positive")
        self.directory = Path(directory)
        self.ttl_seconds = ttl_seconds
        self._clock = clock

    def path_for(self, key: str) -> Path:
        """Return the file that holds the answer kept under ``key`` (any text is a safe key)."""
        name = hashlib.sha256(key.encode()).hexdigest()[:40]
        return self.directory / name[:2] / f"{name}.json"

    async def get_many(self, keys: Collection[str]) -> dict[str, str]:
        """Return the unexpired texts kept under any of ``keys``."""
        return await asyncio.to_thread(self.read_many, keys)

    async def put_many(self, items: Mapping[str, str]) -> None:
        """Keep every text under its key, written atomically; drop them if the folder fails."""
        await asyncio.to_thread(self.write_many, items)

    def read_many(self, keys: Collection[str]) -> dict[str, str]:
        """Do :meth:`get_many`'s work, blocking."""
        now = self._clock()
        found: dict[str, str] = {}
        for key in dict.fromkeys(keys):
            entry = _load(self.path_for(key))
            if entry is not None and entry[0] == key and not self._expired(entry[1], now):
                found[key] = entry[2]
        return found

    def write_many(self, items: Mapping[str, str]) -> None:
        """Do :meth:`put_many`'s work, blocking."""
        now = self._clock()
        try:
            for key, text in items.items():
                _write_atomic(self.path_for(key), _dump(key, now, text))
            if items and self._prune_due(now):
                self.prune()
        except OSError as exc:  # a cache folder that cannot be written never fails a run
            log.warning("answer cache: answers not kept in %s (%s)", self.directory, exc)

    def prune(self) -> int:
        """Remove expired entries, files that are not entries and stale temporary files;
        return how many were removed."""
        now = self._clock()
        removed = 0
        for path in _files(self.directory):
            if self._removable(path, now):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                    removed += 1
        _write_atomic(self.directory / _PRUNED, repr(now).encode())
        return removed

    def _expired(self, stored_at: float, now: float) -> bool:
        return now - stored_at >= self.ttl_seconds

    def _removable(self, path: Path, now: float) -> bool:
        if path.suffix == ".tmp":
            return now - _mtime(path) >= TEMP_GRACE_SECONDS
        entry = _load(path)
        return entry is None or self._expired(entry[1], now)

    def _prune_due(self, now: float) -> bool:
        try:
            last = float((self.directory / _PRUNED).read_text())
        except (OSError, ValueError):
            return True
        return not 0 <= now - last < PRUNE_EVERY_SECONDS


def _files(directory: Path) -> Iterator[Path]:
    try:
        shards = [p for p in directory.iterdir() if p.is_dir()]
    except OSError:
        return
    for shard in shards:
        with contextlib.suppress(OSError):
            yield from (p for p in shard.iterdir() if p.is_file())


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _dump(key: str, stored_at: float, text: str) -> bytes:
    return json.dumps({"key": key, "stored_at": stored_at, "text": text}).encode()


def _load(path: Path) -> tuple[str, float, str] | None:
    """Read an entry as (key, stored_at, text); None when absent or not an entry."""
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_ENTRY_BYTES + 1)
    except OSError:
        return None
    if len(raw) > MAX_ENTRY_BYTES:
        return None
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None
    if not isinstance(data, dict):
        return None
    key, stored_at, text = data.get("key"), data.get("stored_at"), data.get("text")
    if not (isinstance(key, str) and isinstance(text, str) and text):
        return None
    if isinstance(stored_at, bool) or not isinstance(stored_at, int | float):
        return None
    return key, float(stored_at), text


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file beside it and ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
