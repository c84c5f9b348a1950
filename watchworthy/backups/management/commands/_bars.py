"""A rich progress bar on a terminal for the backup commands; nothing otherwise."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from watchworthy.backups.services import Progress as ProgressCallback


@contextmanager
def progress_bars(enabled: bool) -> Iterator[ProgressCallback]:
    """A ``progress(description, done, total)`` callback: one bar per description."""
    if not (enabled and sys.stderr.isatty()):
        yield lambda description, done, total: None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bars:
        tasks: dict[str, object] = {}

        def update(description: str, done: int, total: int) -> None:
            if description not in tasks:
                tasks[description] = bars.add_task(description, total=total or None)
            bars.update(tasks[description], completed=done, total=total or None)  # type: ignore[arg-type]

        yield update
