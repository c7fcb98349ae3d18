"""The repository's ``.github/docgen.yml``: schema, org defaults, readable problems.

Settings come in two layers: the organisation's defaults (the same file in its
``.github`` repository) and the repository's own file, whose keys win. A broken
file never stops a run: its invalid settings are dropped, the rest apply, and each
file's problems become one line for the summary comment.

The repository's formatter settings in ``pyproject.toml`` supply the line length
(and docstring quotes) when ``docgen.yml`` does not set them.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.core.docrules import ALL_D_CODES, CONVENTION_OFF, Convention, DocRules
from bot.core.generated import GITATTRIBUTES, NO_GENERATED, generated_rules
from bot.core.gitignore import gitignore_spec
from bot.core.render import (
    DocstringSample,
    RenderOptions,
    render_options_for_codes,
    resolve_options,
)
from bot.core.rulefiles import RULE_FILES, read_doc_rules
from bot.core.targets import TargetRules

CONFIG_PATH = ".github/docgen.yml"
ORG_CONFIG_REPO = ".github"
MAX_CONFIG_BYTES = 64 * 1024
# The root files read from the default branch besides docgen.yml: the docstring rules'
# configuration, and the generated-code marks.
REPO_FILES: tuple[str, ...] = (*RULE_FILES, GITATTRIBUTES)


class CheckSettings(BaseModel):
    """The ``check:`` block: whether docgen reports a Check Run, and what fails it.

    The conclusion follows the docstring coverage of the changed functions as the
    pull request's head has it (suggestions count once committed): at or above
    ``threshold`` percent it is ``success``; below, ``neutral`` or ``failure`` by
    ``mode``. ``mode: off`` reports no Check Run at all.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    mode: Literal["off", "neutral", "failure"] = "neutral"
    threshold: int = Field(default=100, ge=0, le=100)

    @field_validator("mode", mode="before")
    @classmethod
    def _yaml_off(cls, value: Any) -> Any:
        # YAML 1.1 reads a bare `off` (and `no`) as false.
        return "off" if value is False else value

    @field_validator("threshold", mode="before")
    @classmethod
    def _percent(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip().endswith("%"):
            return value.strip().removesuffix("%").strip()
        return value


class RepoConfig(BaseModel):
    """What a repository may set in ``.github/docgen.yml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    style: Literal["google", "numpy", "sphinx", "auto"] = "auto"
    line_length: int | None = Field(default=None, ge=40, le=320)
    quote_style: Literal["double", "single", "auto"] = "auto"
    include: tuple[str, ...] = ()  # gitignore-style patterns; empty means every file
    exclude: tuple[str, ...] = ()
    # None leaves docgen's own default (bot.core.targets.TargetRules) in force.
    skip_private: bool | None = None
    skip_tests: bool | None = None
    min_lines: int | None = Field(default=None, ge=0)
    review_drafts: bool | None = None  # None: the operator's DOCGEN_REVIEW_DRAFTS
    max_functions: int | None = Field(default=None, gt=0)  # capped by the operator's limit
    # Ask once more for what an incomplete docstring lacks, and skip it if still incomplete.
    require_complete: bool = False
    # Review pull requests from forks on their own; a /docgen command works on them anyway.
    forks: bool = False
    check: CheckSettings = CheckSettings()
    # Leave generated and vendored code alone (docgen's patterns, .gitattributes marks).
    exclude_generated: bool = True

    @field_validator("check", mode="before")
    @classmethod
    def _check_switch(cls, value: Any) -> Any:
        # `check: off` (false in YAML) or `check: true` as a shorthand for the mode.
        if isinstance(value, bool):
            return {"mode": "neutral"} if value else {"mode": "off"}
        return value

    def path_included(self, path: str) -> bool:
        """Tell whether ``path`` is a Python file the include and exclude globs let in."""
        if not path.endswith(".py"):
            return False
        if self.include and not gitignore_spec(self.include).match_file(path):
            return False
        return not (self.exclude and gitignore_spec(self.exclude).match_file(path))

    def target_rules(
        self, docrules: DocRules | None = None, *, gitattributes: str | None = None
    ) -> TargetRules:
        """Return the function-selection rules: the repository's rules, this file's choices.

        This file's keys win over ``docrules`` (what the linters' configuration says).
        ``gitattributes`` is the root ``.gitattributes`` text, for its generated-code marks.
        """
        base = TargetRules(docrules=docrules or DocRules())
        generated = generated_rules(gitattributes) if self.exclude_generated else NO_GENERATED
        return replace(
            base,
            generated=generated,
            exclude=self.exclude,
            skip_private=self.skip_private,
            skip_tests=_or(self.skip_tests, base.skip_tests),
            min_lines=self.min_lines if self.min_lines is not None else base.min_lines,
        )

    def effective_max_functions(self, operator_limit: int) -> int:
        """Return the per-run function limit: the repository's, never above the operator's."""
        return min(self.max_functions or operator_limit, operator_limit)

    def effective_review_drafts(self, operator_default: bool) -> bool:
        """Return whether draft pull requests are reviewed."""
        return _or(self.review_drafts, operator_default)


@dataclass(frozen=True)
class LoadedConfig:
    """The settings in force and one readable line per file that had problems.

    ``docrules`` are the repository's own docstring rules, read from its linters'
    configuration (``rule_files``: path to text, as read); ``config``'s keys win
    over them where both speak.
    """

    config: RepoConfig
    problems: tuple[str, ...] = ()
    docrules: DocRules = DocRules()
    rule_files: Mapping[str, str | None] = field(default_factory=dict)

    @property
    def require_complete(self) -> bool:
        """Tell whether an incomplete docstring is asked for again, then skipped."""
        return self.config.require_complete or self.docrules.require_complete

    def target_rules(self) -> TargetRules:
        """Return the function-selection rules: the repository's, with docgen.yml's keys."""
        return self.config.target_rules(
            self.docrules, gitattributes=self.rule_files.get(GITATTRIBUTES)
        )

    def with_config(self, config: RepoConfig) -> LoadedConfig:
        """Return the same rules with other docgen settings (a command line's overrides)."""
        return replace(self, config=config)


def _or(value: bool | None, default: bool) -> bool:
    return default if value is None else value


def load_repo_config(
    repo_text: str | None,
    org_text: str | None = None,
    *,
    rule_files: Mapping[str, str | None] | None = None,
) -> LoadedConfig:
    """Merge the org's defaults under the repository's file; never raise on bad input.

    ``rule_files`` are the repository's linter configuration files (path to text),
    read for its docstring rules.
    """
    rule_files = dict(rule_files or {})
    docrules = read_doc_rules(rule_files)
    problems: list[str] = []
    layers: dict[str, Any] = {}
    for source, text in ((f"org {CONFIG_PATH}", org_text), (CONFIG_PATH, repo_text)):
        data, errors = _read_layer(text)
        if errors:
            problems.append(f"{source}: {'; '.join(errors)}")
        layers.update(data)
    problems += docrules.problems
    config = RepoConfig.model_validate(layers)
    return LoadedConfig(config, tuple(problems), docrules, rule_files)


def _read_layer(text: str | None) -> tuple[dict[str, Any], list[str]]:
    """Return a file's valid settings and a readable phrase per problem."""
    if text is None or not text.strip():
        return {}, []
    if len(text.encode()) > MAX_CONFIG_BYTES:
        return {}, [f"is larger than {MAX_CONFIG_BYTES // 1024} KB; ignored"]
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        return {}, [_yaml_problem(exc)]
    if raw is None:
        return {}, []
    if not isinstance(raw, dict):
        return {}, [f"must be a mapping of settings, not a {type(raw).__name__}; ignored"]
    data = {str(k).replace("-", "_"): v for k, v in raw.items()}
    errors: list[str] = []
    # Drop each invalid setting and keep the rest; one pass per bad key at most.
    for _ in range(len(data) + 1):
        try:
            RepoConfig.model_validate(data)
        except ValidationError as exc:
            errors += [_describe(e) for e in exc.errors(include_url=False)]
            for e in exc.errors():
                data = _without(data, tuple(str(p) for p in e["loc"]))
            continue
        break
    if errors:
        errors[-1] += " (ignored)" if len(errors) == 1 else " (these settings were ignored)"
    return data, errors


def _without(data: dict[str, Any], loc: tuple[str, ...]) -> dict[str, Any]:
    """Return ``data`` less the setting at ``loc``: a nested key alone where it can."""
    head, *rest = loc
    nested = data.get(head)
    if rest and isinstance(nested, dict) and rest[0] in nested and len(rest) == 1:
        return {**data, head: {k: v for k, v in nested.items() if k != rest[0]}}
    return {k: v for k, v in data.items() if k != head}


def _fields_at(loc: Sequence[object]) -> Sequence[str]:
    """Return the setting names allowed beside the one at ``loc`` (for "did you mean")."""
    if len(loc) == 2 and loc[0] == "check":
        return list(CheckSettings.model_fields)
    return list(RepoConfig.model_fields)


def _yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or "invalid YAML"
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return f"is not valid YAML ({problem}{where}); ignored"


def _describe(error: Mapping[str, Any]) -> str:
    key = ".".join(str(p) for p in error["loc"])
    if error["type"] == "extra_forbidden":
        name = str(error["loc"][-1])
        close = difflib.get_close_matches(name, _fields_at(error["loc"]), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"unknown setting {key!r}{hint}"
    shown = repr(error.get("input"))
    shown = shown if len(shown) <= 40 else shown[:39] + "…"
    return f"{key}: {error['msg'][0].lower()}{error['msg'][1:]} (got {shown})"


def _tool_table(data: Mapping[str, Any], *path: str) -> Mapping[str, Any]:
    for key in path:
        value = data.get(key)
        if not isinstance(value, Mapping):
            return {}
        data = value
    return data


def _toml(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return {}


def _positive_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def line_length_from_pyproject(text: str | None) -> int | None:
    """Return the line length docstrings should wrap to, from ruff or black settings.

    ruff's ``max-doc-length`` (made for docstrings) wins over its ``line-length``,
    which wins over black's.
    """
    data = _toml(text)
    ruff = _tool_table(data, "tool", "ruff")
    for value in (
        _tool_table(ruff, "lint", "pycodestyle").get("max-doc-length"),
        _tool_table(ruff, "pycodestyle").get("max-doc-length"),
        ruff.get("line-length"),
        _tool_table(data, "tool", "black").get("line-length"),
    ):
        if (length := _positive_int(value)) is not None:
            return length
    return None


def quote_style_from_pyproject(text: str | None) -> Literal["double", "single"] | None:
    """Return ruff's flake8-quotes ``docstring-quotes`` setting, if any."""
    ruff = _tool_table(_toml(text), "tool", "ruff")
    for table in (_tool_table(ruff, "lint", "flake8-quotes"), _tool_table(ruff, "flake8-quotes")):
        value = table.get("docstring-quotes")
        if value == "double":
            return "double"
        if value == "single":
            return "single"
    return None


def render_options(
    loaded: LoadedConfig, *, samples: Sequence[DocstringSample] = ()
) -> RenderOptions:
    """Return the rendering conventions: docgen.yml first, then the linters', then the code."""
    config, pyproject = loaded.config, loaded.rule_files.get("pyproject.toml")
    quote = config.quote_style
    if quote == "auto":
        quote = quote_style_from_pyproject(pyproject) or "auto"
    style = config.style if config.style != "auto" else (loaded.docrules.style or "auto")
    options = resolve_options(
        style=style,
        quote=quote,
        line_length=config.line_length or line_length_from_pyproject(pyproject),
        samples=samples,
    )
    return render_options_for_codes(options, formatting_codes(loaded.docrules, options.style))


# The pydocstyle convention whose formatting rules each style follows when the
# repository names none: what its linters would ask if they were switched on.
_STYLE_CONVENTION: dict[str, Convention] = {
    "google": "google",
    "numpy": "numpy",
    "sphinx": "pep257",
}


def formatting_codes(docrules: DocRules, style: str) -> frozenset[str]:
    """Return the ``D`` codes the renderer meets: the repository's, else the style's.

    Per-file ignores are not applied: a format is the same in every file.
    """
    if docrules.linters:
        return frozenset().union(*(x.codes for x in docrules.linters))
    convention = _STYLE_CONVENTION.get(style, "google")
    # Quotes follow the repository's code unless its own linter asks (D300).
    return ALL_D_CODES - CONVENTION_OFF[convention] - {"D300"}


def config_schema() -> dict[str, Any]:
    """Return the JSON Schema of ``.github/docgen.yml`` (for editors and the CLI)."""
    schema = RepoConfig.model_json_schema()
    schema["title"] = "docgen repository settings (.github/docgen.yml)"
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
