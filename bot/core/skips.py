"""A function (or file) left without a suggestion: what kind of stop it was, and why.

Decisions read the kind: whether a skip is a failure the user should hear about,
whether a budget or a limit stopped the run, which advice the CLI gives. The
reason is the words the summary shows and is never matched against.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class SkipKind(StrEnum):
    """Why, in kind, a function got no suggestion."""

    POLICY = "policy"  # the rules in force ask for no docstring here (or it has one)
    FILE = "file"  # the file could not be read, parsed or diffed
    PLACEMENT = "placement"  # no line of the diff, or no safe place, can carry the docstring
    LIMIT = "limit"  # the run's function limit was reached
    BUDGET = "budget"  # a run or monthly budget could not pay for the call
    TOO_LARGE = "too large"  # the function does not fit one request to the model
    MODEL = "model"  # the model gave no usable answer
    CHECK = "check"  # the answer failed verification or the safety check
    GITHUB = "github"  # GitHub refused, or would refuse, the comment
    CONFLICT = "conflict"  # the file changed on disk while docgen ran

    @property
    def is_failure(self) -> bool:
        """Tell whether docgen failed to document a function it should have.

        Policy skips are the rules working as meant; budget and limit skips are
        the operator's caps working as meant, and are reported as such.
        """
        return self not in _NOT_FAILURES


_NOT_FAILURES = frozenset({SkipKind.POLICY, SkipKind.BUDGET, SkipKind.LIMIT})


@dataclass(frozen=True)
class Skip:
    """A function (or a whole file) left without a suggestion, its kind and reason."""

    function_id: str
    reason: str
    kind: SkipKind = field(kw_only=True)

    @property
    def is_failure(self) -> bool:
        """Tell whether this skip is a failure rather than a rule or cap at work."""
        return self.kind.is_failure


_MIB = 1024 * 1024


def too_large_to_read(size: int, limit: int) -> str:
    """Return why a file of ``size`` bytes was not read, over a ``limit`` in bytes.

    E.g. ``file is 12.3 MiB, over docgen's 10 MiB limit``; in bytes when the two
    would read the same in MiB.
    """
    size_text, limit_text = _mib(size), _mib(limit)
    if size_text == limit_text:
        return f"file is {size:,} bytes, over docgen's limit of {limit:,} bytes"
    return f"file is {size_text}, over docgen's {limit_text} limit"


def _mib(n: int) -> str:
    return f"{n / _MIB:.1f}".removesuffix(".0") + " MiB"
