"""Django for a benchmark: a throw-away data folder, the database BENCH_DATABASE_URL
names (SQLite in that folder when unset), then ``django.setup()``. Shared by the
bench scripts that run in-process (run.py, growth.py, thread_render.py)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def start_throwaway_site(prefix: str, **environment: str) -> str:
    """Set up Django on a fresh data folder (returned); ``environment`` is set first."""
    data_dir = tempfile.mkdtemp(prefix=prefix)
    os.environ["WATCHWORTHY_DATA_DIR"] = data_dir
    os.environ.update(environment)
    if os.environ.get("BENCH_DATABASE_URL"):
        os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    root = str(Path(__file__).resolve().parent.parent)
    if root not in sys.path:
        sys.path.insert(0, root)
    import django

    django.setup()
    return data_dir
