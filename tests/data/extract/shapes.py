"""A small HTTP cache client: every shape of function docgen has to find and place."""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterator
from typing import overload

if sys.version_info >= (3, 12):
    from typing import override
else:  # pragma: no cover
    from typing_extensions import override

DEFAULT_TIMEOUT = 10.0


def parse_header(line: str, sep: str = ":") -> tuple[str, str]:
    name, _, value = line.partition(sep)
    return name.strip().lower(), value.strip()


@functools.lru_cache(
    maxsize=128,
)
def normalise(url: str) -> str:
    """Return the URL without its fragment."""
    return url.split("#", 1)[0]


async def fetch(url: str, *, timeout: float = DEFAULT_TIMEOUT,  # seconds: per attempt
                retries: int = 3,
                on_error=lambda exc: None) -> bytes:  # why: a comment after the colon
    # The first body line is a comment.
    for attempt in range(retries):
        data = await _get(url, timeout)
        if data:
            return data
    raise TimeoutError(f"no answer from {url} after {retries} tries")


def first(items: list[T], default: T | None = None) -> T | None: return items[0] if items else default


def stub(x: int) -> int: ...


class Cache:
    """An in-memory cache of responses."""

    def __init__(self, size: int = 64) -> None:
        self._size = size
        self._items: dict[str, bytes] = {}

    @property
    def size(self) -> int:
        return self._size

    @size.setter
    def size(self, value: int) -> None:
        self._size = value

    def get(self, key: str,
            default: bytes | None = None,
            ) -> bytes | None:
        value = self._items.get(key)
        return default if value is None else value

    @overload
    def pop(self, key: str) -> bytes: ...
    @overload
    def pop(self, key: str, default: bytes) -> bytes: ...
    def pop(self, key, default=None):
        if key not in self._items and default is None:
            raise KeyError(key)
        return self._items.pop(key, default)

    def __len__(self) -> int:
        return len(self._items)

    def _evict(self) -> None:
        while len(self._items) > self._size:
            self._items.pop(next(iter(self._items)))

    def keys(self) -> Iterator[str]:
        def visible(key: str) -> bool:
            return not key.startswith("_")

        for key in list(self._items):
            if visible(key):
                yield key

    class Stats:
        def __init__(self, hits: int = 0) -> None:
            self.hits = hits
            self.misses = 0

        def ratio(self) -> float:
            total = self.hits + self.misses
            return self.hits / total if total else 0.0


class LoggingCache(Cache):
    @override
    def get(self, key: str, default: bytes | None = None) -> bytes | None:
        print("get", key)
        return super().get(key, default)

    def clear(self): self._items.clear(); print("cleared")

    def describe(self) -> str: """Say what this cache holds."""; return f"{len(self)} items"


try:
    import ujson as json_impl
except ImportError:
    def dumps(value: object) -> str:
        import json

        return json.dumps(value)
else:
    def dumps(value: object) -> str:
        return json_impl.dumps(value)


async def _get(url: str, timeout: float) -> bytes:
    raise NotImplementedError


def last_one(x: int,
             y: int) -> int:
    return x + y
