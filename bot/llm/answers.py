"""Answers already paid for: kept under what determines them, reused instead of asked again.

What the model writes for a function depends on the function's code (its
fingerprint, which ignores the docstring and formatting), the model, the style
asked for, the docstring a stale target already has, and the prompt. The key
hashes exactly those, so a reopened or re-created pull request, a backport or a
rerun after a force-push finds the answer again, and a prompt change makes every
old entry unreachable instead of wrong.

The text is kept as the model gave it, before rendering: line length, quotes and
indentation are applied again on reuse, and a reused answer goes through the
same checks as a fresh one, so an entry that no longer passes is simply asked
for again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from bot.llm.prompt import ANSWER_SCHEMA, SYSTEM_PROMPT

# Bump when what an answer means changes in a way the digest below cannot see:
# the user message's layout, or what docgen does with an answer before rendering.
ANSWER_FORMAT = 2
DAY_SECONDS = 86_400
DEFAULT_TTL_DAYS = 30
DEFAULT_TTL_SECONDS = DEFAULT_TTL_DAYS * DAY_SECONDS

# The system prompt and the answer schema are the prompt's wording: a change to
# either gives every key a new value by itself, without anyone bumping a number.
PROMPT_DIGEST = hashlib.sha256(
    (SYSTEM_PROMPT + "\0" + json.dumps(ANSWER_SCHEMA, sort_keys=True)).encode()
).hexdigest()[:16]


def answer_key(fingerprint: str, model: str, style: str, *, docstring: str | None = None) -> str:
    """Return the cache key of the answer for a function with this code, model and style.

    ``docstring`` is the current docstring of a stale target, which the prompt
    shows and the answer updates; None for a function that has none. The key is
    32 hex digits of a SHA-256 over these, :data:`ANSWER_FORMAT` and
    :data:`PROMPT_DIGEST`.
    """
    parts = (str(ANSWER_FORMAT), PROMPT_DIGEST, fingerprint, model, style)
    # None and "" differ: a missing docstring is not an empty one.
    tail = "-" if docstring is None else "+" + docstring
    return hashlib.sha256("\0".join((*parts, tail)).encode()).hexdigest()[:32]


class AnswerCache(Protocol):
    """Where answers are kept: keys are :func:`answer_key` values, values answer texts.

    A cache never fails a run: an unreachable or broken store reads as empty and
    drops what it is given.
    """

    async def get_many(self, keys: Collection[str]) -> dict[str, str]:
        """Return the texts kept under any of ``keys``; keys not kept are absent."""
        ...

    async def put_many(self, items: Mapping[str, str]) -> None:
        """Keep each text under its key, replacing what was there and renewing its life."""
        ...


class NoCache:
    """The cache that keeps nothing: for the offline skeleton, or when caching is off."""

    async def get_many(self, keys: Collection[str]) -> dict[str, str]:
        """Return nothing."""
        return {}

    async def put_many(self, items: Mapping[str, str]) -> None:
        """Keep nothing."""


class Question(NamedTuple):
    """What was asked of the model for one function: its id, its fingerprint, and the
    docstring a stale target already has (None for a function without one)."""

    function_id: str
    fingerprint: str
    docstring: str | None = None


@dataclass(frozen=True)
class AnswerBook:
    """A cache seen through one model and one style: what a run looks answers up in."""

    cache: AnswerCache
    model: str
    style: str

    def key(self, question: Question) -> str:
        """Return the cache key of ``question``'s answer."""
        return answer_key(
            question.fingerprint, self.model, self.style, docstring=question.docstring
        )

    async def lookup(self, questions: Iterable[Question]) -> dict[str, str]:
        """Return the kept answer of every question that has one, by function id.

        One read for all of them; functions with the same code share an answer.
        """
        keys = {q.function_id: self.key(q) for q in questions}
        if not keys:
            return {}
        found = await self.cache.get_many(set(keys.values()))
        return {fn_id: found[key] for fn_id, key in keys.items() if key in found}

    async def remember(self, answers: Iterable[tuple[Question, str]]) -> None:
        """Keep each answer text (as the model gave it) under its question's key."""
        items = {self.key(q): text for q, text in answers if text.strip()}
        if items:
            await self.cache.put_many(items)
