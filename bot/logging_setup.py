"""One line per log event, as JSON or key=value, and a throttle for lines a sender can provoke.

``DOCGEN_LOG_FORMAT=json`` (the default) writes one JSON object per line:
``ts``, ``level``, ``logger``, ``msg`` (the event's name), then the context
(``delivery_id``, ``installation``, ``repo``, ``pr``, ``job_id``, see
``bot.logctx``), then the event's own fields, then ``exc`` for a traceback.
``text`` writes the same as ``key=value`` pairs for people reading a terminal;
values are quoted when they hold spaces, quotes or newlines, so one record is
always one line either way.

Bodies and secrets are never passed to a logger. As a second line of defence a
field that is a ``SecretStr`` or whose name says it holds a credential
(``token``, ``*_token``, ``secret``, ``password``, ``api_key``, ``private_key``,
``authorization``) is written masked.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Literal

from pydantic import SecretStr

from bot.logctx import CONTEXT_ATTR, FIELDS_ATTR, current

LogFormat = Literal["json", "text"]
MASK = "**********"
_CREDENTIAL = re.compile(
    r"(?:^|_)(?:token|secret|password|passwd|api_key|private_key|authorization|credentials?)$",
    re.IGNORECASE,
)

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


def _safe(name: str, value: object) -> object:
    if isinstance(value, SecretStr) or _CREDENTIAL.search(name):
        return MASK
    return value


def event_fields(record: logging.LogRecord) -> Iterator[tuple[str, object]]:
    """Yield a record's context fields, then its own, credentials masked.

    A record made by ``bot.logctx.EventLogger`` carries the context it was logged
    in; any other record (a library's) gets the context of the thread formatting
    it, which for a stream handler is the one that logged it.
    """
    context: Mapping[str, object] = getattr(record, CONTEXT_ATTR, None) or current()
    fields: Mapping[str, object] = getattr(record, FIELDS_ATTR, None) or {}
    for name, value in context.items():
        if name not in fields:
            yield name, value
    for name, value in fields.items():
        yield name, _safe(name, value)


class _Stamp:
    """ISO-8601 UTC timestamps with milliseconds, the seconds part cached."""

    def __init__(self) -> None:
        self._cache = (-1, "")  # one tuple, so threads never see a half-updated pair

    def __call__(self, created: float) -> str:
        # strftime is the costly part of a log line; it changes once a second.
        second = int(created)
        cached, stamp = self._cache
        if second != cached:
            stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
            self._cache = (second, stamp)
        return f"{stamp}.{int((created - second) * 1000):03d}Z"


class KeyValueFormatter(logging.Formatter):
    """Format a record as ``ts=... level=... logger=... msg=... <fields>`` on one line."""

    def __init__(self) -> None:
        super().__init__()
        self._stamp = _Stamp()

    def format(self, record: logging.LogRecord) -> str:
        """Return the record as one line of key=value pairs."""
        head = (
            f"ts={self._stamp(record.created)} level={record.levelname.lower()} "
            f"logger={record.name} {kv(msg=record.getMessage())}"
        )
        pairs = [f"{name}={_value(value)}" for name, value in event_fields(record)]
        if record.exc_info:
            pairs.append(kv(exc=self.formatException(record.exc_info)))
        return " ".join((head, *pairs)) if pairs else head


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON object on one line."""

    def __init__(self) -> None:
        super().__init__()
        self._stamp = _Stamp()

    def format(self, record: logging.LogRecord) -> str:
        """Return the record as a JSON object: ts, level, logger, msg, context, fields, exc."""
        line: dict[str, object] = {
            "ts": self._stamp(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for name, value in event_fields(record):
            line.setdefault(name, value)
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False, separators=(",", ":"))


def formatter(fmt: LogFormat) -> logging.Formatter:
    """Return the formatter of ``DOCGEN_LOG_FORMAT``'s value."""
    return JsonFormatter() if fmt == "json" else KeyValueFormatter()


def configure_logging(level: str, fmt: LogFormat = "json") -> None:
    """Send every logger's records to stderr, one line each, at ``level`` in format ``fmt``."""
    # The format shows none of these; not collecting them makes each record cheaper
    # (see "Optimization" in the logging HOWTO).
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    if sys.version_info >= (3, 12):
        logging.logAsyncioTasks = False
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(fmt))
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
