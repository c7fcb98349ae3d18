"""Log events with fields, and the context every event inside a delivery or job carries.

The web process binds a delivery's id, installation, repository and pull request
once when it handles the delivery; the worker binds the same and the arq job id
when a job starts. Every event logged inside, however deep (posting, the model
client), carries them without passing them around: the context lives in a
``contextvars.ContextVar``, so it follows ``await`` and is copied into each task
started inside, and one delivery's fields never leak into another's.

An event is a short name (``delivery.queued``, ``job.end``) with fields::

    log = get_logger("docgen.job")
    log.info("review.posted", suggested=3, cost_usd=0.0012)
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar, Token
from types import MappingProxyType
from typing import Any

CONTEXT_FIELDS = ("delivery_id", "installation", "repo", "pr", "job_id")
"""The fields a context may carry, in the order a log line shows them."""

_EMPTY: Mapping[str, object] = MappingProxyType({})
_CONTEXT: ContextVar[Mapping[str, object]] = ContextVar("docgen_log_context", default=_EMPTY)

# The LogRecord attributes an event sets (through ``extra``).
FIELDS_ATTR = "docgen_fields"
CONTEXT_ATTR = "docgen_context"


def current() -> Mapping[str, object]:
    """Return the fields bound in the running context (read-only)."""
    return _CONTEXT.get()


def bind(**fields: object) -> Token[Mapping[str, object]]:
    """Add ``fields`` (None values skipped) to the running context; return a reset token.

    Raises:
        ValueError: A field is not one of ``CONTEXT_FIELDS``.
    """
    unknown = set(fields) - set(CONTEXT_FIELDS)
    if unknown:
        raise ValueError(f"not a context field: {', '.join(sorted(unknown))}")
    merged = dict(_CONTEXT.get())
    merged.update((k, v) for k, v in fields.items() if v is not None)
    return _CONTEXT.set(MappingProxyType(merged))


def unbind(token: Token[Mapping[str, object]]) -> None:
    """Restore the context as it was before the ``bind`` that returned ``token``."""
    _CONTEXT.reset(token)


@contextmanager
def log_context(**fields: object) -> Iterator[None]:
    """Bind ``fields`` for the duration of the ``with`` block."""
    token = bind(**fields)
    try:
        yield
    finally:
        unbind(token)


class EventLogger:
    """A logger whose lines are events: a name plus fields, stamped with the context."""

    def __init__(self, logger: logging.Logger) -> None:
        self.logger = logger

    def _log(self, level: int, event: str, fields: dict[str, Any], exc_info: bool) -> None:
        if not self.logger.isEnabledFor(level):
            return
        extra = {FIELDS_ATTR: fields, CONTEXT_ATTR: _CONTEXT.get()}
        # stacklevel 3: the record names the caller of info()/warning(), not this module.
        self.logger.log(level, event, extra=extra, exc_info=exc_info, stacklevel=3)

    def debug(self, event: str, /, **fields: Any) -> None:
        """Log ``event`` at DEBUG with ``fields``."""
        self._log(logging.DEBUG, event, fields, False)

    def info(self, event: str, /, **fields: Any) -> None:
        """Log ``event`` at INFO with ``fields``."""
        self._log(logging.INFO, event, fields, False)

    def warning(self, event: str, /, **fields: Any) -> None:
        """Log ``event`` at WARNING with ``fields``."""
        self._log(logging.WARNING, event, fields, False)

    def error(self, event: str, /, **fields: Any) -> None:
        """Log ``event`` at ERROR with ``fields``."""
        self._log(logging.ERROR, event, fields, False)

    def exception(self, event: str, /, **fields: Any) -> None:
        """Log ``event`` at ERROR with ``fields`` and the exception being handled."""
        self._log(logging.ERROR, event, fields, True)


def get_logger(name: str) -> EventLogger:
    """Return the event logger named ``name`` (a ``docgen.*`` name by convention)."""
    return EventLogger(logging.getLogger(name))
