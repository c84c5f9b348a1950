"""Checks a production server makes before it takes a request (see config/wsgi.py).

Settings already refuse to start with a weak key, debug mode or no allowed hosts;
what settings cannot know yet is whether ``collectstatic`` has run. Without it every
page would be a 500 (the hashed file names are missing), so the server refuses to
start instead, with one line that says what to run.
"""

from __future__ import annotations

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
