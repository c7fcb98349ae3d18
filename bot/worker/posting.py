"""Post what a run produced: reviews of suggestions (surviving a 422) and the summary.

Builders live in ``bot.core.review`` and ``bot.core.summary``; this module only
sequences the GitHub calls and reacts to GitHub's answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from githubkit.exception import RequestFailed

from bot.core.review import (
    Bisection,
    ReviewComment,
    Suggestion,
    build_comments,
    parse_refusal,
    review_body,
    split_reviews,
)
from bot.core.skips import Skip, SkipKind
from bot.core.summary import SUMMARY_MARKER
from bot.logctx import get_logger
from bot.worker.github import PostedComment, RepoClient

log = get_logger("docgen.posting")


async def post_suggestions(
    client: RepoClient, number: int, head_sha: str, suggestions: Sequence[Suggestion]
) -> tuple[list[str], list[Skip]]:
    """Post the suggestions as reviews; return the ids posted and the ones GitHub refused."""
    comments, skipped = build_comments(suggestions)
    ids = [
        s.function_id
        for s in suggestions
        if not any(k.function_id == s.function_id for k in skipped)
    ]
    by_body = dict(zip((c["body"] for c in comments), ids, strict=True))
    groups = split_reviews(comments)
    posted: list[str] = []
    for part, group in enumerate(groups, start=1):
        accepted, refused = await _post_group(client, number, head_sha, group, part, len(groups))
        posted += [by_body[c["body"]] for c in accepted]
        skipped += [
            Skip(by_body[c["body"]], "GitHub refused this comment", kind=SkipKind.GITHUB)
            for c in refused
        ]
    return posted, skipped


async def _post_group(
    client: RepoClient,
    number: int,
    head_sha: str,
    group: list[ReviewComment],
    part: int,
    parts: int,
) -> tuple[list[ReviewComment], list[ReviewComment]]:
    if await _try_review(client, number, head_sha, group, review_body(len(group), part, parts)):
        return group, []
    # The whole review was refused; GitHub does not say which comment, so bisect.
    search = Bisection.start(len(group))
    while (indices := search.next_group()) is not None:
        subset = [group[i] for i in indices]
        ok = await _try_review(client, number, head_sha, subset, review_body(len(subset)))
        search = search.record(ok)
    log.warning("review.comments_refused", refused=len(search.refused), comments=len(group))
    return [group[i] for i in search.accepted], [group[i] for i in search.refused]


async def _try_review(
    client: RepoClient, number: int, head_sha: str, comments: list[ReviewComment], body: str
) -> bool:
    try:
        await client.create_review(number, commit_id=head_sha, body=body, comments=comments)
    except RequestFailed as exc:
        if exc.response.status_code != 422:
            raise
        refusal = parse_refusal(_json(exc))
        log.info("review.refused", status=422, detail="; ".join(refusal.messages)[:300])
        return False
    return True


def _json(exc: RequestFailed) -> dict[str, Any] | None:
    try:
        data = exc.response.json()
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def find_summary(comments: Sequence[PostedComment]) -> PostedComment | None:
    """Return docgen's summary comment on the pull request, if it posted one."""
    return next((c for c in comments if c.author_is_bot and SUMMARY_MARKER in c.body), None)


async def upsert_summary(
    client: RepoClient, number: int, body: str, existing: PostedComment | None
) -> None:
    """Edit the summary in place, or create it the first time; never post it twice."""
    if existing is None:
        await client.create_comment(number, body)
    elif existing.body != body:
        await client.update_comment(existing.id, body)
