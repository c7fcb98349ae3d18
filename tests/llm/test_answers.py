"""The answer key and the book a run looks answers up in: same question, same answer."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.llm import answers
from bot.llm.answers import AnswerBook, NoCache, Question, answer_key
from bot.llm.answers_files import FileAnswerCache

FP = "0123456789abcdef"


def test_the_key_is_a_stable_hash_of_code_model_and_style() -> None:
    key = answer_key(FP, "gpt-4o-mini", "google")
    assert re.fullmatch(r"[0-9a-f]{32}", key)
    assert key == answer_key(FP, "gpt-4o-mini", "google")
    others = {
        answer_key("fedcba9876543210", "gpt-4o-mini", "google"),
        answer_key(FP, "gpt-4o", "google"),
        answer_key(FP, "gpt-4o-mini", "sphinx"),
        answer_key(FP, "gpt-4o-mini", "google", docstring=""),
        answer_key(FP, "gpt-4o-mini", "google", docstring="Old summary."),
        answer_key(FP, "gpt-4o-mini", "google", docstring="Old summary, edited."),
    }
    assert key not in others and len(others) == 6


def test_parts_cannot_run_into_each_other() -> None:
    assert answer_key("ab", "c", "google") != answer_key("a", "bc", "google")


def test_a_new_answer_format_or_prompt_invalidates_every_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = answer_key(FP, "gpt-4o-mini", "numpy")
    monkeypatch.setattr(answers, "ANSWER_FORMAT", answers.ANSWER_FORMAT + 1)
    bumped = answer_key(FP, "gpt-4o-mini", "numpy")
    monkeypatch.setattr(answers, "PROMPT_DIGEST", "0" * 16)
    reworded = answer_key(FP, "gpt-4o-mini", "numpy")
    assert len({before, bumped, reworded}) == 3


@pytest.fixture
def book(tmp_path: Path) -> AnswerBook:
    return AnswerBook(FileAnswerCache(tmp_path), model="gpt-4o-mini", style="google")


async def test_cached_answers_are_found_by_function_id(book: AnswerBook) -> None:
    await book.remember([(Question("a.py::f", FP), "Return f.\n\nArgs:\n    x: The x.")])
    found = await book.lookup(
        [
            Question("a.py::f", FP),
            Question("b.py::g", "feedfacefeedface"),  # never answered
            Question("c.py::copy_of_f", FP),  # the same code elsewhere
            Question("a.py::Parser.parse#2", FP),
        ]
    )
    assert found == {
        "a.py::f": "Return f.\n\nArgs:\n    x: The x.",
        "c.py::copy_of_f": "Return f.\n\nArgs:\n    x: The x.",
        "a.py::Parser.parse#2": "Return f.\n\nArgs:\n    x: The x.",
    }


async def test_another_model_style_or_stale_docstring_asks_again(book: AnswerBook) -> None:
    await book.remember([(Question("a.py::f", FP, "Old."), "Return f.")])
    assert await book.lookup([Question("a.py::f", FP, "Old.")]) == {"a.py::f": "Return f."}
    assert await book.lookup([Question("a.py::f", FP)]) == {}
    assert await book.lookup([Question("a.py::f", FP, "Older.")]) == {}
    for other in (
        AnswerBook(book.cache, model="gpt-4o", style="google"),
        AnswerBook(book.cache, model="gpt-4o-mini", style="numpy"),
    ):
        assert await other.lookup([Question("a.py::f", FP, "Old.")]) == {}


async def test_the_latest_answer_wins_and_blank_answers_are_not_kept(book: AnswerBook) -> None:
    q = Question("a.py::f", FP)
    await book.remember([(q, "First.")])
    await book.remember([(q, "Second."), (Question("a.py::g", "1" * 16), "  \n")])
    assert await book.lookup([q, Question("a.py::g", "1" * 16)]) == {"a.py::f": "Second."}


async def test_no_cache_finds_and_keeps_nothing() -> None:
    none = AnswerBook(NoCache(), model="gpt-4o-mini", style="sphinx")
    await none.remember([(Question("a.py::f", FP), "Return f.")])
    assert await none.lookup([Question("a.py::f", FP)]) == {}
    assert await NoCache().get_many(["k"]) == {}
