"""A progress bar on a terminal (rich), nothing when the output is a file or pipe; and
running an import from an export file under it, for the import commands."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from django.core.management.base import CommandError
from rich.console import Console

from watchworthy.imports.common import ImportFailed
from watchworthy.imports.summary import ImportSummary


def console_for(stream) -> Console:
    """A rich console writing to the command's stdout (plain text when not a TTY)."""
    is_tty = hasattr(stream, "isatty") and stream.isatty()
    target = getattr(stream, "_out", stream)
    return Console(
        file=target, force_terminal=is_tty, no_color=not is_tty, width=None if is_tty else 100
    )


@contextlib.contextmanager
def progress_bar(
    stream, *, total: int, description: str, enabled: bool = True
) -> Iterator[Callable[[int], None] | None]:
    """Yield a ``progress(bytes_read)`` callback, or None when there is no terminal."""
    is_tty = enabled and hasattr(stream, "isatty") and stream.isatty() and sys.stderr.isatty()
    if not is_tty:
        yield None
        return
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as progress:
        task = progress.add_task(description, total=total or None)
        yield lambda done: progress.update(task, completed=done)


def run_import(
    stream, export: Path, run: Callable[..., ImportSummary]
) -> tuple[ImportSummary, float]:
    """Call ``run(stream=…, progress=…)`` on the ``export`` file with a progress bar on
    ``stream`` (the command's stdout); return the summary and the seconds it took. A
    failed import becomes a :class:`CommandError` with its message."""
    started = time.monotonic()
    try:
        with (
            export.open("rb") as file,
            progress_bar(stream, total=export.stat().st_size, description="Importing") as progress,
        ):
            summary = run(stream=file, progress=progress)
    except ImportFailed as error:
        raise CommandError(str(error)) from error
    return summary, time.monotonic() - started
