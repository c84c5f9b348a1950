"""One consistent, online view of the database, for the length of a backup.

Everything a backup says about the database — the native copy, the portable rows,
the row counts in the manifest — is read from the same moment, while the site keeps
taking comments:

* **SQLite**: the sqlite3 backup API copies the database file page by page in one
  step (in WAL mode writers carry on meanwhile); the rows and counts are then read
  from that copy, through a second Django connection.
* **PostgreSQL**: a second connection opens a ``REPEATABLE READ, READ ONLY``
  transaction and exports its snapshot; ``pg_dump --snapshot`` dumps exactly that
  snapshot, and the rows and counts are read in the same transaction.
"""

from __future__ import annotations

import copy
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.db import connections, transaction
from django.db.utils import load_backend


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in one line."""


@dataclass(frozen=True)
class Snapshot:
    alias: str  # the Django connection that sees the snapshot
    vendor: str  # "sqlite" or "postgresql"
    native: Path  # the database's own copy: a SQLite file or a pg_dump archive


@contextmanager
def database_snapshot(workdir: Path, *, using: str = "default") -> Iterator[Snapshot]:
    """A :class:`Snapshot` of database ``using``. Inside the ``with`` block, *this
    thread's* connection ``using`` is a second connection that sees the snapshot (the
    SQLite copy, or the PostgreSQL transaction); the site's own connection is put back
    afterwards, and other threads never see the swap."""
    source = connections[using]
    vendor = source.vendor
    settings_dict = copy.deepcopy(source.settings_dict)
    if vendor == "sqlite":
        native = workdir / "native.sqlite3"
        _sqlite_copy(using, native)
        settings_dict.update(NAME=str(native), OPTIONS={})
    elif vendor == "postgresql":
        native = workdir / "native.pgdump"
    else:
        raise BackupError(f"backups know SQLite and PostgreSQL, not {vendor}")
    snapshot = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, using)
    connections[using] = snapshot
    try:
        if vendor == "postgresql":
            with transaction.atomic(using=using), snapshot.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")
                (snapshot_id,) = cursor.fetchone()
                _pg_dump(settings_dict, snapshot_id, native)
                yield Snapshot(using, vendor, native)
        else:
            yield Snapshot(using, vendor, native)
    finally:
        connections[using] = source
        snapshot.close()


def _sqlite_copy(using: str, target: Path) -> None:
    source = connections[using]
    source.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        # pages=-1: the whole database in one step, so the copy is one moment's.
        source.connection.backup(destination, pages=-1)
    finally:
        destination.close()


def _pg_dump(settings_dict: dict[str, object], snapshot_id: str, target: Path) -> None:
    program = shutil.which("pg_dump")
    if program is None:
        raise BackupError(
            "pg_dump is not installed: it makes the PostgreSQL copy "
            "(Debian: apt-get install postgresql-client, the same major version as the server)"
        )
    command = [program, "--format=custom", f"--snapshot={snapshot_id}", f"--file={target}"]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings_dict.get(key):
            command.append(f"{option}={settings_dict[key]}")
    command.append(f"--dbname={settings_dict['NAME']}")
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    result = subprocess.run(  # noqa: S603 - our arguments, no shell
        command, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        first = (result.stderr.strip().splitlines() or ["(no message)"])[0]
        raise BackupError(f"pg_dump failed: {first}")
