"""Reading docstrings in any style and writing them in the repository's.

The round trips are exact: parts written in style A and converted to B and back
give A's text again, character for character, and text already in a style is
returned unchanged. Whitespace and wrapping are ``prepare_docstring``'s business
later (``clean_text``, then ``wrap_lines``); conversion neither adds nor needs them.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.docparts import (
    Block,
    DocParts,
    Entries,
    Entry,
    Prose,
    Raises,
    Section,
    Values,
    looks_like_type,
)
from bot.core.docread import read_docstring
from bot.core.docstyle import STYLES, Style, convert, render_parts
from bot.core.render import RenderOptions, docstring_literal, prepare_docstring
from tests.core.docgen_strategies import Allowed, doc_parts, paragraphs, sentence_lines

PAIRS = list(itertools.product(STYLES, STYLES))


@pytest.mark.parametrize(("a", "b"), PAIRS)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_every_pair_of_styles_round_trips_exactly(a: Style, b: Style, data: st.DataObject) -> None:
    parts = data.draw(doc_parts(Allowed.between(a, b)))
    in_a, in_b = render_parts(parts, a), render_parts(parts, b)
    assert read_docstring(in_a) == parts
    assert read_docstring(in_b) == parts
    assert convert(in_a, b) == in_b
    assert convert(convert(in_a, b), a) == in_a
    assert convert(in_b, b) == in_b


@pytest.mark.parametrize("style", STYLES)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_a_docstring_read_in_its_style_is_written_back_as_it_was(
    style: Style, data: st.DataObject
) -> None:
    text = render_parts(data.draw(doc_parts(Allowed.between(style))), style)
    assert render_parts(read_docstring(text), style) == text


@pytest.mark.parametrize(("a", "b"), PAIRS)
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_prepared_answers_in_any_style_match_the_repositorys_own(
    a: Style, b: Style, data: st.DataObject
) -> None:
    parts = data.draw(doc_parts(Allowed.between(a, b)))
    wide = RenderOptions(style=a, line_length=10_000)
    narrow = RenderOptions(style=a, line_length=60)
    assert prepare_docstring(render_parts(parts, b), indent=4, options=wide) == (
        render_parts(parts, a)
    )
    body = prepare_docstring(render_parts(parts, b), indent=4, options=narrow)
    assert body == prepare_docstring(render_parts(parts, a), indent=4, options=narrow)
    assert prepare_docstring(body, indent=4, options=narrow) == body


def _epytext(parts: DocParts) -> str:
    """Write ``parts`` as Epytext fields (a writer only the tests need)."""
    lines: list[str] = []
    for block in parts.blocks:
        if isinstance(block, Entries):
            tag = {"params": "param", "keywords": "keyword", "attributes": "ivar"}[block.kind]
            for e in block.entries:
                lines.append(f"@{tag} {e.name}: {_continued(e.description)}".rstrip())
                lines += [f"@type {e.name}: {e.type}"] if e.type else []
        elif isinstance(block, Values):
            value = block.values[0]
            lines += [f"@return: {_continued(value.description)}"] if value.description else []
            lines += [f"@rtype: {value.type}"] if value.type else []
        elif isinstance(block, Raises):
            lines += [f"@raise {r.exception}: {_continued(r.description)}" for r in block.raises]
        elif isinstance(block, Section):
            field = {"Note": "note", "Warning": "warning", "Todo": "todo", "See Also": "see"}
            lines.append(f"@{field[block.title]}: {_continued(block.body)}")
    return "\n\n".join([parts.summary, *(["\n".join(lines)] if lines else [])])


def _continued(text: str) -> str:
    return text.replace("\n", "\n    ").replace("\n    \n", "\n\n")


@st.composite
def epytext_parts(draw: st.DrawFn) -> DocParts:
    """Return parts Epytext can say: params, a return value, raises, four kinds of section."""
    parts = draw(doc_parts(Allowed(keywords=False, other_params=False, several_values=False)))
    keep: list[Block] = []
    for block in parts.blocks:
        if isinstance(block, Entries) and block.kind == "params":
            entries = tuple(Entry(e.name.lstrip("*"), e.type, e.description) for e in block.entries)
            keep.append(Entries("params", tuple({e.name: e for e in entries}.values())))
        elif isinstance(block, Values) and block.kind == "returns":
            keep.append(block)
        elif isinstance(block, Raises):
            keep.append(block)
        elif isinstance(block, Section) and block.title in ("Note", "Warning", "Todo", "See Also"):
            keep.append(Section(block.title, draw(paragraphs(1))))
    unique = {type(b).__name__ + getattr(b, "title", ""): b for b in keep}
    return DocParts(parts.summary, tuple(unique.values()))


@pytest.mark.parametrize("style", STYLES)
@settings(max_examples=40, deadline=None)
@given(parts=epytext_parts())
def test_epytext_is_read_and_written_in_the_repositorys_style(
    style: Style, parts: DocParts
) -> None:
    text = _epytext(parts)
    assert read_docstring(text) == parts
    assert convert(text, style) == render_parts(parts, style)


@pytest.mark.parametrize("style", STYLES)
@settings(max_examples=40, deadline=None)
@given(summary=sentence_lines(), description=st.lists(paragraphs(), max_size=3))
def test_plain_prose_has_no_style_to_change(
    style: Style, summary: list[str], description: list[str]
) -> None:
    text = "\n\n".join([" ".join(summary), *description])
    parts = read_docstring(text)
    assert all(isinstance(b, Prose) for b in parts.blocks)
    assert convert(text, style) == text


REQUESTS_STYLE = """\
Constructs and sends a :class:`Request <Request>`.

:param method: method for the new :class:`Request` object: ``GET``, ``OPTIONS``, ``HEAD``,
    ``POST``, ``PUT``, ``PATCH``, or ``DELETE``.
:param url: URL for the new :class:`Request` object.
:param timeout: (optional) How many seconds to wait for the server to send data.
:type timeout: float or tuple
:param \\*\\*kwargs: Optional arguments that ``request`` takes.
:return: :class:`Response <Response>` object
:rtype: requests.Response

.. versionchanged:: 2.4
   Accepts a tuple of timeouts.

Usage::

  >>> import requests
  >>> req = requests.request('GET', 'https://httpbin.org/get')
  >>> req
  <Response [200]>"""


def test_a_requests_style_docstring_in_google_and_numpy() -> None:
    assert (
        convert(REQUESTS_STYLE, "google")
        == """\
Constructs and sends a :class:`Request <Request>`.

Args:
    method: method for the new :class:`Request` object: ``GET``, ``OPTIONS``, ``HEAD``,
        ``POST``, ``PUT``, ``PATCH``, or ``DELETE``.
    url: URL for the new :class:`Request` object.
    timeout (float or tuple): (optional) How many seconds to wait for the server to send data.
    **kwargs: Optional arguments that ``request`` takes.

Returns:
    requests.Response: :class:`Response <Response>` object

.. versionchanged:: 2.4
   Accepts a tuple of timeouts.

Usage::

  >>> import requests
  >>> req = requests.request('GET', 'https://httpbin.org/get')
  >>> req
  <Response [200]>"""
    )
    numpy = convert(REQUESTS_STYLE, "numpy")
    assert "timeout : float or tuple\n    (optional) How many seconds" in numpy
    assert "Returns\n-------\nrequests.Response\n    :class:`Response <Response>` object" in numpy
    assert convert(REQUESTS_STYLE, "sphinx") == REQUESTS_STYLE
    back = convert(convert(REQUESTS_STYLE, "google"), "sphinx")
    assert read_docstring(back) == read_docstring(REQUESTS_STYLE)


NUMPY_WITH_EXAMPLES = """\
Compute the weighted mean of ``values``.

Parameters
----------
values : array_like
    The numbers.
weights : array_like, optional
    One weight per value; equal weights when omitted.

Returns
-------
float
    The mean.

Raises
------
ZeroDivisionError
    When the weights sum to zero.

See Also
--------
numpy.average : The same, for arrays.

Examples
--------
>>> mean([1, 2, 3])
2.0
>>> mean([1, 2], weights=[3, 1])
1.25"""


def test_a_numpy_docstring_with_doctests_in_google_and_sphinx() -> None:
    assert (
        convert(NUMPY_WITH_EXAMPLES, "google")
        == """\
Compute the weighted mean of ``values``.

Args:
    values (array_like): The numbers.
    weights (array_like, optional): One weight per value; equal weights when omitted.

Returns:
    float: The mean.

Raises:
    ZeroDivisionError: When the weights sum to zero.

See Also:
    numpy.average : The same, for arrays.

Examples:
    >>> mean([1, 2, 3])
    2.0
    >>> mean([1, 2], weights=[3, 1])
    1.25"""
    )
    assert (
        convert(NUMPY_WITH_EXAMPLES, "sphinx")
        == """\
Compute the weighted mean of ``values``.

:param values: The numbers.
:type values: array_like
:param weights: One weight per value; equal weights when omitted.
:type weights: array_like, optional
:returns: The mean.
:rtype: float
:raises ZeroDivisionError: When the weights sum to zero.

.. rubric:: See Also

numpy.average : The same, for arrays.

.. rubric:: Examples

>>> mean([1, 2, 3])
2.0
>>> mean([1, 2], weights=[3, 1])
1.25"""
    )


GOOGLE_WITH_NOTE = """\
Fetch ``url`` and return its body.

Follows redirects.

Args:
    url: The address.
    *parts: Path segments appended to ``url``.

Returns:
    The body, decoded.

Note:
    The connection is not kept alive.

Yields nothing: this is not a generator."""


def test_a_google_docstring_with_a_note_in_sphinx_and_numpy() -> None:
    assert (
        convert(GOOGLE_WITH_NOTE, "sphinx")
        == """\
Fetch ``url`` and return its body.

Follows redirects.

Yields nothing: this is not a generator.

:param url: The address.
:param \\*parts: Path segments appended to ``url``.
:returns: The body, decoded.

.. rubric:: Note

The connection is not kept alive."""
    )
    # A rubric, like a NumPy section, runs on to the next one: the closing paragraph
    # would read back as part of the note, so it moves up to the description.
    numpy = convert(GOOGLE_WITH_NOTE, "numpy")
    assert numpy.startswith("Fetch ``url`` and return its body.\n\nFollows redirects.\n\n")
    assert "*parts\n    Path segments appended to ``url``." in numpy
    assert "Returns\n-------\nThe body, decoded.\n" in numpy  # untyped text at the margin
    assert numpy.endswith("Note\n----\nThe connection is not kept alive.")
    assert "Follows redirects.\n\nYields nothing: this is not a generator.\n\n" in numpy


def test_a_mixed_answer_is_written_in_one_style() -> None:
    answer = (
        "Return the total.\n\nArgs:\n    prices: The prices.\n\n:returns: The sum.\n"
        ":rtype: float\n\nReturns: ignored?"
    )
    assert read_docstring(answer).styles == {"google", "sphinx"}
    assert convert(answer, "sphinx") == (
        "Return the total.\n\n:param prices: The prices.\n:returns: The sum.\n:rtype: float\n"
        ":returns: ignored?"
    )


def test_an_inline_returns_line_is_a_section() -> None:
    parts = read_docstring("Add two numbers.\n\nReturns: the sum of a and b.")
    assert parts.returns[0].description == "the sum of a and b."
    assert convert("Add two numbers.\n\nReturns: the sum of a and b.", "numpy") == (
        "Add two numbers.\n\nReturns\n-------\nthe sum of a and b."
    )


def test_sphinx_fields_read_in_any_order_and_form() -> None:
    parts = read_docstring(
        "Do it.\n\n:type x: int\n:param x: The x.\n:param str y: The y.\n:rtype: bool\n"
        ":returns: Whether it worked.\n:raises ValueError : When x is negative.\n"
        ":keyword z: Passed on.\n:kwtype z: float\n:ivar count: Calls so far."
    )
    assert parts.params == (Entry("x", "int", "The x."), Entry("y", "str", "The y."))
    assert parts.keywords == (Entry("z", "float", "Passed on."),)
    assert parts.attributes == (Entry("count", "", "Calls so far."),)
    assert [(v.type, v.description) for v in parts.returns] == [("bool", "Whether it worked.")]
    assert [(r.exception, r.description) for r in parts.raises] == [
        ("ValueError", "When x is negative.")
    ]


def test_directives_stay_where_they_are_and_as_written() -> None:
    text = (
        "Parse the file.\n\n.. deprecated:: 3.0\n    Use :func:`load`.\n\nLong text.\n\n"
        "Args:\n    path: Where.\n\n.. versionchanged:: 0.5\n   Reads gzip too.\n\n"
        ".. code-block:: python\n\n    parse('x')"
    )
    for style in STYLES:
        out = convert(text, style)
        assert out.index(".. deprecated:: 3.0\n    Use :func:`load`.") < out.index("Long text.")
        assert ".. versionchanged:: 0.5\n   Reads gzip too." in out
        assert ".. code-block:: python\n\n    parse('x')" in out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("int", True),
        ("list of str", True),
        ("dict[str, int]", True),
        ("int, optional", True),
        ("str | None", True),
        ("Callable[[int], str]", True),
        (":class:`Response`", True),
        ("The value", False),
        ("A list of int", False),
        ("Done.", False),
        ("", False),
    ],
)
def test_looks_like_type(text: str, expected: bool) -> None:
    assert looks_like_type(text) is expected


RICH = DocParts(
    "Fetch a resource and return its body.",
    (
        Prose("Retries on server errors."),
        Entries(
            "params",
            (
                Entry("url", "str", "The address."),
                Entry("*parts", "str", "Path segments."),
                Entry("retries", "int", "How often to retry.\n\nZero never retries."),
                Entry("**headers", "str", "Extra headers."),
            ),
        ),
        Values("returns", (read_docstring("x\n\nReturns:\n    bytes: The body.").returns[0],)),
        Raises(read_docstring("x\n\nRaises:\n    ValueError: When ``url`` is empty.").raises),
        Section("Examples", ">>> fetch('https://example.com')\nb'...'"),
        Section("Notes", "The connection is not kept alive."),
        read_docstring("x\n\n.. versionchanged:: 0.5\n   Added *retries*.").directives[0],
    ),
)
_CONVENTIONS = {"google": "google", "numpy": "numpy", "sphinx": "pep257"}


@pytest.mark.parametrize("style", STYLES)
def test_each_style_passes_ruffs_docstring_rules(style: Style, tmp_path: Path) -> None:
    literal = docstring_literal(render_parts(RICH, style), options=RenderOptions(style=style))
    body = "\n".join("    " + ln if ln else "" for ln in literal)
    source = (
        '"""A module."""\n\n\ndef fetch(url, *parts, retries=3, **headers):\n'
        f"{body}\n    return url\n"
    )
    (tmp_path / "mod.py").write_text(source)
    (tmp_path / "ruff.toml").write_text(
        f'[lint]\nselect = ["D"]\n[lint.pydocstyle]\nconvention = "{_CONVENTIONS[style]}"\n'
    )
    run = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "mod.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr


_FRAGMENTS = [
    "Alpha beta.",
    "gamma delta",
    "",
    "Args:",
    "    x (int): Echo foxtrot.",
    "    *args: Golf.",
    "        hotel india",
    "Returns:",
    "    int: Juliet.",
    "Returns: kilo lima.",
    "Parameters",
    "----------",
    "x : int",
    "    Mike november.",
    "Returns",
    "-------",
    "Raises",
    "------",
    "ValueError",
    "Notes",
    "-----",
    ":param x: Oscar papa.",
    ":type x: int",
    ":returns: Quebec.",
    ":rtype: str",
    ":raises KeyError: Romeo.",
    "@param y: Sierra.",
    "@return: Tango.",
    ".. versionchanged:: 0.5",
    "   Uniform victor.",
    ".. rubric:: Examples",
    ">>> whiskey(1)",
    "Note:",
    "    Xray yankee.",
    "Example::",
    "    zulu()",
    "Keyword Args:",
    "Yields:",
    "    str: Alpha.",
    "Yields",
    "------",
    "Other Parameters",
    "----------------",
    "total : int",
    "See Also",
    "--------",
    "func : Beta gamma.",
    ":ivar count: Delta.",
    ":keyword k: Echo.",
    ":kwtype k: int",
    ":yields: Foxtrot.",
    "@raise E: Golf.",
    "@note: Hotel.",
    ".. note::",
    ".. deprecated:: 1.0",
    ".. code-block:: python",
    "",
    "    india = 1",
    "name (int): Juliet.",
]
_CONTENT = frozenset(
    "alpha beta gamma delta echo foxtrot golf hotel india juliet kilo lima mike november "
    "oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu".split()
)


def _content(text: str) -> set[str]:
    words = {w.strip(".,:()>*").lower() for w in text.split()}
    return {w.removesuffix("(1)") for w in words} & _CONTENT


@pytest.mark.parametrize("style", STYLES)
@settings(max_examples=300, deadline=None)
@given(lines=st.lists(st.sampled_from(_FRAGMENTS), max_size=25))
def test_any_mix_converts_once_for_all_and_keeps_every_word(style: Style, lines: list[str]) -> None:
    text = "\n".join(["Summary.", *lines])
    out = convert(text, style)
    assert convert(out, style) == out
    assert _content(text) <= _content(out)
