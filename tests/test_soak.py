"""The short soak (``bench/soak.py --short``) passes: nothing lost, each review posted once.

It runs as a child process against the tests' Redis database: 2 web and 3 worker
processes, the fake GitHub and Azure with faults, duplicate and repeated deliveries,
and one worker killed with SIGKILL in the middle of a review and replaced. It is part
of the default test run (about a minute). Its checks are about behaviour, not time:
every wait in it ends on a state (a worker seen mid-review, every PR reviewed, the
queue drained), and the soak's own deadline (``SHORT_TIMEOUT``) only stops a run that
would never end, so a loaded machine makes it slower, not red.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.soak_plan import SHORT_TIMEOUT
from tests.conftest import TEST_REDIS_DB

ROOT = Path(__file__).resolve().parent.parent
# The child stops itself at SHORT_TIMEOUT; these only catch a child that does not.
CHILD_TIMEOUT = SHORT_TIMEOUT + 60
TEST_TIMEOUT = CHILD_TIMEOUT + 30


def child_logs(folder: Path) -> str:
    """Return what the web and worker processes logged above info level, for a failure."""
    out = []
    for log in sorted(folder.glob("*/out.log")):
        lines = log.read_text(errors="replace").splitlines()
        notable = [x for x in lines if "level=info" not in x and "level=debug" not in x]
        out += [f"--- {log.parent.name}: {len(lines)} lines, {len(notable)} above info"]
        out += [x[:300] for x in notable[-40:]]
    return "\n".join(out)


@pytest.mark.soak
@pytest.mark.timeout(TEST_TIMEOUT)
def test_short_soak_loses_nothing(redis_url: str, tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    command = [sys.executable, "bench/soak.py", "--short", "--redis-db", str(TEST_REDIS_DB)]
    proc = subprocess.run(
        [*command, "--logs", str(logs)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr + child_logs(logs)
    assert "OK: nothing lost, exactly once" in proc.stdout, proc.stdout
    [line] = [x for x in proc.stdout.splitlines() if x.startswith("SOAK ")]
    figures = json.loads(line.removeprefix("SOAK "))
    assert figures["lost"] == 0 and figures["checks_failed"] == 0, figures
    assert figures["killed_worker_held_lease"] is True, figures
    assert figures["jobs_reaped"] >= 1, figures
    assert figures["parts_handed_on"] >= figures["long_prs"] >= 1, figures  # work items ran
