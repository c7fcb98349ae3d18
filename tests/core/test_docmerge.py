"""Stale docstrings are updated, not replaced: what the answer does not change stays."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.docmerge import merge_update, sync_params
from bot.core.docparts import Entries
from bot.core.docread import read_docstring
from bot.core.docstyle import STYLES, Style, render_parts
from tests.core.docgen_strategies import Allowed, doc_parts

STALE_REST = """\
Fetch a URL.

Retries on server errors.

.. versionchanged:: 0.5
   Added *retries*.

:param url: The URL to fetch.
:param retries: How many times to retry.
:param verbose: Print progress.
:returns: The body.
:rtype: bytes

.. rubric:: Examples

>>> fetch("https://example.com")
b'...'"""

# What a model answers when asked for the update: the new parameter, in its own style.
ANSWER = """\
Fetch a URL, giving up after a timeout.

Args:
    url (str): The URL to fetch.
    retries: How many times to retry.
    timeout (float): Seconds to wait for an answer.

Returns:
    bytes: The body."""


def test_a_stale_rest_docstring_keeps_its_directive_and_examples() -> None:
    merged = merge_update(STALE_REST, ANSWER, "sphinx", params=["url", "retries", "timeout"])
    assert (
        merged
        == """\
Fetch a URL, giving up after a timeout.

Retries on server errors.

.. versionchanged:: 0.5
   Added *retries*.

:param url: The URL to fetch.
:type url: str
:param retries: How many times to retry.
:param timeout: Seconds to wait for an answer.
:type timeout: float
:returns: The body.
:rtype: bytes

.. rubric:: Examples

>>> fetch("https://example.com")
b'...'"""
    )


def test_without_the_signature_the_answers_parameter_list_wins() -> None:
    merged = merge_update(STALE_REST, "Fetch a URL.\n\n:param url: The URL.", "sphinx")
    assert [p.name for p in read_docstring(merged).params] == ["url"]
    assert ":returns: The body." in merged and ".. versionchanged:: 0.5" in merged


def test_parameters_the_answer_leaves_out_keep_their_text_while_the_code_has_them() -> None:
    answer = "Fetch a URL.\n\n:param timeout: Seconds."
    merged = merge_update(STALE_REST, answer, "sphinx", params=["url", "timeout", "retries"])
    params = read_docstring(merged).params
    assert [(p.name, p.description) for p in params] == [
        ("url", "The URL to fetch."),
        ("timeout", "Seconds."),
        ("retries", "How many times to retry."),
    ]
    assert "verbose" not in merged
    assert "Retries on server errors." in merged  # the answer gave no description


def test_an_empty_entry_in_the_answer_keeps_the_current_text() -> None:
    merged = merge_update(
        STALE_REST, "Fetch.\n\n:param url:\n:type url: str", "sphinx", params=["url"]
    )
    assert ":param url: The URL to fetch.\n:type url: str" in merged


def test_sections_the_answer_rewrites_are_taken_and_new_directives_added() -> None:
    answer = (
        "Fetch a URL.\n\n.. versionchanged:: 0.6\n   Added *timeout*.\n\n"
        "Examples:\n    >>> fetch('x', timeout=1)\n    b''"
    )
    merged = merge_update(STALE_REST, answer, "sphinx")
    assert ".. versionchanged:: 0.5\n   Added *retries*." in merged
    assert ".. versionchanged:: 0.6\n   Added *timeout*." in merged
    assert merged.index("0.5") < merged.index("0.6")
    assert ".. rubric:: Examples\n\n>>> fetch('x', timeout=1)\nb''" in merged
    assert 'fetch("https://example.com")' not in merged
    assert ":param verbose: Print progress." in merged  # the answer said nothing of params


def test_an_answer_in_another_style_is_merged_in_the_repositorys() -> None:
    current = "Sum prices.\n\nArgs:\n    prices: The prices.\n\nNote:\n    Rounds to cents."
    answer = (
        "Sum prices with tax.\n\nParameters\n----------\nprices : list of float\n    The prices."
    )
    assert merge_update(current, answer, "google", params=["prices"]) == (
        "Sum prices with tax.\n\nArgs:\n    prices (list of float): The prices.\n\n"
        "Note:\n    Rounds to cents."
    )


@pytest.mark.parametrize("style", STYLES)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_an_answer_that_says_the_same_changes_nothing(style: Style, data: st.DataObject) -> None:
    other = data.draw(st.sampled_from(STYLES))
    parts = data.draw(doc_parts(Allowed.between(style, other)))
    current = render_parts(parts, style)
    assert merge_update(current, current, style) == current
    assert merge_update(current, render_parts(parts, other), style) == current
    # The signature: the documented names in their order, keyword-only ones too.
    names = [
        e.name
        for b in parts.blocks
        if isinstance(b, Entries) and b.kind != "attributes"
        for e in b.entries
    ]
    assert merge_update(current, render_parts(parts, other), style, params=names) == current


def test_sync_adds_missing_parameters_and_drops_gone_ones() -> None:
    synced = sync_params(STALE_REST, ["url", "retries", "timeout"], "sphinx", placeholder="TODO.")
    assert synced == STALE_REST.replace(":param verbose: Print progress.", ":param timeout: TODO.")
    assert sync_params(STALE_REST, ["url", "retries", "verbose"], "sphinx", placeholder="-") == (
        STALE_REST
    )


def test_sync_adds_a_parameter_section_where_sections_begin() -> None:
    current = "Fetch a URL.\n\nLong text.\n\nReturns\n-------\nbytes\n    The body."
    synced = sync_params(
        current, ["url", "*parts"], "numpy", placeholder="TODO.", types={"url": "str"}
    )
    assert synced == (
        "Fetch a URL.\n\nLong text.\n\nParameters\n----------\nurl : str\n    TODO.\n"
        "*parts\n    TODO.\n\nReturns\n-------\nbytes\n    The body."
    )


_LINES = [
    "",
    "Alpha beta.",
    "Args:",
    "    x: Gamma.",
    ":param y: Delta.",
    ":returns: Echo.",
    "Returns:",
    "    int: Foxtrot.",
    "Notes",
    "-----",
    "Golf hotel.",
    ".. versionchanged:: 0.5",
    "   India.",
    ".. deprecated:: 1.0",
    "Examples:",
    "    >>> juliet()",
]


@pytest.mark.parametrize("style", STYLES)
@settings(max_examples=200, deadline=None)
@given(
    current=st.lists(st.sampled_from(_LINES), max_size=14),
    answer=st.lists(st.sampled_from(_LINES), max_size=14),
    params=st.one_of(st.none(), st.lists(st.sampled_from(["x", "y", "z"]), unique=True)),
)
def test_any_merge_keeps_the_current_directives(
    style: Style, current: list[str], answer: list[str], params: list[str] | None
) -> None:
    old = "\n".join(["Summary.", *current])
    merged = merge_update(old, "\n".join(["New summary.", *answer]), style, params=params)
    kept = {(d.name, d.argument) for d in read_docstring(merged).directives}
    assert {(d.name, d.argument) for d in read_docstring(old).directives} <= kept
    assert merged.startswith("New summary.")
