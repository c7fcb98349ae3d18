"""Faults the fake Azure OpenAI server can be told to produce on its next request.

Faults are queued per deployment and each one applies to exactly one request, in
order. The first group replaces the answer with an HTTP error (or delays it); the
second group lets the request succeed but spoils the answer in a way a real model or
the service can.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RateLimited:
    """Answer 429 with Azure's body and ``retry-after`` / ``retry-after-ms`` headers."""

    retry_after: float = 1.0


@dataclass(frozen=True)
class ServerError:
    """Answer a 5xx (500 and 503 are what Azure sends under trouble)."""

    status: int = 500


@dataclass(frozen=True)
class Slow:
    """Wait ``delay`` seconds before handling the request normally."""

    delay: float


@dataclass(frozen=True)
class PromptFiltered:
    """Refuse the prompt with Azure's 400 ``content_filter`` body."""


@dataclass(frozen=True)
class OutputFiltered:
    """Answer 200 with ``finish_reason: "content_filter"`` and null content."""


@dataclass(frozen=True)
class MalformedJson:
    """Answer 200 with ``finish_reason: "stop"`` but content that is not valid JSON."""


@dataclass(frozen=True)
class MissingIds:
    """Leave these ids out of the answer (none given: leave out the last asked id)."""

    ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExtraId:
    """Add an answer for an id that was never asked for."""

    id: str = "not/asked.py::ghost"
    docstring: str = "Answer a question nobody asked."


Fault = (
    RateLimited
    | ServerError
    | Slow
    | PromptFiltered
    | OutputFiltered
    | MalformedJson
    | MissingIds
    | ExtraId
)

AnswerFault = OutputFiltered | MalformedJson | MissingIds | ExtraId
