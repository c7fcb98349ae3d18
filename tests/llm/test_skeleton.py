"""The offline provider: signature-based docstrings in each style, same interface as the client."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from bot.llm.models import MODELS
from bot.llm.plan import Planner
from bot.llm.prompt import PromptFunction
from bot.llm.run import generate
from bot.llm.skeleton import SkeletonCaller, answer_for, skeleton_docstring
from bot.llm.tokens import TokenCounter
from tests.llm.helpers import function

SOURCE = """\
    async def fetch(self, url: str, *parts, retries: int = 3, **headers) -> bytes:
        def inner():
            raise KeyError("not ours")
        if not url:
            raise ValueError("empty")
        try:
            return await get(url)
        except OSError as exc:
            raise errors.FetchFailed(url) from exc
        raise
"""

GOOGLE = """\
TODO: summarize what fetch does.

Args:
    url: TODO: describe.
    *parts: TODO: describe.
    retries: TODO: describe.
    **headers: TODO: describe.

Returns:
    bytes: TODO: describe.

Raises:
    ValueError: TODO: describe.
    errors.FetchFailed: TODO: describe."""

NUMPY = """\
TODO: summarize what fetch does.

Parameters
----------
url : str
    TODO: describe.
*parts
    TODO: describe.
retries : int
    TODO: describe.
**headers
    TODO: describe.

Returns
-------
bytes
    TODO: describe.

Raises
------
ValueError
    TODO: describe.
errors.FetchFailed
    TODO: describe."""

SPHINX = """\
TODO: summarize what fetch does.

:param url: TODO: describe.
:param \\*parts: TODO: describe.
:param retries: TODO: describe.
:param \\*\\*headers: TODO: describe.
:returns: TODO: describe.
:rtype: bytes
:raises ValueError: TODO: describe.
:raises errors.FetchFailed: TODO: describe."""


@pytest.mark.parametrize(
    ("style", "expected"), [("google", GOOGLE), ("numpy", NUMPY), ("sphinx", SPHINX)]
)
def test_sections_follow_the_code_in_each_style(style: str, expected: str) -> None:
    assert skeleton_docstring(SOURCE, style) == expected  # type: ignore[arg-type]


def test_generators_yield_and_none_returns_are_left_out() -> None:
    gen = "def walk(root):\n    yield root\n    return\n"
    assert skeleton_docstring(gen, "google") == (
        "TODO: summarize what walk does.\n\nArgs:\n    root: TODO: describe.\n\n"
        "Yields:\n    TODO: describe."
    )
    assert skeleton_docstring("def f() -> None:\n    return None\n", "numpy") == (
        "TODO: summarize what f does."
    )
    unannotated = skeleton_docstring("def g():\n    return 1\n", "numpy")
    assert unannotated is not None and "Returns\n-------\nobject" in unannotated


def test_a_shortened_body_falls_back_to_the_signature() -> None:
    signature = "    def f(self, x: int) -> str:"
    broken = signature + '\n        s = """\n        # ... 40 lines elided by docgen ...\n'
    assert skeleton_docstring(broken, "sphinx", signature) == (
        "TODO: summarize what f does.\n\n:param x: TODO: describe.\n:returns: TODO: describe.\n"
        ":rtype: str"
    )
    assert skeleton_docstring("def broken(:\n", "google") is None


async def test_skeleton_answers_a_plan_with_the_agreed_json_and_no_usage() -> None:
    facts = MODELS["gpt-4o-mini"]
    planner = Planner(facts, TokenCounter.for_model(facts))
    unparsable = PromptFunction("a.py::bad", "a.py", "def bad(:\n", "def bad(:")
    fns = [function(name="a"), function(name="b", cls="Reader"), unparsable]
    plan = planner.plan(fns)
    answer = await SkeletonCaller("google").complete(plan.requests[0])
    assert answer.usage.prompt_tokens == answer.usage.completion_tokens == 0
    assert {d["id"] for d in json.loads(answer.content or "")["docstrings"]} <= set(
        plan.requests[0].ids
    )

    result = await generate(plan, SkeletonCaller("google"), planner)
    assert set(result.docstrings) == {fns[0].id, fns[1].id}
    assert [s.function_id for s in result.skipped] == ["a.py::bad"]
    assert "left this function out" in result.skipped[0].reason
    assert result.totals.cost_usd == 0
    assert result.docstrings[fns[1].id].startswith(
        "TODO: summarize what b does.\n\nArgs:\n    arg0"
    )


STALE = """\
Open a connection to ``hostname``.

Retries once on a refused connection.

.. versionchanged:: 0.5
   Accepts *timeout*.

:param host: Server name.
:param port: TCP port.
:param timeout: Seconds to wait."""


def test_a_stale_docstring_keeps_its_text_and_syncs_its_parameters() -> None:
    source = "def connect(hostname, port=5432, *, ssl=False):\n    return hostname, port, ssl\n"
    stale = PromptFunction(
        "db.py::connect", "db.py", source, source.split("\n")[0], current_docstring=STALE
    )
    synced = answer_for(stale, "sphinx")
    assert synced == STALE.replace(
        ":param host: Server name.\n:param port: TCP port.\n:param timeout: Seconds to wait.",
        ":param hostname: TODO: describe.\n:param port: TCP port.\n:param ssl: TODO: describe.",
    )
    assert synced is not None and ".. versionchanged:: 0.5\n   Accepts *timeout*." in synced
    # Once in sync there is nothing to change, and a fresh function gets a fresh skeleton.
    assert answer_for(replace(stale, current_docstring=synced), "sphinx") == synced
    assert answer_for(replace(stale, current_docstring=""), "sphinx") == (
        skeleton_docstring(source, "sphinx")
    )


async def test_the_skeleton_answers_a_stale_function_with_the_synced_docstring() -> None:
    facts = MODELS["gpt-4o-mini"]
    planner = Planner(facts, TokenCounter.for_model(facts))
    fn = replace(function(name="a", params=1), current_docstring="Do a.\n\nArgs:\n    gone: Old.")
    plan = planner.plan([fn])
    answer = await SkeletonCaller("google").complete(plan.requests[0])
    [entry] = json.loads(answer.content or "")["docstrings"]
    assert entry["docstring"] == "Do a.\n\nArgs:\n    arg0: TODO: describe."
