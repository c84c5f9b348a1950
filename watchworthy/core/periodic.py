"""Work that must happen now and then, without a scheduler to install.

An app registers a job in its ``ready()``::

    periodic.register("comment-digests", every=300, run=send_digests_task.enqueue)

and :func:`run_due` runs the jobs whose time has come. It is called for every request
by :class:`watchworthy.core.middleware.DueWorkMiddleware` (one cache read; the jobs
run at most once per interval across all processes, behind a cache lock), and by
``manage.py run_periodic`` from cron or the task worker. A job should only *enqueue*
its work (django-tasks), so a reader's request never waits for it on a site with a
worker. A cold cache schedules the jobs instead of running them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache

NEXT_KEY = "core:periodic:next:v1"
LOCK_KEY = "core:periodic:lock:v1"


@dataclass(frozen=True)
class Job:
    name: str
    every: int  # seconds
    run: Callable[[], object]

    @property
    def key(self) -> str:
        return f"core:periodic:job:{self.name}"


_JOBS: dict[str, Job] = {}


def register(name: str, *, every: int, run: Callable[[], object]) -> None:
    _JOBS[name] = Job(name, every, run)


def jobs() -> list[Job]:
    return list(_JOBS.values())


def run_due(
    now: float | None = None, *, force: bool = False, upcoming: float | None = None
) -> list[str]:
    """Run the jobs that are due (``force``: every job); returns their names.
    ``upcoming``: the next moment, when the caller already read it from the cache."""
    now = time.time() if now is None else now
    if not _JOBS:
        return []
    if not force:
        if upcoming is None:
            upcoming = cache.get(NEXT_KEY)
        if upcoming is None:  # cold cache: start the clocks, run nothing yet
            cache.set_many({job.key: now + job.every for job in _JOBS.values()}, None)
            cache.set(NEXT_KEY, now + min(job.every for job in _JOBS.values()), None)
            return []
        if upcoming > now:
            return []
    if not cache.add(LOCK_KEY, 1, 300):
        return []
    ran = []
    try:
        times = cache.get_many([job.key for job in _JOBS.values()])
        for job in _JOBS.values():
            if force or times.get(job.key, 0) <= now:
                job.run()
                ran.append(job.name)
                times[job.key] = now + job.every
        cache.set_many(times, None)
        cache.set(NEXT_KEY, min(times.values()), None)
    finally:
        cache.delete(LOCK_KEY)
    return ran
