"""Output details: colour only on a terminal, the progress bar, diffs git can apply."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from bot.local.engine import FileResult
from bot.local.output import colour_wanted, colourize, file_diff
from bot.local.progress import PROGRESS_MIN_REQUESTS, ProgressBar, progress_on
from tests.local.gitrepo import GitRepo, isolate

ROOT = Path(__file__).resolve().parents[2]


class Terminal(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal_without_no_color() -> None:
    assert colour_wanted(Terminal(), {})
    assert not colour_wanted(io.StringIO(), {})
    assert not colour_wanted(Terminal(), {"NO_COLOR": "1"})
    assert not colour_wanted(Terminal(), {"TERM": "dumb"})


def test_colourize_marks_additions_removals_and_headers() -> None:
    diff = "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-old\n+new\n same\n"
    coloured = colourize(diff)
    assert "\033[32m+new\033[0m\n" in coloured
    assert "\033[31m-old\033[0m\n" in coloured
    assert "\033[36m@@ -1 +1 @@\033[0m\n" in coloured
    assert " same\n" in coloured


def test_progress_bar_redraws_in_place_and_ends_its_line() -> None:
    stream = Terminal()
    bar = ProgressBar(stream, total=4, width=8)
    bar.update(2)
    bar.update(9)  # retries may answer more than planned; the bar stays full
    bar.close()
    assert stream.getvalue() == (
        "\rdocgen [........] 0/4 functions"
        "\rdocgen [####....] 2/4 functions"
        "\rdocgen [########] 4/4 functions\n"
    )


def test_progress_shows_only_for_several_requests_on_a_terminal() -> None:
    assert isinstance(progress_on(Terminal())(10, PROGRESS_MIN_REQUESTS), ProgressBar)
    assert not isinstance(progress_on(Terminal())(10, PROGRESS_MIN_REQUESTS - 1), ProgressBar)
    assert not isinstance(progress_on(io.StringIO())(10, 10), ProgressBar)


def test_unchanged_files_have_no_diff() -> None:
    assert file_diff(FileResult("a.py", "x = 1\n", "x = 1\n", ())) == ""


def test_crlf_files_without_final_newline_round_trip_through_git_apply(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    isolate(monkeypatch)
    repo = GitRepo(tmp_path / "repo")
    repo.commit("one")
    source = "def shout(text):\r\n    loud = text.upper()\r\n    return loud"
    (repo.root / "loud.py").write_bytes(source.encode())
    repo.commit("two")
    monkeypatch.chdir(repo.root)
    assert main(["suggest", "--format", "diff"]) == 0
    patch = capsys.readouterr().out
    assert "\\ No newline at end of file" in patch
    repo.git("apply", stdin=patch)
    result = (repo.root / "loud.py").read_bytes().decode()
    assert result.startswith('def shout(text):\r\n    """TODO: summarize what shout does.\r\n')
    assert result.endswith("    return loud")


def test_pre_commit_hook_runs_the_working_tree_check() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    (hook,) = hooks
    assert hook["id"] == "docgen"
    assert hook["entry"].startswith("docgen suggest --working-tree --check")
    assert hook["language"] == "python"
