"""How ruff and pydocstyle turn rule selectors into the ``D`` codes they check.

ruff: each configuration layer (the file, then the command line) is one selection of
``select``/``extend-select`` and ``ignore``/``extend-ignore``. Within a selection the
more specific selector wins (``D1`` over ``D``, ``D102`` over ``D10``; ``ignore`` over
``select`` at the same specificity); a ``select`` replaces what earlier layers enabled.
A convention then turns its rules off unless one was selected by its exact code, and of
two incompatible rules the expendable one goes. pydocstyle: ``select``, ``ignore`` and
``convention`` are alternative bases (pep257 when none is given) that ``add-select`` and
``add-ignore`` adjust; codes are prefixes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.core.docrules import (
    ALL_D_CODES,
    CONVENTION_OFF,
    PREVIEW_D_CODES,
    PYDOCSTYLE_CONVENTION_OFF,
    RUFF_DEFAULT_D_CODES,
    RUFF_PREVIEW_DEFAULT_D_CODES,
    Convention,
)

# Incompatible pairs, (kept, dropped): ruff drops the second with a warning.
RUFF_INCOMPATIBLE: tuple[tuple[str, str], ...] = (("D211", "D203"), ("D212", "D213"))
# ruff's names for the D rules; with preview a selector may name a rule instead.
D_RULE_NAMES: dict[str, str] = dict(
    zip(
        (
            "undocumented-public-module undocumented-public-class undocumented-public-method "
            "undocumented-public-function undocumented-public-package undocumented-magic-method "
            "undocumented-public-nested-class undocumented-public-init "
            "unnecessary-multiline-docstring blank-line-before-function blank-line-after-function "
            "incorrect-blank-line-before-class incorrect-blank-line-after-class "
            "missing-blank-line-after-summary docstring-tab-indentation under-indentation "
            "over-indentation new-line-after-last-paragraph surrounding-whitespace "
            "blank-line-before-class multi-line-summary-first-line multi-line-summary-second-line "
            "overindented-section overindented-section-underline triple-single-quotes "
            "escape-sequence-in-docstring missing-trailing-period non-imperative-mood "
            "signature-in-docstring first-word-uncapitalized docstring-starts-with-this "
            "non-capitalized-section-name missing-new-line-after-section-name "
            "missing-dashed-underline-after-section missing-section-underline-after-name "
            "mismatched-section-underline-length no-blank-line-after-section "
            "no-blank-line-before-section blank-lines-between-header-and-content "
            "missing-blank-line-after-last-section empty-docstring-section "
            "missing-terminal-punctuation missing-section-name-colon undocumented-param "
            "overload-with-docstring empty-docstring incorrect-section-order "
            "property-docstring-starts-with-verb"
        ).split(),
        sorted(ALL_D_CODES | PREVIEW_D_CODES),
        strict=True,
    )
)
_RUFF_CODES = ALL_D_CODES | PREVIEW_D_CODES
# pydocstyle still knows D302 (``u"""``, Python 2 only); ruff has no such rule, so it is
# accepted in selectors and never reported as enabled.
_PYDOCSTYLE_CODES = ALL_D_CODES | {"D302"}
# ruff's specificity ladder: ALL, linter group, linter, 1-, 2-, 3-, 4-character prefix, rule.
_ALL, _LINTER, _RULE = 0, 2, 7


@dataclass(frozen=True)
class Selector:
    """One ruff rule selector, as far as the ``D`` rules go.

    ``codes`` are every ``D`` rule it covers (preview ones included); ``exact`` is the
    code when it names a single rule (``D400``, not ``D40``).
    """

    text: str
    specificity: int
    codes: frozenset[str]
    exact: str | None = None

    def enables(self, *, preview: bool, explicit_preview: bool) -> frozenset[str]:
        """Return the rules selecting this turns on: preview ones only as ruff allows."""
        if self.exact is not None:
            return self.codes if preview or self.exact not in PREVIEW_D_CODES else frozenset()
        if preview and not explicit_preview:
            return self.codes
        return self.codes - PREVIEW_D_CODES


@dataclass(frozen=True)
class RuffSelection:
    """One layer of ruff's rule selection; ``ignore`` holds ``extend-ignore`` too."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()


def ruff_selector(text: str) -> Selector | None:
    """Parse a ruff selector; None when it looks like a ``D`` selector but names no rule.

    Selectors of other linters (``E``, ``DTZ``, ``B904``) cover no ``D`` rule.
    """
    if text == "ALL":
        return Selector(text, _ALL, _RUFF_CODES)
    if text in D_RULE_NAMES:
        code = D_RULE_NAMES[text]
        return Selector(text, _RULE, frozenset({code}), code)
    if text == "D":
        return Selector(text, _LINTER, _RUFF_CODES)
    if not (text.startswith("D") and text[1:].isdigit()):
        return Selector(text, _ALL, frozenset())
    codes = frozenset(c for c in _RUFF_CODES if c.startswith(text))
    if not codes or len(text) > 4:
        return None
    exact = text if text in codes else None
    return Selector(text, _RULE if exact else _LINTER + len(text) - 1, codes, exact)


def covered(selectors: Iterable[str]) -> frozenset[str]:
    """Return every ``D`` code the selectors cover (what a per-file ignore turns off)."""
    codes: frozenset[str] = frozenset()
    for text in selectors:
        selector = ruff_selector(text)
        if selector is not None:
            codes |= selector.codes
    return codes


def ruff_codes(
    selections: Sequence[RuffSelection],
    *,
    convention: Convention | None = None,
    preview: bool = False,
    explicit_preview: bool = False,
) -> frozenset[str]:
    """Return the ``D`` codes ruff enables for these selection layers, in order."""
    enabled = set(RUFF_PREVIEW_DEFAULT_D_CODES if preview else RUFF_DEFAULT_D_CODES)
    exact: set[str] = set()
    carried: tuple[str, ...] = ()
    for selection in selections:
        updates = _updates(selection, carried, preview=preview, explicit_preview=explicit_preview)
        carried = ()
        if selection.select is not None:
            enabled = {code for code, on in updates.items() if on}
            if not selection.select and not selection.extend_select:
                # ruff carries an ignore with an empty select over to the next layer.
                carried = selection.ignore
        else:
            enabled |= {code for code, on in updates.items() if on}
            enabled -= {code for code, on in updates.items() if not on}
        for text in (*(selection.select or ()), *selection.extend_select):
            selector = ruff_selector(text)
            if selector is not None and selector.exact:
                exact.add(selector.exact)
    if convention is not None:
        enabled -= CONVENTION_OFF[convention] - exact
    for kept, dropped in RUFF_INCOMPATIBLE:
        if kept in enabled:
            enabled.discard(dropped)
    return frozenset(enabled)


def _updates(
    selection: RuffSelection, carried: tuple[str, ...], *, preview: bool, explicit_preview: bool
) -> dict[str, bool]:
    """Return each rule a selection turns on or off, the most specific selector deciding."""
    chosen = [ruff_selector(t) for t in (*(selection.select or ()), *selection.extend_select)]
    dropped = [ruff_selector(t) for t in (*selection.ignore, *carried)]
    updates: dict[str, bool] = {}
    for level in range(_RULE + 1):
        for selector in chosen:
            if selector is not None and selector.specificity == level:
                on = selector.enables(preview=preview, explicit_preview=explicit_preview)
                updates.update(dict.fromkeys(on, True))
        for selector in dropped:
            if selector is not None and selector.specificity == level:
                updates.update(dict.fromkeys(selector.codes, False))
    return updates


@dataclass(frozen=True)
class PydocstyleCodes:
    """pydocstyle's code options as written: comma-separated prefixes, None when unset."""

    convention: str | None = None
    select: str | None = None
    ignore: str | None = None
    add_select: str | None = None
    add_ignore: str | None = None

    @property
    def base(self) -> str | None:
        """Return the exclusive option pydocstyle honours (ignore, select, convention)."""
        return next(
            (n for n in ("ignore", "select", "convention") if getattr(self, n) is not None), None
        )

    def exclusive_codes(self) -> frozenset[str] | None:
        """Return the codes the exclusive option picks; None when none is given."""
        if self.ignore is not None:
            return _PYDOCSTYLE_CODES - expand(self.ignore)
        if self.select is not None:
            return expand(self.select)
        if self.convention in PYDOCSTYLE_CONVENTION_OFF:
            return _PYDOCSTYLE_CODES - PYDOCSTYLE_CONVENTION_OFF[self.convention]
        return None

    def adjust(self, codes: frozenset[str]) -> frozenset[str]:
        """Apply ``add-select`` then ``add-ignore`` to ``codes``."""
        return (codes | expand(self.add_select or "")) - expand(self.add_ignore or "")


def pydocstyle_codes(config: PydocstyleCodes, cli: PydocstyleCodes) -> frozenset[str]:
    """Return the codes pydocstyle checks: the command line's options win over the file's.

    An exclusive option on the command line replaces the file's codes, add-options
    included; otherwise the file's codes (pep257 when it gives no base) are adjusted.
    """
    codes = cli.exclusive_codes()
    if codes is None:
        base = config.exclusive_codes()
        if base is None:
            base = _PYDOCSTYLE_CODES - PYDOCSTYLE_CONVENTION_OFF["pep257"]
        codes = config.adjust(base)
    return cli.adjust(codes) - {"D302"}


def expand(parts: str) -> frozenset[str]:
    """Expand pydocstyle's comma-separated code prefixes (``D1,D203``) to codes."""
    codes: set[str] = set()
    for part in parts.split(","):
        part = part.strip()
        if part:
            codes.update(c for c in _PYDOCSTYLE_CODES if c.startswith(part))
    return frozenset(codes)


def unknown_pydocstyle_parts(parts: str) -> list[str]:
    """Return the comma-separated parts that name no pydocstyle code."""
    return [p.strip() for p in parts.split(",") if p.strip() and not expand(p)]
