"""Work items: a long review's model work, cut into jobs that take turns with the others.

A review asks the model for at most one wave of requests per job
(``DOCGEN_MAX_CONCURRENCY`` requests, sent side by side). When functions remain,
the job keeps what it has so far in Redis (:class:`Stored`), queues the review's
next part at the back of the queue and ends, letting go of its installation's slot
and the pull request's lock: other installations' reviews queued meanwhile run
before the next part. The last part posts the one review and the one summary.

A part runs at most once in effect: the stored part number says which part is
next, a part that finds it already done only makes sure its successor is queued
(arq ignores a job id it already has), and each later part reads the stored
progress rather than asking the model again.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

import redis.asyncio
from arq.connections import ArqRedis

from bot.contract import JOB_FUNCTION, ReviewJob
from bot.core.skips import Skip, SkipKind
from bot.engine.document import Progress
from bot.keys import progress_key
from bot.llm.usage import CallRecord, Usage

# A long review's parts follow each other within minutes; a day bounds a record
# whose review was abandoned (its pull request closed, its installation gone).
PROGRESS_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Stored:
    """A review's progress: the next part to run, the head it reviews, what came before."""

    part: int = 0
    head_sha: str = ""
    progress: Progress = Progress()


async def load(client: redis.asyncio.Redis, args: ReviewJob) -> Stored:
    """Return the stored progress of the delivery's review; nothing stored is part 0."""
    raw = await client.get(progress_key(args.installation_id, args.delivery_id))
    if raw is None:
        return Stored()
    data = json.loads(raw)
    return Stored(int(data["part"]), str(data["head_sha"]), _progress(data))


async def save(client: redis.asyncio.Redis, args: ReviewJob, stored: Stored) -> None:
    """Store what the parts before ``stored.part`` of the delivery's review produced."""
    progress = stored.progress
    data = {
        "part": stored.part,
        "head_sha": stored.head_sha,
        "answers": {k: list(v) for k, v in progress.answers.items()},
        "skipped": [[s.function_id, s.reason, s.kind.value] for s in progress.skipped],
        "calls": [asdict(c) for c in progress.calls],
        "notes": list(progress.notes),
    }
    key = progress_key(args.installation_id, args.delivery_id)
    await client.set(key, json.dumps(data), ex=PROGRESS_SECONDS)


async def clear(client: redis.asyncio.Redis, args: ReviewJob) -> None:
    """Forget the delivery's progress: its review is posted."""
    await client.delete(progress_key(args.installation_id, args.delivery_id))


async def queue_part(queue: ArqRedis, job: ReviewJob) -> None:
    """Queue ``job`` (a later part) at the back of the queue; a no-op if arq has it."""
    await queue.enqueue_job(JOB_FUNCTION, _job_id=job.job_id, **job.to_kwargs())


def _progress(data: dict[str, Any]) -> Progress:
    return Progress(
        answers={k: (str(v[0]), bool(v[1])) for k, v in data["answers"].items()},
        skipped=tuple(Skip(i, r, kind=SkipKind(k)) for i, r, k in data["skipped"]),
        calls=tuple(_call(c) for c in data["calls"]),
        notes=tuple(data["notes"]),
    )


def _call(data: dict[str, Any]) -> CallRecord:
    fields = dict(data)
    fields["ids"] = tuple(fields["ids"])
    fields["usage"] = Usage(**fields["usage"])
    return CallRecord(**fields)
