"""The reference: what the real linters flag, beside what docgen picks, on the same files.

Shared by ``bench/rules_agree.py`` (real projects' released sources) and
``tests/core/test_targets_real.py`` (the fixture sources). A function is named by
``(path, def line)``; only functions missing a docstring count (docgen's "insert"
targets, the linters' missing-docstring findings). Classes are left out: docgen
documents functions only.

ruff runs with a configuration generated from the project's: only its docstring parts,
since the full files name rules this ruff no longer has. interrogate runs through its
Python API with the project's ``[tool.interrogate]`` settings, as its command line
would apply them.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.core.docrules import RUFF_DEFAULT_D_CODES, DocRules
from bot.core.extract import extract
from bot.core.targets import (
    TargetRules,
    select_class_targets,
    select_targets,
    with_class_targets,
)

Flag = tuple[str, int]
# ruff's missing-docstring codes on functions and methods.
MISSING_CODES = frozenset({"D101", "D102", "D103", "D105", "D106", "D107"})
# What docgen asks for when a repository has no docstring rules: ruff's D1 rules.
DEFAULT_RUFF = '[lint]\nselect = ["D1"]\n'
_D_SELECTOR = re.compile(r"D\d{0,3}")
_SELECTIONS = ("select", "extend-select", "ignore", "extend-ignore")
_PER_FILE = ("per-file-ignores", "extend-per-file-ignores")


def read_fixtures(folder: Path) -> dict[str, str]:
    """Return a folder's ``<name>.fixture`` files as ``{name: text}``, as read_doc_rules wants."""
    return {p.name.removesuffix(".fixture"): p.read_text() for p in folder.glob("*.fixture")}


def ruff_settings(files: Mapping[str, str]) -> dict[str, Any] | None:
    """Return the ruff settings ruff itself would use: ``.ruff.toml``, ``ruff.toml``, pyproject."""
    for name in (".ruff.toml", "ruff.toml"):
        if name in files:
            return tomllib.loads(files[name])
    tool = tomllib.loads(files.get("pyproject.toml", "")).get("tool", {})
    found = tool.get("ruff")
    return found if isinstance(found, dict) else None


def _d_only(selectors: Iterable[str]) -> list[str]:
    """Keep the selectors that reach ``D`` rules; ``ALL`` reaches them as ``D``."""
    kept = ["D" if s == "ALL" else s for s in selectors]
    return [s for s in kept if _D_SELECTOR.fullmatch(s)]


def docstring_ruff_config(settings: Mapping[str, Any]) -> str:
    """Return a ruff.toml with only the docstring (``D``) parts of a project's settings.

    Options are read from ``lint`` or, the older spelling, the top level (``lint``'s
    wins), as ruff reads them. An unset ``select`` stays unset: ruff's default
    selection, which has ``D419`` since ruff 0.16, applies as it does for the project.
    """
    found = settings.get("lint")
    lint: Mapping[str, Any] = found if isinstance(found, dict) else {}

    def option(name: str) -> Any:
        return lint.get(name, settings.get(name))

    # The paths ruff leaves alone: it lints a repository with them, so docgen reads them.
    lines = [
        f"{name} = {json.dumps(settings[name])}"
        for name in ("exclude", "extend-exclude")
        if isinstance(settings.get(name), list)
    ]
    lines.append("[lint]")
    if isinstance(lint.get("exclude"), list):
        lines.append(f"exclude = {json.dumps(lint['exclude'])}")
    for name in _SELECTIONS:
        value = option(name)
        if value is not None:
            lines.append(f"{name} = {json.dumps(_d_only(value or []))}")
    for name in _PER_FILE:
        table = option(name) or {}
        kept = {glob: _d_only(codes) for glob, codes in table.items()}
        if any(kept.values()):
            lines.append(f"[lint.{name}]")
            lines += [f"{json.dumps(g)} = {json.dumps(c)}" for g, c in kept.items() if c]
    pydocstyle = option("pydocstyle")
    if isinstance(pydocstyle, dict) and pydocstyle:
        lines.append("[lint.pydocstyle]")
        lines += [f"{k} = {json.dumps(v)}" for k, v in pydocstyle.items()]
    return "\n".join(lines) + "\n"


def ruff_enables_d_rules(root: Path, config: str) -> bool:
    """Tell whether ruff, with this configuration, lints docstrings (its ``--show-settings``).

    The ``D`` rules of ruff's own default selection (``D419``) do not count: a project
    that only has those never chose to lint docstrings.
    """
    with tempfile.TemporaryDirectory() as tmp:
        config_path = Path(tmp) / "ruff.toml"
        config_path.write_text(config)
        (Path(tmp) / "probe.py").write_text("")
        run = subprocess.run(
            [sys.executable, "-m", "ruff", "check", "--no-cache", "--show-settings"]
            + ["--config", str(config_path), str(Path(tmp) / "probe.py")],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
    enabled = run.stdout.split("linter.rules.enabled = [", 1)[-1].split("]", 1)[0]
    codes = set(re.findall(r"\((D\d{3})\)", enabled))
    return bool(codes - RUFF_DEFAULT_D_CODES)


def ruff_flags(root: Path, paths: Sequence[str], config: str) -> set[Flag]:
    """Return what ruff flags as missing a docstring in ``paths`` (under ``root``).

    ruff runs in ``root``, so per-file-ignores globs match the same relative paths.
    """
    with tempfile.TemporaryDirectory() as tmp:
        config_path = Path(tmp) / "ruff.toml"
        config_path.write_text(config)
        run = subprocess.run(
            [sys.executable, "-m", "ruff", "check", "--no-cache", "--exit-zero", "--force-exclude"]
            + ["--output-format", "json", "--config", str(config_path), "--", *paths],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
    base = root.resolve()
    return {
        (Path(f["filename"]).resolve().relative_to(base).as_posix(), f["location"]["row"])
        for f in json.loads(run.stdout)
        if f["code"] in MISSING_CODES
    }


def interrogate_flags(root: Path, paths: Sequence[str], settings: Mapping[str, Any]) -> set[Flag]:
    """Return the functions and classes interrogate counts as missing a docstring in ``paths``.

    ``settings`` are the project's ``[tool.interrogate]`` table. Its command line
    compiles the regexes, renames ``whitelist-regex`` and ``ignore-setters``, and stops
    counting modules when a whitelist is given; this does the same.
    """
    from interrogate.config import InterrogateConfig  # type: ignore[import-untyped]
    from interrogate.coverage import InterrogateCoverage  # type: ignore[import-untyped]

    values = {k.replace("-", "_"): v for k, v in settings.items()}
    renamed = {
        "whitelist_regex": "include_regex",
        "ignore_setters": "ignore_property_setters",
        "style": "docstring_style",
    }
    known = {a.name for a in InterrogateConfig.__attrs_attrs__}
    options: dict[str, Any] = {}
    for key, value in values.items():
        key = renamed.get(key, key)
        if key in ("include_regex", "ignore_regex"):
            value = [re.compile(v) for v in ([value] if isinstance(value, str) else value)]
            value = value or False
        if key in known:
            options[key] = value
    if options.get("include_regex"):
        options["ignore_module"] = True
    excluded = tuple(str(root / e) for e in values.get("exclude", []))
    coverage = InterrogateCoverage(
        paths=[str(root)], conf=InterrogateConfig(**options), excluded=excluded
    )
    # The files interrogate would walk to, less its excludes, then its own counting.
    kept = list(coverage._filter_files([str(root / p) for p in paths]))
    results = coverage._get_coverage(kept)
    base = root.resolve()
    return {
        (Path(result.filename).resolve().relative_to(base).as_posix(), node.lineno)
        for result in results.file_results
        for node in result.nodes
        if node.node_type in ("FunctionDef", "AsyncFunctionDef", "ClassDef") and not node.covered
    }


def docgen_flags(root: Path, paths: Sequence[str], docrules: DocRules) -> set[Flag]:
    """Return the functions and classes docgen would give a new docstring, whole files changed."""
    rules = TargetRules(docrules=docrules, skip_tests=False)
    found: set[Flag] = set()
    for path in paths:
        text = (root / path).read_text(encoding="utf-8", errors="replace")
        result = extract(path, text, class_records=True)
        functions = select_targets(result, result.functions, rules)
        classes = select_class_targets(result, result.class_records, rules)
        for target in with_class_targets(functions, classes).targets:
            if target.mode == "insert":
                found.add((path, target.function.def_lineno))
    return found


@dataclass(frozen=True)
class Reference:
    """The linters a project's configuration runs on docstrings, and what they flag."""

    tools: tuple[str, ...]
    flags: set[Flag]


def linter_flags(root: Path, paths: Sequence[str], files: Mapping[str, str]) -> Reference:
    """Run each docstring linter the project configures; one flagging a function is enough.

    ruff counts when its settings enable some ``D`` rule (ruff itself says which),
    interrogate when ``pyproject.toml`` has its table (the only file these projects use
    for it). A project with neither is checked against ruff's ``D1`` rules: what docgen
    asks for then. docgen's own reading of the files decides nothing here.
    """
    tools: list[str] = []
    flags: set[Flag] = set()
    settings = ruff_settings(files)
    config = docstring_ruff_config(settings) if settings is not None else None
    if config is not None and ruff_enables_d_rules(root, config):
        tools.append("ruff")
        flags |= ruff_flags(root, paths, config)
    table = tomllib.loads(files.get("pyproject.toml", "")).get("tool", {}).get("interrogate")
    if isinstance(table, dict):
        tools.append("interrogate")
        flags |= interrogate_flags(root, paths, table)
    if not tools:
        tools.append("ruff D1 (no docstring rules: docgen's default)")
        flags |= ruff_flags(root, paths, DEFAULT_RUFF)
    return Reference(tuple(tools), flags)
