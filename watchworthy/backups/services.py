"""``backup_write`` and ``restore_read``: a whole site in one tar archive and back.

An archive holds, in this order (docs/backups.md):

=============================  ====================================================
``database/data.jsonl``        every row of every model, Django's JSON-lines
                               serialization: the portable copy, restored on SQLite
                               and PostgreSQL alike
``database/native.sqlite3`` or the database's own copy (SQLite file, or
``database/native.pgdump``     ``pg_dump --format=custom``), for its own tools
``media/<name>``               every stored file, local folder or bucket
``manifest.json``              format, when, database kind, applied migrations, row
                               counts per model, and the sha256 and size of every
                               member above
=============================  ====================================================

A restore reads the archive twice: first it checks every member against the
manifest and refuses the archive before touching anything; then it writes.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.apps import apps
from django.core import serializers
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connections, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from .snapshot import BackupError, database_snapshot

FORMAT = "watchworthy-backup"
VERSION = 1
MANIFEST = "manifest.json"
DATA = "database/data.jsonl"
MEDIA = "media/"
CHUNK = 1024 * 1024
# Rows per INSERT when a restore loads the database.
ROW_BATCH = 1000
# Rows a fresh, migrated database already has: restore replaces them.
BOOKKEEPING = {"contenttypes.contenttype", "auth.permission"}

# progress(description, done, total): a bar on a terminal, or nothing.
Progress = Callable[[str, int, int], None]


def _no_progress(description: str, done: int, total: int) -> None:
    return None


@dataclass
class BackupResult:
    path: Path
    size: int
    seconds: float
    counts: dict[str, int]
    media_files: int
    media_bytes: int


@dataclass
class RestoreResult:
    counts: dict[str, int]
    media_files: int
    seconds: float
    warnings: list[str] = field(default_factory=list)


# --- backup ----------------------------------------------------------------------------


def backup_write(*, out: Path, progress: Progress = _no_progress) -> BackupResult:
    """Write the site's archive to ``out`` (``.tar``, or ``.tar.gz`` / ``.tgz`` for a
    compressed one). ``out`` appears only once it is whole."""
    started = time.monotonic()
    out = Path(out)
    if out.exists():
        raise BackupError(f"{out} already exists; choose a new name (backups never overwrite)")
    if not out.parent.is_dir():
        raise BackupError(f"{out.parent} is not a folder")
    mode = "w:gz" if out.name.endswith((".tar.gz", ".tgz")) else "w"
    partial = out.with_name(f".{out.name}.partial")
    members: dict[str, dict[str, Any]] = {}
    try:
        with (
            tempfile.TemporaryDirectory(prefix="watchworthy-backup-") as work,
            _open_for_writing(partial, mode) as tar,
        ):
            workdir = Path(work)
            with database_snapshot(workdir) as snapshot:
                counts = _counts(snapshot.alias)
                migrations = _applied_migrations(snapshot.alias)
                _write_rows(snapshot.alias, workdir / "data.jsonl", counts, progress)
                members[DATA] = _add_file(tar, DATA, workdir / "data.jsonl")
                native = f"database/{snapshot.native.name}"
                members[native] = _add_file(tar, native, snapshot.native)
                # The files, listed after the rows: every file a row names is there.
                media_files, media_bytes = _add_media(tar, members, progress)
            manifest = {
                "format": FORMAT,
                "version": VERSION,
                "created_at": timezone.now().isoformat(),
                "database": {"vendor": snapshot.vendor, "native": native, "portable": DATA},
                "media": {
                    "storage": type(storages["default"]).__name__,
                    "files": media_files,
                    "bytes": media_bytes,
                },
                "migrations": migrations,
                "counts": counts,
                "members": members,
            }
            _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=1, sort_keys=True).encode())
        os.replace(partial, out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return BackupResult(
        out, out.stat().st_size, time.monotonic() - started, counts, media_files, media_bytes
    )


def _open_for_writing(path: Path, mode: str) -> tarfile.TarFile:
    if mode == "w:gz":
        # Level 6: nearly level 9's size for the rows at a fraction of the time; images
        # are compressed already.
        return tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT, compresslevel=6)
    return tarfile.open(path, "w", format=tarfile.PAX_FORMAT)


def _models() -> list[type[models.Model]]:
    """Every table's model, m2m tables included, in a stable order."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


def _counts(alias: str) -> dict[str, int]:
    return {
        model._meta.label_lower: model._base_manager.using(alias).count() for model in _models()
    }


def _applied_migrations(alias: str) -> list[list[str]]:
    recorder = MigrationRecorder(connections[alias])
    return sorted([app, name] for app, name in recorder.applied_migrations())


def _write_rows(alias: str, path: Path, counts: dict[str, int], progress: Progress) -> None:
    serializable = [model for model in _models() if not model._meta.auto_created]
    total = sum(counts[model._meta.label_lower] for model in serializable)
    done = 0
    with path.open("w", encoding="utf-8") as stream:
        for model in serializable:
            rows = model._base_manager.using(alias).order_by("pk").iterator(chunk_size=2000)
            serializers.serialize("jsonl", rows, stream=stream)
            done += counts[model._meta.label_lower]
            progress("database rows", done, total)


def _tarinfo(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, int(time.time()), 0o644
    return info


class _Hashing:
    """A reader that hashes what passes through it and counts the bytes."""

    def __init__(self, source: IO[bytes]) -> None:
        self.source, self.sha256, self.size = source, hashlib.sha256(), 0

    def read(self, size: int = -1) -> bytes:
        data = self.source.read(size)
        self.sha256.update(data)
        self.size += len(data)
        return data

    def record(self) -> dict[str, Any]:
        return {"sha256": self.sha256.hexdigest(), "size": self.size}


def _add_stream(tar: tarfile.TarFile, name: str, source: IO[bytes], size: int) -> dict[str, Any]:
    reader = _Hashing(source)
    try:
        tar.addfile(_tarinfo(name, size), reader)
    except OSError as error:  # the file changed size while it was read
        raise BackupError(
            f"{name} could not be read whole ({error}); run the backup again"
        ) from error
    return reader.record()


def _add_file(tar: tarfile.TarFile, name: str, path: Path) -> dict[str, Any]:
    with path.open("rb") as source:
        return _add_stream(tar, name, source, path.stat().st_size)


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    tar.addfile(_tarinfo(name, len(data)), io.BytesIO(data))


def stored_names(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file name in ``storage`` (a local folder or a bucket), folders walked."""
    directories, files = storage.listdir(folder)
    for name in sorted(files):
        yield f"{folder}{name}"
    for directory in sorted(directories):
        yield from stored_names(storage, f"{folder}{directory}/")


def _add_media(
    tar: tarfile.TarFile, members: dict[str, dict[str, Any]], progress: Progress
) -> tuple[int, int]:
    storage = storages["default"]
    if isinstance(storage, FileSystemStorage) and not Path(storage.location).is_dir():
        return 0, 0  # nothing was ever uploaded
    names = list(stored_names(storage))
    total_bytes = 0
    for index, name in enumerate(names, start=1):
        try:
            size = storage.size(name)
            with storage.open(name, "rb") as source:
                members[MEDIA + name] = _add_stream(tar, MEDIA + name, source, size)
        except FileNotFoundError:
            continue  # deleted since it was listed: no row names it any more
        total_bytes += size
        progress("media files", index, len(names))
    return len(names), total_bytes


# --- restore ---------------------------------------------------------------------------


def restore_read(*, archive: Path, progress: Progress = _no_progress) -> RestoreResult:
    """Restore ``archive`` into this site, which must be empty: a database without
    content and no stored files. The archive is checked whole first; a member that
    does not match the manifest stops the restore before anything is written."""
    started = time.monotonic()
    manifest = verify_archive(archive, progress)
    _refuse_unless_empty()
    _refuse_unknown_migrations(manifest)
    written: list[str] = []
    try:
        with tempfile.TemporaryDirectory(prefix="watchworthy-restore-") as work:
            rows = Path(work) / "data.jsonl"
            with tarfile.open(archive, "r:*") as tar:
                for member in tar:
                    if member.name == DATA:
                        _extract(tar, member, rows)
                    elif member.name.startswith(MEDIA):
                        _restore_file(tar, member, written)
                        progress("media files", len(written), manifest["media"]["files"])
            _restore_rows(manifest, rows, progress)
    except BaseException:
        for name in written:
            storages["default"].delete(name)
        raise
    counts = _counts("default")
    warnings = [
        f"{label}: {counts.get(label)} rows restored, the manifest says {expected}"
        for label, expected in manifest["counts"].items()
        if label not in BOOKKEEPING and counts.get(label) != expected
    ]
    return RestoreResult(counts, len(written), time.monotonic() - started, warnings)


def verify_archive(archive: Path, progress: Progress = _no_progress) -> dict[str, Any]:
    """The archive's manifest, once every member matches it (sha256 and size), every
    member it lists is present and nothing else is; else a :class:`BackupError`
    naming the first member that does not."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"{archive} is not a file")
    seen: dict[str, dict[str, Any]] = {}
    manifest_data = b""
    total = archive.stat().st_size
    try:
        with archive.open("rb") as raw, tarfile.open(fileobj=raw, mode="r:*") as tar:
            for member in tar:
                _check_member_name(member)
                source = tar.extractfile(member)
                assert source is not None  # _check_member_name allows regular files only
                if member.name == MANIFEST:
                    manifest_data = source.read(16 * 1024 * 1024)
                    continue
                reader = _Hashing(source)
                while reader.read(CHUNK):
                    pass
                seen[member.name] = reader.record()
                progress("checking the archive", min(raw.tell(), total), total)
    except (tarfile.TarError, EOFError, OSError) as error:
        raise BackupError(
            f"{archive} is not a readable archive ({error}); nothing was restored"
        ) from error
    try:
        manifest = json.loads(manifest_data)
    except ValueError:
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{archive} has no Watchworthy manifest; nothing was restored")
    if manifest.get("version") != VERSION:
        raise BackupError(
            f"{archive} is a version {manifest.get('version')} backup; "
            f"this Watchworthy reads version {VERSION}"
        )
    expected = manifest.get("members", {})
    for name, record in expected.items():
        if name not in seen:
            raise BackupError(f"{name} is listed in the manifest but missing from the archive")
        if seen[name] != record:
            raise BackupError(
                f"{name} does not match its checksum in the manifest: the archive is "
                "damaged or was changed; nothing was restored"
            )
    for name in seen:
        if name not in expected:
            raise BackupError(f"{name} is in the archive but not in its manifest")
    return manifest


def _check_member_name(member: tarfile.TarInfo) -> None:
    path = PurePosixPath(member.name)
    if not member.isfile() or path.is_absolute() or ".." in path.parts:
        raise BackupError(f"{member.name!r} is not a plain file inside the archive")


def _refuse_unless_empty() -> None:
    connection = connections["default"]
    tables = set(connection.introspection.table_names())
    for model in _models():
        label = model._meta.label_lower
        if label in BOOKKEEPING or model._meta.db_table not in tables:
            continue
        if model._base_manager.exists():
            raise BackupError(
                f"this site is not empty ({model._meta.label} has rows): restore into a new "
                "database with no content, then start the site"
            )
    try:
        has_files = next(stored_names(storages["default"]), None) is not None
    except FileNotFoundError:  # the local folder is not there yet
        has_files = False
    if has_files:
        raise BackupError(
            "this site already has stored files (media): restore into an empty media "
            "folder or bucket"
        )


def _refuse_unknown_migrations(manifest: dict[str, Any]) -> None:
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    for app, name in manifest["migrations"]:
        if (app, name) not in known:
            raise BackupError(
                f"the backup's database has migration {app}.{name}, which this Watchworthy "
                "does not know: restore with the version the backup was made with, or newer"
            )


def _extract(tar: tarfile.TarFile, member: tarfile.TarInfo, target: Path) -> None:
    source = tar.extractfile(member)
    assert source is not None
    with target.open("wb") as out:
        while chunk := source.read(CHUNK):
            out.write(chunk)


def _restore_file(tar: tarfile.TarFile, member: tarfile.TarInfo, written: list[str]) -> None:
    name = member.name.removeprefix(MEDIA)
    source = tar.extractfile(member)
    assert source is not None
    saved = storages["default"].save(name, File(source, name=name))
    written.append(saved)
    if saved != name:
        raise BackupError(f"media/{name} was stored as {saved}: the storage is not empty")


def _restore_rows(manifest: dict[str, Any], rows: Path, progress: Progress) -> None:
    """Bring the schema to the backup's migrations, load the rows in one transaction,
    then apply the migrations that are newer than the backup."""
    targets: dict[str, str] = {}
    loader = MigrationLoader(None, ignore_no_migrations=True)
    for app, name in manifest["migrations"]:
        if app in loader.migrated_apps:
            current = targets.get(app)
            if current is None or (app, current) in loader.graph.forwards_plan((app, name)):
                targets[app] = name
    # One plan for every app (``migrate APP NAME`` per app would load the migration
    # graph and send post_migrate each time); the final ``migrate`` below sends it.
    executor = MigrationExecutor(connections["default"])
    plan = executor.migration_plan(sorted(targets.items()))
    if plan:
        executor.migrate(sorted(targets.items()), plan=plan)
    tables = {model._meta.label_lower for model in _models() if not model._meta.auto_created}
    total = sum(count for label, count in manifest["counts"].items() if label in tables)
    progress("database rows", 0, total)
    with transaction.atomic():
        # The fresh database's content types and permissions make way for the
        # backup's, whose ids the other rows refer to.
        apps.get_model("auth", "Permission")._base_manager.all().delete()
        apps.get_model("contenttypes", "ContentType")._base_manager.all().delete()
        _load_rows(rows, lambda done: progress("database rows", done, total))
    progress("database rows", total, total)
    call_command("migrate", verbosity=0, interactive=False)
    # Content types are cached per process: the ids may have changed under it.
    apps.get_model("contenttypes", "ContentType").objects.clear_cache()


def _load_rows(rows: Path, progress: Callable[[int], None], alias: str = "default") -> None:
    """What ``loaddata`` does with the rows file, a batch of rows per INSERT instead of
    one: the rows are saved *raw* as loaddata saves them (the stored values exactly,
    ``auto_now`` fields included, and no ``save()`` method or signal of ours runs:
    ours do nothing for raw saves), foreign keys are checked once at the end, and the
    id sequences are moved past the restored ids. Runs inside the caller's transaction.
    """
    connection = connections[alias]
    loaded: list[type[models.Model]] = []
    done = 0
    with connection.constraint_checks_disabled(), rows.open(encoding="utf-8") as stream:
        batch: list[Any] = []
        for item in serializers.deserialize("jsonl", stream, using=alias):
            if batch and (
                len(batch) == ROW_BATCH or type(item.object) is not type(batch[0].object)
            ):
                loaded += _insert_batch(batch, alias)
                done += len(batch)
                progress(done)
                batch = []
            batch.append(item)
        if batch:
            loaded += _insert_batch(batch, alias)
            progress(done + len(batch))
    tables = sorted({model._meta.db_table for model in loaded})
    connection.check_constraints(table_names=tables)
    statements = connection.ops.sequence_reset_sql(no_style(), list(dict.fromkeys(loaded)))
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def _insert_batch(batch: list[Any], alias: str) -> list[type[models.Model]]:
    """INSERT one model's deserialized rows at once, then their many-to-many rows;
    the models written to."""
    model = type(batch[0].object)
    meta = model._meta
    # The raw insert that Model.save_base(raw=True) does for one row, for many.
    model._base_manager.using(alias)._insert(
        [item.object for item in batch], fields=meta.local_concrete_fields, raw=True
    )
    written: list[type[models.Model]] = [model]
    links: dict[str, list[Any]] = {}
    for item in batch:
        for name, values in (item.m2m_data or {}).items():
            field = meta.get_field(name)
            through = field.remote_field.through
            own, other = field.m2m_field_name(), field.m2m_reverse_field_name()
            links.setdefault(name, []).extend(
                through(**{f"{own}_id": item.object.pk, f"{other}_id": value}) for value in values
            )
    for name, rows in links.items():
        through = meta.get_field(name).remote_field.through
        through._base_manager.using(alias).bulk_create(rows, batch_size=ROW_BATCH)
        written.append(through)
    return written
