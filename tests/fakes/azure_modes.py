"""How carefully the fake model answers: the mistakes a real model makes, one per mode.

A test sets a mode on the fake (for every deployment, or for one) and each answer
then makes that mistake, deterministically, for every function it documents:

- ``careful``: the style the system message asks for, every part (the default);
- ``other_style``: NumPy when Google is asked for, Google when NumPy or Sphinx is;
- ``omit_returns``: no Returns or Yields section;
- ``omit_param``: the first documented parameter left out;
- ``invent_param``: a parameter the function does not have documented as well;
- ``drop_suffix``: ids answered without their ``#N`` suffix (``m.py::P.parse#2``
  comes back as ``m.py::P.parse``);
- ``prose_only``: one line of prose, no sections.

The style asked for is read from the system messages: the first "Google style",
"NumPy style", "Sphinx style" (or reST / reStructuredText style) named there, else
Google.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from enum import StrEnum
from typing import Any

from tests.fakes.azure_styles import DocStyle, Draft, prose, render
from tests.fakes.azure_tokens import value_text

_ASKED_STYLE = re.compile(
    r"\b(google|numpy|sphinx|rest|restructuredtext)[ -]style\b", re.IGNORECASE
)
_SUFFIX = re.compile(r"#\d+")
# Names a careless model documents that functions seldom have; the first one free is used.
INVENTED = ("verbose", "timeout", "strict", "callback")
INVENTED_TEXT = "Whether to report progress."


class AnswerMode(StrEnum):
    """The one mistake the fake makes in every docstring it writes (or none)."""

    CAREFUL = "careful"
    OTHER_STYLE = "other_style"
    OMIT_RETURNS = "omit_returns"
    OMIT_PARAM = "omit_param"
    INVENT_PARAM = "invent_param"
    DROP_SUFFIX = "drop_suffix"
    PROSE_ONLY = "prose_only"


CARELESS: tuple[AnswerMode, ...] = tuple(m for m in AnswerMode if m is not AnswerMode.CAREFUL)


def requested_style(messages: Sequence[Mapping[str, Any]]) -> DocStyle:
    """Return the docstring style the system messages ask for (Google when none is named)."""
    for message in messages:
        if message.get("role") not in ("system", "developer"):
            continue
        found = _ASKED_STYLE.search(value_text(message.get("content")))
        if found:
            word = found.group(1).lower()
            return "google" if word == "google" else "numpy" if word == "numpy" else "sphinx"
    return "google"


def other_style(style: DocStyle) -> DocStyle:
    """Return the style a model used to another one writes instead of ``style``."""
    return "numpy" if style == "google" else "google"


def answered_id(asked: str, mode: AnswerMode) -> str:
    """Return the id the answer carries for the function asked as ``asked``."""
    return _SUFFIX.sub("", asked) if mode is AnswerMode.DROP_SUFFIX else asked


def _invented(draft: Draft) -> tuple[str, str]:
    taken = {name.lstrip("*") for name, _ in draft.params}
    name = next((n for n in INVENTED if n not in taken), "_".join(sorted(taken)) + "_extra")
    return name, INVENTED_TEXT


def careless(draft: Draft, mode: AnswerMode) -> Draft:
    """Return ``draft`` with the parts ``mode`` leaves out or makes up."""
    if mode is AnswerMode.OMIT_RETURNS:
        return replace(draft, result=None, result_type=None)
    if mode is AnswerMode.OMIT_PARAM:
        return replace(draft, params=draft.params[1:])
    if mode is AnswerMode.INVENT_PARAM:
        return replace(draft, params=(*draft.params, _invented(draft)))
    return draft


def written(draft: Draft, style: DocStyle, mode: AnswerMode) -> str:
    """Return the docstring body the fake answers for ``draft`` when asked for ``style``."""
    if mode is AnswerMode.PROSE_ONLY:
        return prose(draft)
    chosen = other_style(style) if mode is AnswerMode.OTHER_STYLE else style
    return render(careless(draft, mode), chosen)
