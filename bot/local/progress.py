"""A progress bar on stderr while the model answers, shown only where someone watches."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TextIO

PROGRESS_MIN_REQUESTS = 4  # fewer requests finish before a bar would tell anything


class Progress(Protocol):
    """Shows how many of a run's functions have been answered."""

    def update(self, done: int) -> None:
        """Show that ``done`` functions have been answered."""

    def close(self) -> None:
        """End the display."""


ProgressFactory = Callable[[int, int], Progress]  # (functions, requests) -> display


class _Silent:
    def update(self, done: int) -> None:
        """Show nothing."""

    def close(self) -> None:
        """Show nothing."""


def no_progress(functions: int, requests: int) -> Progress:
    """Return a display that shows nothing."""
    return _Silent()


class ProgressBar:
    """A one-line bar on a stream, redrawn in place."""

    def __init__(self, stream: TextIO, total: int, width: int = 30) -> None:
        self._stream = stream
        self._total = max(total, 1)
        self._width = width
        self._open = False
        self.update(0)

    def update(self, done: int) -> None:
        """Redraw the bar for ``done`` functions answered."""
        done = min(done, self._total)
        filled = self._width * done // self._total
        bar = "#" * filled + "." * (self._width - filled)
        self._stream.write(f"\rdocgen [{bar}] {done}/{self._total} functions")
        self._stream.flush()
        self._open = True

    def close(self) -> None:
        """End the bar's line."""
        if self._open:
            self._stream.write("\n")
            self._stream.flush()
            self._open = False


def progress_on(stream: TextIO) -> ProgressFactory:
    """Return bars on ``stream`` for runs of several requests, when it is a terminal."""

    def start(functions: int, requests: int) -> Progress:
        if requests < PROGRESS_MIN_REQUESTS or not stream.isatty():
            return no_progress(functions, requests)
        return ProgressBar(stream, functions)

    return start
