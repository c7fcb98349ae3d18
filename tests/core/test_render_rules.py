"""The renderer meets the repository's pydocstyle rules itself, checked with real ruff.

Batches of generated functions and model answers are rendered under each convention
(and its common variants), written to files whose directories hold that convention's
ruff configuration, and checked by one ruff run per batch. Only D401 (imperative mood)
and D404 ("This" first) may remain: wording is the model's to mend.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bot.core.docrules import ALL_D_CODES, CONVENTION_OFF, MISSING_CODES, Convention
from bot.core.docstyle import Style
from bot.core.render import (
    Quote,
    RenderOptions,
    docstring_literal,
    prepare_docstring,
    render_docstring,
    render_options_for_codes,
)
from tests.core.funcgen import Function, answers, functions
from tests.core.test_render import docstring_of, function_source


@dataclass(frozen=True)
class Variant:
    """A ruff configuration: a convention and the codes added to or taken from it."""

    name: str
    style: Style
    convention: Convention
    extend: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()

    @property
    def codes(self) -> frozenset[str]:
        """Return the enabled ``D`` codes, as ruff would compute them."""
        on = ALL_D_CODES - CONVENTION_OFF[self.convention] - set(self.ignore)
        return frozenset(on | set(self.extend))

    def config(self) -> str:
        """Return the ``ruff.toml`` that enables these rules."""
        return (
            "[lint]\n"
            'select = ["D"]\n'
            f"extend-select = {json.dumps(list(self.extend))}\n"
            f"ignore = {json.dumps([*self.ignore, *MISSING_CODES])}\n"
            f'pydocstyle.convention = "{self.convention}"\n'
        )


VARIANTS = (
    Variant("google", "google", "google"),
    Variant("numpy", "numpy", "numpy"),
    Variant("pep257", "sphinx", "pep257"),
    Variant("google213", "google", "google", extend=("D213",), ignore=("D212",)),
    Variant("numpy413", "numpy", "numpy", extend=("D413",)),
)
# Wording the renderer cannot mend: the model is asked again for it.
ALLOWED = frozenset({"D401", "D404"})
PER_BATCH = 15


def _module(function: Function, answer: str, variant: Variant, quote: str, line_length: int) -> str:
    chosen: Quote = "'" if quote == "'" else '"'
    base = RenderOptions(style=variant.style, quote=chosen, line_length=line_length)
    options = render_options_for_codes(base, variant.codes)
    lines = render_docstring(answer, indent=4, options=options)
    return '"""Generated."""\n\n\n' + function.source(lines)


def _ruff(root: Path) -> list[dict[str, object]]:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format=json", str(root)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    findings: list[dict[str, object]] = json.loads(result.stdout)
    return findings


@settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    # Each shrinking step runs ruff again: minutes. The failure lists every finding whole.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.data())
def test_rendered_docstrings_pass_ruff_under_every_convention(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    root = tmp_path_factory.mktemp("rendered")
    for variant in VARIANTS:
        (root / variant.name).mkdir()
        (root / variant.name / "ruff.toml").write_text(variant.config())
    written: dict[str, tuple[str, str]] = {}
    for number in range(PER_BATCH):
        function = data.draw(functions())
        answer = data.draw(answers(function))
        quote = data.draw(st.sampled_from(['"', "'"]))
        line_length = data.draw(st.sampled_from([60, 79, 88, 100]))
        for variant in VARIANTS:
            source = _module(function, answer, variant, quote, line_length)
            ast.parse(source)
            path = root / variant.name / f"m{number}.py"
            path.write_text(source)
            written[str(path)] = (answer, source)
    problems = []
    for finding in _ruff(root):
        code, filename = str(finding["code"]), str(finding["filename"])
        if code in ALLOWED:
            continue
        answer, source = written[filename]
        problems.append(f"{code} {finding['message']} in {filename}\n{answer!r}\n{source}")
    assert not problems, "\n\n".join(problems)


def test_codes_decide_the_rule_options() -> None:
    detected = RenderOptions(style="numpy", quote="'", line_length=100)
    numpy = render_options_for_codes(detected, VARIANTS[1].codes)
    assert numpy == RenderOptions(
        style="numpy",
        quote='"',
        line_length=100,
        summary_stop=".",
        capitalize_summary=True,
        summary_alone=True,
        tidy_sections=True,
    )
    google = render_options_for_codes(RenderOptions(), VARIANTS[0].codes)
    assert (google.summary_stop, google.summary_line) == (".!?", "first")
    assert render_options_for_codes(RenderOptions(), VARIANTS[3].codes).summary_line == "second"
    assert render_options_for_codes(RenderOptions(), VARIANTS[4].codes).blank_after_sections
    # D212 and D213 both on: ruff keeps D212, so does the renderer.
    both = render_options_for_codes(RenderOptions(), frozenset({"D212", "D213"}))
    assert both.summary_line == "first"
    assert render_options_for_codes(detected, frozenset({"D103"})) == RenderOptions(
        style="numpy", quote="'", line_length=100
    )


GOOGLE = RenderOptions(summary_stop=".!?", capitalize_summary=True, summary_alone=True)
STRICT = RenderOptions(summary_stop=".", capitalize_summary=True, summary_alone=True)


@pytest.mark.parametrize(
    ("answer", "options", "expected"),
    [
        ("returns the sum", STRICT, "Returns the sum."),
        ("don't fail:", STRICT, "Don't fail."),
        ("Why not?", GOOGLE, "Why not?"),
        ("Why not?", STRICT, "Why not."),
        ("iPhone sync", STRICT, "iPhone sync."),
        ("`x_y` is set.", STRICT, "`x_y` is set."),
        ("x_y is set", STRICT, "x_y is set."),
        ("numpy.array made", STRICT, "numpy.array made."),
        ("returns the sum", RenderOptions(), "returns the sum"),
    ],
)
def test_the_summary_gets_a_capital_and_a_stop(
    answer: str, options: RenderOptions, expected: str
) -> None:
    assert prepare_docstring(answer, indent=4, options=options) == expected


def test_a_summary_over_several_lines_keeps_its_first_sentence() -> None:
    answer = "Load the file\nfrom disk. Then, e.g. Parse it\nquickly.\n\nArgs:\n    path: Where."
    assert prepare_docstring(answer, indent=4, options=STRICT) == (
        "Load the file from disk.\n\nThen, e.g. Parse it quickly.\n\nArgs:\n    path: Where."
    )
    one = "Load " + "very " * 30 + "big files"
    body = prepare_docstring(one + "\n\nMore.", indent=4, options=STRICT)
    assert body == one + ".\n\nMore."  # one sentence: too long, but whole
    listed = prepare_docstring("Do this:\n- one\n- two", indent=4, options=STRICT)
    assert listed == "Do this.\n\n- one\n- two"


def test_sections_are_separated_and_their_headers_mended() -> None:
    answer = "Sum.\nparameters:\n---\nx : int\n    A number.\nreturns\n---\nint\n    The sum."
    options = RenderOptions(style="numpy", tidy_sections=True)
    assert prepare_docstring(answer, indent=4, options=options) == (
        "Sum.\n\nParameters\n----------\nx : int\n    A number.\n\n"
        "Returns\n-------\nint\n    The sum."
    )
    google = RenderOptions(tidy_sections=True)
    assert prepare_docstring("Sum.\nargs:\n    x: A.", indent=4, options=google) == (
        "Sum.\n\nArgs:\n    x: A."
    )
    spaced = "Sum.\n\nArgs:\n\n    x: A.\n\nReturns:\n\n    B."
    assert prepare_docstring(spaced, indent=4, options=google) == (
        "Sum.\n\nArgs:\n    x: A.\n\nReturns:\n    B."
    )


def test_the_literal_opens_and_closes_as_the_rules_ask() -> None:
    body = "Sum.\n\nArgs:\n    x: A."
    options = RenderOptions(summary_line="second", blank_after_sections=True)
    lines = docstring_literal(body, options=options)
    assert lines == ['"""', "Sum.", "", "Args:", "    x: A.", "", '"""']
    assert docstring_of(function_source(lines, 4)) == body
    assert docstring_literal("Sum.\n\nMore.", options=options) == [
        '"""',
        "Sum.",
        "",
        "More.",
        '"""',
    ]
    assert docstring_literal("Sum.", options=options) == ['"""Sum."""']


ALL_RULES = RenderOptions(
    summary_line="second",
    blank_after_sections=True,
    summary_stop=".",
    capitalize_summary=True,
    summary_alone=True,
    tidy_sections=True,
)


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(),
    indent=st.sampled_from([4, 8]),
    style=st.sampled_from(["google", "numpy", "sphinx"]),
    line_length=st.integers(min_value=20, max_value=120),
)
def test_with_every_rule_the_literal_still_holds_exactly_the_body(
    text: str, indent: int, style: Style, line_length: int
) -> None:
    options = replace(ALL_RULES, style=style, line_length=line_length)
    body = prepare_docstring(text, indent=indent, options=options)
    lines = docstring_literal(body, options=options)
    assert docstring_of(function_source(lines, indent)) == body
    assert prepare_docstring(body, indent=indent, options=options) == body
