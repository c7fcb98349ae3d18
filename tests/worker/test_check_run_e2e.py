"""End to end: the review's Check Run, from a signed delivery to the fake GitHub's record."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import redis.asyncio

from bot.repo_config import load_repo_config
from bot.settings import Settings
from bot.worker.checks import start_check
from bot.worker.github import GitHubApp
from tests.fakes.azure_faults import PromptFiltered
from tests.fakes.github_model import PrFile, Route
from tests.worker.conftest import RunWorker
from tests.worker.support import INSTALLATION, NUMBER, OWNER, REPO, send_pr, sha

SHOP = '''def total(prices):
    """Add up the prices."""
    return sum(prices)


def discount(price, rate):
    return price * (1 - rate)
'''
PB2 = "def serialize(message):\n    return bytes(message)\n"
GEN = "def fetch(client, path):\n    return client.get(path)\n"
GITATTRIBUTES = "# clients made by our generator\nclients/** linguist-generated\n"


def _seed(fake_github: Any, head: str, config: str | None = None) -> None:
    fake_github.add_installation(INSTALLATION, repos=[f"{OWNER}/{REPO}"])
    fake_github.add_file(OWNER, REPO, ".gitattributes", GITATTRIBUTES)
    if config is not None:
        fake_github.add_file(OWNER, REPO, ".github/docgen.yml", config)
    files = [
        PrFile.from_texts("shop/cart.py", None, SHOP),
        PrFile.from_texts("shop/api_pb2.py", None, PB2),
        PrFile.from_texts("clients/orders.py", None, GEN),
        PrFile.from_texts("tests/test_cart.py", None, "def test_total():\n    assert True\n"),
    ]
    fake_github.add_pull_request(OWNER, REPO, NUMBER, head_sha=head, files=files)


async def test_check_runs_in_progress_then_completes_with_the_review(
    web: httpx.Client, run_worker: RunWorker, fake_github: Any
) -> None:
    _seed(fake_github, sha(1))
    send_pr(web, "opened", sha(1))
    await run_worker()

    [run] = fake_github.check_runs
    assert (run.name, run.head_sha) == ("docgen / docstrings", sha(1))
    assert [h.status for h in run.history] == ["in_progress"]
    assert (run.status, run.conclusion) == ("completed", "neutral")  # 1 of 2 at the head
    assert run.title == "1 of 2 changed functions documented (50%), 1 docstring suggested"
    assert "1 of 2 (50%) before, 2 of 2 (100%) with these suggestions" in run.summary
    assert "below the threshold of 100% (`check.mode: neutral`)" in run.summary
    assert "**Rules:** docgen defaults" in run.summary
    assert "| `shop/cart.py::discount` | suggested | in this run |" in run.text
    assert "| `shop/cart.py::total` | documented |" in run.text
    # Generated, vendored and test files are left out, each with why.
    assert "| `shop/api_pb2.py` | generated or vendored code: matches `*_pb2.py`" in run.summary
    assert (
        "| `clients/orders.py` | generated or vendored code: linguist-generated in"
        " .gitattributes (line 2: `clients/**`) |"
    ) in run.summary
    assert "| `tests/test_cart.py` | test code: matches `tests/` |" in run.summary
    assert "| `shop/api_pb2.py::serialize` | skipped | generated or vendored code |" in run.text
    # The review posts nothing on the excluded files.
    [review] = fake_github.reviews
    assert [c.path for c in review.comments] == ["shop/cart.py"]


@pytest.mark.parametrize(
    ("config", "conclusion"),
    [
        ("check:\n  mode: failure\n", "failure"),
        ("check:\n  mode: failure\n  threshold: 50\n", "success"),
        ("check:\n  threshold: 51\n", "neutral"),
        ("check:\n  mode: neutral\n  threshold: 0\n", "success"),
    ],
)
async def test_conclusion_follows_mode_and_threshold(
    web: httpx.Client, run_worker: RunWorker, fake_github: Any, config: str, conclusion: str
) -> None:
    _seed(fake_github, sha(2), config)
    send_pr(web, "opened", sha(2))
    await run_worker()
    [run] = fake_github.check_runs
    assert run.conclusion == conclusion


async def test_mode_off_creates_no_check_run(
    web: httpx.Client, run_worker: RunWorker, fake_github: Any
) -> None:
    _seed(fake_github, sha(3), "check:\n  mode: off\n")
    send_pr(web, "opened", sha(3))
    await run_worker()
    assert fake_github.request_count(Route.CREATE_CHECK_RUN) == 0
    assert len(fake_github.reviews) == 1


async def test_exclude_generated_false_reviews_generated_code(
    web: httpx.Client, run_worker: RunWorker, fake_github: Any
) -> None:
    _seed(fake_github, sha(4), "exclude_generated: false\n")
    send_pr(web, "opened", sha(4))
    await run_worker()
    [review] = fake_github.reviews
    assert {c.path for c in review.comments} == {
        "shop/cart.py",
        "shop/api_pb2.py",
        "clients/orders.py",
    }
    [run] = fake_github.check_runs
    assert "api_pb2.py` | generated" not in run.summary


async def test_model_failure_completes_with_the_reason(
    web: httpx.Client, run_worker: RunWorker, fake_github: Any, fake_azure: Any
) -> None:
    fake_azure.queue_fault(*[PromptFiltered() for _ in range(4)])
    _seed(fake_github, sha(5))
    send_pr(web, "opened", sha(5))
    await run_worker()
    [run] = fake_github.check_runs
    assert (run.status, run.conclusion) == ("completed", "neutral")
    assert "| `shop/cart.py::discount` | missing | the service's content filter" in run.text


async def test_a_failing_job_completes_its_check_neutral_with_the_reason(
    web: httpx.Client, run_worker: RunWorker, fake_github: Any
) -> None:
    _seed(fake_github, sha(6), "check:\n  mode: failure\n")
    fake_github.fail_next(Route.LIST_ISSUE_COMMENTS, 403, body={"message": "Forbidden"})
    send_pr(web, "opened", sha(6))
    await run_worker()
    [run] = fake_github.check_runs
    assert (run.status, run.conclusion) == ("completed", "neutral")
    assert run.title == "docgen could not finish this review"
    first = run.summary.split("\n")[0]
    assert first == (
        "The review failed: GitHub answered 403 to GET /api/v3/repos/octo/shop/issues/7/comments."
    )


async def test_no_python_files_still_completes_the_check(
    web: httpx.Client, run_worker: RunWorker, fake_github: Any
) -> None:
    fake_github.add_installation(INSTALLATION, repos=[f"{OWNER}/{REPO}"])
    files = [PrFile.from_texts("docs/index.md", "a\n", "b\n")]
    fake_github.add_pull_request(OWNER, REPO, NUMBER, head_sha=sha(7), files=files)
    send_pr(web, "opened", sha(7))
    await run_worker()
    [run] = fake_github.check_runs
    assert (run.status, run.conclusion) == ("completed", "success")
    assert run.title == "No changed function needs a docstring"


async def test_every_function_documented_succeeds_without_a_model_call(
    web: httpx.Client, run_worker: RunWorker, fake_github: Any, fake_azure: Any
) -> None:
    fake_github.add_installation(INSTALLATION, repos=[f"{OWNER}/{REPO}"])
    documented = SHOP.replace("    return price", '    """Apply a discount."""\n    return price')
    files = [PrFile.from_texts("shop/cart.py", None, documented)]
    fake_github.add_pull_request(OWNER, REPO, NUMBER, head_sha=sha(8), files=files)
    send_pr(web, "opened", sha(8))
    await run_worker()
    assert fake_azure.requests == []
    [run] = fake_github.check_runs
    assert (run.conclusion, run.title) == ("success", "2 of 2 changed functions documented (100%)")
    assert "| `shop/cart.py::discount` | documented |" in run.text


async def test_a_check_left_in_progress_is_completed_by_the_next_run_of_its_head(
    web: httpx.Client,
    run_worker: RunWorker,
    fake_github: Any,
    app_settings: Settings,
    redis_client: redis.asyncio.Redis,
) -> None:
    _seed(fake_github, sha(9))
    # A run whose worker died after starting the check: never completed.
    repo = GitHubApp(app_settings).repo(INSTALLATION, f"{OWNER}/{REPO}")
    stranded = await start_check(repo, sha(9), load_repo_config(None), redis_client, INSTALLATION)
    send_pr(web, "opened", sha(9))
    await run_worker()
    [run] = fake_github.check_runs
    assert run.id == stranded.check_id
    assert (run.status, run.conclusion) == ("completed", "neutral")
    assert [h.status for h in run.history] == ["in_progress", "in_progress"]
    # A push of a new head gets a check of its own; the old head's stays as it was.
    fake_github.add_pull_request(OWNER, REPO, NUMBER, head_sha=sha(10), files=[])
    send_pr(web, "synchronize", sha(10), before=sha(9))
    await run_worker()
    assert [(r.head_sha, r.status) for r in fake_github.check_runs] == [
        (sha(9), "completed"),
        (sha(10), "completed"),
    ]
