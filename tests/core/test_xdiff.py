"""``diff_texts`` against the real ``git diff -U3``: the hunks must be exactly git's."""

from __future__ import annotations

import difflib
import os
import random
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.core.diff import diff_texts, map_patch

DATA = Path(__file__).parent.parent / "data" / "extract"
REPO = Path(__file__).parent.parent.parent
SHAPES = (DATA / "shapes.py").read_text()

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git_patch(tmp: Path, base: str, head: str) -> str:
    """Return the hunks of ``git diff --no-index`` with git's defaults and no user config."""
    a, b = tmp / "a.py", tmp / "b.py"
    a.write_bytes(base.encode())
    b.write_bytes(head.encode())
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
    }
    command = ["git", "diff", "--no-index", "--no-color", "--no-ext-diff", "-U3", str(a), str(b)]
    out = subprocess.run(command, capture_output=True, env=env, timeout=30, check=False).stdout
    text = out.decode()
    start = text.find("\n@@")
    return "" if start < 0 else text[start + 1 :].rstrip("\n")


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _insert_method(text: str) -> str:
    anchor = "    def __len__(self) -> int:\n"
    method = "    def clear(self) -> None:\n        self._items.clear()\n\n"
    return text.replace(anchor, method + anchor)


def _append_function(text: str) -> str:
    return text + "\n\ndef added(x):\n    return x\n"


def _delete_class(text: str) -> str:
    start = text.index("class LoggingCache")
    end = text.index("try:\n    import ujson")
    return text[:start] + text[end:]


def _rename_parameter(text: str) -> str:
    return text.replace("retries", "attempts")


def _add_docstrings(text: str) -> str:
    out = []
    for line in _lines(text):
        out.append(line)
        if line.lstrip().startswith("def ") and line.rstrip().endswith(":"):
            indent = line[: len(line) - len(line.lstrip())] + "    "
            out.append(f'{indent}"""Do the thing."""\n')
    return "".join(out)


def _blank_lines_around(text: str) -> str:
    return text.replace("\n\n\nclass Cache", "\n\n\n\n\nclass Cache").replace("\n\n\n", "\n\n", 1)


def _duplicate_block(text: str) -> str:
    lines = _lines(text)
    return "".join(lines[:60] + lines[52:60] + lines[60:])


EDITS: dict[str, Callable[[str], str]] = {
    "insert method": _insert_method,
    "append function": _append_function,
    "delete class": _delete_class,
    "rename parameter everywhere": _rename_parameter,
    "add docstrings": _add_docstrings,
    "blank lines": _blank_lines_around,
    "duplicate block": _duplicate_block,
    "drop final newline": lambda text: text.rstrip("\n"),
    "crlf whole file": lambda text: text.replace("\n", "\r\n"),
    "empty to file": lambda text: text,
    "file to empty": lambda text: "",
    "identical": lambda text: text,
    "reverse": lambda text: "".join(reversed(_lines(text))),
}


@pytest.mark.parametrize("name", list(EDITS))
def test_realistic_edits_match_git(tmp_path: Path, name: str) -> None:
    base = "" if name == "empty to file" else SHAPES
    head = EDITS[name](SHAPES)
    assert diff_texts(base, head) == git_patch(tmp_path, base, head)


def test_crlf_file_edits_match_git(tmp_path: Path) -> None:
    base = SHAPES.replace("\n", "\r\n")
    head = _insert_method(_append_function(SHAPES)).replace("\n", "\r\n").rstrip("\r\n")
    assert diff_texts(base, head) == git_patch(tmp_path, base, head)


def _mutate(lines: list[str], rng: random.Random) -> list[str]:
    lines = list(lines)
    for _ in range(rng.choice([1, 2, 4, 12])):
        i = rng.randrange(len(lines) + 1)
        op = rng.random()
        if op < 0.3 and lines:
            j = rng.randrange(len(lines))
            lines[i:i] = lines[j : j + rng.randint(1, 10)]
        elif op < 0.5:
            del lines[i : i + rng.randint(1, 6)]
        elif op < 0.7 and i < len(lines):
            lines[i] = lines[i].rstrip("\n") + "  # changed\n"
        elif op < 0.85:
            lines[i:i] = ["\n", f"    def helper_{i}(self):\n", "        return None\n", "\n"]
        else:
            lines[i:i] = ["\n"] * rng.randint(1, 3)
    return lines


def test_random_edits_of_real_modules_match_git(tmp_path: Path) -> None:
    sources = sorted((REPO / "bot" / "core").glob("*.py")) + sorted(DATA.glob("*.py"))
    texts = [p.read_text() for p in sources if p.stat().st_size > 0]
    rng = random.Random(2026)
    for case in range(60):
        base_lines = _lines(rng.choice(texts))
        head = "".join(_mutate(base_lines, rng))
        base = "".join(base_lines)
        assert diff_texts(base, head) == git_patch(tmp_path, base, head), f"case {case}"


def test_large_rewrite_uses_gits_cost_cutoffs(tmp_path: Path) -> None:
    # Long runs of reshuffled common lines push xdiff past its 256-step cost limit,
    # where it stops looking for a minimal diff; the hunks still have to be git's.
    rng = random.Random(11)
    vocabulary = [f"    item_{k} = compute({k})\n" for k in range(30)]
    base: list[str] = []
    head: list[str] = []
    for block in range(5):
        base += [rng.choice(vocabulary) for _ in range(200)]
        head += [rng.choice(vocabulary) for _ in range(200)]
        shared = [f"unique_{block}_{k} = {k}\n" for k in range(40)]
        base += shared
        head += shared
    base_text, head_text = "".join(base), "".join(head)
    assert diff_texts(base_text, head_text) == git_patch(tmp_path, base_text, head_text)


def _difflib_added(base: str, head: str) -> set[int]:
    matcher = difflib.SequenceMatcher(None, _lines(base), _lines(head), autojunk=False)
    added: set[int] = set()
    for tag, _, _, j1, j2 in matcher.get_opcodes():
        if tag in ("insert", "replace"):
            added.update(range(j1 + 1, j2 + 1))
    return added


def test_copy_pasted_function_is_attributed_as_git_does(tmp_path: Path) -> None:
    # Duplicating a function (to write a variant of it) has two minimal diffs: the
    # original added, or the copy. difflib blames the original; git, and so GitHub's
    # hunks, the copy. Which lines are commentable depends on it.
    lines = _lines(SHAPES)
    start = lines.index("def normalise(url: str) -> str:\n")
    head = "".join(lines[: start + 3] + lines[start : start + 3] + lines[start + 3 :])
    ours = diff_texts(SHAPES, head)
    assert ours == git_patch(tmp_path, SHAPES, head)
    copy = set(range(start + 4, start + 7))
    assert map_patch("shapes.py", ours).added == copy
    assert _difflib_added(SHAPES, head) == set(range(start + 1, start + 4))
