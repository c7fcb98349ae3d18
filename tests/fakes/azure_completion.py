"""The fake model's answer as a chat.completion body, spoiled on request by an answer fault.

The content is the contract's JSON, written in the answer mode of the request's
deployment and in the style its system message asks for (see ``azure_modes``), cut to
the request's completion cap the way the service cuts it: when the answer needs more
tokens than allowed, the content stops mid-JSON at exactly the cap and
``finish_reason`` is ``"length"``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tests.fakes.azure_answer import answer_items, answer_json, asked_functions
from tests.fakes.azure_faults import AnswerFault, ExtraId, MalformedJson, MissingIds, OutputFiltered
from tests.fakes.azure_modes import AnswerMode, requested_style
from tests.fakes.azure_state import Deployment
from tests.fakes.azure_tokens import truncate

_CATEGORIES = ("hate", "self_harm", "sexual", "violence")


@dataclass(frozen=True)
class Ask:
    """What one admitted request asked for, as the answer builder needs it."""

    api: str  # "azure" or "openai"
    deployment: Deployment
    messages: Sequence[Mapping[str, Any]]
    completion_cap: int
    prompt_tokens: int
    cached_tokens: int
    mode: AnswerMode = AnswerMode.CAREFUL


def spoiled_items(items: list[dict[str, str]], fault: AnswerFault | None) -> list[dict[str, str]]:
    """Apply a missing-ids or extra-id fault to the answer's items."""
    if isinstance(fault, MissingIds):
        dropped = set(fault.ids) or {i["id"] for i in items[-1:]}
        return [i for i in items if i["id"] not in dropped]
    if isinstance(fault, ExtraId):
        return [*items, {"id": fault.id, "docstring": fault.docstring}]
    return items


def answer_content(ask: Ask, fault: AnswerFault | None) -> tuple[str | None, str, int]:
    """Return (content, finish_reason, completion_tokens) for the request."""
    style = requested_style(ask.messages)
    items = answer_items(asked_functions(ask.messages), style, ask.mode)
    items = spoiled_items(items, fault)
    text = answer_json(items)
    if isinstance(fault, MalformedJson):
        # A strict prefix of a JSON object never parses.
        text = text[: len(text) // 2]
    content, used, cut = truncate(text, ask.completion_cap, ask.deployment.encoding)
    if isinstance(fault, OutputFiltered):
        return None, "content_filter", used
    return content, ("length" if cut else "stop"), used


def _filter_results(filtered: bool) -> dict[str, Any]:
    results = {c: {"filtered": False, "severity": "safe"} for c in _CATEGORIES}
    if filtered:
        results["violence"] = {"filtered": True, "severity": "medium"}
    return results


def completion_body(ask: Ask, fault: AnswerFault | None) -> dict[str, Any]:
    """Return the full chat.completion JSON for an admitted request."""
    content, finish, used = answer_content(ask, fault)
    message = {"role": "assistant", "content": content, "refusal": None}
    choice: dict[str, Any] = {
        "index": 0,
        "finish_reason": finish,
        "logprobs": None,
        "message": message,
    }
    usage = {
        "prompt_tokens": ask.prompt_tokens,
        "completion_tokens": used,
        "total_tokens": ask.prompt_tokens + used,
        "prompt_tokens_details": {"cached_tokens": ask.cached_tokens, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
    }
    body: dict[str, Any] = {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": ask.deployment.model,
        "system_fingerprint": "fp_fake_docgen",
        "choices": [choice],
        "usage": usage,
    }
    if ask.api == "azure":
        choice["content_filter_results"] = _filter_results(finish == "content_filter")
        body["prompt_filter_results"] = [
            {"prompt_index": 0, "content_filter_results": _filter_results(False)}
        ]
    return body
