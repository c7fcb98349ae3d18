"""One-line key=value logs, and a throttle for lines a sender can provoke at will.

Log lines about a delivery carry ``delivery_id=``; bodies and secrets are never
passed to a logger. Values are quoted when they hold spaces, quotes or
newlines, so one record is always one line.
"""

from __future__ import annotations

import logging
import re
import sys
import time
from collections.abc import Callable

_PLAIN = re.compile(r"[\w.:/#@+\[\]-]+", re.ASCII)


def _value(value: object) -> str:
    text = str(value)
    if _PLAIN.fullmatch(text):
        return text
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    )
    return f'"{escaped}"'


def kv(**fields: object) -> str:
    """Return ``fields`` as ``key=value`` pairs, values quoted where needed."""
    return " ".join(f"{key}={_value(value)}" for key, value in fields.items())


class KeyValueFormatter(logging.Formatter):
    """Format a record as ``ts=... level=... logger=... <message>`` on one line."""

    def __init__(self) -> None:
        super().__init__()
        self._cache = (-1, "")  # one tuple, so threads never see a half-updated pair

    def _timestamp(self, created: float) -> str:
        # strftime is the costly part of a log line; it changes once a second.
        second = int(created)
        cached, stamp = self._cache
        if second != cached:
            stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
            self._cache = (second, stamp)
        return f"{stamp}.{int((created - second) * 1000):03d}Z"

    def format(self, record: logging.LogRecord) -> str:
        line = (
            f"ts={self._timestamp(record.created)} level={record.levelname.lower()} "
            f"logger={record.name} {record.getMessage()}"
        )
        if record.exc_info:
            line = f"{line} {kv(exc=self.formatException(record.exc_info))}"
        return line


def configure_logging(level: str) -> None:
    """Send every logger's records to stderr as key=value lines at ``level``."""
    # The format shows none of these; not collecting them makes each record cheaper
    # (see "Optimization" in the logging HOWTO).
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    if sys.version_info >= (3, 12):
        logging.logAsyncioTasks = False
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(KeyValueFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


class Throttle:
    """Let one line through per ``interval`` seconds and count the ones held back."""

    def __init__(self, interval: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._interval = interval
        self._clock = clock
        self._next = 0.0
        self._held = 0

    def allow(self) -> int | None:
        """Return how many lines were held back since the last one, or None to hold this one."""
        now = self._clock()
        if now < self._next:
            self._held += 1
            return None
        self._next = now + self._interval
        held, self._held = self._held, 0
        return held
