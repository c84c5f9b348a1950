"""SQLite as Django's backend has it, with writers that queue without SQLite's sleeps,
and statements whose placeholders are rewritten once, not on every run.

A write transaction here starts with ``BEGIN IMMEDIATE`` (config/settings.py): it takes
the database's write lock up front, so two writers never fail half-way. A writer that
finds the lock taken waits in SQLite's busy handler, which *sleeps* between tries —
1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50 and then 100 ms at a time — however soon the
lock comes free. With sixteen commenters posting at once, a write transaction that
holds the lock for a few milliseconds made the others sleep tens of milliseconds each:
the workers idled while posts waited (10 to 12 posts/s on two cores, far below what their
CPU allowed).

So, before ``BEGIN IMMEDIATE``, a writer takes an exclusive ``flock`` on a file beside
the database (``<name>-writers``) and keeps it until its transaction commits or rolls
back. The kernel's lock is asked for again every fraction of a millisecond, so the
next writer starts as soon as the last one ended. Everything else is unchanged: the
database lock is still SQLite's (a writer outside this queue — ``sqlite3`` on the
command line, an autocommit statement — is waited for by the busy handler, as
before), and after the configured ``timeout`` without the queue's lock the writer
goes on to ``BEGIN IMMEDIATE`` anyway and gets SQLite's own answer.

Django writes ``%s`` placeholders and its SQLite cursor rewrites them to ``?`` with a
regular expression over the whole statement on every ``execute()``. The review page's
statements are a few kilobytes each (every column of six tables), and the rewrite
cost more than SQLite running them (23 of 48 µs for the other-reviews query).
:class:`CursorWrapper` remembers the rewrite of the last few hundred statements up to
:data:`REMEMBERED_LENGTH` characters; a longer one (a bulk insert) is rewritten as
before.
"""

from __future__ import annotations

import fcntl
import functools
import os
import time
from typing import Any

from django.db.backends.sqlite3 import base

# Waits between two tries for the writers' lock: short at first, never long.
_PAUSES = (0.0002, 0.0005, 0.001, 0.002)


REMEMBERED_LENGTH = 16_384


@functools.lru_cache(maxsize=256)
def _with_question_marks(query: str) -> str:
    return base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


class CursorWrapper(base.SQLiteCursorWrapper):
    def convert_query(self, query: str, *, param_names: list[str] | None = None) -> str:
        if param_names is None and len(query) <= REMEMBERED_LENGTH:
            return _with_question_marks(query)
        return super().convert_query(query, param_names=param_names)


class DatabaseWrapper(base.DatabaseWrapper):
    def create_cursor(self, name: str | None = None) -> Any:
        return self.connection.cursor(factory=CursorWrapper)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._writers_file: int | None = None
        self._holds_writers_lock = False

    def _writers_lock_path(self) -> str | None:
        name = str(self.settings_dict["NAME"])
        if self.is_in_memory_db() or self.transaction_mode != "IMMEDIATE":  # type: ignore[attr-defined]
            return None
        return f"{name}-writers"

    def _take_writers_lock(self) -> None:
        path = self._writers_lock_path()
        if path is None:
            return
        if self._writers_file is None:
            self._writers_file = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))
        deadline = time.monotonic() + timeout
        tries = 0
        while True:
            try:
                fcntl.flock(self._writers_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() > deadline:
                    return  # SQLite's busy handler decides from here
                time.sleep(_PAUSES[min(tries, len(_PAUSES) - 1)])
                tries += 1
            else:
                self._holds_writers_lock = True
                return

    def _release_writers_lock(self) -> None:
        if self._holds_writers_lock and self._writers_file is not None:
            self._holds_writers_lock = False
            fcntl.flock(self._writers_file, fcntl.LOCK_UN)

    def _start_transaction_under_autocommit(self) -> None:
        self._take_writers_lock()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._release_writers_lock()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]
        finally:
            self._release_writers_lock()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]
        finally:
            self._release_writers_lock()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]
        finally:
            self._release_writers_lock()
            if self._writers_file is not None:
                os.close(self._writers_file)
                self._writers_file = None
