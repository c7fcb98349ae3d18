"""The note a review that gave up leaves at the top of the summary."""

from __future__ import annotations

from bot.core.failure_note import FAILURE_START, failure_note, with_failure_note
from bot.core.review import MAX_BODY_CHARS
from bot.core.summary import SUMMARY_MARKER


def test_the_note_says_what_failed_how_often_and_what_happens_next() -> None:
    assert failure_note("GitHub kept answering 502", 4) == (
        "docgen could not finish this review: GitHub kept answering 502 (after 4 attempts). "
        "It will try again on the next push or `/docgen`."
    )
    assert "(after 1 attempt)" in failure_note("x", 1)


def test_a_note_alone_is_still_docgens_summary() -> None:
    body = with_failure_note(None, "broken")
    assert body.startswith(FAILURE_START) and body.endswith(SUMMARY_MARKER)


def test_a_later_note_replaces_the_earlier_one_and_keeps_the_summary() -> None:
    summary = f"totals\n{SUMMARY_MARKER}"
    once = with_failure_note(summary, "first")
    twice = with_failure_note(once, "second")
    assert "second" in twice and "first" not in twice
    assert twice.endswith(summary) and twice.count(FAILURE_START) == 1


def test_a_summary_too_long_to_carry_the_note_gives_way_to_it() -> None:
    summary = "x" * MAX_BODY_CHARS
    body = with_failure_note(summary, "broken")
    assert len(body) < 1000 and body.endswith(SUMMARY_MARKER)
