"""A repository's configuration files, parsed once each, with what was read from them.

:mod:`bot.core.rulefiles` and the readers of each tool's settings share one
:class:`ConfigFiles`: it parses a file the first time it is asked for (TOML, INI or
YAML), records one readable problem for a file that cannot be parsed (the file then
counts as absent), and collects the origins and sources of what was used.
"""

from __future__ import annotations

import configparser
import tomllib
from collections.abc import Mapping
from typing import Any

import yaml

from bot.core.docrules import Origin


class ConfigFiles:
    """The texts of a repository's configuration files, by repository-root path."""

    def __init__(self, texts: Mapping[str, object]) -> None:
        """Keep the texts; anything but a string counts as no such file."""
        self._texts = {path: t for path, t in texts.items() if isinstance(t, str)}
        self._parsed: dict[str, object] = {}
        self.problems: list[str] = []
        self.origins: list[Origin] = []
        self.used: set[str] = set()

    def exists(self, path: str) -> bool:
        """Tell whether the repository has the file (parseable or not)."""
        return path in self._texts

    def toml(self, path: str) -> dict[str, Any] | None:
        """Return the file parsed as TOML; None when absent or not valid TOML."""
        parsed = self._parse(path, "TOML", _load_toml)
        return parsed if isinstance(parsed, dict) else None

    def ini(self, path: str) -> configparser.RawConfigParser | None:
        """Return the file parsed as INI; None when absent or not valid INI."""
        parsed = self._parse(path, "INI", _load_ini)
        return parsed if isinstance(parsed, configparser.RawConfigParser) else None

    def yaml(self, path: str) -> object:
        """Return the file parsed as YAML; None when absent or not valid YAML."""
        return self._parse(path, "YAML", yaml.safe_load)

    def note(self, setting: str, value: object, path: str) -> None:
        """Record that ``setting`` = ``value`` in ``path`` decided something."""
        self.origins.append(Origin(setting, show(value), path))
        self.used.add(path)

    def problem(self, path: str, message: str) -> None:
        """Record one readable line about a setting that could not be used."""
        line = f"{path}: {message}"
        if line not in self.problems:
            self.problems.append(line)

    def _parse(self, path: str, kind: str, load: Any) -> object:
        if path not in self._texts:
            return None
        if path not in self._parsed:
            text = self._texts[path].removeprefix("\ufeff")
            try:
                self._parsed[path] = load(text)
            except (ValueError, configparser.Error, yaml.YAMLError, RecursionError) as e:
                self._parsed[path] = None
                self.problem(path, f"not valid {kind} ({_brief(e)}); ignored")
        return self._parsed[path]


def show(value: object) -> str:
    """Write a setting's value as the configuration would: ``true``, ``['D']``, ``google``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        value = list(value)
    # An INI value continued on several lines reads as one.
    return " ".join(str(value).split("\n")) if isinstance(value, str) else str(value)


def _load_toml(text: str) -> dict[str, Any]:
    return tomllib.loads(text)


def _load_ini(text: str) -> configparser.RawConfigParser:
    # As pydocstyle reads its files: no interpolation, ``#`` and ``;`` end a value.
    parser = configparser.RawConfigParser(inline_comment_prefixes=("#", ";"))
    parser.read_string(text)
    return parser


def _brief(error: Exception) -> str:
    """Return the first line of an error's message, short enough for one line."""
    first = (str(error).strip().splitlines() or [type(error).__name__])[0]
    return first if len(first) <= 120 else first[:117] + "..."
