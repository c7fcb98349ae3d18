"""ruff's pydocstyle settings, read from its configuration file and its pre-commit hook.

ruff uses the first of ``.ruff.toml``, ``ruff.toml`` and ``pyproject.toml`` (the last
only with a ``[tool.ruff]`` table) and reads each option from the ``lint`` table or,
the deprecated spelling, from the top level; ``lint``'s wins. Command-line options
(a pre-commit hook's ``args``) come on top: ``--config`` overrides file settings and
``--select``/``--ignore`` are one more selection layer.
"""

from __future__ import annotations

import argparse
import tomllib
from dataclasses import dataclass, field
from typing import Any

from bot.core.configfiles import ConfigFiles
from bot.core.docrules import Convention, PydocstyleRules
from bot.core.hookargs import PRE_COMMIT, Hook, note_hook, parse_args, parser
from bot.core.ruleselect import RuffSelection, covered, ruff_codes, ruff_selector

_CLI = parser(
    (["--select"], "many"),
    (["--extend-select"], "many"),
    (["--ignore"], "many"),
    (["--extend-ignore"], "many"),
    (["--config"], "many"),
    (["--preview"], "flag"),
    (["--no-preview"], "flag"),
    (["--isolated"], "flag"),
)


@dataclass
class _Config:
    """The ruff options in force and the file they came from (None: only the hook's)."""

    options: dict[str, Any]
    path: str | None
    # The settings (dotted paths) a hook's ``--config`` overrides set, for origins.
    overridden: set[str] = field(default_factory=set)


def read_ruff(files: ConfigFiles, hook: Hook | None) -> PydocstyleRules | None:
    """Return ruff's ``D`` rules, or None when the repository does not use ruff."""
    config = _config_file(files)
    cli = parse_args(_CLI, hook, files) if hook is not None else None
    if config is None and hook is None:
        return None
    if config is None or (cli is not None and cli.isolated):
        config = _Config({}, None)
    note_hook(files, "ruff", hook)
    if cli is not None:
        _apply_config_args(config, cli.config or [], files)
    return _rules(config, _cli_selection(cli), files, preview_flag=_preview_flag(cli))


def _config_file(files: ConfigFiles) -> _Config | None:
    for path in (".ruff.toml", "ruff.toml"):
        data = files.toml(path)
        if data is not None:
            files.used.add(path)
            return _Config(data, path)
    tool = (files.toml("pyproject.toml") or {}).get("tool")
    ruff = tool.get("ruff") if isinstance(tool, dict) else None
    if isinstance(ruff, dict):
        files.used.add("pyproject.toml")
        return _Config(ruff, "pyproject.toml")
    return None


def _apply_config_args(config: _Config, values: list[str], files: ConfigFiles) -> None:
    """Apply ``--config`` values: a configuration file, or a ``key = value`` override."""
    for value in values:
        named = files.toml(value) if value in (".ruff.toml", "ruff.toml") else None
        if named is not None:
            config.options, config.path, config.overridden = named, value, set()
            files.used.add(value)
            continue
        try:
            fragment = tomllib.loads(value)
        except ValueError:
            files.problem(
                PRE_COMMIT, f"ruff --config {value!r} is neither a file here nor TOML; ignored"
            )
            continue
        config.overridden |= _merge(config.options, fragment)


def _merge(into: dict[str, Any], fragment: dict[str, Any], prefix: str = "") -> set[str]:
    """Merge an override into the options; return the dotted paths of what it set."""
    set_paths: set[str] = set()
    for key, value in fragment.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            into[key] = dict(into[key])
            set_paths |= _merge(into[key], value, f"{prefix}{key}.")
        else:
            into[key] = value
            set_paths.add(f"{prefix}{key}")
    return set_paths


def _cli_selection(cli: argparse.Namespace | None) -> RuffSelection | None:
    if cli is None or not (cli.select or cli.extend_select or cli.ignore or cli.extend_ignore):
        return None

    def codes(values: list[str] | None) -> tuple[str, ...]:
        return tuple(c.strip() for v in values or () for c in v.split(",") if c.strip())

    return RuffSelection(
        select=codes(cli.select) if cli.select else None,
        extend_select=codes(cli.extend_select),
        ignore=codes(cli.ignore) + codes(cli.extend_ignore),
    )


def _preview_flag(cli: argparse.Namespace | None) -> bool | None:
    if cli is None or not (cli.preview or cli.no_preview):
        return None
    return bool(cli.preview) and not cli.no_preview


class _Options:
    """Reads one option from the ``lint`` table or the top level, noting where it came from."""

    def __init__(self, config: _Config, files: ConfigFiles) -> None:
        self.config, self.files = config, files
        lint = config.options.get("lint")
        self.lint: dict[str, Any] = lint if isinstance(lint, dict) else {}
        if lint is not None and not isinstance(lint, dict):
            files.problem(self._source("lint"), "ruff's lint should be a table; ignored")

    def get(
        self, name: str, kind: type, *, table: dict[str, Any] | None = None, allowed: Any = None
    ) -> Any:
        """Return option ``name`` if it has type ``kind`` (lists: of strings), else None.

        ``allowed``, when given, are the only values ruff accepts.
        """
        for scope, (setting, path) in self._scopes(name, table):
            if name not in scope:
                continue
            value = scope[name]
            if not _is(value, kind) or (allowed is not None and value not in allowed):
                what = _EXPECTED.get(kind, "") if allowed is None else " or ".join(allowed)
                self.files.problem(path, f"ruff's {setting} should be {what}; ignored")
                return None
            self.files.note(setting, value, path)
            return value
        return None

    def _scopes(
        self, name: str, table: dict[str, Any] | None
    ) -> list[tuple[dict[str, Any], tuple[str, str]]]:
        if table is not None:
            prefix = self.pydocstyle_prefix[0]
            return [(table, (f"{prefix}.{name}", self._source(f"{prefix}.{name}")))]
        return [
            (self.lint, (f"lint.{name}", self._source(f"lint.{name}"))),
            (self.config.options, (name, self._source(name))),
        ]

    def _source(self, setting: str) -> str:
        """Return the file that set ``setting``: the hook's override, else the config file."""
        parts = setting.split(".")
        if any(".".join(parts[:n]) in self.config.overridden for n in range(1, len(parts) + 1)):
            return PRE_COMMIT
        return self.config.path or PRE_COMMIT

    @property
    def pydocstyle_prefix(self) -> tuple[str, str]:
        """Return where the ``pydocstyle`` table is read from (``lint``'s wins whole)."""
        if isinstance(self.lint.get("pydocstyle"), dict):
            return "lint.pydocstyle", self._source("lint.pydocstyle")
        return "pydocstyle", self._source("pydocstyle")

    def pydocstyle_table(self) -> dict[str, Any]:
        """Return the ``pydocstyle`` table in force: ``lint``'s whole, else the top level's."""
        for scope in (self.lint, self.config.options):
            table = scope.get("pydocstyle")
            if isinstance(table, dict):
                return table
        return {}


_EXPECTED = {
    list: "a list of strings",
    dict: "a table of lists of rule codes",
    bool: "true or false",
    str: "a string",
}


def _is(value: object, kind: type) -> bool:
    if kind is list:
        return isinstance(value, list) and all(isinstance(x, str) for x in value)
    if kind is dict:
        return isinstance(value, dict) and all(_is(v, list) for v in value.values())
    return isinstance(value, kind)


def _rules(
    config: _Config, cli: RuffSelection | None, files: ConfigFiles, *, preview_flag: bool | None
) -> PydocstyleRules:
    opts = _Options(config, files)
    selections = [_file_selection(opts)] + ([cli] if cli is not None else [])
    _check_selectors(selections[0], config.path or PRE_COMMIT, files)
    if cli is not None:
        _check_selectors(cli, PRE_COMMIT, files)
    table = opts.pydocstyle_table()
    convention = _convention(opts, table)
    preview = preview_flag
    if preview is None:
        preview = bool(opts.get("preview", bool))
    return PydocstyleRules(
        tool="ruff",
        codes=ruff_codes(
            selections,
            convention=convention,
            preview=preview,
            explicit_preview=bool(opts.get("explicit-preview-rules", bool)),
        ),
        convention=convention,
        per_file_ignores=_per_file_ignores(opts),
        ignore_decorators=tuple(opts.get("ignore-decorators", list, table=table) or ()),
        property_decorators=tuple(opts.get("property-decorators", list, table=table) or ()),
        exclude=_exclude(config, opts),
    )


# ruff's own exclude list, in force unless a configuration sets ``exclude``.
RUFF_DEFAULT_EXCLUDE = (
    ".bzr .direnv .eggs .git .git-rewrite .hg .ipynb_checkpoints .mypy_cache .nox .pants.d "
    ".pyenv .pytest_cache .pytype .ruff_cache .svn .tox .venv .vscode __pypackages__ _build "
    "buck-out dist node_modules site-packages venv"
).split()


def _exclude(config: _Config, opts: _Options) -> tuple[str, ...]:
    """Return the paths ruff does not lint: ``exclude`` (or its defaults) and the extensions."""
    top = config.options

    def globs(table: dict[str, Any], name: str) -> list[str] | None:
        value = table.get(name)
        return [str(v) for v in value] if isinstance(value, list) else None

    base = globs(top, "exclude") or list(RUFF_DEFAULT_EXCLUDE)
    extend = globs(top, "extend-exclude") or []
    lint = globs(opts.lint, "exclude") or []
    for name, value in (("exclude", top.get("exclude")), ("extend-exclude", extend)):
        if value:
            opts.files.note(name, value, config.path or PRE_COMMIT)
    return (*base, *extend, *lint)


def _file_selection(opts: _Options) -> RuffSelection:
    select = opts.get("select", list)
    return RuffSelection(
        select=tuple(select) if select is not None else None,
        extend_select=tuple(opts.get("extend-select", list) or ()),
        ignore=tuple(opts.get("ignore", list) or ()) + tuple(opts.get("extend-ignore", list) or ()),
    )


def _check_selectors(selection: RuffSelection, path: str, files: ConfigFiles) -> None:
    for text in (*(selection.select or ()), *selection.extend_select, *selection.ignore):
        if ruff_selector(text) is None:
            files.problem(path, f"ruff rule selector {text!r} names no rule; ignored")


def _convention(opts: _Options, table: dict[str, Any]) -> Convention | None:
    value = opts.get("convention", str, table=table, allowed=("google", "numpy", "pep257"))
    return value  # type: ignore[no-any-return]


def _per_file_ignores(opts: _Options) -> tuple[tuple[str, frozenset[str]], ...]:
    found: list[tuple[str, frozenset[str]]] = []
    for name in ("per-file-ignores", "extend-per-file-ignores"):
        table = opts.get(name, dict) or {}
        for pattern, selectors in table.items():
            codes = covered(selectors)
            if codes:
                found.append((pattern, codes))
    return tuple(found)
