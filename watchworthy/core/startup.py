"""Checks a production server makes before it takes a request (see config/wsgi.py).

Settings already refuse to start with a weak key, debug mode or no allowed hosts;
what settings cannot know yet is whether ``collectstatic`` has run. Without it every
page would be a 500 (the hashed file names are missing), so the server refuses to
start instead, with one line that says what to run.
"""

from __future__ import annotations

import gc
import logging
from pathlib import Path

from django.conf import settings

logger = logging.getLogger("watchworthy")


def static_files_problem() -> str | None:
    """Why production cannot serve its static files, or None."""
    if not getattr(settings, "PRODUCTION", False):
        return None
    manifest = Path(settings.STATIC_ROOT or "") / "staticfiles.json"
    if not manifest.exists():
        return (
            f"static files are not collected ({manifest} is missing); run "
            "`manage.py collectstatic --noinput` (make serve does it)."
        )
    return None


def refuse_to_serve_if_not_ready() -> None:
    problem = static_files_problem()
    if problem:
        raise SystemExit(f"Watchworthy will not start: {problem}")
    warning = shared_state_warning()
    if warning:
        logger.warning(warning)


def shared_state_warning() -> str | None:
    """What an operator should know about counts kept per machine, or None."""
    production: bool = getattr(settings, "PRODUCTION", False)
    redis_url: str = getattr(settings, "REDIS_URL", "")
    if not production or redis_url:
        return None
    return (
        "Rate limits, spent form tokens and cached pages are shared by this machine's "
        "workers only (a cache folder): set REDIS_URL before adding a second app server."
    )


# Young objects a collection of the youngest generation waits for (Python's default:
# 700). A 1,000-comment page makes tens of thousands (rows, tuples, nodes) that die
# with the request; at 700 the collector ran a dozen times a page and promoted what was
# still in use to the older generations, which it then walked too.
YOUNG_OBJECTS_BEFORE_COLLECTING = 7000


def settle_for_serving() -> None:
    """Before the first request: import the URLconf (and with it the views, forms and
    models), then set everything loaded so far aside from the garbage collector
    (``gc.freeze``) — module-level objects live as long as the process — and let it run
    less often (:data:`YOUNG_OBJECTS_BEFORE_COLLECTING`). Callgrind, 1,000-comment page:
    -4% of the instructions a request; 20-comment page: -2% (bench/README.md)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every app's views
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_OBJECTS_BEFORE_COLLECTING, older, oldest)
