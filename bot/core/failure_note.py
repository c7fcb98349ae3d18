"""The short note a review that could not finish leaves in the pull request's summary.

The note opens the summary comment, between two hidden markers, so a later
failure replaces it and the next successful run (which writes the whole
summary again) removes it.
"""

from __future__ import annotations

import re

from bot.core.review import MAX_BODY_CHARS
from bot.core.summary import SUMMARY_MARKER

FAILURE_START = "<!-- docgen:failure -->"
FAILURE_END = "<!-- /docgen:failure -->"
_OLD_NOTE = re.compile(re.escape(FAILURE_START) + r".*?" + re.escape(FAILURE_END) + r"\n*", re.S)


def failure_note(cause: str, attempts: int) -> str:
    """Return the note's text: what went wrong, how often it was tried, what happens next."""
    tries = f"{attempts} attempt" + ("" if attempts == 1 else "s")
    return (
        f"docgen could not finish this review: {cause} (after {tries}). "
        "It will try again on the next push or `/docgen`."
    )


def with_failure_note(summary: str | None, note: str) -> str:
    """Return the summary comment's body with ``note`` opening it.

    Without an earlier summary (or with one too long to carry the note) the
    body is the note alone, marked as docgen's summary so the next run edits it
    in place rather than posting another.
    """
    block = f"{FAILURE_START}\n> **{note}**\n{FAILURE_END}\n\n"
    body = block + _OLD_NOTE.sub("", summary) if summary is not None else ""
    return body if 0 < len(body) <= MAX_BODY_CHARS else block + SUMMARY_MARKER
