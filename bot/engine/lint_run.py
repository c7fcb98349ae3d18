"""Run one linter as a subprocess, with a time limit, and never raise for its sake."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ToolResult:
    """What a linter printed, or ``error``: why it gave nothing usable ("timed out ...")."""

    cwd: Path
    returncode: int = 0
    stdout: str = ""
    stderr: str = ""
    error: str | None = None


async def run_tool(
    command: list[str] | str, cwd: Path, timeout: float, ok: Collection[int] = (0,)
) -> ToolResult:
    """Run ``command`` in ``cwd``; a string instead of a command says why it cannot run.

    An exit status outside ``ok`` is an error, told with the last line the tool printed.
    """
    if isinstance(command, str):
        return ToolResult(cwd, error=command)
    try:
        process = await asyncio.create_subprocess_exec(
            *command,
            cwd=cwd,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
    except OSError as exc:
        return ToolResult(cwd, error=f"could not be started ({exc.strerror or exc})")
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        return ToolResult(cwd, error=f"took longer than {timeout:g} s")
    finally:
        # Timed out or cancelled: the linter must not outlive the folder it reads.
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
    stdout = out.decode("utf-8", "replace")
    stderr = err.decode("utf-8", "replace")
    code = process.returncode if process.returncode is not None else -1
    if code not in ok:
        last = next((x for x in reversed(stderr.splitlines()) if x.strip()), "no message")
        return ToolResult(cwd, code, stdout, stderr, f"failed (exit status {code}: {last})")
    return ToolResult(cwd, code, stdout, stderr)
