"""Progress bars for commands that can run over thousands of skills, drawn by `rich` on stderr.

Shown only to a person: never when stderr is not a terminal (a pipe, a log file, CI) and never
with `--json`, so scripts read exactly what they read before. The core reports progress through
plain callbacks; only this module knows about `rich`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def wanted(args: argparse.Namespace) -> bool:
    """True when a person watches stderr and asked for no machine output."""
    if getattr(args, "json", False):
        return False
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


class Bar:
    """One task of a progress display; every method is a no-op when nothing is shown."""

    def __init__(self, progress: Any = None, task: Any = None) -> None:
        self._progress = progress
        self._task = task

    def advance(self, n: int = 1) -> None:
        if self._progress is not None:
            self._progress.advance(self._task, n)

    def update(self, done: int, total: int | None = None, label: str | None = None) -> None:
        """Set the count (and the total, and what is being done) outright."""
        if self._progress is not None:
            fields: dict[str, Any] = {"completed": done}
            if total is not None:
                fields["total"] = total
            if label is not None:
                fields["description"] = label
            self._progress.update(self._task, **fields)

    def stage(self, label: str, done: int, total: int) -> None:
        """The callback shape of the core (`on_progress(stage, done, total)`)."""
        self.update(done, total, label)


@contextmanager
def bar(label: str, total: int | None, *, show: bool) -> Iterator[Bar]:
    """A bar on stderr counting to `total` (None: a pulsing bar until the work ends)."""
    if not show:
        yield Bar()
        return
    from rich import progress as rp
    from rich.console import Console

    columns = (rp.TextColumn("{task.description}"), rp.BarColumn(), rp.MofNCompleteColumn(), rp.TimeElapsedColumn())
    with rp.Progress(*columns, console=Console(stderr=True), transient=False) as progress:
        task = progress.add_task(label, total=total)
        yield Bar(progress, task)
        if progress.tasks[0].total is None:  # never learned its size: show it as finished
            progress.update(task, total=1, completed=1)
