"""The soak test's checks: exactly-once reviews and summaries, tokens accounted, fairness."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from typing import Any

import redis
from arq.constants import default_queue_name, in_progress_key_prefix, result_key_prefix
from arq.jobs import deserialize_result

from bench.soak_plan import REPO, Pr
from bot import keys
from bot.llm.budget import to_nano
from bot.llm.models import resolve_model

SUMMARY = "<!-- docgen:summary -->"
_FN = re.compile(r"<!-- docgen:fn (\S.*?) \S+ -->")
_PART = re.compile(r"\(part (\d+) of (\d+)\)")
# The long run (by hand) bounds fairness in seconds: a small installation's PR is
# reviewed within this many seconds of its first delivery, whatever the large
# installation has queued (a killed worker's reaped run, lease 15 s + reaper 5 s + a
# poll, and one job handed back after a 5xx on a write, 30 s, included), and the
# small installations' median is no worse than the large one's + 2 s.
SMALL_BOUND_SECONDS = 60.0
MEDIAN_SLACK_SECONDS = 2.0


def reviews_of(fake: Any, pr: Pr) -> list[Any]:
    """Return the reviews the fake GitHub accepted on ``pr``."""
    return list(fake.reviews_of(*pr.key))


def summaries_of(fake: Any, pr: Pr) -> list[Any]:
    """Return docgen's summary comments on ``pr``."""
    return [
        c
        for c in fake.issue_comments
        if (c.owner, c.repo, c.issue_number) == pr.key and SUMMARY in c.body
    ]


def done(fake: Any, pr: Pr) -> bool:
    """Tell whether ``pr`` has its review and its summary."""
    return bool(reviews_of(fake, pr)) and bool(summaries_of(fake, pr))


def check_exactly_once(fake: Any, prs: list[Pr]) -> list[str]:
    """Return a failure line per PR without exactly one review, one summary, each id once.

    A review of more than ``MAX_COMMENTS_PER_REVIEW`` suggestions is posted as numbered
    parts ("part 1 of 2"): one posting, each part exactly once.
    """
    failures = []
    for pr in prs:
        reviews = reviews_of(fake, pr)
        shas = Counter(r.commit_id for r in reviews)
        parts = Counter(_review_part(r.body) for r in reviews)
        whole = _review_part(reviews[0].body)[1] if reviews else 1
        if set(shas) != {pr.head_sha} or parts != Counter((k, whole) for k in range(1, whole + 1)):
            failures.append(f"{pr.key}: reviews per head SHA {dict(shas)}, parts {dict(parts)}")
        ids = Counter(m for r in reviews for c in r.comments for m in _FN.findall(c.body))
        if set(ids) != pr.expected or any(n != 1 for n in ids.values()):
            missing = sorted(pr.expected - set(ids))
            extra = sorted(set(ids) - pr.expected)
            twice = sorted(i for i, n in ids.items() if n > 1)
            failures.append(f"{pr.key}: missing {missing} extra {extra} twice {twice}")
        if len(summaries_of(fake, pr)) != 1:
            failures.append(f"{pr.key}: {len(summaries_of(fake, pr))} summaries")
    return failures


def _review_part(body: str | None) -> tuple[int, int]:
    """Return (part, parts) of a review body; (1, 1) for a review posted whole."""
    found = _PART.search(body or "")
    return (int(found[1]), int(found[2])) if found else (1, 1)


def reported_by_fake(azure: Any, model: str) -> tuple[int, int, int]:
    """Return the tokens, nano-USD and calls the fake Azure reported in its 200 answers."""
    facts = resolve_model(model)
    tokens = nano = calls = 0
    for r in azure.requests:
        if r.status != 200 or r.response is None:
            continue
        u = r.response["usage"]
        prompt, completion = u["prompt_tokens"], u["completion_tokens"]
        cached = u["prompt_tokens_details"]["cached_tokens"]
        tokens += prompt + completion
        nano += to_nano(facts.cost_usd(prompt, completion, cached))
        calls += 1
    return tokens, nano, calls


def in_budgets(client: redis.Redis) -> tuple[int, int, int]:
    """Return the tokens, nano-USD and calls settled in every installation's budget hash."""
    tokens = nano = calls = 0
    for key in client.scan_iter(match=keys.budget_month_pattern("*")):  # any month
        if key.endswith(b":held"):
            continue
        raw: Any = client.hgetall(key)
        tokens += int(raw.get(b"tokens", 0))
        nano += int(raw.get(b"nano_usd", 0))
        calls += int(raw.get(b"calls", 0))
    return tokens, nano, calls


def parts_handed_on(client: redis.Redis) -> int:
    """Return how many jobs ended one part of a long review and queued the next."""
    count = 0
    for key in client.scan_iter(result_key_prefix + "*"):
        raw: Any = client.get(key)
        if raw is not None and str(deserialize_result(raw).result).startswith("continued:"):
            count += 1
    return count


def waits(prs: list[Pr], *, large: bool) -> list[float]:
    """Return the delivery-to-review seconds of the large (or the small) installations' PRs."""
    out = []
    for p in prs:
        if p.large == large and p.first_sent is not None and p.reviewed_at is not None:
            out.append(p.reviewed_at - p.first_sent)
    return out


def check_fairness(prs: list[Pr], *, relative: bool) -> tuple[list[str], dict[str, float]]:
    """Check that the large installation's burst did not hold back the small installations.

    With ``relative`` (the short run, in CI) no bound is in seconds, so a slow machine
    cannot break it: the small installations' median delivery-to-review time is no
    longer than the large installation's, and no small installation's PR waits longer
    than the large installation's longest. Both follow from how the run is built, not
    from how fast the machine is: every installation runs two reviews at a time, the
    large one has twice the PRs of any small one, and one of its reviews is killed and
    run again, so it needs more turns (``bot.worker.job.LOCK_WAIT_SECONDS`` each) than
    any small one; its waits also count the workers' start, which the small ones, sent
    later, do not.
    Without it (the long run, by hand), the bounds are in seconds:
    ``SMALL_BOUND_SECONDS`` and ``MEDIAN_SLACK_SECONDS``.
    """
    small, large = waits(prs, large=False), waits(prs, large=True)
    figures = {
        "small_p50_s": round(statistics.median(small), 2) if small else -1.0,
        "small_max_s": round(max(small), 2) if small else -1.0,
        "large_p50_s": round(statistics.median(large), 2) if large else -1.0,
        "large_max_s": round(max(large), 2) if large else -1.0,
    }
    failures: list[str] = []
    if not (small and large):
        return failures, figures  # PRs lost: reported as such
    if relative:
        if statistics.median(small) > statistics.median(large):
            failures.append("small installations' median wait exceeds the large one's")
        if max(small) > max(large):
            failures.append("a small installation's PR waited longer than any of the large one's")
        return failures, figures
    if max(small) > SMALL_BOUND_SECONDS:
        failures.append(f"a small installation's PR waited {max(small):.1f} s")
    slack = MEDIAN_SLACK_SECONDS
    if statistics.median(small) > statistics.median(large) + slack:
        failures.append(f"small installations' median exceeds the large one's + {slack} s")
    return failures, figures


def review_times(fake: Any, prs: list[Pr]) -> None:
    """Set each PR's ``reviewed_at`` from the fake's first accepted review POST for it."""
    for pr in prs:
        path = f"/api/v3/repos/{pr.owner}/{REPO}/pulls/{pr.number}/reviews"
        posted = [
            r.at
            for r in fake.requests()
            if r.method == "POST" and r.path == path and r.status < 300
        ]
        pr.reviewed_at = min(posted) if posted else None


def percentile(values: list[float], q: float) -> float:
    """Return the ``q`` quantile of ``values`` (nearest rank)."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))
    return ordered[index]


def explain(fake: Any, prs: list[Pr], client: redis.Redis) -> list[str]:
    """Return what tells why a run failed: what is left of the jobs, what lost PRs say.

    ``LEFT`` lines: the queue, in-progress marks, leases, locks and review slots still
    in Redis. ``LOST`` lines: docgen's summary on each PR without its review (a review
    that gave up says why in it).
    """
    queued = client.zscan_iter(default_queue_name)
    out = [f"LEFT queue {m.decode()} at {score:.0f}" for m, score in queued]
    patterns = (in_progress_key_prefix, keys.LEASE_PREFIX, keys.LOCK_PREFIX, keys.SLOTS_PREFIX)
    for pattern in (p + "*" for p in patterns):
        for key in client.scan_iter(match=pattern):
            kind: Any = client.type(key)
            value: Any = client.zrange(key, 0, -1) if kind == b"zset" else client.get(key)
            out.append(f"LEFT {key.decode()} = {value!r} (ttl {client.pttl(key)} ms)")
    for pr in prs:
        if not done(fake, pr):
            said = [" ".join(c.body.split())[:400] for c in summaries_of(fake, pr)]
            out.append(f"LOST {pr.key}: {' | '.join(said) or 'no summary'}")
    return out
