"""Read captured log records as docgen writes them: through the real JSON formatter."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

from bot.logging_setup import JsonFormatter

_FORMATTER = JsonFormatter()


def as_json(record: logging.LogRecord) -> dict[str, Any]:
    """Return ``record`` as the one JSON object docgen would write for it."""
    line = _FORMATTER.format(record)
    assert "\n" not in line, line
    data: dict[str, Any] = json.loads(line)
    return data


def events(records: Iterable[logging.LogRecord], prefix: str = "docgen") -> list[dict[str, Any]]:
    """Return the records of loggers named ``prefix`` or under it, as JSON objects."""
    return [as_json(r) for r in records if r.name == prefix or r.name.startswith(prefix + ".")]
