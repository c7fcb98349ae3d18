"""A realistic pull request for ``bench/tokens.py``, built from real CPython modules.

Forty functions of six standard-library modules (textwrap, shlex, fractions,
calendar, configparser, difflib) are the PR's targets: their docstrings are
removed on the head side; every other one is new (absent from the base), the
rest are modified (every fourth body line differs in the base). As in a real
PR, other things change too: three already documented functions per module
are modified, a test per new function is added (taken from CPython's own
test suite), and a changelog entry and a docs page are written. Everything is
deterministic.
"""

from __future__ import annotations

import ast
import difflib
import sysconfig
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bot.llm.prompt import PromptFunction

MODULES = ("textwrap", "shlex", "fractions", "calendar", "configparser", "difflib")
TARGETS = 40
STDLIB = Path(sysconfig.get_paths()["stdlib"])

Node = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass(frozen=True)
class Site:
    """One function in a module: where it is, and the lines of its docstring if any."""

    qualname: str
    node: Node
    start: int  # 0-based first line (decorators included)
    end: int  # 0-based end, exclusive
    body_start: int
    doc: tuple[int, int] | None
    class_line: str


@dataclass(frozen=True)
class PullRequest:
    """The PR: its unified diff, and the target functions as docgen would send them."""

    diff: str
    targets: list[PromptFunction]


def _sites(tree: ast.Module, lines: list[str]) -> list[Site]:
    out: list[Site] = []

    def visit(body: list[ast.stmt], prefix: str, class_line: str) -> None:
        for node in body:
            if isinstance(node, ast.ClassDef):
                visit(node.body, f"{prefix}{node.name}.", lines[node.lineno - 1].strip())
            elif isinstance(node, Node):
                first = node.body[0]
                doc = None
                if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                    doc = (first.lineno - 1, first.end_lineno or first.lineno)
                start = min([node.lineno, *(d.lineno for d in node.decorator_list)]) - 1
                body_start = (doc[1] if doc else first.lineno - 1) if len(node.body) > 1 else -1
                end = node.end_lineno or node.lineno
                out.append(Site(prefix + node.name, node, start, end, body_start, doc, class_line))

    visit(tree.body, "", "")
    return out


def _imports(tree: ast.Module, lines: list[str]) -> str:
    kept = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
    return "".join("".join(lines[n.lineno - 1 : n.end_lineno]) for n in kept)


def _eligible(site: Site) -> bool:
    size = site.end - site.start
    return site.body_start > 0 and 6 <= size <= 60 and not site.qualname.startswith("_")


def _module_change(name: str, count: int, new_first: bool) -> tuple[str, str, list[PromptFunction]]:
    """Return (base, head, targets) for one module with ``count`` target functions."""
    lines = (STDLIB / f"{name}.py").read_text().splitlines(keepends=True)
    tree = ast.parse("".join(lines))
    sites = _sites(tree, lines)
    # A property's getter and setter share a qualname: docgen could not tell them apart by id.
    seen = Counter(s.qualname for s in sites)
    eligible = [s for s in sites if _eligible(s) and seen[s.qualname] == 1]
    targets = eligible[:: max(1, len(eligible) // count)][:count]
    others = [s for s in eligible if s not in targets and s.doc][:3]
    head, base = list(lines), list(lines)
    # Bottom-up, so that cutting lines never moves a site still to be edited.
    for n, site in enumerate(sorted(targets + others, key=lambda s: -s.start)):
        is_target = site in targets
        if is_target and (n % 2 == 0) == new_first:
            del base[site.start : site.end]
        else:
            for i in range(site.body_start + 3, site.end, 4):
                if base[i].strip():
                    base[i] = base[i].rstrip("\n") + "  # v1\n"
        if is_target and site.doc:
            del head[site.doc[0] : site.doc[1]]
            if not (n % 2 == 0) == new_first:
                del base[site.doc[0] : site.doc[1]]
    wanted = {s.qualname for s in targets}
    return (
        "".join(base),
        "".join(head),
        _prompt_functions(name, head, _imports(tree, lines), wanted),
    )


def _prompt_functions(
    name: str, head: list[str], imports: str, wanted: set[str]
) -> list[PromptFunction]:
    """Return the ``wanted`` functions of the head side as docgen sends them."""
    lines = "".join(head).splitlines(keepends=True)
    out = []
    for site in _sites(ast.parse("".join(lines)), lines):
        if site.qualname not in wanted:
            continue
        source = "".join(lines[site.start : site.end])
        signature = "".join(lines[site.start : site.node.body[0].lineno - 1]).rstrip("\n")
        path = f"src/{name}.py"
        fn_id = f"{path}::{site.qualname}"
        out.append(PromptFunction(fn_id, path, source, signature, imports, site.class_line))
    return out


def _tests(name: str, count: int) -> str:
    path = STDLIB / "test" / f"test_{name}.py"
    if not path.is_file():
        return ""
    lines = path.read_text().splitlines(keepends=True)
    tests = [s for s in _sites(ast.parse("".join(lines)), lines) if s.qualname.count(".test_") == 1]
    return "".join("".join(lines[s.start : s.end]) + "\n" for s in tests[:count])


def _diff(path: str, base: str, head: str) -> str:
    body = difflib.unified_diff(
        base.splitlines(keepends=True), head.splitlines(keepends=True), f"a/{path}", f"b/{path}"
    )
    return f"diff --git a/{path} b/{path}\n" + "".join(body)


def build() -> PullRequest:
    """Build the PR: about 40 target functions across six modules, and its whole diff."""
    share, extra = divmod(TARGETS, len(MODULES))
    per_module = [share + (i < extra) for i in range(len(MODULES))]
    diffs: list[str] = []
    targets: list[PromptFunction] = []
    for i, (name, count) in enumerate(zip(MODULES, per_module, strict=True)):
        base, head, found = _module_change(name, count, new_first=i % 2 == 0)
        targets += found
        diffs.append(_diff(f"src/{name}.py", base, head))
        diffs.append(_diff(f"tests/test_{name}.py", "", _tests(name, count)))
    news = "".join(f"- {name}: new helpers and fixes, see the docs.\n" for name in MODULES)
    diffs.append(_diff("CHANGELOG.md", "# Changelog\n", "# Changelog\n\n## Unreleased\n" + news))
    page = "".join(
        f"``{fn.id.split('::')[1]}``\n    Added in this release for ``{fn.path}``.\n\n"
        for fn in targets
    )
    diffs.append(_diff("docs/changes.rst", "", "What changed\n============\n\n" + page))
    return PullRequest("".join(diffs), targets)
