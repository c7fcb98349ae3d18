"""``docgen config --repo PATH``: the settings and docstring rules a repository gets, and why.

It reads what the bot reads from the default branch, here from the working tree:
``.github/docgen.yml`` and the linters' configuration files. Each docgen setting is
shown with where its value came from (the file, or docgen's default), then the
docstring rules with the file and setting that decided each one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.core.docrules import DocRules
from bot.core.targets import DEFAULT_REQUIREMENT
from bot.repo_config import CONFIG_PATH, REPO_FILES, LoadedConfig, load_repo_config


def load_from_tree(root: Path) -> LoadedConfig:
    """Read ``.github/docgen.yml`` and the rule files from a checkout's working tree."""
    return load_repo_config(
        _read(root / CONFIG_PATH), rule_files={p: _read(root / p) for p in REPO_FILES}
    )


def _read(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8", errors="replace")
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError):
        return None


def rules_report(loaded: LoadedConfig) -> dict[str, Any]:
    """Return the settings in force and the rules' origins, as plain data."""
    config = loaded.config
    settings = {
        name: {
            "value": getattr(config, name),
            "from": CONFIG_PATH if name in config.model_fields_set else "docgen default",
        }
        for name in type(config).model_fields
    }
    rules = loaded.docrules
    return {
        "settings": settings,
        "rules": rules.describe(),
        "origins": [
            {"setting": o.setting, "value": o.value, "path": o.path} for o in rules.origins
        ],
        "targets": _targets_line(loaded),
        "require_complete": loaded.require_complete,
        "problems": list(loaded.problems),
    }


def _targets_line(loaded: LoadedConfig) -> str:
    rules: DocRules = loaded.docrules
    parts = []
    for linter in rules.linters:
        # Modules and packages (D100, D104) are not docgen's to document.
        missing = sorted(linter.codes & DEFAULT_REQUIREMENT.codes)
        if missing:
            parts.append(f"{linter.tool} {' '.join(missing)}")
    if rules.interrogate is not None:
        parts.append("interrogate")
    asked = " and ".join(parts) or "ruff's D1 rules (docgen's default)"
    extra = []
    target = loaded.target_rules()
    if target.skip_private is not None:
        extra.append(f"skip_private: {str(target.skip_private).lower()} ({CONFIG_PATH})")
    if target.min_lines:
        extra.append(f"min_lines: {target.min_lines}")
    if target.skip_tests:
        extra.append("test files left alone")
    return f"what {asked} flag" + (f"; {', '.join(extra)}" if extra else "")


def rules_text(loaded: LoadedConfig) -> str:
    """Return the report as the lines ``docgen config --repo`` prints."""
    report = rules_report(loaded)
    lines = ["docgen settings (.github/docgen.yml keys win over the linters' configuration):"]
    for name, entry in report["settings"].items():
        value = entry["value"]
        shown = "" if value is None else value
        lines.append(f"  {name:<18} {shown!s:<24} {entry['from']}")
    lines += ["", f"docstring rules: {report['rules']}", f"targets: {report['targets']}"]
    if report["require_complete"]:
        lines.append("complete docstrings required (every parameter, return and raise)")
    if report["origins"]:
        lines.append("where each rule came from:")
        lines += [f"  {o['setting']} = {o['value']} ({o['path']})" for o in report["origins"]]
    lines += [f"problem: {p}" for p in report["problems"]]
    return "\n".join(lines) + "\n"
