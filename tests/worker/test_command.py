"""The `/docgen` command: who may run it, the reactions, and the answers without a review."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from bot.core.command import help_text
from tests.fakes.github_model import Route
from tests.worker.command_support import reactions, replies, seed_pr, send_command
from tests.worker.conftest import RunWorker
from tests.worker.support import OWNER, REPO, usage_marker


@pytest.mark.parametrize("role", ["write", "maintain", "admin"])
async def test_a_writers_command_reviews_with_eyes_then_rocket(
    web: httpx.Client, run_worker: RunWorker, fake_github: Any, fake_azure: Any, role: str
) -> None:
    seed_pr(fake_github, roles={"dana": role})
    comment_id = send_command(web, fake_github, "/docgen")
    assert await run_worker() == 1
    assert fake_github.reviews and fake_azure.requests
    assert reactions(fake_github, comment_id) == ["eyes", "rocket"]
    assert replies(fake_github) == []  # the review and the summary say it all


@pytest.mark.parametrize("role", ["read", "triage", "none"])
async def test_a_non_writer_gets_one_reply_per_pull_request_and_nothing_spent(
    web: httpx.Client, run_worker: RunWorker, fake_github: Any, fake_azure: Any, role: str
) -> None:
    seed_pr(fake_github, roles={"erin": role})
    first = send_command(web, fake_github, "/docgen", login="erin")
    assert await run_worker() == 1
    answers = replies(fake_github)
    assert len(answers) == 1 and "@erin" in answers[0] and "write access" in answers[0]
    # Again, and asking for help: nothing more, not even a reaction.
    second = send_command(web, fake_github, "/docgen help", login="erin")
    assert await run_worker() == 1
    assert replies(fake_github) == answers
    assert reactions(fake_github, first) == reactions(fake_github, second) == []
    assert not fake_github.reviews and not fake_azure.requests


async def test_the_permission_is_asked_once_for_two_commands(
    web: httpx.Client, run_worker: RunWorker, fake_github: Any, fake_azure: Any
) -> None:
    seed_pr(fake_github)
    send_command(web, fake_github, "/docgen")
    assert await run_worker() == 1
    send_command(web, fake_github, "/docgen --force")
    assert await run_worker() == 1
    assert fake_github.request_count(Route.GET_PERMISSION) == 1
    assert len(fake_github.reviews) == 2


async def test_help_answers_without_a_model_call(
    web: httpx.Client, run_worker: RunWorker, fake_github: Any, fake_azure: Any
) -> None:
    seed_pr(fake_github)
    comment_id = send_command(web, fake_github, "/docgen help")
    assert await run_worker() == 1
    assert replies(fake_github) == [help_text()]
    assert reactions(fake_github, comment_id) == ["eyes", "rocket"]
    assert not fake_azure.requests and not fake_github.reviews


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("/docgen hlep", "unknown word `hlep`"),
        ("/docgen --style numpydoc", "`--style` takes google, numpy or sphinx"),
        ("/docgen help src/", "`help` takes nothing else"),
        ("/docgen ../secrets.py", "leaves the repository"),
        ('/docgen "unclosed', "could not read the command"),
    ],
)
async def test_an_unknown_form_is_answered_with_the_reason_and_the_forms(
    web: httpx.Client,
    run_worker: RunWorker,
    fake_github: Any,
    fake_azure: Any,
    text: str,
    reason: str,
) -> None:
    seed_pr(fake_github)
    comment_id = send_command(web, fake_github, text)
    assert await run_worker() == 1
    [answer] = replies(fake_github)
    assert reason in answer.splitlines()[0]
    assert help_text() in answer
    assert reactions(fake_github, comment_id) == ["eyes", "confused"]
    assert not fake_azure.requests and not fake_github.reviews


async def test_usage_tells_the_months_and_the_pull_requests_spend(
    web: httpx.Client, run_worker: RunWorker, fake_github: Any, fake_azure: Any
) -> None:
    seed_pr(fake_github)
    send_command(web, fake_github, "/docgen")
    assert await run_worker() == 1
    [summary] = [c.body for c in fake_github.issue_comments if "docgen:summary" in c.body]
    cost = usage_marker(summary)["cost_usd"]
    calls = len(fake_azure.requests)
    comment_id = send_command(web, fake_github, "/docgen usage")
    assert await run_worker() == 1
    [answer] = replies(fake_github)
    assert f"${cost:.4f} of the $50.00 monthly budget" in answer
    assert f"{calls} model calls" in answer
    assert f"this pull request (#7): ${cost:.4f}" in answer
    assert reactions(fake_github, comment_id) == ["eyes", "rocket"]
    assert len(fake_azure.requests) == calls  # usage itself calls nothing


async def test_a_dry_run_replies_with_the_plan_and_spends_nothing(
    web: httpx.Client, run_worker: RunWorker, fake_github: Any, fake_azure: Any
) -> None:
    seed_pr(fake_github)
    comment_id = send_command(web, fake_github, "/docgen --dry-run")
    assert await run_worker() == 1
    assert fake_azure.requests == [] and fake_github.reviews == []
    [plan] = replies(fake_github)
    assert plan.startswith("**docgen dry run**")
    assert "- functions: 1 planned of 1 to document" in plan
    assert "- requests: 1" in plan and "`geo.py::area`" in plan
    assert reactions(fake_github, comment_id) == ["eyes", "rocket"]
    assert not [c for c in fake_github.issue_comments if "docgen:summary" in c.body]
    # The prompt tokens it counted are what the service then reports for the real run.
    planned = int(plan.split("- prompt tokens: ")[1].split()[0].replace(",", ""))
    send_command(web, fake_github, "/docgen")
    assert await run_worker() == 1
    [request] = fake_azure.requests
    assert request.response is not None
    assert planned == request.response["usage"]["prompt_tokens"]


async def test_a_command_that_cannot_run_says_why_with_confused(
    web: httpx.Client, run_worker: RunWorker, fake_github: Any, fake_azure: Any
) -> None:
    seed_pr(fake_github)
    fake_github.add_file(OWNER, REPO, ".github/docgen.yml", "enabled: false\n")
    comment_id = send_command(web, fake_github, "/docgen")
    assert await run_worker() == 1
    assert replies(fake_github) == ["docgen did not run: ignored: disabled by .github/docgen.yml."]
    assert reactions(fake_github, comment_id) == ["eyes", "confused"]
    assert not fake_azure.requests


async def test_a_failed_run_gets_confused_and_one_line(
    web: httpx.Client, run_worker: RunWorker, fake_github: Any, fake_azure: Any
) -> None:
    seed_pr(fake_github)
    fake_github.fail_next(Route.CREATE_REVIEW, 403, body={"message": "Resource not accessible"})
    comment_id = send_command(web, fake_github, "/docgen")
    assert await run_worker() == 0  # the job failed, visibly
    [answer] = replies(fake_github)
    assert answer.startswith("docgen could not finish this run (RequestFailed)")
    assert "\n" not in answer
    assert reactions(fake_github, comment_id) == ["eyes", "confused"]
