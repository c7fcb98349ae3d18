"""pydocstyle's, interrogate's and pydoclint's settings, from their files and pre-commit hooks.

Each tool is in use when one of its configuration sections exists or a pre-commit hook
runs it; a hook's ``args`` win over the file, as on the tool's command line. Settings
a repository leaves out keep the tool's documented default.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from bot.core.configfiles import ConfigFiles
from bot.core.docrules import InterrogateRules, PydoclintRules, PydocstyleRules
from bot.core.hookargs import PRE_COMMIT, Hook, note_hook, parse_args, parser
from bot.core.ruleselect import PydocstyleCodes, pydocstyle_codes, unknown_pydocstyle_parts

# pydocstyle's search order: the first file with a [pydocstyle] (or [pep257]) section wins.
PYDOCSTYLE_FILES = (
    "setup.cfg",
    "tox.ini",
    ".pydocstyle",
    ".pydocstyle.ini",
    ".pydocstylerc",
    ".pydocstylerc.ini",
    "pyproject.toml",
)
PYDOCSTYLE_MATCH = r"(?!test_).*\.py"
PYDOCSTYLE_PROPERTY_DECORATORS = ("property", "cached_property", "functools.cached_property")
_PYDOCSTYLE_KEYS = (
    "convention select ignore add-select add-ignore match ignore-decorators property-decorators"
).split()
_PYDOCSTYLE_CLI = parser(*(([f"--{k}"], "one") for k in _PYDOCSTYLE_KEYS))

_INTERROGATE_FLAGS = {
    "ignore-init-method": "-i",
    "ignore-init-module": "-I",
    "ignore-magic": "-m",
    "ignore-module": "-M",
    "ignore-nested-functions": "-n",
    "ignore-nested-classes": "-C",
    "ignore-overloaded-functions": "-O",
    "ignore-private": "-p",
    "ignore-property-decorators": "-P",
    "ignore-setters": "-S",
    "ignore-semiprivate": "-s",
}
_INTERROGATE_LISTS = ("ignore-regex", "whitelist-regex", "exclude")
_INTERROGATE_CLI = parser(
    *(([short, f"--{name}"], "flag") for name, short in _INTERROGATE_FLAGS.items()),
    (["-f", "--fail-under"], "one"),
    (["-e", "--exclude"], "many"),
    (["-r", "--ignore-regex"], "many"),
    # Options that take a value must be known too, or their value is misread.
    (["-v", "--verbose"], "count"),
    (["-q", "--quiet"], "flag"),
    (["-c", "--config"], "one"),
    (["-o", "--output"], "one"),
    (["-g", "--generate-badge"], "one"),
    (["-w", "--whitelist-regex"], "many"),
    (["--ext"], "many"),
    (["--style"], "one"),
    (["--badge-format"], "one"),
    (["--badge-style"], "one"),
)
_PYDOCLINT_BOOLS = {
    "arg-type-hints-in-docstring": "-athd",
    "check-return-types": "-crt",
    "skip-checking-short-docstrings": "-scsd",
}
_PYDOCLINT_CLI = parser(
    (["--style"], "one"),
    (["--exclude"], "one"),
    (["--config"], "one"),
    *(([short, f"--{name}"], "one") for name, short in _PYDOCLINT_BOOLS.items()),
)
_TRUE = {"1", "true", "t", "yes", "y", "on"}
_FALSE = {"0", "false", "f", "no", "n", "off"}


def _boolean(value: object) -> bool | None:
    """Read a boolean as click does (``true``, ``yes``, ``1``...); None when it is not one."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    return True if text in _TRUE else False if text in _FALSE else None


def _key(name: str) -> str:
    return name.strip().lstrip("-").replace("_", "-").lower()


def _cli(p: argparse.ArgumentParser, hook: Hook | None, files: ConfigFiles) -> dict[str, Any]:
    """Return the options a hook's ``args`` give, by their long names with dashes."""
    parsed = parse_args(p, hook, files) if hook is not None else None
    given = vars(parsed) if parsed is not None else {}
    return {k.replace("_", "-"): v for k, v in given.items() if v is not None}


# pydocstyle ----------------------------------------------------------------------------


def read_pydocstyle(files: ConfigFiles, hook: Hook | None) -> PydocstyleRules | None:
    """Return pydocstyle's rules, or None when the repository does not use pydocstyle."""
    found = _pydocstyle_section(files)
    if found is None and hook is None:
        return None
    path, values = found or (PRE_COMMIT, {})
    note_hook(files, "pydocstyle", hook)
    for name, value in values.items():
        files.note(f"pydocstyle {name}", value, path)
    cli = {k: str(v) for k, v in _cli(_PYDOCSTYLE_CLI, hook, files).items()}
    file_codes, cli_codes = _codes(values, path, files), _codes(cli, PRE_COMMIT, files)
    chosen = cli_codes if cli_codes.base else file_codes
    merged = {**values, **cli}
    decorators = merged.get("ignore-decorators", "")
    properties = merged.get("property-decorators")
    return PydocstyleRules(
        tool="pydocstyle",
        codes=pydocstyle_codes(file_codes, cli_codes),
        convention=_effective_convention(chosen),
        ignore_decorators=(decorators,) if decorators else (),
        property_decorators=tuple(p.strip() for p in properties.split(",") if p.strip())
        if properties is not None
        else PYDOCSTYLE_PROPERTY_DECORATORS,
        match=merged.get("match", PYDOCSTYLE_MATCH),
    )


def _pydocstyle_section(files: ConfigFiles) -> tuple[str, dict[str, str]] | None:
    """Return the first pydocstyle section found and its options, as strings."""
    for path in PYDOCSTYLE_FILES:
        section = (
            _toml_section(files, path) if path.endswith(".toml") else _ini_section(files, path)
        )
        if section is not None:
            files.used.add(path)
            return path, _pydocstyle_values(section, path, files)
    return None


def _ini_section(files: ConfigFiles, path: str) -> dict[str, Any] | None:
    ini = files.ini(path)
    for name in ("pydocstyle", "pep257"):
        if ini is not None and ini.has_section(name):
            return dict(ini.items(name))
    return None


def _toml_section(files: ConfigFiles, path: str) -> dict[str, Any] | None:
    tool = (files.toml(path) or {}).get("tool")
    for name in ("pydocstyle", "pep257"):
        table = tool.get(name) if isinstance(tool, dict) else None
        if isinstance(table, dict):
            return table
    return None


def _pydocstyle_values(section: dict[str, Any], path: str, files: ConfigFiles) -> dict[str, str]:
    values: dict[str, str] = {}
    for raw, value in section.items():
        name = _key(raw)
        if name not in _PYDOCSTYLE_KEYS:
            continue
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            value = ",".join(value)
        if not isinstance(value, str):
            files.problem(path, f"pydocstyle {name} should be text; ignored")
            continue
        values[name] = value
    return values


def _codes(values: dict[str, str], path: str, files: ConfigFiles) -> PydocstyleCodes:
    given = [n for n in ("ignore", "select", "convention") if n in values]
    if len(given) > 1:
        files.problem(
            path, f"pydocstyle's {', '.join(given)} exclude each other; only {given[0]} applies"
        )
    convention = values.get("convention")
    if convention is not None and convention not in ("google", "numpy", "pep257"):
        files.problem(path, f"pydocstyle convention {convention!r} is unknown; ignored")
    for name in ("select", "ignore", "add-select", "add-ignore"):
        for part in unknown_pydocstyle_parts(values.get(name, "")):
            files.problem(path, f"pydocstyle {name}: {part!r} names no error code; ignored")
    return PydocstyleCodes(
        convention=convention,
        select=values.get("select"),
        ignore=values.get("ignore"),
        add_select=values.get("add-select"),
        add_ignore=values.get("add-ignore"),
    )


def _effective_convention(codes: PydocstyleCodes) -> Any:
    """Return the convention the codes follow: the given one, pep257 when no base is given."""
    if codes.base is None:
        return "pep257"
    if codes.base == "convention" and codes.convention in ("google", "numpy", "pep257"):
        return codes.convention
    return None


# interrogate ---------------------------------------------------------------------------


def read_interrogate(files: ConfigFiles, hook: Hook | None) -> InterrogateRules | None:
    """Return interrogate's settings, or None when the repository does not use it."""
    found = _interrogate_section(files)
    if found is None and hook is None:
        return None
    path, section = found or (PRE_COMMIT, {})
    note_hook(files, "interrogate", hook)
    fields: dict[str, Any] = {}
    for raw, value in section.items():
        name = _key(raw)
        read = _interrogate_value(name, value)
        if read is None:
            if name in (*_INTERROGATE_FLAGS, *_INTERROGATE_LISTS, "fail-under"):
                files.problem(path, f"interrogate {name} = {value!r} cannot be read; ignored")
            continue
        fields[name] = read
        files.note(f"interrogate {name}", value, path)
    for name, value in _cli(_INTERROGATE_CLI, hook, files).items():
        read = _interrogate_value(name, value)
        if read is not None:
            fields[name] = read
    return InterrogateRules(**{k.replace("-", "_"): v for k, v in fields.items()})


def _interrogate_section(files: ConfigFiles) -> tuple[str, dict[str, Any]] | None:
    """Return interrogate's settings: pyproject.toml's when the file exists, else setup.cfg's."""
    ini = files.ini("setup.cfg")
    section = "tool:interrogate"
    in_cfg = ini is not None and ini.has_section(section)
    if files.exists("pyproject.toml"):
        tool = (files.toml("pyproject.toml") or {}).get("tool")
        table = tool.get("interrogate") if isinstance(tool, dict) else None
        found = ("pyproject.toml", table) if isinstance(table, dict) else None
        if in_cfg:
            files.problem(
                "setup.cfg", f"interrogate reads pyproject.toml, not [{section}]; ignored"
            )
    else:
        found = ("setup.cfg", dict(ini.items(section))) if ini is not None and in_cfg else None
    if found is not None:
        files.used.add(found[0])
    return found


def _interrogate_value(name: str, value: object) -> Any:
    """Read one interrogate setting; None when it is unknown or unreadable."""
    if name in _INTERROGATE_FLAGS:
        return _boolean(value)
    if name in _INTERROGATE_LISTS:
        return _text_list(value)
    if name == "fail-under":
        return _number(value)
    return None


def _text_list(value: object) -> tuple[str, ...] | None:
    """Read a list: a TOML list, one string, or setup.cfg's ``[a, b]`` / ``a, b`` text."""
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value) if all(isinstance(v, str) for v in value) else None
    if not isinstance(value, str):
        return None
    text = value.strip().removeprefix("[").removesuffix("]")
    items = (v.strip().strip("\"'") for line in text.splitlines() for v in line.split(","))
    return tuple(v for v in items if v)


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


# pydoclint -----------------------------------------------------------------------------


def read_pydoclint(files: ConfigFiles, hook: Hook | None) -> PydoclintRules | None:
    """Return pydoclint's settings, or None when the repository does not use it."""
    tool = (files.toml("pyproject.toml") or {}).get("tool")
    table = tool.get("pydoclint") if isinstance(tool, dict) else None
    if not isinstance(table, dict) and hook is None:
        return None
    note_hook(files, "pydoclint", hook)
    fields: dict[str, Any] = {}
    for raw, value in (table or {}).items():
        _pydoclint_field(fields, _key(raw), value, "pyproject.toml", files)
    for name, value in _cli(_PYDOCLINT_CLI, hook, files).items():
        _pydoclint_field(fields, name, value, PRE_COMMIT, files, note=False)
    return PydoclintRules(**{k.replace("-", "_"): v for k, v in fields.items()})


def _pydoclint_field(
    fields: dict[str, Any],
    name: str,
    value: object,
    path: str,
    files: ConfigFiles,
    *,
    note: bool = True,
) -> None:
    readers: dict[str, Callable[[object], Any]] = {
        "style": lambda v: v if v in ("google", "numpy", "sphinx") else None,
        "exclude": lambda v: v if isinstance(v, str) else None,
        **dict.fromkeys(_PYDOCLINT_BOOLS, _boolean),
    }
    if name not in readers:
        return
    read = readers[name](value)
    if read is None:
        files.problem(path, f"pydoclint {name} = {value!r} cannot be read; ignored")
        return
    fields[name] = read
    if note:
        files.note(f"pydoclint {name}", value, path)
    else:
        files.used.add(path)
