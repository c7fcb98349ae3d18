"""Hypothesis strategies for a function and a model's answer documenting it, in any style.

The answer is what a model might send: the right sections in Google, NumPy or Sphinx
style, with the slips a renderer is expected to mend (a lower-case or unpunctuated
summary, a summary run over several lines, no blank line before the sections, headers
in lower case, underlines of the wrong length, stray blank lines, blank lines under headers).
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from bot.core.docparts import (
    Block,
    DocParts,
    Entries,
    Entry,
    Prose,
    Raised,
    Raises,
    Section,
    Value,
    Values,
)
from bot.core.docstyle import Style, render_parts
from tests.core.docgen_strategies import paragraphs

_NAMES = ["path", "size", "mode", "items", "key", "value", "timeout", "retries", "data", "flag"]
_ANNOTATIONS = ["int", "str", "list[str]", "dict[str, int]", "float | None"]
_VERBS = ["Return", "Compute", "Load", "Build", "Check", "This", "Merge", "Parse"]
_WORDS = "alpha beta gamma delta echo foxtrot golf hotel india juliet kilo lima".split()
_DOCTEST = ">>> fetch('a', size=2)\n['a', 'a']"


@dataclass(frozen=True)
class Param:
    """A parameter: its name (with stars), annotation and default."""

    name: str
    annotation: str = ""
    default: str = ""

    def source(self) -> str:
        """Return the parameter as written in a signature."""
        text = self.name + (f": {self.annotation}" if self.annotation else "")
        if self.default:
            text += f" = {self.default}" if self.annotation else f"={self.default}"
        return text


@dataclass(frozen=True)
class Function:
    """A function: what its docstring documents and how its body behaves."""

    name: str
    params: tuple[Param, ...]
    keyword_only: int  # how many of the last named params follow a bare ``*``
    returns: str  # annotation; "" for none
    generator: bool
    raises: bool

    def source(self, literal: list[str]) -> str:
        """Return the function's text with the docstring ``literal`` (unindented lines)."""
        params = [p.source() for p in self.params]
        if self.keyword_only:  # only drawn without *args
            named = [i for i, p in enumerate(self.params) if not p.name.startswith("*")]
            params.insert(named[-self.keyword_only], "*")
        arrow = f" -> {self.returns}" if self.returns else ""
        lines = [f"def {self.name}({', '.join(params)}){arrow}:"]
        lines += ["    " + line if line else "" for line in literal]
        if self.raises:
            lines.append("    if not data:\n        raise ValueError('empty')")
        lines.append("    yield 1" if self.generator else "    return 1")
        return "\n".join(lines) + "\n"


@st.composite
def functions(draw: st.DrawFn) -> Function:
    """Draw a function with plain, defaulted, star and keyword-only parameters."""
    names = draw(st.lists(st.sampled_from(_NAMES), max_size=4, unique=True))
    params: list[Param] = []
    defaulted = False
    for name in names:
        annotation = draw(st.sampled_from(["", *_ANNOTATIONS]))
        defaulted = defaulted or draw(st.booleans())
        params.append(Param(name, annotation, "1" if defaulted else ""))
    keyword_only = 0
    if draw(st.booleans()):
        params.append(Param("*args", draw(st.sampled_from(["", "int"]))))
    elif bool(params) and draw(st.booleans()):
        keyword_only = 1
    if draw(st.booleans()):
        params.append(Param("**kwargs", draw(st.sampled_from(["", "str"]))))
    return Function(
        name=draw(st.sampled_from(["fetch", "merge_all", "_load", "compute"])),
        params=tuple(params),
        keyword_only=keyword_only,
        returns=draw(st.sampled_from(["", "int", "list[str]"])),
        generator=draw(st.booleans()),
        raises=draw(st.booleans()),
    )


def _sentence(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.sampled_from(_WORDS), min_size=2, max_size=18))
    if draw(st.integers(0, 5)) == 0:
        words.insert(1, draw(st.sampled_from(["e.g.", "`x_y`", "(see `fetch`)", "i.e."])))
    return " ".join([draw(st.sampled_from(_VERBS)), *words]) + "."


@st.composite
def answer_parts(draw: st.DrawFn, function: Function) -> DocParts:
    """Draw the parts of a docstring that documents every parameter ``function`` has."""
    summary = " ".join(_sentence(draw) for _ in range(draw(st.integers(1, 3))))
    blocks: list[Block] = []
    if draw(st.booleans()):
        blocks.append(Prose(draw(paragraphs())))
    if bool(function.params) and draw(st.integers(0, 4)) > 0:
        entries = tuple(
            Entry(
                p.name,
                draw(st.sampled_from(["", p.annotation])),
                draw(paragraphs(most=1)),
            )
            for p in function.params
        )
        blocks.append(Entries("params", entries))
    if function.generator or function.returns:
        value = Value(draw(st.sampled_from(["", "int"])), draw(paragraphs(most=1)))
        blocks.append(Values("yields" if function.generator else "returns", (value,)))
    if function.raises:
        blocks.append(Raises((Raised("ValueError", draw(paragraphs(most=1))),)))
    if draw(st.booleans()):
        title = draw(st.sampled_from(["Examples", "Notes", "Warnings", "See Also"]))
        body = _DOCTEST if title == "Examples" else draw(paragraphs())
        blocks.append(Section(title, body))
    return DocParts(summary, tuple(blocks))


@st.composite
def answers(draw: st.DrawFn, function: Function) -> str:
    """Draw a model's answer for ``function``: its parts in a style, with slips."""
    style: Style = draw(st.sampled_from(["google", "numpy", "sphinx"]))
    text = render_parts(draw(answer_parts(function)), style)
    summary, sep, rest = text.partition("\n\n")
    if draw(st.booleans()):
        summary = summary[0].lower() + summary[1:]
    ending = draw(st.sampled_from(["", "", "drop", ":", "!", "?"]))
    if ending:
        summary = summary.rstrip(".") + ("" if ending == "drop" else ending)
    if draw(st.booleans()):  # the summary run over two lines
        words = summary.split(" ")
        cut = draw(st.integers(1, max(1, len(words) - 1)))
        summary = " ".join(words[:cut]) + "\n" + " ".join(words[cut:])
    if draw(st.integers(0, 5)) == 0:  # a list right under the summary
        summary += "\n- alpha beta\n- gamma delta"
    if rest and draw(st.booleans()):
        sep = "\n"
    if draw(st.booleans()):
        rest = rest.replace("Args:", "args:").replace("Returns\n-------", "returns\n---")
        rest = rest.replace("Parameters\n----------", "Parameters:\n-----")
        rest = rest.replace("Raises:", "raises:").replace("See Also\n", "see also\n")
    if draw(st.booleans()):  # a blank line under a header
        rest = rest.replace("Args:\n", "Args:\n\n").replace("-------\n", "-------\n\n")
    text = summary + sep + rest
    if draw(st.booleans()):
        text = "\n  " + text + "\n\n"
    return text
