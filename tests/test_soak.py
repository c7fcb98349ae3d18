"""The short soak (``bench/soak.py --short``) passes: nothing lost, each review posted once.

It runs as a child process against the tests' Redis database: 2 web and 3 worker
processes, the fake GitHub and Azure with faults, duplicate and repeated deliveries,
and one worker killed with SIGKILL mid-run and replaced.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TEST_REDIS_DB

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.soak
@pytest.mark.timeout(120)
def test_short_soak_loses_nothing(redis_url: str) -> None:
    proc = subprocess.run(
        [sys.executable, "bench/soak.py", "--short", "--redis-db", str(TEST_REDIS_DB)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=110,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "OK: nothing lost, exactly once" in proc.stdout, proc.stdout
    [line] = [x for x in proc.stdout.splitlines() if x.startswith("SOAK ")]
    figures = json.loads(line.removeprefix("SOAK "))
    assert figures["lost"] == 0 and figures["checks_failed"] == 0, figures
    assert figures["killed_worker_held_lease"] is True, figures
    assert figures["jobs_reaped"] >= 1, figures
