"""The summary says how many suggestions reused an answer already paid for."""

from __future__ import annotations

from bot.core.summary import RunReport, UsageTotals, summary_body, totals_line

SUGGESTED = ("pkg/a.py::total", "pkg/a.py::Cart.add", "pkg/b.py::load#2")
USAGE = UsageTotals(prompt_tokens=900, completion_tokens=120, cost_usd=0.0002, calls=1)


def details(body: str) -> str:
    return body[body.index("<details>") : body.index("</details>")]


def test_reused_answers_are_counted_in_the_details() -> None:
    report = RunReport("gpt-4o-mini", USAGE, suggested=SUGGESTED, cached=SUGGESTED[1:])
    body = summary_body(report)
    assert "| Reused from cache | 2 (no model call) |" in details(body)
    rows = details(body).splitlines()
    assert (
        rows.index("| Reused from cache | 2 (no model call) |")
        == rows.index("| Requests | 1 |") + 1
    )
    # Reused suggestions are suggestions: the totals count them, the usage is the API's.
    assert totals_line(report).startswith("docgen suggested 3 docstrings")
    assert "1,020 tokens" in totals_line(report)


def test_a_run_that_reused_nothing_says_nothing_about_it() -> None:
    body = summary_body(RunReport("gpt-4o-mini", USAGE, suggested=SUGGESTED))
    assert "Reused from cache" not in body
    assert RunReport("gpt-4o-mini").cached == ()


def test_a_run_served_wholly_from_the_cache_made_no_request() -> None:
    report = RunReport("gpt-4o-mini", suggested=SUGGESTED, cached=SUGGESTED)
    body = summary_body(report)
    assert "| Reused from cache | 3 (no model call) |" in body
    assert "| Requests | 0 |" in body
    assert totals_line(report) == "docgen suggested 3 docstrings · skipped 0 · 0 tokens · $0"
