"""Suggestion comments, reviews and the hidden markers a later run reads back.

Every suggestion comment carries ``<!-- docgen:fn <path>::<qualname> <fingerprint> -->``
so a rerun knows what it already suggested. GitHub refuses a whole review when one
comment is off the diff and does not say which one; ``Bisection`` is the pure half
of finding it by posting halves. The summary comment lives in ``bot.core.summary``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal, NotRequired, TypedDict

from bot.core.edit import Edit
from bot.core.pysource import split_lines
from bot.core.skips import Skip, SkipKind

MAX_BODY_CHARS = 65_536
# GitHub documents no cap on comments per review; big reviews are slow and fail whole.
MAX_COMMENTS_PER_REVIEW = 50
FN_MARKER = "<!-- docgen:fn {function_id} {fingerprint} -->"
SUGGESTION_TEMPLATE = "{marker}\n{fence}suggestion\n{content}\n{fence}"
REVIEW_BODY = "docgen suggests docstrings for {count} function{s}."
REVIEW_PART = " (part {part} of {parts})"
IDENTICAL = "the suggestion would not change the lines it replaces"
TOO_LONG = f"the suggestion is longer than GitHub's {MAX_BODY_CHARS:,}-character limit"

_FN_MARKER_RE = re.compile(r"<!-- docgen:fn (?P<id>\S.*?) (?P<fingerprint>\S+) -->")
_BACKTICKS = re.compile(r"`{3,}")
_COMMENT_INDEX = re.compile(r"comments(?:\[|/|\.)(\d+)")
_THREAD_ERRORS = ("review thread", "could not be resolved", "diff hunk", "part of the diff")


class ReviewComment(TypedDict):
    """One comment of a create-review request, as GitHub's REST API takes it."""

    path: str
    body: str
    line: int
    side: Literal["RIGHT"]
    start_line: NotRequired[int]
    start_side: NotRequired[Literal["RIGHT"]]


@dataclass(frozen=True)
class Suggestion:
    """Replace lines ``start_line..end_line`` (1-based, head side) of ``path``."""

    path: str
    function_id: str
    fingerprint: str
    start_line: int
    end_line: int
    old_lines: tuple[str, ...]
    new_lines: tuple[str, ...]


@dataclass(frozen=True)
class FnMarker:
    """A function docgen suggested a docstring for on an earlier run."""

    function_id: str
    fingerprint: str


def suggestion_from_edit(edit: Edit, source: str, fingerprint: str) -> Suggestion:
    """Return the suggestion carrying ``edit``, with the head lines it replaces."""
    replaced = split_lines(source)[edit.start_line - 1 : edit.end_line]
    return Suggestion(
        path=edit.path,
        function_id=edit.function_id,
        fingerprint=fingerprint,
        start_line=edit.start_line,
        end_line=edit.end_line,
        old_lines=tuple(_without_ending(line) for line in replaced),
        new_lines=edit.new_lines,
    )


def _without_ending(line: str) -> str:
    return line[:-2] if line.endswith("\r\n") else line.removesuffix("\n")


def fn_marker(function_id: str, fingerprint: str) -> str:
    """Return the hidden marker naming a function and its code's fingerprint."""
    return FN_MARKER.format(function_id=_encode_id(function_id), fingerprint=fingerprint)


def _encode_id(function_id: str) -> str:
    # "-->" would end the HTML comment early and a newline would break the regex;
    # "%" is encoded too so that decoding is exact.
    for char in "%>\n\r":
        function_id = function_id.replace(char, f"%{ord(char):02X}")
    return function_id


def _decode_id(text: str) -> str:
    for char in "\r\n>%":
        text = text.replace(f"%{ord(char):02X}", char)
    return text


def parse_fn_markers(body: str) -> list[FnMarker]:
    """Return every function marker in a comment body."""
    return [
        FnMarker(_decode_id(m.group("id")), m.group("fingerprint"))
        for m in _FN_MARKER_RE.finditer(body)
    ]


def fence_for(content: str) -> str:
    """Return a backtick fence longer than any backtick run inside ``content``."""
    longest = max((len(m.group()) for m in _BACKTICKS.finditer(content)), default=2)
    return "`" * (longest + 1)


def suggestion_body(suggestion: Suggestion) -> str:
    """Return the comment body: the marker, then the suggestion block."""
    content = "\n".join(suggestion.new_lines)
    return SUGGESTION_TEMPLATE.format(
        marker=fn_marker(suggestion.function_id, suggestion.fingerprint),
        fence=fence_for(content),
        content=content,
    )


def unpostable_reason(suggestion: Suggestion) -> str | None:
    """Return why GitHub would refuse or not apply this suggestion, or None."""
    if suggestion.new_lines == suggestion.old_lines:
        return IDENTICAL
    if len(suggestion_body(suggestion)) > MAX_BODY_CHARS:
        return TOO_LONG
    return None


def review_comment(suggestion: Suggestion) -> ReviewComment:
    """Return the review comment placing the suggestion on its lines."""
    comment: ReviewComment = {
        "path": suggestion.path,
        "body": suggestion_body(suggestion),
        "line": suggestion.end_line,
        "side": "RIGHT",
    }
    if suggestion.start_line < suggestion.end_line:
        comment["start_line"] = suggestion.start_line
        comment["start_side"] = "RIGHT"
    return comment


def build_comments(
    suggestions: Iterable[Suggestion],
) -> tuple[list[ReviewComment], list[Skip]]:
    """Return the comments to post and the suggestions that cannot be posted."""
    comments: list[ReviewComment] = []
    skipped: list[Skip] = []
    for suggestion in suggestions:
        reason = unpostable_reason(suggestion)
        if reason is None:
            comments.append(review_comment(suggestion))
        else:
            kind = SkipKind.CHECK if reason == IDENTICAL else SkipKind.GITHUB
            skipped.append(Skip(suggestion.function_id, reason, kind=kind))
    return comments, skipped


def split_reviews(
    comments: Sequence[ReviewComment],
    *,
    max_chars: int = MAX_BODY_CHARS,
    max_comments: int = MAX_COMMENTS_PER_REVIEW,
) -> list[list[ReviewComment]]:
    """Group comments, in order, into reviews under the character and count limits."""
    reviews: list[list[ReviewComment]] = []
    size = 0
    for comment in comments:
        length = len(comment["body"])
        if not reviews or len(reviews[-1]) >= max_comments or size + length > max_chars:
            reviews.append([])
            size = 0
        reviews[-1].append(comment)
        size += length
    return reviews


def review_body(count: int, part: int = 1, parts: int = 1) -> str:
    """Return the short body of a review holding ``count`` suggestions."""
    body = REVIEW_BODY.format(count=count, s="" if count == 1 else "s")
    return body + (REVIEW_PART.format(part=part, parts=parts) if parts > 1 else "")


@dataclass(frozen=True)
class ReviewRefusal:
    """What a 422 answer to a create-review request says."""

    kind: Literal["too_long", "bad_lines", "other"]
    messages: tuple[str, ...]
    comment_indices: tuple[int, ...] = ()


def parse_refusal(body: Mapping[str, Any] | None) -> ReviewRefusal:
    """Read GitHub's 422 body; it names the offending comment only in schema errors."""
    messages: list[str] = []
    for error in (body or {}).get("errors") or []:
        if isinstance(error, Mapping):
            messages.append(str(error.get("message") or error.get("code") or error))
        else:
            messages.append(str(error))
    if not messages and body and body.get("message"):
        messages.append(str(body["message"]))
    text = " ".join(messages).lower()
    kind: Literal["too_long", "bad_lines", "other"] = "other"
    if "too long" in text:
        kind = "too_long"
    elif any(hint in text for hint in _THREAD_ERRORS):
        kind = "bad_lines"
    indices = sorted({int(i) for m in messages for i in _COMMENT_INDEX.findall(m)})
    return ReviewRefusal(kind, tuple(messages), tuple(indices))


@dataclass(frozen=True)
class Bisection:
    """Find the comments GitHub refuses by posting halves of a refused group.

    Start with ``Bisection.start(n)`` after a review of ``n`` comments was refused,
    post the comments of ``next_group()`` as one review and ``record`` the outcome,
    until ``next_group()`` is None. Groups that passed are posted; a refused single
    comment is the culprit. With ``k`` bad comments it takes about 2k·log2(n) posts.
    """

    pending: tuple[tuple[int, ...], ...]
    accepted: tuple[int, ...] = ()
    refused: tuple[int, ...] = ()
    requests: int = 0

    @classmethod
    def start(cls, count: int) -> Bisection:
        """Begin after a review of ``count`` comments was refused as a whole."""
        if count <= 1:
            return cls(pending=(), refused=tuple(range(count)))
        return cls(pending=_halves(tuple(range(count))))

    def next_group(self) -> tuple[int, ...] | None:
        """Return the indices of the comments to post next, or None when done."""
        return self.pending[0] if self.pending else None

    def record(self, ok: bool) -> Bisection:
        """Return the state after the next group was posted (ok) or refused."""
        group, rest = self.pending[0], self.pending[1:]
        done = replace(self, pending=rest, requests=self.requests + 1)
        if ok:
            return replace(done, accepted=tuple(sorted(self.accepted + group)))
        if len(group) == 1:
            return replace(done, refused=tuple(sorted(self.refused + group)))
        return replace(done, pending=_halves(group) + rest)


def _halves(group: tuple[int, ...]) -> tuple[tuple[int, ...], ...]:
    middle = len(group) // 2
    return group[:middle], group[middle:]
