"""The locks of exact versions: complete, hashed, within pyproject's ranges, and in step.

``requirements.lock`` (the image) and ``requirements-dev.lock`` (CI) are written by
``bash scripts/lock``; these tests fail when pyproject.toml changes without a refresh.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
RUNTIME, DEV = ROOT / "requirements.lock", ROOT / "requirements-dev.lock"
# One requirement: "name==version [; marker] \" then its "--hash=sha256:..." lines.
_ENTRY = re.compile(r"^(\S[^\n]*?)(?: \\\n((?:    --hash=sha256:[0-9a-f]{64}(?: \\\n)?)+))?$", re.M)


@dataclass(frozen=True)
class Pin:
    """One locked requirement."""

    requirement: Requirement
    hashes: int

    @property
    def version(self) -> str:
        """Return the exact version (the lock says ``==`` and nothing else)."""
        (spec,) = self.requirement.specifier
        assert spec.operator == "==", self.requirement
        return spec.version


def read_lock(path: Path) -> dict[str, Pin]:
    """Return a lock file's requirements by canonical name."""
    return parse_lock(path.read_text())


def parse_lock(text: str) -> dict[str, Pin]:
    """Return the requirements of a lock's text by canonical name."""
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    pins: dict[str, Pin] = {}
    for match in _ENTRY.finditer("\n".join(lines)):
        requirement = Requirement(match[1])
        pins[canonicalize_name(requirement.name)] = Pin(
            requirement, (match[2] or "").count("--hash")
        )
    return pins


def declared(*, extras: tuple[str, ...] = ()) -> list[Requirement]:
    """Return pyproject's runtime requirements, its build backend and the named extras."""
    project = PYPROJECT["project"]
    texts = [*project["dependencies"], *PYPROJECT["build-system"]["requires"]]
    for extra in extras:
        texts += project["optional-dependencies"][extra]
    return [Requirement(text) for text in texts]


@pytest.mark.parametrize(("lock", "extras"), [(RUNTIME, ()), (DEV, ("dev",))])
def test_every_declared_dependency_is_pinned_within_its_range(
    lock: Path, extras: tuple[str, ...]
) -> None:
    pins = read_lock(lock)
    for requirement in declared(extras=extras):
        pin = pins.get(canonicalize_name(requirement.name))
        assert pin is not None, f"{requirement.name} is not in {lock.name}: run bash scripts/lock"
        assert requirement.specifier.contains(pin.version, prereleases=True), (requirement, pin)


@pytest.mark.parametrize("lock", [RUNTIME, DEV])
def test_every_pin_is_exact_and_hashed(lock: Path) -> None:
    pins = read_lock(lock)
    assert len(pins) > 20  # the parser found the entries
    for name, pin in pins.items():
        assert pin.version, name
        assert pin.hashes >= 1, f"{name} has no hash in {lock.name}"
        assert not pin.requirement.url and not pin.requirement.extras, name


def test_the_image_gets_the_versions_ci_tests() -> None:
    runtime, dev = read_lock(RUNTIME), read_lock(DEV)
    assert set(runtime) <= set(dev)
    for name, pin in runtime.items():
        assert pin.version == dev[name].version, name
        assert pin.requirement.marker == dev[name].requirement.marker, name


def test_the_parser_reads_markers_and_hashes() -> None:
    text = (
        "# header\n"
        "async-timeout==5.0.1 ; python_full_version < '3.11.3' \\\n"
        f"    --hash=sha256:{'a' * 64} \\\n"
        f"    --hash=sha256:{'b' * 64}\n"
        "    # via redis\n"
        f"arq==0.28.0 \\\n    --hash=sha256:{'c' * 64}\n"
    )
    pins = parse_lock(text)
    assert {n: (p.version, p.hashes) for n, p in pins.items()} == {
        "async-timeout": ("5.0.1", 2),
        "arq": ("0.28.0", 1),
    }
    assert str(pins["async-timeout"].requirement.marker) == 'python_full_version < "3.11.3"'
