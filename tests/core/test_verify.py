"""Docstring checks: what is refused (false or useless) and what is only incomplete."""

from __future__ import annotations

import pytest

from bot.core.extract import extract
from bot.core.render import STYLES, Style
from bot.core.verify import (
    COMPLETE_TEMPLATE,
    RETRY_TEMPLATE,
    Findings,
    FunctionFacts,
    completion_message,
    facts_for,
    facts_from_source,
    read_docstring,
    retry_message,
    verify_docstring,
)

SOURCE = """\
import contextlib
import functools

import pytest
import pytest_asyncio
from twisted.internet import defer


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

    def pop(self, key):
        if key not in self._data:
            raise KeyError(key)
        if not key:
            raise errors.BadKey("empty")
        return self._data.pop(key)


def chunks(items, size):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def total(prices):
    s = 0
    for p in prices:
        s += p
    return s


async def fetch_all(urls: list[str]) -> None:
    def helper(url):
        return url
    for url in urls:
        await helper(url)


@contextlib.contextmanager
def opened(path):
    handle = open(path)
    try:
        yield handle
    finally:
        handle.close()


@contextlib.asynccontextmanager
async def locked(lock):
    await lock.acquire()
    try:
        yield
    finally:
        lock.release()


@pytest.fixture(scope="module")
def database():
    db = make()
    yield db
    db.close()


@pytest_asyncio.fixture
async def client():
    yield Client()


@defer.inlineCallbacks
def fetch(url):
    page = yield get(url)
    return page.body
"""

ARGS_GET = (
    "\n\nArgs:\n    key: The entry's name.\n    default: What to return when it is missing.\n"
    "    refresh: Drop the entry and return None."
)


@pytest.fixture(scope="module")
def facts() -> dict[str, FunctionFacts]:
    result = extract("pkg/cache.py", SOURCE)
    return {f.qualname: facts_for(f) for f in result.functions}


def refused(*reasons: str) -> Findings:
    return Findings(refused=reasons)


def incomplete(*lacks: str) -> Findings:
    return Findings(incomplete=lacks)


OK = Findings()


def test_facts_read_params_returns_generators_and_raises(
    facts: dict[str, FunctionFacts],
) -> None:
    assert facts["Cache.get"] == FunctionFacts(
        "get", ("self", "key", "default", "refresh"), returns_value=True
    )
    assert facts["Cache.build"].params == ("cls", "*sources", "**options")
    assert facts["Cache.build"].returns_value is True
    assert facts["Cache.size"].is_property
    assert facts["Cache.clear"].returns_value is False
    assert facts["Cache.load"].returns_value is None  # a stub: cannot tell
    assert facts["Cache.load"].raises == ("NotImplementedError",)
    assert facts["Cache.pop"].raises == ("KeyError", "errors.BadKey")
    assert facts["chunks"].is_generator and facts["chunks"].returns_value is False
    assert facts["chunks"].yields_value and not facts["chunks"].wrapped_generator
    assert facts["total"].returns_value is True  # no annotation, returns a value
    # The nested helper's return does not count; the annotation says None.
    assert facts["fetch_all"].returns_value is False


@pytest.mark.parametrize(
    ("name", "gives"),
    [("opened", True), ("locked", False), ("database", True), ("client", True), ("fetch", True)],
)
def test_decorators_that_wrap_generators_are_known(
    facts: dict[str, FunctionFacts], name: str, gives: bool
) -> None:
    fn = facts[name]
    assert fn.is_generator and fn.wrapped_generator
    assert (fn.yields_value or bool(fn.returns_value)) is gives


def test_facts_from_source_needs_a_function() -> None:
    with pytest.raises(ValueError, match="no function"):
        facts_from_source("x = 1\n")


GOOD: dict[Style, str] = {
    "google": "Return the cached value for a key." + ARGS_GET + "\n\nReturns:\n    The value.",
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
    assert verify_docstring(GOOD[style], facts["Cache.get"], style) == OK


@pytest.mark.parametrize("written", STYLES)
@pytest.mark.parametrize("repository", STYLES)
def test_an_answer_is_never_refused_for_its_style(
    written: Style, repository: Style, facts: dict[str, FunctionFacts]
) -> None:
    # Read in the style it is written in, it is as complete as it is in that style.
    assert verify_docstring(GOOD[written], facts["Cache.get"], repository) == OK


def test_text_that_does_not_parse_as_the_repository_style_is_read_another_way() -> None:
    # Sections that break the Google parser are read by docstring_parser's detection.
    doc = read_docstring("Compute an area.\n\nArgs:\n    width\n", "google")
    assert doc.short_description == "Compute an area."
    area = FunctionFacts("area", ("width",))
    findings = verify_docstring("Compute an area.\n\nArgs:\n    width\n", area, "google")
    assert findings == incomplete("parameter 'width'")


# --- refused: false or useless ---------------------------------------------------


def test_an_empty_docstring_is_refused() -> None:
    assert verify_docstring("  \n ", FunctionFacts("f"), "google") == refused(
        "the docstring is empty"
    )


def test_a_summary_that_only_restates_the_name_is_refused() -> None:
    facts = FunctionFacts("get_user_name")
    restated = refused(
        "the docstring only restates the name 'get_user_name'; say what the function does"
    )
    assert verify_docstring("Get the user name.", facts, "google") == restated
    assert verify_docstring("Gets user names.", facts, "google") == restated
    assert verify_docstring("Get the login shown in the header.", facts, "google") == OK
    assert verify_docstring("Parse.", FunctionFacts("parseHTTPHeader"), "google") == refused(
        "the docstring only restates the name 'parseHTTPHeader'; say what the function does"
    )


def test_a_parameter_that_does_not_exist_is_refused(facts: dict[str, FunctionFacts]) -> None:
    body = GOOD["google"].replace(
        "    refresh: Drop the entry and return None.",
        "    refresh: Drop the entry and return None.\n    timeout: Seconds.",
    )
    assert verify_docstring(body, facts["Cache.get"], "google") == refused(
        "documents 'timeout', which is not a parameter of the function"
    )


def test_a_parameter_documented_twice_is_refused(facts: dict[str, FunctionFacts]) -> None:
    body = GOOD["sphinx"] + "\n:param key: Again."
    assert verify_docstring(body, facts["Cache.get"], "sphinx") == refused(
        "parameter 'key' is documented more than once"
    )


def test_self_and_cls_may_be_documented(facts: dict[str, FunctionFacts]) -> None:
    body = GOOD["sphinx"].replace(":param key:", ":param self: The cache.\n:param key:")
    assert verify_docstring(body, facts["Cache.get"], "sphinx") == OK


def test_a_return_value_from_a_function_returning_none_is_refused(
    facts: dict[str, FunctionFacts],
) -> None:
    clear = "Forget every entry.\n\nReturns:\n    Nothing."
    assert verify_docstring(clear, facts["Cache.clear"], "google") == refused(
        "documents a return value, but the function returns None"
    )
    annotated = "Fetch every page.\n\nArgs:\n    urls: Pages.\n\nReturns:\n    A list."
    assert verify_docstring(annotated, facts["fetch_all"], "google") == refused(
        "documents a return value, but the function returns None"
    )
    # A stub may document what subclasses return.
    stub = facts["Cache.load"]
    assert verify_docstring("Load entries.\n\nReturns:\n    A count.", stub, "google") == OK


def test_yields_from_a_function_that_is_not_a_generator_are_refused(
    facts: dict[str, FunctionFacts],
) -> None:
    assert verify_docstring(
        "Forget every entry.\n\nYields:\n    Each key.", facts["Cache.clear"], "google"
    ) == refused("documents what the function yields, but it is not a generator")


def test_refused_and_incomplete_findings_are_reported_together(
    facts: dict[str, FunctionFacts],
) -> None:
    body = "Return the cached value.\n\nArgs:\n    key: The name.\n    key: Again.\n    nope: X."
    assert verify_docstring(body, facts["Cache.get"], "google") == Findings(
        refused=(
            "documents 'nope', which is not a parameter of the function",
            "parameter 'key' is documented more than once",
        ),
        incomplete=("parameter 'default'", "parameter 'refresh'", "Returns section"),
    )


# --- incomplete: true, but something is left out ----------------------------------


def test_a_parameter_not_documented_or_without_description_is_incomplete(
    facts: dict[str, FunctionFacts],
) -> None:
    body = GOOD["google"].replace("    refresh: Drop the entry and return None.\n", "")
    assert verify_docstring(body, facts["Cache.get"], "google") == incomplete("parameter 'refresh'")
    bare = GOOD["sphinx"].replace(":param default: The fallback.", ":param default:")
    assert verify_docstring(bare, facts["Cache.get"], "sphinx") == incomplete(
        "description of 'default'"
    )
    numpy = GOOD["numpy"].replace("key : str\n    The entry's name.\n", "key : str\n")
    assert verify_docstring(numpy, facts["Cache.get"], "numpy") == incomplete(
        "description of 'key'"
    )


def test_a_one_line_docstring_is_incomplete_not_refused(facts: dict[str, FunctionFacts]) -> None:
    one_line = "Look up a key, falling back to a default."
    assert verify_docstring(one_line, facts["Cache.get"], "google") == incomplete(
        "parameter 'key'", "parameter 'default'", "parameter 'refresh'", "Returns section"
    )


def test_star_parameters_and_keyword_sections(facts: dict[str, FunctionFacts]) -> None:
    build = facts["Cache.build"]
    body = (
        "Build a cache from sources.\n\nArgs:\n    *sources: Files to read.\n\n"
        "Keyword Args:\n    ttl: Seconds to keep entries.\n\nReturns:\n    The cache."
    )
    assert verify_docstring(body, build, "google") == OK
    escaped = body.replace("*sources", "\\*sources").replace("Keyword Args:\n    ttl", "x")
    assert verify_docstring(escaped, build, "google") == incomplete("parameter 'options'")


def test_a_value_returned_without_a_returns_section_is_incomplete(
    facts: dict[str, FunctionFacts],
) -> None:
    # No annotation, a value returned: the issue's ``total(prices)``.
    body = "Add up the prices.\n\nArgs:\n    prices: Amounts in cents."
    assert verify_docstring(body, facts["total"], "google") == incomplete("Returns section")
    assert verify_docstring(body + "\n\nReturns:\n    The sum.", facts["total"], "google") == OK
    # A property, or a summary of prose alone that starts "Return", says it already.
    assert verify_docstring("Number of cached entries.", facts["Cache.size"], "google") == OK
    counted = FunctionFacts("count", ("self",), returns_value=True)
    assert verify_docstring("Return how many entries are cached.", counted, "google") == OK
    assert verify_docstring("Count the cached entries.", counted, "google") == incomplete(
        "Returns section"
    )


def test_a_generator_without_yields_is_incomplete(facts: dict[str, FunctionFacts]) -> None:
    args = "\n\nArgs:\n    items: The list.\n    size: Chunk length."
    chunks = facts["chunks"]
    assert verify_docstring("Split a list." + args, chunks, "google") == incomplete(
        "Yields section"
    )
    yields = "Split a list." + args + "\n\nYields:\n    Slices of ``items``."
    assert verify_docstring(yields, chunks, "google") == OK
    # "Returns: an iterator" is true of a generator function, but says nothing of the items.
    returns = yields.replace("Yields", "Returns")
    assert verify_docstring(returns, chunks, "google") == incomplete("Yields section")
    # Prose alone that starts "Yield" says what comes out.
    assert verify_docstring("Yield slices of a list.", chunks, "google") == incomplete(
        "parameter 'items'", "parameter 'size'"
    )


def test_exceptions_the_code_raises_need_a_raises_entry(
    facts: dict[str, FunctionFacts],
) -> None:
    pop = facts["Cache.pop"]
    base = "Remove a key and return its value.\n\n:param key: The key.\n:returns: The value."
    assert verify_docstring(base, pop, "sphinx") == incomplete(
        "Raises entry for KeyError", "Raises entry for errors.BadKey"
    )
    one = base + "\n:raises KeyError: When the key is missing."
    assert verify_docstring(one, pop, "sphinx") == incomplete("Raises entry for errors.BadKey")
    both = one + "\n:raises BadKey: When the key is empty."
    assert verify_docstring(both, pop, "sphinx") == OK
    # NotImplementedError marks what a subclass provides; nobody documents it.
    assert verify_docstring("Read the entries from disk.", facts["Cache.load"], "google") == OK


# --- decorators that make a generator stand for a value ---------------------------


@pytest.mark.parametrize("name", ["opened", "database", "client", "fetch"])
@pytest.mark.parametrize("section", ["Returns", "Yields"])
def test_wrapped_generators_accept_returns_or_yields(
    facts: dict[str, FunctionFacts], name: str, section: str
) -> None:
    fn = facts[name]
    params = "".join(f"\n    {p}: The {p}." for p in fn.params)
    args = f"\n\nArgs:{params}" if params else ""
    body = f"Provide the resource for a while.{args}\n\n{section}:\n    The resource."
    assert verify_docstring(body, fn, "google") == OK
    assert verify_docstring(f"Provide the resource for a while.{args}", fn, "google") == (
        incomplete("Returns or Yields section")
    )


def test_a_context_manager_that_yields_nothing_needs_neither(
    facts: dict[str, FunctionFacts],
) -> None:
    body = "Hold the lock for the block.\n\nArgs:\n    lock: An asyncio lock."
    assert verify_docstring(body, facts["locked"], "google") == OK
    assert verify_docstring(body + "\n\nYields:\n    Nothing.", facts["locked"], "google") == OK


# --- what goes back to the model -------------------------------------------------


def test_retry_message_states_every_reason() -> None:
    message = retry_message("a.py::f", ["reason one", "reason two"])
    assert message == RETRY_TEMPLATE.format(function_id="a.py::f", reasons="reason one; reason two")
    assert "style" not in message


def test_completion_message_names_the_parts_and_shows_the_docstring() -> None:
    message = completion_message("a.py::f", ["parameter 'x'", "Returns section"], "Do it.")
    assert message == COMPLETE_TEMPLATE.format(
        function_id="a.py::f",
        lacks="parameter 'x', Returns section",
        docstring="```text\nDo it.\n```",
    )
    fenced = completion_message("a.py::f", ["Returns section"], "Use ```code```.")
    assert "````text\nUse ```code```.\n````" in fenced
