"""The last gate before a suggestion is delivered: does it pass the repository's own rules?

The proposals of one round are checked together with the ones already kept in their
files (the linters see each file as it will read with every suggestion applied), in
one linter run. What fails goes back to the model once with the findings, like an
incomplete answer; what fails again is not delivered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.core.docrules import DocRules
from bot.engine.lint import LintTools, edited_file, lint_docstrings

if TYPE_CHECKING:
    from bot.engine.document import Proposal

FAILS_RULES = "fails the repository's docstring rules: {findings}"


@dataclass
class Verdict:
    """The proposals that pass, those that fail with what the linters said, and notes."""

    passing: list[Proposal] = field(default_factory=list)
    failing: list[tuple[Proposal, list[str]]] = field(default_factory=list)
    notes: tuple[str, ...] = ()


async def check_rules(
    rules: DocRules | None,
    kept: Sequence[Proposal],
    fresh: Sequence[Proposal],
    tools: LintTools | None = None,
) -> Verdict:
    """Split ``fresh`` into the proposals that pass the rules and those that do not.

    With no docstring rules (or none a linter checks), everything passes unchecked.
    """
    if rules is None or not fresh or not rules.linters and rules.pydoclint is None:
        return Verdict(passing=list(fresh))
    paths = sorted({p.edit.path for p in fresh})
    files = []
    for path in paths:
        mine = [p for p in (*kept, *fresh) if p.edit.path == path]
        files.append(edited_file(path, mine[0].work.head_text, [p.edit for p in mine]))
    report = await lint_docstrings(rules, files, tools or LintTools())
    verdict = Verdict(notes=report.notes)
    for proposal in fresh:
        found = report.of(proposal.work.function.id)
        if found:
            verdict.failing.append((proposal, [f.phrase for f in found]))
        else:
            verdict.passing.append(proposal)
    return verdict
