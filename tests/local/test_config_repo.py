"""``docgen config --repo PATH``: a repository's settings and docstring rules, and their sources."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main

RULES = Path(__file__).parent.parent / "data" / "rules"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["config", *args])
    return code, capsys.readouterr().out


def test_rules_and_where_each_came_from(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "--repo", str(RULES / "ruff-pyproject"))
    assert code == 0
    assert "docstring rules: ruff D, google convention, from pyproject.toml" in out
    assert "where each rule came from:" in out
    assert "(pyproject.toml)" in out
    assert "D100" not in out.split("targets:", 1)[1].split("\n", 1)[0]  # modules are not ours


def test_no_rules_says_docgen_defaults(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out = run(capsys, "--repo", str(tmp_path))
    assert code == 0
    assert "docstring rules: docgen defaults" in out
    assert "targets: what ruff's D1 rules (docgen's default) flag" in out
    assert "where each rule came from" not in out


def test_docgen_yml_keys_are_shown_with_their_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "docgen.yml").write_text("skip_private: false\nmin_lines: 2\n")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.interrogate]\nignore-init-method = true\n[tool.pydoclint]\nstyle = "numpy"\n'
    )
    code, text = run(capsys, "--repo", str(tmp_path), "--json")
    assert code == 0
    report = json.loads(text)
    assert report["settings"]["skip_private"] == {"value": False, "from": ".github/docgen.yml"}
    assert report["settings"]["style"] == {"value": "auto", "from": "docgen default"}
    assert report["rules"] == "interrogate, pydoclint (numpy), from pyproject.toml"
    assert report["require_complete"] is True  # pydoclint fails an incomplete docstring
    assert report["origins"] == [
        {"setting": "interrogate ignore-init-method", "value": "true", "path": "pyproject.toml"},
        {"setting": "pydoclint style", "value": "numpy", "path": "pyproject.toml"},
    ]
    assert "skip_private: false (.github/docgen.yml)" in report["targets"]


def test_a_broken_file_is_a_problem_line_not_a_crash(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "--repo", str(RULES / "broken"))
    assert code == 0
    assert "problem:" in out


def test_not_a_directory_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["config", "--repo", str(tmp_path / "missing")]) == 2
    assert "not a directory" in capsys.readouterr().err
