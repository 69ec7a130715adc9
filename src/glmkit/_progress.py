"""A tiny progress bar on stderr, for long paths and cross-validations.

On only when stderr is a terminal (never in logs, pipes or CI) unless the caller forces it;
no dependency. ``progress=False`` on the public functions turns it off.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["Progress"]


class Progress:
    """``with Progress(total, "path") as bar: ... bar.update()``.

    Parameters
    ----------
    total : int
        Number of steps.
    label : str
    enabled : bool or None, default None
        None: on when ``stream`` is a TTY.
    stream : text stream, default sys.stderr
    min_interval : float, default 0.1
        Seconds between redraws.

    Examples
    --------
    >>> import io
    >>> buf = io.StringIO()
    >>> with Progress(3, "demo", enabled=True, stream=buf, min_interval=0) as bar:
    ...     for _ in range(3):
    ...         bar.update()
    >>> "3/3" in buf.getvalue()
    True
    """

    width = 30

    def __init__(self, total: int, label: str = "", enabled: bool | None = None,
                 stream: TextIO | None = None, min_interval: float = 0.1) -> None:
        self.total = max(int(total), 1)
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        if enabled is None:
            isatty = getattr(self.stream, "isatty", None)
            enabled = bool(isatty()) if callable(isatty) else False
        self.enabled = bool(enabled)
        self.done = 0
        self.min_interval = min_interval
        self._start = time.perf_counter()
        self._last = -float("inf")
        self._width = 0

    def update(self, steps: int = 1, note: str = "") -> None:
        """Advance by ``steps`` and redraw (at most every ``min_interval`` seconds)."""
        self.done = min(self.done + steps, self.total)
        if not self.enabled:
            return
        now = time.perf_counter()
        if now - self._last < self.min_interval and self.done < self.total:
            return
        self._last = now
        filled = int(self.width * self.done / self.total)
        bar = "#" * filled + "-" * (self.width - filled)
        elapsed = now - self._start
        text = f"\r{self.label} [{bar}] {self.done}/{self.total} {elapsed:5.1f}s"
        if note:
            text += f" {note}"
        pad = max(self._width - len(text), 0)
        self._width = len(text)
        self.stream.write(text + " " * pad)
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
