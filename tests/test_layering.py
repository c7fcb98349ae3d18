"""The pure layers import nothing from the edges: settings are translated in bot.wiring."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parent.parent / "bot"
EDGES = (
    "bot.settings",
    "bot.repo_config",
    "bot.wiring",
    "bot.web",
    "bot.worker",
    "bot.local",
    "bot.engine",
)
# What each layer must not import, beyond the edges: core is below the model side.
FORBIDDEN = {"core": (*EDGES, "bot.llm"), "llm": EDGES}


def imported(path: Path) -> set[str]:
    """Return the modules ``path`` imports anywhere (lazy and TYPE_CHECKING ones too)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import"  # absolute imports only
            names.add(node.module or "")
    return names


def breaches(module: str, forbidden: tuple[str, ...]) -> bool:
    return any(module == f or module.startswith(f + ".") for f in forbidden)


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_does_not_import_what_sits_above_it(layer: str) -> None:
    files = sorted((BOT / layer).rglob("*.py"))
    assert files
    wrong = {
        f"{path.relative_to(BOT.parent)} imports {name}"
        for path in files
        for name in imported(path)
        if breaches(name, FORBIDDEN[layer])
    }
    assert not wrong, sorted(wrong)
