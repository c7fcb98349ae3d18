"""Docstring checks: parameters, returns and yields, style, emptiness, name restatements."""

from __future__ import annotations

import pytest

from bot.core.extract import extract
from bot.core.render import STYLES, Style
from bot.core.verify import (
    RETRY_TEMPLATE,
    FunctionFacts,
    facts_for,
    facts_from_source,
    retry_message,
    verify_docstring,
)

SOURCE = """\
import functools


class Cache:
    def get(self, key, default=None, *, refresh=False) -> str | None:
        if refresh:
            return None
        return self._data.get(key, default)

    @classmethod
    def build(cls, *sources, **options):
        return cls()

    @functools.cached_property
    def size(self) -> int:
        return len(self._data)

    def clear(self):
        self._data = {}

    def load(self):
        raise NotImplementedError


def chunks(items, size):
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def fetch_all(urls: list[str]) -> None:
    def helper(url):
        return url
    for url in urls:
        await helper(url)
"""


@pytest.fixture(scope="module")
def facts() -> dict[str, FunctionFacts]:
    result = extract("pkg/cache.py", SOURCE)
    return {f.qualname: facts_for(f) for f in result.functions}


def test_facts_read_params_returns_and_generators(facts: dict[str, FunctionFacts]) -> None:
    assert facts["Cache.get"] == FunctionFacts(
        "get", ("self", "key", "default", "refresh"), returns_value=True
    )
    assert facts["Cache.build"].params == ("cls", "*sources", "**options")
    assert facts["Cache.build"].returns_value is True
    assert facts["Cache.size"].is_property
    assert facts["Cache.clear"].returns_value is False
    assert facts["Cache.load"].returns_value is None  # a stub: cannot tell
    assert facts["chunks"].is_generator and facts["chunks"].returns_value is False
    # The nested helper's return does not count; the annotation says None.
    assert facts["fetch_all"].returns_value is False


def test_facts_from_source_needs_a_function() -> None:
    with pytest.raises(ValueError, match="no function"):
        facts_from_source("x = 1\n")


GOOD: dict[Style, str] = {
    "google": (
        "Return the cached value for a key.\n\n"
        "Args:\n    key: The entry's name.\n    default: What to return when it is missing.\n"
        "    refresh: Drop the entry and return None.\n\n"
        "Returns:\n    The value, or ``default``."
    ),
    "numpy": (
        "Return the cached value for a key.\n\n"
        "Parameters\n----------\nkey : str\n    The entry's name.\n"
        "default, refresh : object\n    Fallback and refresh flag.\n\n"
        "Returns\n-------\nstr or None\n    The value."
    ),
    "sphinx": (
        "Return the cached value for a key.\n\n"
        ":param key: The entry's name.\n:param default: The fallback.\n"
        ":param refresh: Drop the entry first.\n:returns: The value."
    ),
}


@pytest.mark.parametrize("style", STYLES)
def test_a_complete_docstring_passes_in_each_style(
    style: Style, facts: dict[str, FunctionFacts]
) -> None:
    assert verify_docstring(GOOD[style], facts["Cache.get"], style) == []


def test_missing_invented_and_duplicate_parameters_are_named(
    facts: dict[str, FunctionFacts],
) -> None:
    body = (
        "Return the cached value.\n\nArgs:\n    key: The name.\n    key: Again.\n"
        "    timeout: Seconds.\n\nReturns:\n    The value."
    )
    assert verify_docstring(body, facts["Cache.get"], "google") == [
        "parameter 'default' is not documented",
        "parameter 'refresh' is not documented",
        "documents 'timeout', which is not a parameter of the function",
        "parameter 'key' is documented more than once",
    ]


def test_star_parameters_and_keyword_sections(facts: dict[str, FunctionFacts]) -> None:
    build = facts["Cache.build"]
    body = (
        "Build a cache from sources.\n\nArgs:\n    *sources: Files to read.\n\n"
        "Keyword Args:\n    ttl: Seconds to keep entries.\n\nReturns:\n    The cache."
    )
    assert verify_docstring(body, build, "google") == []
    escaped = body.replace("*sources", "\\*sources").replace("Keyword Args:\n    ttl", "x")
    assert verify_docstring(escaped, build, "google") == ["parameter 'options' is not documented"]


def test_returns_and_yields_must_match_the_code(facts: dict[str, FunctionFacts]) -> None:
    args = "\n\nArgs:\n    items: The list.\n    size: Chunk length."
    assert verify_docstring("Split a list." + args, facts["chunks"], "google") == [
        "the function is a generator, but the docstring has no Yields section"
    ]
    yields = "Split a list." + args + "\n\nYields:\n    Slices of ``items``."
    assert verify_docstring(yields, facts["chunks"], "google") == []
    assert verify_docstring(yields.replace("Yields", "Returns"), facts["chunks"], "google") == [
        "the function is a generator, but the docstring has no Yields section",
        "documents a return value, but the generator returns none",
    ]
    clear = "Forget every entry.\n\nReturns:\n    Nothing."
    assert verify_docstring(clear, facts["Cache.clear"], "google") == [
        "documents a return value, but the function returns None"
    ]
    assert verify_docstring(
        "Forget every entry.\n\nYields:\n    x", facts["Cache.clear"], "google"
    ) == ["documents what the function yields, but it is not a generator"]
    # A stub may document what subclasses return.
    stub = facts["Cache.load"]
    assert verify_docstring("Load entries.\n\nReturns:\n    A count.", stub, "google") == []
    assert verify_docstring("Read the entries from disk.", facts["Cache.load"], "google") == []


def test_a_value_returned_needs_a_returns_section_unless_the_summary_says_it(
    facts: dict[str, FunctionFacts],
) -> None:
    size = facts["Cache.size"]
    assert verify_docstring("Number of cached entries.", size, "google") == []
    counted = FunctionFacts("count", ("self",), returns_value=True)
    assert verify_docstring("Return how many entries are cached.", counted, "google") == []
    assert verify_docstring("Count the cached entries.", counted, "google") == [
        "the function returns a value, but the docstring has no Returns section"
    ]


def test_empty_and_name_only_docstrings_fail() -> None:
    facts = FunctionFacts("get_user_name")
    assert verify_docstring("  \n ", facts, "google") == ["the docstring is empty"]
    restated = ["the docstring only restates the name 'get_user_name'; say what the function does"]
    assert verify_docstring("Get the user name.", facts, "google") == restated
    assert verify_docstring("Gets user names.", facts, "google") == restated
    assert verify_docstring("Get the login shown in the header.", facts, "google") == []
    assert verify_docstring("Parse.", FunctionFacts("parseHTTPHeader"), "google") == [
        "the docstring only restates the name 'parseHTTPHeader'; say what the function does"
    ]


def test_sections_of_another_style_are_refused() -> None:
    facts = FunctionFacts("area", ("width", "height"), returns_value=True)
    numpy = "Compute an area.\n\nParameters\n----------\nwidth : float\n    W.\n"
    assert verify_docstring(numpy, facts, "google") == [
        "the docstring uses numpy sections, but this repository uses google style"
    ]


def test_unparseable_sections_are_reported() -> None:
    facts = FunctionFacts("area", ("width",))
    reasons = verify_docstring("Compute an area.\n\nArgs:\n    width\n", facts, "google")
    assert reasons and reasons[0].startswith("the docstring's sections do not parse as google")


def test_retry_message_states_every_reason() -> None:
    message = retry_message("a.py::f", ["reason one", "reason two"], "numpy")
    assert message == RETRY_TEMPLATE.format(
        function_id="a.py::f", reasons="reason one; reason two", style="numpy"
    )
