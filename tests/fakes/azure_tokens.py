"""Token counting for the fake Azure OpenAI server: the reference docgen is tested against.

This is written independently of docgen's own counter on purpose. It follows the
openai-cookbook notebook "How to count tokens with tiktoken" for current chat models
(gpt-4o, gpt-4o-mini, gpt-4, gpt-3.5-turbo-0125): every message costs 3 tokens plus
the tokens of each of its values (role, content, name, ...), a ``name`` costs 1 more,
and the reply is primed with 3 tokens. Text is encoded with ``encode_ordinary`` so
source code containing special-token text such as ``<|endoftext|>`` is counted as
plain text instead of raising.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

import tiktoken

TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
REPLY_PRIMING = 3


@functools.cache
def encoding(name: str) -> tiktoken.Encoding:
    """Return the tiktoken encoding called ``name`` (loaded once per process)."""
    return tiktoken.get_encoding(name)


def text_tokens(text: str, encoding_name: str) -> list[int]:
    """Encode ``text`` as ordinary text, special-token look-alikes included."""
    return encoding(encoding_name).encode_ordinary(text)


def value_text(value: Any) -> str:
    """Return the text a message value contributes: strings, or the text of content parts."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        parts = [p.get("text") for p in value if isinstance(p, dict)]
        return "".join(p for p in parts if isinstance(p, str))
    return ""


def prompt_tokens(messages: Sequence[Mapping[str, Any]], encoding_name: str) -> int:
    """Count the prompt tokens of chat ``messages`` with the cookbook's framing."""
    total = REPLY_PRIMING
    for message in messages:
        total += TOKENS_PER_MESSAGE
        for key, value in message.items():
            total += len(text_tokens(value_text(value), encoding_name))
            if key == "name":
                total += TOKENS_PER_NAME
    return total


def prompt_sequence(messages: Sequence[Mapping[str, Any]], encoding_name: str) -> list[int]:
    """Return the concatenated tokens of all message values, for prefix-cache matching."""
    tokens: list[int] = []
    for message in messages:
        for value in message.values():
            tokens.extend(text_tokens(value_text(value), encoding_name))
    return tokens


def truncate(text: str, limit: int, encoding_name: str) -> tuple[str, int, bool]:
    """Cut ``text`` to at most ``limit`` tokens; return the text, its tokens, whether cut."""
    tokens = text_tokens(text, encoding_name)
    if len(tokens) <= limit:
        return text, len(tokens), False
    return encoding(encoding_name).decode(tokens[:limit]), limit, True
