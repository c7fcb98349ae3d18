"""The summary comment: totals first, details folded, markers readable by the next run."""

from __future__ import annotations

import json
import re

from bot.core.review import MAX_BODY_CHARS
from bot.core.skips import Skip, SkipKind, too_large_to_read
from bot.core.summary import (
    INCOMPLETE_COUNT,
    MAX_LISTED,
    SUMMARY_MARKER,
    TOTALS,
    Coverage,
    Incomplete,
    RunReport,
    UsageTotals,
    coverage_text,
    parse_usage,
    summary_body,
    totals_line,
    usage_marker,
    usd,
)

CHECK = SkipKind.CHECK
USAGE = UsageTotals(
    prompt_tokens=2_000, completion_tokens=1_120, cached_tokens=1_024, cost_usd=0.0021, calls=3
)
REPORT = RunReport(
    model="gpt-4o-mini",
    usage=USAGE,
    suggested=tuple(f"src/pkg/io.py::f{i}" for i in range(7)),
    skipped=(
        Skip("src/pkg/io.py::Reader.read_all", "parameter 'size' is not documented", kind=CHECK),
        Skip("src/pkg/util.py::pipe", "a | b would break a table", kind=CHECK),
    ),
    coverage_before=Coverage(3, 12),
    coverage_after=Coverage(10, 12),
    pr_cost_usd=0.0104,
    budget_remaining_usd=49.25,
)


def test_the_first_line_is_the_totals() -> None:
    body = summary_body(REPORT)
    first = body.split("\n", 1)[0]
    assert first == "docgen suggested 7 docstrings · skipped 2 · 3,120 tokens · $0.0021"
    assert first == TOTALS.format(suggested=7, s="s", skipped=2, tokens=3120, cost="$0.0021")
    assert totals_line(RunReport(model="m", suggested=("a.py::f",))).startswith(
        "docgen suggested 1 docstring · skipped 0 · 0 tokens · $0"
    )


def test_details_are_folded_and_complete() -> None:
    body = summary_body(REPORT)
    details = body[body.index("<details>") : body.index("</details>")]
    assert "3 of 12 (25%) before, 10 of 12 (83%) with these suggestions" in details
    assert "| `src/pkg/io.py::Reader.read_all` | parameter 'size' is not documented |" in details
    assert "| `src/pkg/util.py::pipe` | a \\| b would break a table |" in details
    assert "| Model | `gpt-4o-mini` |" in details
    assert "| Requests | 3 |" in details
    assert "| Tokens | 2,000 prompt (1,024 cached) · 1,120 completion |" in details
    assert "| Cost of this run | $0.0021 |" in details
    assert "| Cost on this pull request so far | $0.0104 |" in details
    assert "| Monthly budget left | $49.25 |" in details


def test_optional_rows_and_sections_are_left_out_when_empty() -> None:
    body = summary_body(RunReport(model="gpt-4o"))
    assert "Skipped" not in body and "Monthly budget" not in body and "so far" not in body
    assert "**Docstring coverage of the changed functions:** no functions." in body


def test_notes_show_above_the_fold() -> None:
    note = ".github/docgen.yml: unknown setting 'stlye' (did you mean 'style'?) (ignored)"
    body = summary_body(RunReport(model="m", notes=(note,)))
    assert body.index(note) < body.index("<details>")


def test_usage_marker_has_exactly_the_contract_keys() -> None:
    marker = usage_marker(UsageTotals(10, 5, 2, 0.123456789, 1))
    assert marker == (
        '<!-- docgen:usage {"prompt_tokens": 10, "completion_tokens": 5, '
        '"cached_tokens": 2, "cost_usd": 0.123457, "calls": 1} -->'
    )
    body = summary_body(REPORT)
    assert body.endswith(usage_marker(USAGE)) and SUMMARY_MARKER in body
    payload = re.search(r"docgen:usage (\{.*\}) -->", body)
    assert payload is not None
    assert list(json.loads(payload.group(1))) == [
        "prompt_tokens",
        "completion_tokens",
        "cached_tokens",
        "cost_usd",
        "calls",
    ]
    assert parse_usage(body) == USAGE


def test_parse_usage_tolerates_missing_or_broken_lines() -> None:
    assert parse_usage("no marker here") is None
    assert parse_usage('<!-- docgen:usage {"prompt_tokens": 1} -->') is None
    assert parse_usage("<!-- docgen:usage {not json} -->") is None


def test_thousands_of_functions_stay_far_under_the_limit() -> None:
    long_path = "src/" + "deeply/nested/" * 20
    ids = [f"{long_path}module_{i}.py::Class{i}.method_{i}" for i in range(3_000)]
    report = RunReport(
        model="gpt-4o",
        usage=USAGE,
        suggested=tuple(ids),
        skipped=tuple(Skip(i, "the reason is long " * 30, kind=CHECK) for i in ids),
        incomplete=tuple(Incomplete(i, ("Returns section",) * 40) for i in ids),
        not_commentable=tuple(ids),
        unchanged=tuple(ids),
        done=tuple(ids),
    )
    body = summary_body(report)
    # Two tables and three lists of 30 ids of 160 characters each, with room to spare.
    assert len(body) < MAX_BODY_CHARS * 2 // 3
    assert body.count(f"| … and {3_000 - MAX_LISTED} more | |") == 2  # incomplete and skipped
    assert f"and {3_000 - MAX_LISTED} more" in body.split("Not commentable", 1)[1]
    assert body.startswith("docgen suggested 3000 docstrings (3000 incomplete) · skipped 6000")


def test_user_text_cannot_break_out_of_code_spans() -> None:
    body = summary_body(
        RunReport(model="m", skipped=(Skip("a.py::`tick`", "<!-- docgen:summary -->", kind=CHECK),))
    )
    assert "| `` a.py::`tick` `` | &lt;!-- docgen:summary --> |" in body


def test_usd_formatting() -> None:
    assert [usd(0), usd(0.0021), usd(0.5), usd(1234.5)] == ["$0", "$0.0021", "$0.5000", "$1,234.50"]
    assert Coverage(1, 3).describe() == "1 of 3 (33%)"


def test_incomplete_suggestions_are_counted_and_listed_with_what_they_lack() -> None:
    report = RunReport(
        model="m",
        suggested=("a.py::f", "a.py::g", "a.py::h"),
        incomplete=(
            Incomplete("a.py::f", ("parameter 'size'", "Returns section")),
            Incomplete("a.py::h", ("Raises entry for a|b",)),
        ),
    )
    body = summary_body(report)
    assert body.split("\n", 1)[0] == (
        "docgen suggested 3 docstrings"
        + INCOMPLETE_COUNT.format(n=2)
        + " · skipped 0 · 0 tokens · $0"
    )
    assert INCOMPLETE_COUNT.format(n=2) == " (2 incomplete)"
    details = body[body.index("<details>") : body.index("</details>")]
    assert "**Posted as incomplete**\n\n| Function | Lacks |\n| --- | --- |" in details
    assert "| `a.py::f` | parameter 'size', Returns section |" in details
    assert "| `a.py::h` | Raises entry for a\\|b |" in details
    assert "Posted as incomplete" not in summary_body(RunReport(model="m", suggested=("a.py::f",)))


def test_coverage_when_every_changed_function_was_skipped() -> None:
    skipped = Coverage(0, 0, skipped=3)
    assert skipped.describe() == "0 of 3 counted (3 skipped)"
    assert coverage_text(skipped, skipped) == "0 of 3 counted (3 skipped)"
    assert coverage_text(Coverage(1, 4, skipped=2), Coverage(3, 4, skipped=2)) == (
        "1 of 4 (25%) before, 3 of 4 (75%) with these suggestions"
    )
    body = summary_body(RunReport(model="m", coverage_before=skipped, coverage_after=skipped))
    assert "**Docstring coverage of the changed functions:** 0 of 3 counted (3 skipped)." in body


def test_a_file_too_large_to_read_says_its_size_and_the_limit() -> None:
    mib = 2**20
    assert too_large_to_read(int(12.3 * mib), 10 * mib) == (
        "file is 12.3 MiB, over docgen's 10 MiB limit"
    )
    assert too_large_to_read(12 * mib, 10 * mib) == "file is 12 MiB, over docgen's 10 MiB limit"
    # Sizes that would read the same in MiB are given in bytes.
    assert too_large_to_read(10 * mib + 100, 10 * mib) == (
        "file is 10,485,860 bytes, over docgen's limit of 10,485,760 bytes"
    )
    report = RunReport(
        model="m",
        skipped=(Skip("pkg/table.py", too_large_to_read(13 * mib, 10 * mib), kind=SkipKind.FILE),),
    )
    body = summary_body(report)
    assert "| `pkg/table.py` | file is 13 MiB, over docgen's 10 MiB limit |" in body
    assert "skipped 1" in body.splitlines()[0]
