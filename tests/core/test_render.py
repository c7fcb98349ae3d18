"""Rendering: style and quote detection, wrapping, and literals that never end early."""

from __future__ import annotations

import ast
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.render import (
    DocstringSample,
    RenderOptions,
    clean_text,
    collect_docstrings,
    detect_quote,
    detect_style,
    docstring_literal,
    prepare_docstring,
    render_docstring,
    resolve_options,
    style_of,
    unwrap_answer,
)
from bot.core.wrap import wrap_lines

GOOGLE_MODULE = '''\
"""Helpers for reading configuration files."""

import json


def load(path, *, strict=True):
    """Load a JSON file.

    Args:
        path: Where the file is.
        strict: Refuse unknown keys.

    Returns:
        The parsed mapping.

    Raises:
        ValueError: The file is not JSON.
    """
    return json.loads(open(path).read())


class Store:
    """A cache of loaded files."""

    def get(self, key):
        """Return the cached value.

        Args:
            key: The file's path.
        """
        return self._data[key]
'''

NUMPY_MODULE = """\
def mean(values, weights=None):
    '''Compute a weighted mean.

    Parameters
    ----------
    values : array_like
        The numbers.
    weights : array_like, optional
        One weight per value.

    Returns
    -------
    float
        The mean.
    '''


def clip(x, low, high):
    '''Clip ``x`` to a range.

    Parameters
    ----------
    x : float
        The number.

    Returns
    -------
    float
        The clipped number.
    '''
"""

SPHINX_MODULE = '''\
def connect(host, port):
    """Open a connection.

    :param host: The server's name.
    :param port: The TCP port.
    :returns: The socket.
    :raises OSError: When the server does not answer.
    """
'''

LONG_GOOGLE = (
    "Merge the organisation's defaults under the repository's own settings and report what "
    "was wrong with either file in one line.\n\n"
    "Args:\n"
    "    org: The defaults, read from the organisation's .github repository when it has one at "
    "all, which many do not.\n"
    "    repo: The repository's file.\n\n"
    "Example:\n"
    "    >>> merge({'style': 'numpy', 'line_length': 100, 'include': ['src/**']},"
    " {'style': 'google'})\n"
    "    {'style': 'google', 'line_length': 100, 'include': ['src/**']}\n\n"
    "Returns:\n"
    "    The merged settings."
)


def function_source(lines: list[str], indent: int) -> str:
    """Place literal lines as the docstring of a function whose body is at ``indent``."""
    nesting = "".join(" " * (4 * i) + "class C:\n" for i in range(indent // 4 - 1))
    header = nesting + " " * (indent - 4) + "def f():\n"
    body = "\n".join(" " * indent + ln if ln else "" for ln in lines)
    return f"{header}{body}\n{' ' * indent}return 1\n"


def docstring_of(source: str) -> str | None:
    node = next(n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.FunctionDef))
    return ast.get_docstring(node)


def test_style_of_recognises_each_style() -> None:
    assert style_of(GOOGLE_MODULE) == "google"
    assert style_of(NUMPY_MODULE) == "numpy"
    assert style_of(SPHINX_MODULE) == "sphinx"
    assert style_of("Return the sum.") is None


def test_detect_style_votes_per_docstring_and_ties_give_google() -> None:
    numpy = [s.text for s in collect_docstrings([NUMPY_MODULE])]
    sphinx = [s.text for s in collect_docstrings([SPHINX_MODULE])]
    assert detect_style(numpy + sphinx) == "numpy"
    assert detect_style(sphinx) == "sphinx"
    assert detect_style(numpy[:1] + sphinx) == "google"
    assert detect_style(["Plain summary.", "Another."]) == "google"
    assert detect_style([]) == "google"


def test_collect_docstrings_reads_quotes_and_skips_broken_files() -> None:
    samples = collect_docstrings([GOOGLE_MODULE, NUMPY_MODULE, "def broken(:\n"])
    assert len(samples) == 6
    assert [s.quote for s in samples].count("'") == 2
    assert samples[0] == DocstringSample("Helpers for reading configuration files.", '"')


def test_detect_quote_follows_the_majority() -> None:
    assert detect_quote(collect_docstrings([NUMPY_MODULE])) == "'"
    assert detect_quote(collect_docstrings([NUMPY_MODULE, GOOGLE_MODULE])) == '"'
    assert detect_quote([]) == '"'


def test_collect_docstrings_handles_prefixes_and_non_ascii_columns() -> None:
    source = 'def f():\n    r"""Match \\d."""\n\n\ndef g():\n    \'x\'\n'
    samples = collect_docstrings([source])
    assert samples == [DocstringSample("Match \\d.", '"'), DocstringSample("x", None)]


def test_resolve_options_prefers_configuration_over_detection() -> None:
    samples = collect_docstrings([NUMPY_MODULE])
    assert resolve_options(samples=samples) == RenderOptions("numpy", "'", 88)
    chosen = resolve_options(style="sphinx", quote="double", line_length=100, samples=samples)
    assert chosen == RenderOptions("sphinx", '"', 100)
    assert resolve_options(quote="single").quote == "'"


def test_one_line_text_gives_a_one_line_docstring() -> None:
    options = RenderOptions()
    assert render_docstring("  Return the sum.  \n", indent=4, options=options) == [
        '"""Return the sum."""'
    ]
    assert render_docstring("Return x.", indent=4, options=RenderOptions(quote="'")) == [
        "'''Return x.'''"
    ]


def test_multi_line_text_closes_on_its_own_line() -> None:
    text = "Load a file.\n\nArgs:\n    path: Where it is.\n\nReturns:\n    The data."
    assert render_docstring(text, indent=4, options=RenderOptions()) == [
        '"""Load a file.',
        "",
        "Args:",
        "    path: Where it is.",
        "",
        "Returns:",
        "    The data.",
        '"""',
    ]


@pytest.mark.parametrize(
    "answer",
    [
        '"""Return the sum."""',
        "r'''Return the sum.'''",
        "```\nReturn the sum.\n```",
        "```text\nReturn the sum.\n```\n",
    ],
)
def test_quotes_or_fences_around_the_answer_are_removed(answer: str) -> None:
    assert render_docstring(answer, indent=4, options=RenderOptions()) == ['"""Return the sum."""']


def test_clean_text_normalizes_whitespace() -> None:
    raw = "\n\n  Summary.\r\n\r\n\r\n\tDetail one.  \n\tDetail two.\n\n"
    assert clean_text(raw) == "Summary.\n\nDetail one.\nDetail two."


def test_long_text_wraps_to_the_line_length_minus_indentation() -> None:
    options = RenderOptions(line_length=88)
    lines = render_docstring(LONG_GOOGLE, indent=8, options=options)
    prose = [ln for ln in lines if ">>>" not in ln]
    assert all(8 + len(ln) <= 88 for ln in prose)
    assert lines[:2] == [
        '"""Merge the organisation\'s defaults under the repository\'s own settings and',
        "report what was wrong with either file in one line.",
    ]
    # Google entries hang under their first line; doctests are never broken.
    entry = lines.index("Args:") + 1
    assert lines[entry].startswith("    org: The defaults")
    assert lines[entry + 1].startswith("        ")
    assert any(ln.startswith("    >>> merge(") and len(ln) > 80 for ln in lines)
    assert docstring_of(function_source(lines, 8)) == prepare_docstring(
        LONG_GOOGLE, indent=8, options=options
    )


def test_wrapping_keeps_verbatim_blocks() -> None:
    lines = [
        "Run it like this::",
        "",
        "    docgen suggest --base main --head HEAD --style google --line-length 100 --verbose",
        "",
        "```python",
        "value = compute(alpha, beta, gamma, delta, epsilon, zeta, eta, theta, iota, kappa)",
        "```",
        "",
        "| column one | column two | column three | column four | column five | six |",
        "",
        "Parameters",
        "----------",
        "x : int",
        "    A number whose description is long enough that it has to be wrapped to fit.",
    ]
    out = wrap_lines(lines, width=60)
    assert out[:11] == lines[:11]
    assert out[11:13] == ["----------", "x : int"]
    assert out[13:] == [
        "    A number whose description is long enough that it has to",
        "    be wrapped to fit.",
    ]


def test_wrapping_hangs_bullets_and_fields() -> None:
    lines = [
        "Summary.",
        "",
        "- a bullet item whose text is long enough to need wrapping here",
        ":param name: a field whose text is long enough to need wrapping",
    ]
    assert wrap_lines(lines, width=40) == [
        "Summary.",
        "",
        "- a bullet item whose text is long",
        "  enough to need wrapping here",
        ":param name: a field whose text is long",
        "    enough to need wrapping",
    ]


def test_short_paragraphs_keep_the_authors_line_breaks() -> None:
    lines = ["Summary.", "", "First line.", "Second line."]
    assert wrap_lines(lines, width=40) == lines


def test_words_longer_than_the_width_stay_whole() -> None:
    url = "https://example.com/" + "a" * 120
    lines = render_docstring(f"See {url} for details.", indent=4, options=RenderOptions())
    assert any(url in ln for ln in lines)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('Say "hi"', ['"""Say "hi\\""""']),
        ("Match \\d+ digits.", ['r"""Match \\d+ digits."""']),
        ('Quote """ inside.', ['"""Quote \\"\\"\\" inside."""']),
        ("Ends with a backslash \\", ['"""Ends with a backslash \\\\"""']),
        ("Bell \x07 and \u2028.", ['"""Bell \\x07 and \\u2028."""']),
    ],
)
def test_literals_escape_what_would_end_them(text: str, expected: list[str]) -> None:
    lines = render_docstring(text, indent=4, options=RenderOptions())
    assert lines == expected
    assert ast.literal_eval(lines[0]) == text


@settings(max_examples=400, deadline=None)
@given(
    text=st.text(),
    indent=st.sampled_from([4, 8, 12]),
    quote=st.sampled_from(['"', "'"]),
    line_length=st.integers(min_value=20, max_value=120),
)
def test_any_text_renders_to_a_literal_holding_exactly_the_body(
    text: str, indent: int, quote: str, line_length: int
) -> None:
    options = RenderOptions(quote="'" if quote == "'" else '"', line_length=line_length)
    body = prepare_docstring(text, indent=indent, options=options)
    lines = docstring_literal(body, options=options)
    unindented = ast.literal_eval("\n".join(lines))
    assert unindented == (body if len(lines) == 1 else body + "\n")
    assert docstring_of(function_source(lines, indent)) == body
    assert body.split() == unwrap_answer(text).split()


_WORDS = st.lists(st.text(alphabet="abcdefghij", min_size=1, max_size=12), min_size=1, max_size=60)


@settings(max_examples=200, deadline=None)
@given(
    words=_WORDS,
    breaks=st.lists(st.sampled_from([" ", "\n", "\n\n"]), min_size=60, max_size=60),
    indent=st.sampled_from([4, 8]),
    line_length=st.integers(min_value=48, max_value=100),
)
def test_prose_fits_the_line_length_and_rewrapping_changes_nothing(
    words: list[str], breaks: list[str], indent: int, line_length: int
) -> None:
    text = "".join(w + b for w, b in zip(words, breaks, strict=False))
    options = RenderOptions(line_length=line_length)
    lines = render_docstring(text, indent=indent, options=options)
    assert all(indent + len(ln) <= line_length for ln in lines)
    body = prepare_docstring(text, indent=indent, options=options)
    assert prepare_docstring(body, indent=indent, options=options) == body


def test_collecting_samples_stops_reading_files_once_there_are_enough() -> None:
    documented = 'def f():\n    """Do it."""\n'
    read: list[int] = []

    def sources() -> Iterator[str]:
        for number in range(5):
            read.append(number)
            yield documented

    assert len(collect_docstrings(sources(), enough=2)) == 2
    assert read == [0, 1]
    assert len(collect_docstrings([documented] * 3, enough=100)) == 3
