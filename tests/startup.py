"""Start Django in a fresh process, as a server would, to see what start-up says."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def run_python(env: dict[str, str], code: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter with only ``env`` for Watchworthy's settings
    (the test run's own DJANGO_*, WATCHWORTHY_*, DATABASE_URL and EMAIL_URL removed)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "WATCHWORTHY_"))}
    for name in ("DATABASE_URL", "EMAIL_URL", "REDIS_URL"):
        clean.pop(name, None)
    clean["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code],
        env={**clean, **env},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )


def start(env: dict[str, str], code: str = "import django; django.setup()") -> tuple[int, str]:
    """Start Django in a fresh process with ``env``; its exit status and stderr."""
    run = run_python(env, code)
    return run.returncode, run.stderr.strip()


STRONG_KEY = "k3Y-" + "x7Qa9Lm2Pz" * 6
PRODUCTION = {
    "WATCHWORTHY_ENV": "production",
    "DJANGO_ALLOWED_HOSTS": "reviews.example.org",
    "WATCHWORTHY_SITE_URL": "https://reviews.example.org",
}
