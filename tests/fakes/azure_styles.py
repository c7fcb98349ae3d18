"""The fake model's docstring parts, and how it writes them in each docstring style.

A :class:`Draft` holds what the fake knows about a function (summary, parameters,
what it returns or yields); :func:`render` writes it as Google, NumPy or Sphinx
sections, and :func:`prose` as one paragraph without sections, the way a model that
ignores the format writes. Descriptions are the same in every style, so a test can
compare styles part by part.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

DocStyle = Literal["google", "numpy", "sphinx"]
ResultKind = Literal["returns", "yields"]

FILLER = "It works on the state it is given."
RESULT_TEXT: dict[ResultKind, str] = {"returns": "The result.", "yields": "The next item."}
# NumPy and Sphinx name a result's type; the fake has no better guess than the annotation.
UNTYPED = "object"


@dataclass(frozen=True)
class Draft:
    """What the fake writes about one function, before choosing a style.

    ``params`` are (name, description) pairs, ``*args``/``**kwargs`` with their stars;
    ``result_type`` is the return annotation's text, when there is one.
    """

    summary: str
    params: tuple[tuple[str, str], ...] = ()
    result: ResultKind | None = None
    result_type: str | None = None


def _google(draft: Draft) -> list[str]:
    lines: list[str] = []
    if draft.params:
        lines += ["", "Args:", *(f"    {name}: {text}" for name, text in draft.params)]
    if draft.result:
        lines += ["", f"{draft.result.capitalize()}:", f"    {RESULT_TEXT[draft.result]}"]
    return lines


def _numpy(draft: Draft) -> list[str]:
    lines: list[str] = []
    if draft.params:
        lines += ["", "Parameters", "----------"]
        for name, text in draft.params:
            lines += [name, f"    {text}"]
    if draft.result:
        title = draft.result.capitalize()
        lines += ["", title, "-" * len(title), draft.result_type or UNTYPED]
        lines.append(f"    {RESULT_TEXT[draft.result]}")
    return lines


def _sphinx(draft: Draft) -> list[str]:
    # Sphinx docstrings usually name *args and **kwargs without their stars: a bare star
    # would open emphasis in reStructuredText.
    lines = [f":param {name.lstrip('*')}: {text}" for name, text in draft.params]
    if draft.result:
        lines.append(f":{draft.result}: {RESULT_TEXT[draft.result]}")
        if draft.result == "returns" and draft.result_type:
            lines.append(f":rtype: {draft.result_type}")
    return ["", *lines] if lines else []


_WRITERS: dict[DocStyle, Callable[[Draft], list[str]]] = {
    "google": _google,
    "numpy": _numpy,
    "sphinx": _sphinx,
}


def render(draft: Draft, style: DocStyle) -> str:
    """Write ``draft`` in ``style``; a draft with no sections gets a second sentence."""
    lines = [draft.summary, *_WRITERS[style](draft)]
    if len(lines) == 1:
        lines += ["", FILLER]
    return "\n".join(lines)


def _spoken_list(names: list[str]) -> str:
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def prose(draft: Draft) -> str:
    """Write ``draft`` as one line of one or two sentences: no sections, no blank line."""
    names = [name.lstrip("*") for name, _ in draft.params]
    verbs = []
    if names:
        verbs.append(f"uses {_spoken_list(names)}")
    if draft.result == "returns":
        verbs.append("returns the result")
    elif draft.result == "yields":
        verbs.append("yields each item")
    second = f"It {' and '.join(verbs)}." if verbs else FILLER
    return f"{draft.summary} {second}"
