"""The shipped ``docgen.schema.json`` is the schema of the code, and the CLI prints it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main, schema_text
from bot.repo_config import RepoConfig, config_schema

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "docgen.schema.json"


def test_the_shipped_schema_is_the_codes() -> None:
    # After a change to RepoConfig: docgen schema > docgen.schema.json
    assert SHIPPED.read_text(encoding="utf-8") == schema_text()


def test_the_schema_names_every_setting() -> None:
    schema = config_schema()
    assert set(schema["properties"]) == set(RepoConfig.model_fields)
    assert schema["$schema"].startswith("https://json-schema.org/")


def test_docgen_schema_prints_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == config_schema()


def test_docgen_schema_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--check", str(SHIPPED)]) == 0
    stale = tmp_path / "old.json"
    stale.write_text("{}\n")
    assert main(["schema", "--check", str(stale)]) == 1
    assert f"docgen schema > {stale}" in capsys.readouterr().err
    assert main(["schema", "--check", str(tmp_path / "missing.json")]) == 2


def test_the_readme_example_points_editors_at_it() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "# yaml-language-server: $schema=" in readme
    assert "/docgen.schema.json" in readme
