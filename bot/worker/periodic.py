"""Background work a worker repeats every few seconds for as long as it runs.

Redis may be away for a while: each failed pass is tolerated, and an outage is
logged once, when it starts, not once per pass.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from redis.exceptions import RedisError

log = logging.getLogger("docgen.worker")


async def every(seconds: float, step: Callable[[], Awaitable[object]], failed: str) -> None:
    """Run ``step`` every ``seconds`` until cancelled; log ``failed`` once per outage."""
    failing = False
    while True:
        await asyncio.sleep(seconds)
        try:
            await step()
        except (RedisError, OSError) as exc:
            if not failing:
                log.warning("%s (%s)", failed, type(exc).__name__)
            failing = True
        else:
            failing = False
