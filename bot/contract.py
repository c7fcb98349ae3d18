"""The review job as both processes see it: its registered name and its one record.

The web process decides a delivery into a :class:`ReviewJob`, stamps it with the
delivery id, and enqueues ``JOB_FUNCTION`` with :meth:`ReviewJob.to_kwargs`. The
worker registers the same name and rebuilds the record with
:meth:`ReviewJob.from_kwargs`. Every field is a primitive: arq pickles the keyword
arguments, and a job queued by one release must still be read by the next, so a
field may be added with a default but never renamed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

JOB_FUNCTION = "review_pull_request"

# A push in a burst of pushes; a newer push to the same PR makes its job pointless.
SYNCHRONIZE = "pull_request.synchronize"


@dataclass(frozen=True, slots=True)
class ReviewJob:
    """One review of one pull request: who asked, for which head, and how it waits."""

    installation_id: int
    repo: str
    number: int
    head_sha: str | None  # None for a /docgen command: review whatever the head is then
    trigger: str
    delivery_id: str = ""  # set by the web process when it enqueues
    sender: str = ""
    comment_id: int | None = None
    commenter: str | None = None
    waits: int = 0  # turns already spent waiting for another review of the PR
    # The pull request's head is in another repository (a fork): reviewed on its own only
    # where the repository's settings say ``forks: true``.
    from_fork: bool = False
    # A /docgen command's arguments: the first line of the comment after ``/docgen``.
    command: str | None = None
    # A long review asks the model in work items, one job each: 0 is the first.
    part: int = 0
    # Of ``waits``, the turns spent waiting for one of the installation's slots.
    slot_waits: int = 0

    @property
    def collapsible(self) -> bool:
        """Return True if a newer push to the same PR makes this job pointless."""
        return self.trigger == SYNCHRONIZE

    @property
    def is_command(self) -> bool:
        """Return True if a ``/docgen`` comment asked for this review."""
        return self.comment_id is not None

    def for_delivery(self, delivery_id: str) -> ReviewJob:
        """Return this job stamped with the id of the delivery that asked for it."""
        return replace(self, delivery_id=delivery_id)

    def next_turn(self, *, for_slot: bool = False) -> ReviewJob:
        """Return this job after one more turn spent waiting (for the PR's lock, or a slot)."""
        return replace(self, waits=self.waits + 1, slot_waits=self.slot_waits + for_slot)

    @property
    def lock_waits(self) -> int:
        """Return the turns spent waiting for another review of the same pull request."""
        return self.waits - self.slot_waits

    def as_part(self, part: int, head_sha: str) -> ReviewJob:
        """Return the job of this review's work item ``part``, pinned to the head it reviews."""
        return replace(self, part=part, waits=0, slot_waits=0, head_sha=head_sha)

    @property
    def job_id(self) -> str:
        """Return the arq job id of this part and turn of the delivery's review.

        The first part's first turn is the delivery id itself (the web process's
        job); the others add ``~<turn>`` and, after the first part, ``~part<n>``.
        """
        base = self.delivery_id if self.part == 0 else f"{self.delivery_id}~part{self.part}"
        return base if self.waits == 0 else f"{base}~{self.waits}"

    def to_kwargs(self) -> dict[str, Any]:
        """Return the job function's keyword arguments (what arq pickles)."""
        # Spelled out rather than dataclasses.asdict, which deep-copies: this runs
        # once per delivery on the web process's hot path.
        kwargs: dict[str, Any] = {
            "installation_id": self.installation_id,
            "repo": self.repo,
            "number": self.number,
            "head_sha": self.head_sha,
            "trigger": self.trigger,
            "delivery_id": self.delivery_id,
            "sender": self.sender,
            "comment_id": self.comment_id,
            "commenter": self.commenter,
            "waits": self.waits,
            "from_fork": self.from_fork,
            "command": self.command,
        }
        # Only jobs that need them carry these: a worker of the last release reads the rest.
        if self.part:
            kwargs["part"] = self.part
        if self.slot_waits:
            kwargs["slot_waits"] = self.slot_waits
        return kwargs

    @classmethod
    def from_kwargs(cls, kwargs: Mapping[str, Any]) -> ReviewJob:
        """Rebuild the job from the keyword arguments the worker received.

        Raises TypeError naming an argument this release does not know, rather
        than dropping it silently.
        """
        unknown = set(kwargs) - _FIELD_NAMES
        if unknown:
            raise TypeError(f"unknown review job argument(s): {', '.join(sorted(unknown))}")
        return cls(**kwargs)


_FIELD_NAMES = frozenset(f.name for f in fields(ReviewJob))
