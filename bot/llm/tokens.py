"""Exact prompt-token counts: the model's own encoding plus the chat framing.

The chat formats wrap every message in a few special tokens. OpenAI's cookbook
gives the rule that the service's ``prompt_tokens`` follows for the gpt-4o,
gpt-4.1, o-series and gpt-5 families: 3 tokens per message, the tokens of each
value (role, content, name), 1 more when a name is given, and 3 that prime the
reply. Text is encoded with ``encode_ordinary`` so that source code containing
special-token text such as ``<|endoftext|>`` is counted as plain text, not
refused.

A strict ``response_format`` schema costs prompt tokens too, rendered by the
service in a form no formula gives: the count here leaves it out, and the
planner adds an overhead measured on real answers (``SchemaOverhead``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import tiktoken

from bot.llm.encodings import get_encoding
from bot.llm.models import ModelFacts

TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
REPLY_PRIMING = 3


@dataclass(frozen=True)
class TokenCounter:
    """Count tokens the way one model's service does."""

    encoding: tiktoken.Encoding

    @classmethod
    def for_model(cls, facts: ModelFacts) -> TokenCounter:
        """Return a counter with ``facts``'s encoding (built once per process)."""
        return cls(get_encoding(facts.encoding))

    def text(self, text: str) -> int:
        """Count the tokens of plain text, special-token text included as ordinary text."""
        return len(self.encoding.encode_ordinary(text))

    def message(self, message: Mapping[str, str]) -> int:
        """Count one chat message: its framing plus every value it carries."""
        total = TOKENS_PER_MESSAGE
        for key, value in message.items():
            total += self.text(value)
            if key == "name":
                total += TOKENS_PER_NAME
        return total

    def messages(self, messages: Iterable[Mapping[str, str]]) -> int:
        """Count a whole chat prompt, reply priming included, schema excluded."""
        return sum(self.message(m) for m in messages) + REPLY_PRIMING


@dataclass
class SchemaOverhead:
    """What one response schema adds to ``prompt_tokens`` for one model.

    No formula gives it, so it is measured on the first real answer and kept
    for the life of the process. Until then the token count of the schema's
    compact JSON stands in as a first guess; the first answer replaces it.
    ``margin`` is added to whatever is believed, for the plan to rely on, and
    the planner's safety margin below the window absorbs a poor first guess.
    """

    key: str
    fallback: int
    margin: int = 16
    measured: int | None = None

    @classmethod
    def for_schema(
        cls, counter: TokenCounter, model: str, schema: Mapping[str, Any], margin: int = 16
    ) -> SchemaOverhead:
        """Return the (unmeasured) overhead of ``schema`` on ``model``."""
        blob = json.dumps(schema, sort_keys=True, separators=(",", ":"))
        key = f"{model}:{hashlib.sha256(blob.encode()).hexdigest()[:16]}"
        return cls(key, counter.text(json.dumps(schema, separators=(",", ":"))), margin)

    @property
    def believed(self) -> int:
        """Return the best estimate: the measured overhead, else the stand-in."""
        return self.fallback if self.measured is None else self.measured

    @property
    def planned(self) -> int:
        """Return the overhead the planner adds to every request: belief plus margin."""
        return self.believed + self.margin

    def learn(self, counted: int, reported: int) -> bool:
        """Measure the overhead from an answer's ``prompt_tokens``, once; True when learnt."""
        if self.measured is not None:
            return False
        self.measured = max(reported - counted, 0)
        return True
