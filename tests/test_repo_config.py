"""Repository settings: schema, org defaults, readable problems, formatter settings."""

from __future__ import annotations

import pytest

from bot.core.render import RenderOptions, collect_docstrings
from bot.core.targets import TargetRules
from bot.repo_config import (
    MAX_CONFIG_BYTES,
    RepoConfig,
    config_schema,
    line_length_from_pyproject,
    load_repo_config,
    quote_style_from_pyproject,
    render_options,
)

REPO_YML = """\
# docgen settings for this repository
style: numpy
line_length: 100
include:
  - "src/**"
exclude:
  - "src/generated/"
  - "*_pb2.py"
skip_private: false
min_lines: 5
max_functions: 20
"""

ORG_YML = """\
style: google
quote-style: single
review_drafts: true
skip_tests: false
"""

PYPROJECT = """\
[project]
name = "example"

[tool.black]
line-length = 79

[tool.ruff]
line-length = 110

[tool.ruff.lint.flake8-quotes]
docstring-quotes = "single"
"""


def test_repo_settings_win_over_org_defaults() -> None:
    loaded = load_repo_config(REPO_YML, ORG_YML)
    assert loaded.problems == ()
    config = loaded.config
    assert config.style == "numpy"  # the repository's
    assert config.quote_style == "single"  # the org's, written with a hyphen
    assert config.review_drafts is True and config.skip_tests is False
    assert config.include == ("src/**",) and config.min_lines == 5


def test_missing_or_empty_files_give_defaults() -> None:
    assert load_repo_config(None).config == RepoConfig()
    assert load_repo_config("# only a comment\n", "").config == RepoConfig()


def test_invalid_settings_are_dropped_and_reported_in_one_line() -> None:
    loaded = load_repo_config("style: pep257\nstlye: numpy\nline_length: 10\nenabled: false\n")
    assert loaded.config == RepoConfig(enabled=False)
    assert loaded.problems == (
        ".github/docgen.yml: style: input should be 'google', 'numpy', 'sphinx' or 'auto'"
        " (got 'pep257'); line_length: input should be greater than or equal to 40 (got 10);"
        " unknown setting 'stlye' (did you mean 'style'?) (these settings were ignored)",
    )


def test_a_bad_repo_value_falls_back_to_the_org_value() -> None:
    loaded = load_repo_config("style: [numpy]\n", "style: sphinx\n")
    assert loaded.config.style == "sphinx"
    assert len(loaded.problems) == 1 and loaded.problems[0].endswith("(ignored)")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("style: [unclosed\n", "is not valid YAML (expected ',' or ']'"),
        ("- style\n- numpy\n", "must be a mapping of settings, not a list; ignored"),
        ("just text\n", "must be a mapping of settings, not a str; ignored"),
        ("a: " + "x" * MAX_CONFIG_BYTES, "is larger than 64 KB; ignored"),
    ],
)
def test_unreadable_files_never_raise(text: str, problem: str) -> None:
    loaded = load_repo_config(text, "style: numpy\n")
    assert loaded.config == RepoConfig(style="numpy")
    assert loaded.problems[0].startswith(f".github/docgen.yml: {problem}")


def test_org_problems_are_named_as_such() -> None:
    loaded = load_repo_config(None, "enabled: perhaps\n")
    assert loaded.problems[0].startswith("org .github/docgen.yml: enabled: input should be")


def test_paths_follow_include_and_exclude_globs() -> None:
    config = load_repo_config(REPO_YML).config
    assert config.path_included("src/pkg/io.py")
    assert not config.path_included("lib/pkg/io.py")
    assert not config.path_included("src/generated/models.py")
    assert not config.path_included("src/pkg/api_pb2.py")
    assert not config.path_included("src/pkg/data.json")
    assert RepoConfig().path_included("anything/at/all.py")


def test_target_rules_keep_docgens_defaults_unless_set() -> None:
    assert RepoConfig().target_rules() == TargetRules()
    rules = load_repo_config(REPO_YML, ORG_YML).config.target_rules()
    assert (rules.skip_private, rules.skip_tests, rules.min_lines) == (False, False, 5)
    assert rules.exclude == ("src/generated/", "*_pb2.py")


def test_operator_limits_cap_the_repository() -> None:
    config = RepoConfig(max_functions=20)
    assert config.effective_max_functions(60) == 20
    assert config.effective_max_functions(10) == 10
    assert RepoConfig().effective_max_functions(60) == 60
    assert RepoConfig().effective_review_drafts(True) is True
    assert RepoConfig(review_drafts=False).effective_review_drafts(True) is False


def test_line_length_from_pyproject() -> None:
    assert line_length_from_pyproject(PYPROJECT) == 110
    assert line_length_from_pyproject("[tool.black]\nline-length = 79\n") == 79
    doc = "[tool.ruff]\nline-length = 120\n[tool.ruff.lint.pycodestyle]\nmax-doc-length = 72\n"
    assert line_length_from_pyproject(doc) == 72
    assert line_length_from_pyproject("[tool.ruff]\nline-length = true\n") is None
    assert line_length_from_pyproject("not [ toml") is None
    assert line_length_from_pyproject(None) is None


def test_quote_style_from_pyproject() -> None:
    assert quote_style_from_pyproject(PYPROJECT) == "single"
    legacy = '[tool.ruff.flake8-quotes]\ndocstring-quotes = "double"\n'
    assert quote_style_from_pyproject(legacy) == "double"
    assert quote_style_from_pyproject("[tool.ruff]\n") is None


def basics(options: RenderOptions) -> tuple[str, str, int]:
    return options.style, options.quote, options.line_length


def test_render_options_take_the_file_then_the_linters_then_the_code() -> None:
    numpy_code = (
        "def f():\n    '''Do it.\n\n    Returns\n    -------\n    int\n        One.\n    '''\n"
    )
    samples = collect_docstrings([numpy_code])
    plain = load_repo_config(None)
    assert basics(render_options(plain, samples=samples)) == ("numpy", "'", 88)
    with_pyproject = load_repo_config(None, rule_files={"pyproject.toml": PYPROJECT})
    assert basics(render_options(with_pyproject)) == ("google", "'", 110)
    chosen = with_pyproject.with_config(
        RepoConfig(style="sphinx", quote_style="double", line_length=72)
    )
    assert basics(render_options(chosen, samples=samples)) == ("sphinx", '"', 72)
    # A convention in the linters' settings decides the style before the code's samples.
    numpy_rules = '[tool.ruff.lint]\nselect = ["D"]\npydocstyle.convention = "numpy"\n'
    ruled = load_repo_config(None, rule_files={"pyproject.toml": numpy_rules})
    google_code = 'def f():\n    """Do it.\n\n    Returns:\n        int: One.\n    """\n'
    assert render_options(ruled, samples=collect_docstrings([google_code])).style == "numpy"


def test_render_options_meet_the_formatting_rules_in_force() -> None:
    # No rules: the style's convention (google: D415, D205...), quotes left to the code.
    plain = render_options(load_repo_config(None))
    assert plain.summary_stop == ".!?" and plain.summary_alone and plain.tidy_sections
    assert not plain.blank_after_sections and plain.summary_line == "first"
    # The repository's own: D213 over D212, D413, D300 forcing double quotes.
    rules = (
        '[tool.ruff.lint]\nselect = ["D"]\nignore = ["D212", "D203"]\n'
        'extend-select = ["D413"]\n[tool.ruff.lint.flake8-quotes]\n'
        'docstring-quotes = "single"\n'
    )
    ruled = render_options(load_repo_config(None, rule_files={"pyproject.toml": rules}))
    assert ruled.summary_line == "second" and ruled.blank_after_sections
    assert ruled.quote == '"' and ruled.summary_stop == "."


def test_schema_forbids_unknown_keys() -> None:
    schema = config_schema()
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]["style"]["enum"]) == {"google", "numpy", "sphinx", "auto"}


def test_require_complete_is_off_unless_set_and_validated_like_the_rest() -> None:
    assert RepoConfig().require_complete is False
    assert load_repo_config("require-complete: true\n").config.require_complete is True
    # The organisation may require it; a repository may opt out again.
    assert load_repo_config(None, "require_complete: true\n").config.require_complete is True
    both = load_repo_config("require_complete: false\n", "require_complete: true\n")
    assert both.config.require_complete is False
    loaded = load_repo_config("require_complete: sometimes\nstyle: numpy\n")
    assert loaded.config == RepoConfig(style="numpy")
    assert loaded.problems == (
        ".github/docgen.yml: require_complete: input should be a valid boolean, unable to"
        " interpret input (got 'sometimes') (ignored)",
    )
    loaded = load_repo_config("require_compelte: true\n")
    assert (
        "unknown setting 'require_compelte' (did you mean 'require_complete'?)"
        in (loaded.problems[0])
    )


def test_check_settings_default_and_set() -> None:
    default = load_repo_config(None).config.check
    assert (default.mode, default.threshold) == ("neutral", 100)
    loaded = load_repo_config("check:\n  mode: failure\n  threshold: 80%\n")
    assert loaded.problems == ()
    assert (loaded.config.check.mode, loaded.config.check.threshold) == ("failure", 80)


@pytest.mark.parametrize("text", ["check: off\n", "check:\n  mode: off\n", "check: false\n"])
def test_check_off_survives_yaml_booleans(text: str) -> None:
    loaded = load_repo_config(text)
    assert loaded.problems == () and loaded.config.check.mode == "off"


def test_a_bad_check_key_drops_only_itself() -> None:
    loaded = load_repo_config("check:\n  mode: failure\n  threshold: 120\n  treshold: 5\n")
    [problem] = loaded.problems
    assert "check.threshold: input should be less than or equal to 100 (got 120)" in problem
    assert "unknown setting 'check.treshold' (did you mean 'threshold'?)" in problem
    assert loaded.config.check.mode == "failure" and loaded.config.check.threshold == 100
    bad_mode = load_repo_config("check:\n  mode: strict\n")
    assert (
        "check.mode: input should be 'off', 'neutral' or 'failure' (got 'strict')"
        in (bad_mode.problems[0])
    )


def test_generated_code_rules_come_from_gitattributes_unless_turned_off() -> None:
    files = {".gitattributes": "client/** linguist-generated\n"}
    rules = load_repo_config(None, rule_files=files).target_rules()
    assert rules.generated.matches("client/api.py") and rules.generated.matches("x_pb2.py")
    off = load_repo_config("exclude_generated: false\n", rule_files=files).target_rules()
    assert not off.generated.matches("client/api.py") and not off.generated.matches("x_pb2.py")
