"""Check suggested docstrings with the repository's own linters before they are posted.

Every edited file is written under its repository path into one temporary folder, and
ruff checks them all in one run, with a ``ruff.toml`` made only from the repository's
:class:`~bot.core.docrules.DocRules` (its ``D`` codes, convention and decorators). Where
the repository uses pydoclint, pydoclint checks the same folder in a second process, at
the same time. A finding counts against a new docstring when it lies on the docstring's
lines or on its function's ``def`` line; everything else in the files (old docstrings,
code) is not docgen's business and is dropped. The rules that ask for a docstring to
exist (``D1xx``) are never checked: every function here has just been given one.

pydoclint is not installed with docgen: it depends on ``docstring_parser_fork``, which
installs itself as the ``docstring_parser`` package and so replaces the one docgen reads
docstrings with. It must run from its own environment (``pipx install pydoclint``);
docgen finds it on ``PATH`` or is given its command (:class:`LintTools`).

Nothing here raises for a tool's sake: a tool that is missing, crashes, hangs or prints
what cannot be read leaves no findings and one note in :attr:`LintReport.notes`.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import tempfile
from collections.abc import Awaitable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Literal

from bot.core.docrules import MISSING_CODES, DocRules
from bot.core.edit import Edit, apply_edits
from bot.core.extract import extract
from bot.engine.lint_run import ToolResult, run_tool

__all__ = [
    "DocstringSpan", "EditedFile", "LintFinding", "LintReport", "LintTools", "edited_file",
    "lint_docstrings",
]  # fmt: skip

Tool = Literal["ruff", "pydoclint"]
NOT_CHECKED = "the docstring rules could not be checked: {why}"
# pydoclint codes about the signature, not the docstring: no docstring can fix them.
_SIGNATURE_ONLY = frozenset({"DOC002", "DOC106", "DOC107", "DOC108"})


@dataclass(frozen=True)
class DocstringSpan:
    """Where one new docstring lies in its edited file (1-based, inclusive lines)."""

    id: str
    first: int
    last: int
    def_line: int

    def holds(self, line: int) -> bool:
        """Tell whether a finding on ``line`` is about this docstring."""
        return self.first <= line <= self.last or line == self.def_line


@dataclass(frozen=True)
class EditedFile:
    """A file as it reads with docgen's suggestions applied, and where they are."""

    path: str
    text: str
    docstrings: tuple[DocstringSpan, ...]


@dataclass(frozen=True)
class LintFinding:
    """One rule a new docstring breaks, as the linter reported it."""

    tool: Tool
    code: str
    message: str
    line: int

    @property
    def phrase(self) -> str:
        """Return the short form the summary shows, e.g. ``ruff D415: First line ...``."""
        return f"{self.tool} {self.code}: {_short(self.message)}"


@dataclass(frozen=True)
class LintTools:
    """How to start the linters; ``None`` finds each the usual way.

    ruff is the one installed with docgen (``ruff.find_ruff_bin()``); pydoclint is the
    ``pydoclint`` on ``PATH``. ``timeout`` is seconds per tool.
    """

    ruff: tuple[str, ...] | None = None
    pydoclint: tuple[str, ...] | None = None
    timeout: float = 60.0


@dataclass(frozen=True)
class LintReport:
    """The findings against each new docstring, by id, and why anything went unchecked."""

    findings: dict[str, tuple[LintFinding, ...]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def of(self, docstring_id: str) -> tuple[LintFinding, ...]:
        """Return the findings against one docstring (none when it passed)."""
        return self.findings.get(docstring_id, ())


def edited_file(path: str, head_text: str, edits: Sequence[Edit]) -> EditedFile:
    """Apply one file's edits and find where each edit's docstring ended up.

    The spans come from parsing the edited text, so they are exact whatever the edit's
    anchor; an edit whose function cannot be found there gets no span (nothing to check).
    """
    text = apply_edits(head_text, edits)
    lines: set[int] = set()
    shift = 0
    for edit in sorted(edits, key=lambda e: e.start_line):
        start = edit.start_line + shift
        lines.update(range(start, start + len(edit.new_lines)))
        shift += len(edit.new_lines) - (edit.end_line - edit.start_line + 1)
    result = extract(path, text, lines=lines)
    by_id = {f.id: f for f in result.functions}
    spans: list[DocstringSpan] = []
    for edit in edits:
        function = by_id.get(edit.function_id)
        if function is not None and function.docstring_span is not None:
            first, last = function.docstring_span
            spans.append(DocstringSpan(function.id, first, last, function.def_lineno))
    return EditedFile(path, text, tuple(spans))


async def lint_docstrings(
    rules: DocRules, files: Sequence[EditedFile], tools: LintTools = LintTools()
) -> LintReport:
    """Check the new docstrings of ``files`` with the repository's ruff and pydoclint rules.

    One ruff run (and one pydoclint run beside it, when the repository uses pydoclint)
    covers all files. A file's findings are kept only for the codes in force for that
    path (:meth:`DocRules.check_codes`: per-file ignores, pydocstyle's ``match``).
    """
    notes: list[str] = []
    files = [f for f in files if f.docstrings and _safe_path(f.path, notes)]
    codes = {f.path: _ruff_codes(rules, f.path) for f in files}
    ruff_paths = [path for path, in_force in codes.items() if in_force]
    doclint_paths = _pydoclint_files(rules, files)
    if not ruff_paths and not doclint_paths:
        return LintReport(notes=tuple(notes))
    with tempfile.TemporaryDirectory(prefix="docgen-lint-") as tmp:
        root = Path(tmp).resolve()
        src = root / "src"
        _write_tree(src, files)
        runs: dict[Tool, Awaitable[ToolResult]] = {}
        if ruff_paths:
            config = root / "ruff.toml"
            config.write_text(_ruff_toml(rules, sorted(set().union(*codes.values()))), "utf-8")
            command = _ruff_command(tools, config, ruff_paths)
            runs["ruff"] = run_tool(command, src, tools.timeout)
        if doclint_paths:
            command = _pydoclint_command(rules, tools, doclint_paths)
            # pydoclint exits with 1 when it found something.
            runs["pydoclint"] = run_tool(command, src, tools.timeout, ok=(0, 1))
        results = dict(zip(runs, await asyncio.gather(*runs.values()), strict=True))
    found: list[tuple[str, LintFinding]] = []
    for tool, result in results.items():
        if result.error is not None:
            notes.append(NOT_CHECKED.format(why=f"{tool} {result.error}"))
        elif tool == "ruff":
            found += _ruff_findings(result, codes, notes)
        else:
            found += _pydoclint_findings(result, notes)
    return LintReport(_by_docstring(files, found), tuple(notes))


def _safe_path(path: str, notes: list[str]) -> bool:
    """Tell whether ``path`` stays inside the folder it is written to (else note it)."""
    parts = PurePosixPath(path).parts
    if path and not PurePosixPath(path).is_absolute() and ".." not in parts and "\\" not in path:
        return True
    notes.append(NOT_CHECKED.format(why=f"unusual path {path!r}"))
    return False


def _ruff_codes(rules: DocRules, path: str) -> frozenset[str]:
    return frozenset(c for c in rules.check_codes(path) if c not in MISSING_CODES)


def _pydoclint_files(rules: DocRules, files: Iterable[EditedFile]) -> list[str]:
    settings = rules.pydoclint
    if settings is None:
        return []
    return [
        f.path
        for f in files
        if not (settings.exclude and re.search(settings.exclude, f.path))
        and f.path.endswith((".py", ".pyi"))
    ]


def _write_tree(src: Path, files: Iterable[EditedFile]) -> None:
    for file in files:
        target = src / file.path
        target.parent.mkdir(parents=True, exist_ok=True)
        # newline="" keeps the file's own line endings: line numbers must not move.
        target.write_text(file.text, encoding="utf-8", errors="surrogatepass", newline="")


def _ruff_toml(rules: DocRules, select: list[str]) -> str:
    """Build a ruff configuration from the rules alone (nothing of the repository's files).

    Codes are listed in full, so a convention does not turn any of them off; it still
    decides how sections are read (``D417``, the section rules).
    """
    lines = ["[lint]", f"select = {json.dumps(select)}", "", "[lint.pydocstyle]"]
    if rules.convention:
        lines.append(f"convention = {json.dumps(rules.convention)}")
    if rules.ruff is not None:
        # pydocstyle's decorator settings are regexes, which ruff would not understand.
        lines.append(f"ignore-decorators = {json.dumps(list(rules.ruff.ignore_decorators))}")
        lines.append(f"property-decorators = {json.dumps(list(rules.ruff.property_decorators))}")
    return "\n".join(lines) + "\n"


def _ruff_command(tools: LintTools, config: Path, paths: list[str]) -> list[str] | str:
    if tools.ruff is not None:
        head: list[str] = list(tools.ruff)
    else:
        try:
            from ruff import find_ruff_bin  # type: ignore[import-untyped]

            head = [str(find_ruff_bin())]
        except (ImportError, FileNotFoundError):
            return "is not installed"
    options = ["--no-cache", "--output-format", "json", "--exit-zero", "--config", str(config)]
    return [*head, "check", *options, "--", *paths]


def _pydoclint_command(rules: DocRules, tools: LintTools, paths: list[str]) -> list[str] | str:
    settings = rules.pydoclint
    assert settings is not None
    if tools.pydoclint is not None:
        head: list[str] = list(tools.pydoclint)
    else:
        found = shutil.which("pydoclint")
        if found is None:
            return "is not installed (install it in its own environment: pipx install pydoclint)"
        head = [found]
    flags = {
        "--style": settings.style,
        "--arg-type-hints-in-docstring": settings.arg_type_hints_in_docstring,
        "--check-return-types": settings.check_return_types,
        "--skip-checking-short-docstrings": settings.skip_checking_short_docstrings,
    }
    options = [f"{name}={str(value)}" for name, value in flags.items()]
    return [*head, "--quiet", "--exclude=", *options, "--", *paths]


def _ruff_findings(
    result: ToolResult, codes: dict[str, frozenset[str]], notes: list[str]
) -> list[tuple[str, LintFinding]]:
    """Read ruff's JSON: keep each finding whose code is in force for its file."""
    src = result.cwd
    try:
        items = json.loads(result.stdout)
        found: list[tuple[str, LintFinding]] = []
        for item in items:
            path = Path(item["filename"]).resolve().relative_to(src).as_posix()
            code = item["code"]
            if code in codes.get(path, ()):
                line = int(item["location"]["row"])
                found.append((path, LintFinding("ruff", code, str(item["message"]), line)))
        return found
    except (ValueError, TypeError, KeyError) as exc:
        notes.append(NOT_CHECKED.format(why=f"ruff printed what docgen cannot read ({exc})"))
        return []


def _pydoclint_findings(result: ToolResult, notes: list[str]) -> list[tuple[str, LintFinding]]:
    """Read pydoclint's report: a file's path, then ``    <line>: DOCnnn: <message>`` lines."""
    found: list[tuple[str, LintFinding]] = []
    path = ""
    read = 0
    for raw in (result.stderr + "\n" + result.stdout).splitlines():
        if raw.strip() and not raw[0].isspace():
            path = raw.strip()
        elif raw.strip():
            line, _, rest = raw.strip().partition(": ")
            code, _, message = rest.partition(": ")
            if not (path and line.isdigit() and re.fullmatch(r"DOC\d+", code)):
                notes.append(NOT_CHECKED.format(why=f"pydoclint printed {raw.strip()!r}"))
                return []
            read += 1
            if code not in _SIGNATURE_ONLY:
                found.append((path, LintFinding("pydoclint", code, message, int(line))))
    if result.returncode != 0 and not read:
        notes.append(NOT_CHECKED.format(why="pydoclint failed without a report"))
    return found


def _by_docstring(
    files: Iterable[EditedFile], found: Iterable[tuple[str, LintFinding]]
) -> dict[str, tuple[LintFinding, ...]]:
    spans = {f.path: f.docstrings for f in files}
    out: dict[str, list[LintFinding]] = {}
    for path, finding in found:
        for span in spans.get(path, ()):
            if span.holds(finding.line):
                out.setdefault(span.id, []).append(finding)
                break
    return {key: tuple(sorted(v, key=lambda f: (f.line, f.code))) for key, v in out.items()}


def _short(message: str) -> str:
    """Drop what a message quotes of the docstring or the code: the rule is what counts."""
    text = message.split(" (Or could be", 1)[0]
    if text.startswith(("Function `", "Method `", "Class `")) and "`: " in text:
        text = text.split("`: ", 1)[1]
    if text.endswith('"') and ': "' in text:
        text = text.rsplit(': "', 1)[0]
    text = text.rstrip(". ")
    return text if len(text) <= 100 else text[:99].rstrip() + "…"
