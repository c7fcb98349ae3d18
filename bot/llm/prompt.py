"""The messages docgen sends and the strict JSON schema of the answer it accepts.

Each function appears in the user message as a line ``### <path>::<qualname>``
followed by a fenced block of its source; a function whose docstring is stale gets
a one-line note between the two asking for an update, not a rewrite (its current
docstring is in the source already, so it is not sent twice); a class gets a note
there too, saying what its docstring covers. The context the
model needs to read them (the file's imports that the functions use, the enclosing
class header) comes first, once per file. One request may hold several files.
The answer is ``{"docstrings": [{"id": ..., "docstring": ...}]}`` with the
docstring body only: no quotes, no indentation.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from bot.core.classview import init_method

Style = Literal["google", "numpy", "sphinx"]
STYLES: tuple[Style, ...] = ("google", "numpy", "sphinx")

SCHEMA_NAME = "docstrings"
ELISION = "# ... {n} lines elided by docgen ..."

ANSWER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "docstrings": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "docstring": {"type": "string"},
                },
                "required": ["id", "docstring"],
                "additionalProperties": False,
            },
        }
    },
    "required": ["docstrings"],
    "additionalProperties": False,
}

RESPONSE_FORMAT: dict[str, Any] = {
    "type": "json_schema",
    "json_schema": {"name": SCHEMA_NAME, "strict": True, "schema": ANSWER_SCHEMA},
}

_STYLE_HINTS: dict[Style, str] = {
    "google": "Google style (Args:, Returns:, Yields:, Raises: sections)",
    "numpy": "NumPy style (Parameters, Returns, Yields, Raises sections underlined with dashes)",
    "sphinx": "Sphinx style (:param name:, :returns:, :raises Exc: fields)",
}

SYSTEM_PROMPT = """\
You write Python docstrings for a code review bot.
For every function marked by a line "### <id>", write one docstring in {style}.
Start with a one-line imperative summary that ends with a period. Add a short \
paragraph only when the behaviour is subtle. Document every parameter except self \
and cls, the return value unless it is None, what a generator yields, and the \
exceptions the code raises itself. Describe what the code does; never invent behaviour.
Answer with the docstring text only: no quotes, no indentation, no code fences.
Give each docstring with the exact id of its function, once per id."""

# Costs a stale function about twenty tokens; a fresh one nothing.
STALE_NOTE = (
    "Its docstring is out of date: return it with the smallest correct update, "
    "keeping what is still true."
)
# A class is shown as its header, class-level code and __init__, methods shortened.
CLASS_NOTE = (
    "This is a class: document its purpose and its constructor's parameters "
    "(those of __init__, or a dataclass's fields) in one class docstring, with no Returns "
    "section."
)


@dataclass(frozen=True)
class PromptFunction:
    """One function to document, as the prompt shows it.

    ``signature`` is the leading lines of ``source`` up to the end of the
    ``def`` line (decorators included); the planner keeps them whole when it
    has to shorten a body. ``imports`` and ``class_header`` are context that is
    sent once per file and once per class. ``current_docstring`` is the
    docstring of a stale function, to be updated rather than replaced; empty for
    a function that has none. ``is_class``: ``source`` is a class (its compact view),
    whose docstring documents the class and its constructor.
    """

    id: str
    path: str
    source: str
    signature: str
    imports: str = ""
    class_header: str = ""
    note: str = ""  # why an earlier answer was refused, for the one retry
    current_docstring: str = ""
    is_class: bool = False


FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


def parse_function(source: str) -> FunctionNode | None:
    """Parse one function's source, indented or not; None if it does not parse."""
    node = parse_definition(source)
    return node if isinstance(node, FunctionNode) else None


def parse_definition(source: str) -> FunctionNode | ast.ClassDef | None:
    """Parse one function's or class's source, indented or not; None if neither parses."""
    # A method's source is indented; a dummy block header makes it parse as is,
    # which dedenting cannot do when a string literal inside starts at column 0.
    text = source if not source[:1].isspace() else "if 1:\n" + source
    try:
        module = ast.parse(text)
    except SyntaxError:
        return None
    body = module.body
    if body and isinstance(body[0], ast.If):
        body = body[0].body
    node = body[0] if body else None
    return node if isinstance(node, FunctionNode | ast.ClassDef) else None


def class_init(source: str) -> FunctionNode | None:
    """Return the ``__init__`` a class's source defines (the last one), if it parses."""
    node = parse_definition(source)
    return init_method(node) if isinstance(node, ast.ClassDef) else None


def parse_signature(signature: str) -> FunctionNode | None:
    """Parse a function's ``def`` lines (decorators included) given a stub body."""
    first = signature.lstrip("\n").split("\n", 1)[0]
    indent = first[: len(first) - len(first.lstrip())]
    return parse_function(signature.rstrip() + "\n" + indent + "    ...\n")


def system_message(style: Style) -> dict[str, str]:
    """Return the system message asking for docstrings in ``style``."""
    return {"role": "system", "content": SYSTEM_PROMPT.format(style=_STYLE_HINTS[style])}


def fence(code: str, info: str = "python") -> str:
    """Wrap ``code`` in a backtick fence longer than any backtick run inside it."""
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{info}\n{code.rstrip()}\n{ticks}"


def used_imports(imports: str, sources: Iterable[str]) -> str:
    """Return the statements of ``imports`` that bind a name ``sources`` mention.

    A name counts as used when it appears as a word anywhere in the sources,
    strings included (annotations may be strings), so the filter errs on the
    side of keeping. ``__future__`` imports say nothing about a function and
    are dropped; star imports are kept. Text that does not parse is kept whole.
    """
    try:
        statements = ast.parse(imports).body
    except SyntaxError:
        return imports
    words = set(_WORD.findall("\n".join(sources)))
    lines = imports.splitlines(keepends=True)
    kept: list[str] = []
    for node in statements:
        if not isinstance(node, ast.Import | ast.ImportFrom):
            return imports  # not the import list extraction makes: keep it as it is
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            continue
        bound = {(alias.asname or alias.name).split(".")[0] for alias in node.names}
        if "*" in bound or bound & words:
            end = node.end_lineno or node.lineno
            kept.append("".join(lines[node.lineno - 1 : end]).rstrip("\n"))
    return "\n".join(kept)


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def context_blocks(functions: Sequence[PromptFunction]) -> list[str]:
    """Return the context ``functions`` need, each block once, in first-seen order.

    The imports are cut down to those the functions use (``used_imports``);
    class headers come whole.
    """
    sources = [fn.source for fn in functions]
    kept = {i: used_imports(i, sources) for i in {fn.imports for fn in functions} if i.strip()}
    seen: set[str] = set()
    blocks: list[str] = []
    for fn in functions:
        for block in (kept.get(fn.imports, ""), fn.class_header):
            if block.strip() and block not in seen:
                seen.add(block)
                blocks.append(block.rstrip())
    return blocks


def file_header(path: str, context: Sequence[str]) -> str:
    """Return the heading of one file's section, with its context if any."""
    head = f"## File {path}"
    if not context:
        return head
    return head + "\n\nContext (not to document):\n" + fence("\n".join(context))


def function_section(fn: PromptFunction) -> str:
    """Return the ``### <id>`` line and the fenced source of one function.

    A stale function gets ``STALE_NOTE`` on the line between them, a class ``CLASS_NOTE``.
    """
    stale = f"{STALE_NOTE}\n" if fn.current_docstring.strip() else ""
    kind = f"{CLASS_NOTE}\n" if fn.is_class else ""
    section = f"### {fn.id}\n{kind}{stale}{fence(fn.source)}"
    return f"{section}\n{fn.note}" if fn.note else section


def _file_section(path: str, functions: Sequence[PromptFunction]) -> str:
    parts = [file_header(path, context_blocks(functions))]
    parts += [function_section(fn) for fn in functions]
    return "\n\n".join(parts)


def shortened(fn: PromptFunction, keep: int) -> PromptFunction:
    """Return ``fn`` keeping ``keep`` body lines, first and last, around an elision marker.

    The signature lines (``fn.signature``) are always kept whole.
    """
    lines = fn.source.splitlines()
    split = max(1, len(fn.signature.splitlines()))
    head, body = lines[:split], lines[split:]
    first = (keep + 1) // 2
    tail = body[len(body) - (keep - first) :] if keep > first else []
    indent = next((ln[: len(ln) - len(ln.lstrip())] for ln in body if ln.strip()), "    ")
    marker = indent + ELISION.format(n=len(body) - keep)
    return replace(fn, source="\n".join([*head, *body[:first], marker, *tail]))


def body_lines(fn: PromptFunction) -> list[str]:
    """Return the lines of ``fn``'s source after its signature."""
    return fn.source.splitlines()[max(1, len(fn.signature.splitlines())) :]


def user_message(functions: Sequence[PromptFunction]) -> dict[str, str]:
    """Return the user message listing ``functions``, grouped by file, context first."""
    by_path: dict[str, list[PromptFunction]] = {}
    for fn in functions:
        by_path.setdefault(fn.path, []).append(fn)
    sections = [_file_section(path, fns) for path, fns in by_path.items()]
    head = f"Write docstrings for these {len(functions)} function(s)."
    return {"role": "user", "content": head + "\n\n" + "\n\n".join(sections) + "\n"}


def build_messages(functions: Sequence[PromptFunction], style: Style) -> list[dict[str, str]]:
    """Return the chat messages asking for docstrings of ``functions``."""
    return [system_message(style), user_message(functions)]


@dataclass(frozen=True)
class ParsedAnswer:
    """What a model's answer held, sorted against the ids that were asked for."""

    docstrings: dict[str, str]
    missing: tuple[str, ...]
    invalid: tuple[str, ...]  # asked for, present, but empty
    unknown: tuple[str, ...]  # not asked for: ignored
    ambiguous: tuple[str, ...] = ()  # could mean several asked ids, or one already taken: ignored


class MalformedAnswer(ValueError):
    """The answer is not JSON of the agreed shape."""


def parse_answer(content: str | None, asked: Iterable[str]) -> ParsedAnswer:
    """Check an answer against the schema and the ids asked for.

    An id the model wrote slightly off is still matched when it can mean only one
    asked id that no other entry took: surrounding whitespace or backticks, or a
    ``#N`` suffix (``Parser.parse#2``) added or dropped (see :func:`match_ids`).
    Raises MalformedAnswer when the text is not the agreed JSON shape at all;
    a well-formed answer with missing or empty entries is reported, not raised.
    """
    items = _items(content)
    wanted = list(asked)
    matched, unknown, ambiguous = match_ids([fn_id for fn_id, _ in items], wanted)
    texts: dict[str, list[str]] = {}
    for (_, text), fn_id in zip(items, matched, strict=True):
        if fn_id is not None:
            texts.setdefault(fn_id, []).append(text)
    docstrings: dict[str, str] = {}
    invalid: list[str] = []
    for fn_id, given in texts.items():
        chosen = next((t for t in given if t.strip()), None)
        if chosen is None:
            invalid.append(fn_id)
        else:
            docstrings[fn_id] = chosen.strip("\n")
    missing = [i for i in wanted if i not in texts]
    return ParsedAnswer(
        docstrings, tuple(missing), tuple(invalid), tuple(unknown), tuple(ambiguous)
    )


_SUFFIX = re.compile(r"#\d+")


def _loose(fn_id: str) -> str:
    """Return ``fn_id`` without surrounding whitespace and backticks."""
    return fn_id.strip().strip("`").strip()


def _bare(fn_id: str) -> str:
    """Return ``fn_id`` without the ``#N`` suffixes that tell redefined names apart."""
    return _SUFFIX.sub("", fn_id)


def match_ids(
    answered: Sequence[str], asked: Sequence[str]
) -> tuple[list[str | None], list[str], list[str]]:
    """Say which asked id each answered id stands for, if exactly one.

    Exact ids are matched first, so a near miss never takes an id that is
    answered exactly. Then each other answered id is compared without whitespace
    or backticks around it, and failing that also without ``#N`` suffixes: it
    is matched when that finds one asked id that no earlier entry took. Return
    the asked id per answered id (None if unmatched), the ids matching nothing
    asked, and the ids that could mean several asked ids or a taken one.
    """
    wanted = set(asked)
    matched: list[str | None] = [i if i in wanted else None for i in answered]
    taken = {i for i in matched if i is not None}
    by_bare: dict[str, list[str]] = {}
    for fn_id in asked:
        by_bare.setdefault(_bare(fn_id), []).append(fn_id)
    unknown: list[str] = []
    ambiguous: list[str] = []
    for n, fn_id in enumerate(answered):
        if matched[n] is not None:
            continue
        loose = _loose(fn_id)
        candidates = [loose] if loose in wanted else by_bare.get(_bare(loose), [])
        if len(candidates) == 1 and candidates[0] not in taken:
            matched[n] = candidates[0]
            taken.add(candidates[0])
        elif candidates:
            ambiguous.append(fn_id)
        else:
            unknown.append(fn_id)
    return matched, unknown, ambiguous


def _items(content: str | None) -> list[tuple[str, str]]:
    if not content:
        raise MalformedAnswer("the answer is empty")
    try:
        data = json.loads(content)
    except json.JSONDecodeError as exc:
        raise MalformedAnswer(f"the answer is not JSON ({exc.msg})") from None
    entries = data.get("docstrings") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise MalformedAnswer('the answer has no "docstrings" list')
    items: list[tuple[str, str]] = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise MalformedAnswer("a docstrings entry is not an object")
        fn_id, text = entry.get("id"), entry.get("docstring")
        if not isinstance(fn_id, str) or not isinstance(text, str):
            raise MalformedAnswer('a docstrings entry lacks a string "id" or "docstring"')
        items.append((fn_id, text))
    return items
