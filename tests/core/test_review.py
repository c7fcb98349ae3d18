"""Suggestion comments, markers, review splitting, 422 handling and incremental reruns."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.edit import Placement, check_edit, make_edit, place_docstring
from bot.core.extract import extract
from bot.core.render import RenderOptions, render_docstring
from bot.core.review import (
    FN_MARKER,
    IDENTICAL,
    MAX_BODY_CHARS,
    REVIEW_BODY,
    SUGGESTION_TEMPLATE,
    TOO_LONG,
    Bisection,
    FnMarker,
    ReviewComment,
    Suggestion,
    build_comments,
    fence_for,
    fn_marker,
    parse_fn_markers,
    parse_refusal,
    review_body,
    review_comment,
    split_reviews,
    suggestion_body,
    suggestion_from_edit,
)
from bot.core.skips import Skip, SkipKind
from tests.fakes.github_reviews import (
    LINE_NOT_IN_DIFF,
    START_NOT_BEFORE,
    START_NOT_IN_HUNK,
    body_too_long,
    unprocessable,
)

HEAD = """\
import os


class Settings:
    def path(self, name):
        base = os.environ.get("APP_HOME", ".")
        return os.path.join(base, name)


def lines(text):
    for line in text.splitlines():
        yield line.rstrip()
"""


BASE = Suggestion(
    path="src/app.py",
    function_id="src/app.py::Settings.path",
    fingerprint="0123456789abcdef",
    start_line=5,
    end_line=5,
    old_lines=("    def path(self, name):",),
    new_lines=("    def path(self, name):", '        """Return a path."""'),
)


def suggestion(**changes: Any) -> Suggestion:
    return replace(BASE, **changes)


def test_suggestion_body_has_the_marker_then_the_block() -> None:
    s = suggestion()
    assert suggestion_body(s) == SUGGESTION_TEMPLATE.format(
        marker=FN_MARKER.format(function_id=s.function_id, fingerprint=s.fingerprint),
        fence="```",
        content="\n".join(s.new_lines),
    )
    assert parse_fn_markers(suggestion_body(s)) == [FnMarker(s.function_id, s.fingerprint)]


def test_backticks_in_the_docstring_get_a_longer_fence() -> None:
    assert fence_for("plain") == "```"
    assert fence_for("use ``code``") == "```"
    assert fence_for("```python\nx\n```") == "````"
    assert fence_for("`````") == "``````"
    body = suggestion_body(suggestion(new_lines=('    """Example:', "    ```py", '    """')))
    assert body.split("\n")[1] == "````suggestion" and body.endswith("\n````")


@settings(max_examples=200, deadline=None)
@given(
    function_id=st.text(min_size=1).filter(lambda t: not t[0].isspace()),
    fingerprint=st.text(alphabet="0123456789abcdef", min_size=16, max_size=16),
)
def test_markers_read_back_exactly(function_id: str, fingerprint: str) -> None:
    body = f"text before\n{fn_marker(function_id, fingerprint)}\ntext after"
    assert parse_fn_markers(body) == [FnMarker(function_id, fingerprint)]
    assert body.count("-->") == 1


def test_single_and_multi_line_comments() -> None:
    single = review_comment(suggestion())
    assert single == {
        "path": "src/app.py",
        "body": suggestion_body(suggestion()),
        "line": 5,
        "side": "RIGHT",
    }
    multi = review_comment(suggestion(start_line=5, end_line=7))
    assert (multi["start_line"], multi["start_side"], multi["line"]) == (5, "RIGHT", 7)


def test_unpostable_suggestions_become_skips() -> None:
    same = suggestion(new_lines=("    def path(self, name):",))
    huge = suggestion(
        function_id="src/app.py::huge", new_lines=("x" * MAX_BODY_CHARS,), old_lines=("y",)
    )
    comments, skipped = build_comments([suggestion(), same, huge])
    assert len(comments) == 1
    assert skipped == [
        Skip(same.function_id, IDENTICAL, kind=SkipKind.CHECK),
        Skip(huge.function_id, TOO_LONG, kind=SkipKind.GITHUB),
    ]


def test_edits_of_a_real_file_become_comments_that_pass_the_safety_check() -> None:
    result = extract("src/app.py", HEAD)
    all_lines = frozenset(range(1, HEAD.count("\n") + 1))
    options = RenderOptions()
    texts = {
        "Settings.path": "Return ``name`` under the app's home directory.",
        "lines": 'Yield the lines of ``text``, "stripped".\n\nArgs:\n    text: Input.',
    }
    for function in result.functions:
        placement = place_docstring(HEAD, function, all_lines)
        assert isinstance(placement, Placement)
        indent = len(function.body_indent)
        literal = render_docstring(texts[function.qualname], indent=indent, options=options)
        edit = make_edit(HEAD, function, placement, literal)
        assert check_edit(HEAD, edit) is None
        s = suggestion_from_edit(edit, HEAD, function.fingerprint)
        assert s.old_lines == (HEAD.splitlines()[s.start_line - 1],)
        comment = review_comment(s)
        assert parse_fn_markers(comment["body"]) == [FnMarker(function.id, function.fingerprint)]
        block = comment["body"].split("```suggestion\n", 1)[1].rsplit("\n```", 1)[0]
        assert block == edit.suggestion


def comments_of(sizes: list[int]) -> list[ReviewComment]:
    return [
        {"path": "a.py", "body": "x" * n, "line": i + 1, "side": "RIGHT"}
        for i, n in enumerate(sizes)
    ]


@settings(max_examples=100, deadline=None)
@given(sizes=st.lists(st.integers(min_value=1, max_value=40_000), max_size=40))
def test_split_reviews_keeps_order_and_limits(sizes: list[int]) -> None:
    comments = comments_of(sizes)
    reviews = split_reviews(comments, max_comments=7)
    assert [c for review in reviews for c in review] == comments
    for review in reviews:
        assert 1 <= len(review) <= 7
        assert len(review) == 1 or sum(len(c["body"]) for c in review) <= MAX_BODY_CHARS


def test_review_body_names_the_part_only_when_split() -> None:
    assert review_body(1) == REVIEW_BODY.format(count=1, s="")
    assert review_body(7, 2, 3) == "docgen suggests docstrings for 7 functions. (part 2 of 3)"


def test_parse_refusal_reads_githubs_422_bodies() -> None:
    thread = parse_refusal(unprocessable([LINE_NOT_IN_DIFF, START_NOT_IN_HUNK]).body)
    assert thread.kind == "bad_lines" and thread.comment_indices == ()
    assert parse_refusal(unprocessable([START_NOT_BEFORE]).body).kind == "bad_lines"
    too_long = parse_refusal(body_too_long("PullRequestReview").body)
    assert too_long.kind == "too_long"
    assert too_long.messages == ("body is too long (maximum is 65536 characters)",)
    schema = {
        "message": "Invalid request.",
        "errors": ["For 'properties/comments/3/line', \"x\" is not an integer."],
    }
    assert parse_refusal(schema).comment_indices == (3,)
    assert parse_refusal({"message": "Server Error"}).messages == ("Server Error",)
    assert parse_refusal(None).kind == "other"


def run_bisection(count: int, bad: set[int]) -> Bisection:
    state = Bisection.start(count)
    while (group := state.next_group()) is not None:
        state = state.record(ok=not bad & set(group))
    return state


@settings(max_examples=200, deadline=None)
@given(data=st.data(), count=st.integers(min_value=1, max_value=64))
def test_bisection_finds_exactly_the_refused_comments(data: st.DataObject, count: int) -> None:
    bad = data.draw(st.sets(st.integers(0, count - 1), min_size=1))
    state = run_bisection(count, bad)
    assert set(state.refused) == bad
    assert set(state.accepted) == set(range(count)) - bad
    assert state.requests <= 2 * len(bad) * math.ceil(math.log2(count) + 1)


def test_bisection_of_one_comment_needs_no_request() -> None:
    state = Bisection.start(1)
    assert state.next_group() is None and state.refused == (0,)


@pytest.mark.parametrize("ending", ["\n", "\r\n"])
def test_suggestion_from_edit_strips_line_endings(ending: str) -> None:
    source = HEAD.replace("\n", ending)
    function = extract("src/app.py", source).functions[0]
    placement = place_docstring(source, function, frozenset(range(1, 20)))
    assert isinstance(placement, Placement)
    edit = make_edit(source, function, placement, ['"""Return a path."""'])
    s = suggestion_from_edit(edit, source, function.fingerprint)
    assert s.old_lines == ("    def path(self, name):",)
    assert s.new_lines == ("    def path(self, name):", '        """Return a path."""')
