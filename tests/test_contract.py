"""The review job's contract: what the web process enqueues is what the worker reads."""

from __future__ import annotations

import inspect

import pytest
from arq.jobs import deserialize_job, serialize_job

from bot.contract import JOB_FUNCTION, ReviewJob
from bot.web.events import decide
from bot.worker import runner
from bot.worker.job import review_pull_request
from tests.web.support import compact, payload


def _through_arq(job: ReviewJob) -> ReviewJob:
    """Pickle the job as arq stores it and rebuild it as the worker does."""
    stored = serialize_job(JOB_FUNCTION, (), job.to_kwargs(), None, 0)
    read = deserialize_job(stored)
    assert read.function == JOB_FUNCTION and read.args == ()
    return ReviewJob.from_kwargs(read.kwargs)


@pytest.mark.parametrize(
    ("event", "name"),
    [
        ("pull_request", "pull_request.opened"),
        ("pull_request", "pull_request.synchronize"),
        ("issue_comment", "issue_comment.created"),
    ],
)
def test_a_decided_job_survives_the_queue_unchanged(event: str, name: str) -> None:
    decided = decide(event, compact(payload(name)))
    assert isinstance(decided, ReviewJob)
    job = decided.for_delivery("3f1c-delivery")
    assert _through_arq(job) == job
    assert _through_arq(job.next_turn()) == ReviewJob(**{**job.to_kwargs(), "waits": job.waits + 1})


def test_every_field_travels_and_only_primitives_do() -> None:
    job = ReviewJob(7, "o/r", 3, "a" * 40, "issue_comment", "d", "s", 9, "c", 3, True, "all", 1, 2)
    kwargs = job.to_kwargs()
    assert set(kwargs) == set(inspect.signature(ReviewJob).parameters)
    assert all(v is None or type(v) in (int, str, bool) for v in kwargs.values())
    assert _through_arq(job) == job


def test_an_unknown_argument_is_named_not_dropped() -> None:
    kwargs = ReviewJob(1, "o/r", 2, None, "issue_comment").to_kwargs()
    with pytest.raises(TypeError, match="unknown review job argument.*priority"):
        ReviewJob.from_kwargs({**kwargs, "priority": 1})


def test_the_worker_registers_the_name_the_web_enqueues() -> None:
    (function,) = runner.FUNCTIONS
    assert function.name == JOB_FUNCTION
    assert inspect.unwrap(function.coroutine) is review_pull_request


def test_a_later_part_travels_and_names_its_own_jobs() -> None:
    first = ReviewJob(1, "octo/shop", 7, None, "issue_comment.created", delivery_id="d-1")
    assert "part" not in first.to_kwargs()  # a worker of the last release reads the first part
    assert (first.job_id, first.next_turn().job_id) == ("d-1", "d-1~1")
    later = first.as_part(2, "a" * 40)
    assert _through_arq(later) == later and later.head_sha == "a" * 40
    assert (later.job_id, later.next_turn().job_id) == ("d-1~part2", "d-1~part2~1")
    assert later.next_turn().as_part(3, "a" * 40).waits == 0  # each part waits afresh
