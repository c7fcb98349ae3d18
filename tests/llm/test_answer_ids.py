"""Answer ids a model wrote slightly off: matched when they can mean one asked id only."""

from __future__ import annotations

import json

import pytest

from bot.llm.prompt import ParsedAnswer, match_ids, parse_answer


def answer(*entries: tuple[str, str]) -> str:
    return json.dumps({"docstrings": [{"id": i, "docstring": d} for i, d in entries]})


@pytest.mark.parametrize(
    ("asked", "answered"),
    [
        ("a.py::Parser.parse#2", "a.py::Parser.parse"),  # suffix dropped
        ("a.py::Parser.parse", "a.py::Parser.parse#2"),  # suffix added
        ("a.py::load#2.<locals>.parse", "a.py::load.<locals>.parse"),  # inside the qualname
        ("a.py::f", "  a.py::f\n"),  # whitespace around
        ("a.py::f", "`a.py::f`"),  # backticks around
        ("a.py::f", "`` a.py::f ``"),
        ("a.py::Parser.parse#2", " `a.py::Parser.parse` "),  # all at once
    ],
)
def test_a_near_miss_is_matched_when_it_can_mean_one_asked_id(asked: str, answered: str) -> None:
    parsed = parse_answer(answer((answered, "Parse it.")), [asked, "a.py::other"])
    assert parsed == ParsedAnswer({asked: "Parse it."}, ("a.py::other",), (), ())


def test_ids_not_asked_for_are_still_ignored() -> None:
    parsed = parse_answer(answer(("b.py::f", "Boo."), ("a.py::g#2", "Boo.")), ["a.py::f"])
    assert parsed.docstrings == {} and parsed.missing == ("a.py::f",)
    assert parsed.unknown == ("b.py::f", "a.py::g#2") and parsed.ambiguous == ()


def test_an_id_that_could_mean_two_asked_ids_is_ignored() -> None:
    asked = ["a.py::Parser.parse", "a.py::Parser.parse#2"]
    parsed = parse_answer(answer(("a.py::Parser.parse#3", "Parse it.")), asked)
    assert parsed.docstrings == {}
    assert parsed.missing == tuple(asked)
    assert parsed.ambiguous == ("a.py::Parser.parse#3",) and parsed.unknown == ()


def test_an_id_another_entry_took_is_not_matched_again() -> None:
    # The exact answer takes parse#2 wherever it stands; the near miss cannot have it too.
    asked = ["a.py::Parser.parse#2", "a.py::g"]
    parsed = parse_answer(
        answer(("a.py::Parser.parse", "Near."), ("a.py::Parser.parse#2", "Exact.")), asked
    )
    assert parsed.docstrings == {"a.py::Parser.parse#2": "Exact."}
    assert parsed.ambiguous == ("a.py::Parser.parse",) and parsed.missing == ("a.py::g",)
    # Two near misses for one asked id: the first takes it.
    parsed = parse_answer(answer(("`a.py::g`", "First."), ("a.py::g ", "Second.")), asked)
    assert parsed.docstrings == {"a.py::g": "First."} and parsed.ambiguous == ("a.py::g ",)


def test_exact_ids_win_over_near_misses_among_redefined_names() -> None:
    asked = ["a.py::Parser.parse", "a.py::Parser.parse#2"]
    parsed = parse_answer(
        answer(("a.py::Parser.parse", "First."), ("a.py::Parser.parse#2", "Second.")), asked
    )
    assert parsed.docstrings == {"a.py::Parser.parse": "First.", "a.py::Parser.parse#2": "Second."}
    # Whitespace around an exact id is matched on its own, not through the suffix rule.
    parsed = parse_answer(answer((" a.py::Parser.parse ", "First.")), asked)
    assert parsed.docstrings == {"a.py::Parser.parse": "First."}


def test_a_near_miss_with_empty_text_is_reported_as_empty() -> None:
    parsed = parse_answer(answer(("`a.py::f`", "  ")), ["a.py::f"])
    assert parsed.invalid == ("a.py::f",) and parsed.missing == () and parsed.docstrings == {}


def test_match_ids_reports_one_match_per_answered_id() -> None:
    matched, unknown, ambiguous = match_ids(
        ["a.py::f", "`a.py::g`", "a.py::h#2", "z.py::q"], ["a.py::f", "a.py::g", "a.py::h"]
    )
    assert matched == ["a.py::f", "a.py::g", "a.py::h", None]
    assert unknown == ["z.py::q"] and ambiguous == []
