"""Every Redis key docgen writes is named here, with what to delete when access goes.

Each family is built by one function (``*_key``), so the code that reads and writes
a key and the code that forgets an installation agree on its shape. A key belongs
to one of three scopes:

- an installation (its id is in the key): monthly budgets and their holds, the
  answer cache, the cached installation token, superseded-push markers, the
  suspended flag, commenters' cached permissions, the one-reply marks, the
  Check Run each head SHA's review started, the GitHub rate-limit pause and write
  spacing every worker shares, the reviews waiting for one of its slots, and a long
  review's progress between work items;
- a repository (``owner/name`` is in the key): a review's lock and the jobs waiting
  for it, a pull request's running cost, the newest push of a pull request;
- the App as a whole: the model deployment's shared rate-limit windows, the
  App's own JWT, the worker processes' heartbeats, the running jobs' leases, the
  reaper's lock and counter, and the redelivery task's lock and marks, which no
  installation owns.

``installation_patterns`` and ``repository_patterns`` are the ``SCAN MATCH``
patterns of the first two scopes. Nothing else in ``bot/`` spells a ``docgen:``
key (``tests/test_keys.py`` checks both facts).
"""

from __future__ import annotations

ROOT = "docgen:"
SCAN_ALL = ROOT + "*"

BUDGET_PREFIX = ROOT + "budget:"
ANSWER_PREFIX = ROOT + "answer:"
SUSPENDED_PREFIX = ROOT + "suspended:"
SLOTS_PREFIX = ROOT + "slots:"
SLOT_WAITERS_PREFIX = ROOT + "slot-waiters:"
PROGRESS_PREFIX = ROOT + "progress:"
SUPERSEDED_PREFIX = ROOT + "superseded:"
LATEST_PUSH_PREFIX = ROOT + "latest-push:"
LOCK_PREFIX = ROOT + "lock:"
PR_COST_PREFIX = ROOT + "pr-cost:"
RATELIMIT_PREFIX = ROOT + "ratelimit:"
OVERHEAD_PREFIX = ROOT + "schema-overhead:"
PERMISSION_PREFIX = ROOT + "permission:"
REFUSED_PREFIX = ROOT + "command-refused:"
GITHUB_BLOCKED_PREFIX = ROOT + "gh-blocked:"
GITHUB_SPACING_PREFIX = ROOT + "gh-spacing:"
CHECK_RUN_PREFIX = ROOT + "check-run:"
WORKER_PREFIX = ROOT + "worker:"
REDELIVER_PREFIX = ROOT + "redeliver:"
WORKER_HEARTBEATS = WORKER_PREFIX + "*"
"""The SCAN MATCH pattern of every live worker process's heartbeat."""
LEASE_PREFIX = ROOT + "lease:"
# githubkit's cache (installation tokens, the App's JWT) lives under this prefix;
# githubkit adds ":" and its own key, ``githubkit:auth:app:{app id}:...``.
GITHUB_CACHE_PREFIX = ROOT + "gh"
_TOKEN_PREFIX = GITHUB_CACHE_PREFIX + ":githubkit:auth:app:"


# -- installation scope --------------------------------------------------------------


def budget_key(installation_id: int, month: str) -> str:
    """Return the hash of what an installation spent in a UTC month (``YYYY-MM``)."""
    return f"{BUDGET_PREFIX}{installation_id}:{month}"


def budget_month_pattern(month: str) -> str:
    """Return the SCAN MATCH pattern of every installation's spending hash in a month."""
    return f"{BUDGET_PREFIX}*:{month}"


def budget_held_key(installation_id: int, month: str) -> str:
    """Return the hash of an installation's live budget reservations in a month."""
    return budget_key(installation_id, month) + ":held"


def answer_key(installation_id: int, key: str) -> str:
    """Return the key of one cached model answer of an installation."""
    return f"{ANSWER_PREFIX}{installation_id}:{key}"


def slots_key(installation_id: int) -> str:
    """Return the sorted set of an installation's running reviews (score: lease end)."""
    return f"{SLOTS_PREFIX}{installation_id}"


def slot_waiters_key(installation_id: int) -> str:
    """Return the sorted set of reviews waiting for an installation's slot (score: order)."""
    return f"{SLOT_WAITERS_PREFIX}{installation_id}"


def progress_key(installation_id: int, delivery_id: str) -> str:
    """Return what a long review's finished work items produced, kept for the next one."""
    return f"{PROGRESS_PREFIX}{installation_id}:{delivery_id}"


def suspended_key(installation_id: int) -> str:
    """Return the flag that is set while an installation is suspended."""
    return f"{SUSPENDED_PREFIX}{installation_id}"


def superseded_key(installation_id: int, job_id: str) -> str:
    """Return the marker saying which newer push replaced the job ``job_id``."""
    return f"{SUPERSEDED_PREFIX}{installation_id}:{job_id}"


def legacy_superseded_key(job_id: str) -> str:
    """Return the marker's name before it carried the installation (still read).

    Such markers expire a day after they were written; none is written any more.
    """
    return SUPERSEDED_PREFIX + job_id


def installation_token_key(app_id: int, installation_id: int) -> str:
    """Return where githubkit caches an installation token (all repositories, all rights).

    githubkit builds this key itself; the function names its shape for the purge
    patterns and their tests.
    """
    return f"{_TOKEN_PREFIX}{app_id}:installation:{installation_id}:::"


def permission_key(installation_id: int, repo: str, login: str) -> str:
    """Return where a commenter's permission on a repository is kept for a few minutes."""
    return f"{PERMISSION_PREFIX}{installation_id}:{repo}:{login.lower()}"


def command_refused_key(installation_id: int, repo: str, number: int, login: str) -> str:
    """Return the mark that a commenter without write access was answered on a PR."""
    return f"{REFUSED_PREFIX}{installation_id}:{repo}#{number}:{login.lower()}"


def github_blocked_key(installation_id: int) -> str:
    """Return the pause every worker keeps before calling GitHub for an installation.

    It exists while GitHub's rate limit is spent; it expires when calls may resume.
    """
    return f"{GITHUB_BLOCKED_PREFIX}{int(installation_id)}"


def github_spacing_key(installation_id: int) -> str:
    """Return the mark of an installation's latest write to GitHub, kept for the spacing."""
    return f"{GITHUB_SPACING_PREFIX}{int(installation_id)}"


def check_run_key(installation_id: int, repo: str, head_sha: str) -> str:
    """Return the id of the Check Run a review of ``head_sha`` started and has not completed.

    A later run for the same head (a dead worker's job run again, a retry) takes
    that Check Run up instead of leaving it in progress beside a new one.
    """
    return f"{CHECK_RUN_PREFIX}{int(installation_id)}:{repo.lower()}:{head_sha}"


# -- repository scope ----------------------------------------------------------------


def lock_key(repo: str, number: int) -> str:
    """Return the lock held while one review of a pull request runs."""
    return f"{LOCK_PREFIX}{repo}#{number}"


def lock_waiters_key(repo: str, number: int) -> str:
    """Return the line of jobs waiting for a pull request's review lock."""
    return lock_key(repo, number) + ":waiting"


def pr_cost_key(repo: str, number: int) -> str:
    """Return the running model cost of a pull request's reviews (USD)."""
    return f"{PR_COST_PREFIX}{repo}#{number}"


def latest_push_key(repo: str, number: int) -> str:
    """Return the key naming the newest ``synchronize`` job of a pull request."""
    return f"{LATEST_PUSH_PREFIX}{repo.lower()}#{number}"


# -- App scope: kept when an installation goes ---------------------------------------


def ratelimit_key(quota_name: str) -> str:
    """Return the shared rate-limit windows of one model deployment's quota."""
    return RATELIMIT_PREFIX + quota_name


def worker_heartbeat_key(hostname: str, pid: int) -> str:
    """Return the heartbeat of one worker process, which expires unless refreshed."""
    return f"{WORKER_PREFIX}{hostname}:{int(pid)}"


def schema_overhead_key(name: str) -> str:
    """Return the measured prompt tokens one response schema adds on one model."""
    return OVERHEAD_PREFIX + name


def lease_key(job_id: str) -> str:
    """Return the lease of a running job: its holder's token, expiring unless renewed."""
    return LEASE_PREFIX + job_id


def reaper_lock_key() -> str:
    """Return the short lock that lets one worker at a time look for stranded jobs."""
    return ROOT + "reaper"


def reaped_jobs_key() -> str:
    """Return the counter of jobs given back to the queue because their holder died."""
    return ROOT + "reaped-jobs"


def redelivery_lock_key() -> str:
    """Return the lock held by the one worker asking GitHub to redeliver failed deliveries."""
    return REDELIVER_PREFIX + "lock"


def redelivery_asked_key(guid: str) -> str:
    """Return the mark that GitHub was asked to redeliver the event ``guid`` (it expires)."""
    return f"{REDELIVER_PREFIX}asked:{guid}"


UNOWNED = frozenset(
    {
        "ratelimit_key",
        "legacy_superseded_key",
        "worker_heartbeat_key",
        "schema_overhead_key",
        "lease_key",
        "reaper_lock_key",
        "reaped_jobs_key",
        "redelivery_lock_key",
        "redelivery_asked_key",
    }
)
"""The builders whose keys no purge finds: the App's own (its JWT, cached by githubkit,
is one too; the worker heartbeats, job leases and the redelivery task's marks, which
expire by themselves; the reaper's and the redelivery task's locks, the reaper's
counter) and legacy markers that expire within a day."""


# -- what to delete ------------------------------------------------------------------


def installation_patterns(installation_id: int) -> tuple[str, ...]:
    """Return the SCAN MATCH patterns of every key kept for one installation."""
    i = int(installation_id)  # never a glob
    return (
        f"{BUDGET_PREFIX}{i}:*",
        f"{ANSWER_PREFIX}{i}:*",
        f"{SUPERSEDED_PREFIX}{i}:*",
        f"{PERMISSION_PREFIX}{i}:*",
        f"{REFUSED_PREFIX}{i}:*",
        f"{PROGRESS_PREFIX}{i}:*",
        f"{CHECK_RUN_PREFIX}{i}:*",
        suspended_key(i),
        slots_key(i),
        slot_waiters_key(i),
        github_blocked_key(i),
        github_spacing_key(i),
        f"{_TOKEN_PREFIX}*:installation:{i}:*",
    )


def repository_patterns(repo: str) -> tuple[str, ...]:
    """Return the SCAN MATCH patterns of every key kept for one repository.

    GitHub names are case-insensitive and the keys keep the case the payload
    had, so the patterns match any case.
    """
    name = _any_case(repo)
    return (
        f"{LOCK_PREFIX}{name}#*",
        f"{PR_COST_PREFIX}{name}#*",
        f"{LATEST_PUSH_PREFIX}{name}#*",
    )


_GLOB_SPECIAL = frozenset("*?[]\\")


def _any_case(text: str) -> str:
    out: list[str] = []
    for ch in text:
        if ch in _GLOB_SPECIAL:
            out.append("\\" + ch)
        elif ch.isascii() and ch.isalpha():
            out.append(f"[{ch.lower()}{ch.upper()}]")
        else:
            out.append(ch)
    return "".join(out)
