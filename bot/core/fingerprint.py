"""What a function's own source says about it: generator, raised exceptions, fingerprint.

Worked out from the function's text alone, so a function keeps its fingerprint when it
moves within or between files. The fingerprint hashes the code's AST with the docstring
removed (positions, comments and formatting ignored), so accepting a docstring
suggestion, or reflowing the code, does not make docgen think the function changed.
"""

from __future__ import annotations

import ast
import hashlib
from dataclasses import dataclass
from functools import lru_cache

from bot.core.pysource import parse

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


@dataclass(frozen=True)
class FunctionDetails:
    """Facts found by walking a function's own body (not the functions nested in it)."""

    is_generator: bool
    raises: tuple[str, ...]
    fingerprint: str


@lru_cache(maxsize=4096)
def analyse(source: str) -> FunctionDetails:
    """Analyse the source of one function (decorators through last line, any indentation).

    The compact view of a class (:class:`bot.core.records.FunctionInfo` of kind
    ``class``) is analysed too: it neither yields nor raises, and its fingerprint
    hashes the class's header and the statements the view shows.
    """
    node = definition_node(source)
    if node is None:
        digest = hashlib.sha256(source.encode()).hexdigest()[:16]
        return FunctionDetails(False, (), digest)
    if isinstance(node, ast.ClassDef):
        return FunctionDetails(False, (), class_fingerprint(node))
    is_generator, raises = _walk(node)
    return FunctionDetails(is_generator, raises, code_fingerprint(node))


def code_fingerprint(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    """Hash a function's AST without its docstring: sha256 of ``ast.dump``, 16 hex digits."""
    parts = [ast.dump(node.args), *(ast.dump(d) for d in node.decorator_list)]
    parts += [ast.dump(t) for t in getattr(node, "type_params", ())]
    parts += [node.name, type(node).__name__, ast.dump(node.returns) if node.returns else ""]
    return _digest(parts, node.body)


def class_fingerprint(node: ast.ClassDef) -> str:
    """Hash a class's AST without its docstring, as :func:`code_fingerprint` does a function's."""
    parts = [*(ast.dump(b) for b in node.bases), *(ast.dump(k) for k in node.keywords)]
    parts += [ast.dump(d) for d in node.decorator_list]
    parts += [ast.dump(t) for t in getattr(node, "type_params", ())]
    parts += [node.name, type(node).__name__]
    return _digest(parts, node.body)


def _digest(parts: list[str], body: list[ast.stmt]) -> str:
    if _is_docstring(body[0]):
        body = body[1:]
    parts = parts + [ast.dump(stmt) for stmt in body]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def function_node(source: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """Parse one function's source (any indentation); None if it is not one function.

    Cached (see :func:`definition_node`): the tree is shared, so callers must not
    change it.
    """
    node = definition_node(source)
    return None if isinstance(node, ast.ClassDef) else node


@lru_cache(maxsize=4096)
def definition_node(source: str) -> ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | None:
    """Parse one function's or class's source (any indentation); None if it is neither.

    Cached: the fingerprint, the checks and the prompt all read the same function, and
    parsing dominates a large run. The tree is shared, so callers must not change it.
    """
    # A method's text is indented: nest it under `if 1:` so it parses as it stands.
    indented = source[:1] in (" ", "\t", "\f")
    try:
        tree = parse("if 1:\n" + source if indented else source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    first = tree.body[0] if tree.body else None
    if indented and isinstance(first, ast.If):
        first = first.body[0]
    if isinstance(first, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return first
    return None


def _is_docstring(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, str)
    )


def _walk(node: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[bool, tuple[str, ...]]:
    is_generator = False
    found: list[tuple[int, int, str]] = []
    stack: list[ast.AST] = list(node.body)
    while stack:
        current = stack.pop()
        if isinstance(current, ast.Yield | ast.YieldFrom):
            is_generator = True
        elif isinstance(current, ast.Raise) and current.exc is not None:
            name = _raised_name(current.exc)
            if name:
                found.append((current.lineno, current.col_offset, name))
        if not isinstance(current, _SCOPES):
            stack.extend(ast.iter_child_nodes(current))
    names = dict.fromkeys(name for _, _, name in sorted(found))
    return is_generator, tuple(names)


def _raised_name(exc: ast.expr) -> str | None:
    """Name what ``raise exc`` raises: a call's callee, or a class-like (Capitalised) name."""
    called = isinstance(exc, ast.Call)
    target = exc.func if isinstance(exc, ast.Call) else exc
    parts: list[str] = []
    while isinstance(target, ast.Attribute):
        parts.append(target.attr)
        target = target.value
    if not isinstance(target, ast.Name):
        return None
    parts.append(target.id)
    name = ".".join(reversed(parts))
    # `raise err` re-raises a variable: not a name worth documenting.
    return name if called or parts[0][:1].isupper() else None
