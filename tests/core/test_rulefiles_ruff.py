"""The ruff rules docgen reads agree with ruff itself (the one installed with docgen).

ruff prints the settings it resolved for a file (``ruff check --show-settings``): the
enabled rules as ``name (code)`` lines and each per-file ignore's pattern and rules.
These tests compare docgen's reading of the same configuration with them.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.core.docrules import ALL_D_CODES, CONVENTION_OFF, PREVIEW_D_CODES
from bot.core.ruffglob import glob_matches
from bot.core.rulefiles import RULE_FILES, read_doc_rules
from bot.core.ruleselect import D_RULE_NAMES

DATA = Path(__file__).parent.parent / "data" / "rules"
_CODE = re.compile(r"\((D\d{3})\)")


def ruff(folder: Path, *args: str) -> str:
    run = subprocess.run(
        [sys.executable, "-m", "ruff", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return run.stdout


def ruff_settings(folder: Path, args: tuple[str, ...] = ()) -> str:
    (folder / "x.py").write_text("")
    return ruff(folder, "check", "--no-cache", "--show-settings", *args, "x.py")


def enabled(settings: str) -> frozenset[str]:
    """Return the D codes in ruff's ``linter.rules.enabled`` list."""
    block = settings.split("linter.rules.enabled = [", 1)[1].split("\n]", 1)[0]
    return frozenset(_CODE.findall(block))


def per_file_ignores(settings: str) -> set[tuple[str, frozenset[str]]]:
    """Return ruff's per-file ignores that turn D codes off, ``!`` marking negated ones."""
    block = settings.split("linter.per_file_ignores = {", 1)[1].split("\n}", 1)[0]
    found: set[tuple[str, frozenset[str]]] = set()
    for entry in block.split("basename_matcher = ")[1:]:
        pattern = json.loads(entry.split("\n", 1)[0])
        negated = "negated = true" in entry
        codes = frozenset(_CODE.findall(entry))
        if codes:
            found.add((("!" if negated else "") + pattern, codes))
    return found


def hook_args(folder: Path) -> tuple[str, ...]:
    path = folder / ".pre-commit-config.yaml"
    if not path.exists():
        return ()
    for repo in yaml.safe_load(path.read_text())["repos"]:
        for hook in repo["hooks"]:
            if hook["id"] in ("ruff", "ruff-check"):
                return tuple(str(a) for a in hook.get("args", ()))
    return ()


@pytest.mark.parametrize(
    "case", ["ruff-pyproject", "ruff-toml", "dot-ruff-toml", "pre-commit-args"]
)
def test_fixture_codes_and_per_file_ignores_equal_ruffs(case: str, tmp_path: Path) -> None:
    folder = tmp_path / case
    shutil.copytree(DATA / case, folder)
    texts = {p: (folder / p).read_text() for p in RULE_FILES if (folder / p).exists()}
    rules = read_doc_rules(texts).ruff
    assert rules is not None
    settings = ruff_settings(folder, hook_args(folder))
    assert rules.codes == enabled(settings)
    mine = {(p, c & ALL_D_CODES) for p, c in rules.per_file_ignores}
    assert mine == {(p, c & ALL_D_CODES) for p, c in per_file_ignores(settings)}


CASES: list[tuple[str, tuple[str, ...]]] = [
    ('lint.select = ["D"]', ()),
    ('lint.select = ["D1"]', ()),
    ('lint.extend-select = ["D"]\nlint.pydocstyle.convention = "google"', ()),
    (
        'lint.select = ["ALL"]\nlint.ignore = ["D105", "D2"]\nlint.pydocstyle.convention = "numpy"',
        (),
    ),
    ('lint.select = ["D", "D400"]\nlint.pydocstyle.convention = "google"', ()),
    ('lint.select = ["D", "D4"]\nlint.pydocstyle.convention = "google"', ()),
    ('lint.select = ["D212", "D213", "D1"]', ()),
    ('lint.select = ["D"]\nlint.ignore = ["D1"]\nlint.extend-select = ["D102"]', ()),
    ('lint.select = ["D"]\nlint.per-file-ignores = {"tests/*" = ["D1"]}', ()),
    ('select = ["D"]\nignore = ["D203"]\n[lint]\nextend-ignore = ["D213"]', ()),
    ('lint.select = ["D"]\nlint.preview = true\nlint.pydocstyle.convention = "pep257"', ()),
    ('lint.select = ["D4"]\npreview = true\nlint.explicit-preview-rules = true', ()),
    ("", ()),
    ("lint.preview = true", ()),
    ('lint.select = ["E", "DTZ", "D10"]\nlint.ignore = ["D1"]', ()),
    ('lint.select = ["D"]', ("--select", "D1,E")),
    ('lint.select = ["D"]', ("--ignore=D2",)),
    ('lint.select = ["D"]', ("--config", "lint.pydocstyle.convention='google'")),
    ('lint.select = []\nlint.ignore = ["D401"]', ("--select", "D4")),
    ('lint.select = ["D"]\nlint.pydocstyle.convention = "google"', ("--extend-select", "D401")),
]


@pytest.mark.parametrize(("toml", "args"), CASES)
def test_codes_equal_ruffs(toml: str, args: tuple[str, ...], tmp_path: Path) -> None:
    (tmp_path / "ruff.toml").write_text(toml + "\n")
    hook = json.dumps({"repos": [{"repo": "local", "hooks": [{"id": "ruff", "args": list(args)}]}]})
    rules = read_doc_rules({"ruff.toml": toml, ".pre-commit-config.yaml": hook if args else None})
    assert rules.ruff is not None
    assert rules.ruff.codes == enabled(ruff_settings(tmp_path, args))
    assert rules.problems == ()


@pytest.mark.parametrize("convention", ["google", "numpy", "pep257"])
def test_convention_off_equals_ruffs(convention: str, tmp_path: Path) -> None:
    # Of each incompatible pair ruff keeps one; ignoring one side, then the other,
    # lets every rule show whether the convention turns it off.
    for ignored in ({"D211", "D212"}, {"D203", "D213"}):
        toml = f'lint.select = ["D"]\nlint.ignore = {sorted(ignored)}\nlint.preview = true\n'
        toml += f'lint.pydocstyle.convention = "{convention}"\n'
        (tmp_path / "ruff.toml").write_text(toml)
        off = (ALL_D_CODES | PREVIEW_D_CODES) - enabled(ruff_settings(tmp_path)) - ignored
        assert off == CONVENTION_OFF[convention] - ignored  # type: ignore[index]


def test_the_d_rules_are_ruffs(tmp_path: Path) -> None:
    rules = json.loads(ruff(tmp_path, "rule", "--all", "--output-format", "json"))
    ours = [r for r in rules if r["linter"] == "pydocstyle"]
    assert {r["code"] for r in ours if not r["preview"]} == ALL_D_CODES
    assert {r["code"] for r in ours if r["preview"]} == PREVIEW_D_CODES
    assert {r["name"]: r["code"] for r in ours} == D_RULE_NAMES


FILES = [
    "tests/test_x.py",
    "tests/sub/test_y.py",
    "pkg/__init__.py",
    "__init__.py",
    "src/a/b_test.py",
    "src/c_test.py",
    "docs/conf.py",
    "conftest.py",
    "tests/conftest.py",
    "a.py",
    "src/tests/x.py",
]
PATTERNS = [
    "tests/*",
    "__init__.py",
    "src/*_test.py",
    "**/conftest.py",
    "!tests/*",
    "tests/**",
    "*.py",
    "test?/*",
    "[st]*/*.py",
    "{docs,tests}/*",
    "./tests/*",
    "tests/",
    "**/*",
    "conf*.py",
    "src/**/*.py",
    "*/tests/*",
    "[!s]*.py",
    "a/../tests/*",
]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_globs_match_the_files_ruff_ignores(pattern: str, tmp_path: Path) -> None:
    for name in FILES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x = 1\n")
    toml = '[lint]\nselect = ["D100", "D104"]\n'
    toml += f'per-file-ignores = {{{json.dumps(pattern)} = ["D1"]}}\n'
    (tmp_path / "ruff.toml").write_text(toml)
    run = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "json", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    reported = {
        Path(d["filename"]).relative_to(tmp_path).as_posix() for d in json.loads(run.stdout)
    }
    assert {f for f in FILES if glob_matches(pattern, f)} == set(FILES) - reported
