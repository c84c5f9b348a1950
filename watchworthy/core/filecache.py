"""The cache folder of a production site without Redis (config/settings.py).

Django's file cache (one file per entry, the expiry then the pickled value) is kept as
the format, but three of its habits cost too much for what a comment post does (it
writes about ten entries: its spent form token, the rate-limit counts, the page
cache's versions):

* it counts the entries on *every* write by listing the whole folder (1 ms with 100
  entries, 30 ms with 5,000 here). :class:`FolderCache` counts them only every
  :attr:`~FolderCache.cull_every` writes of a process, so the folder can exceed
  ``MAX_ENTRIES`` by at most that many writes per process before it is trimmed, as
  Django trims it (a random third);
* it writes each entry to a new temporary file and renames it over the old one. On
  this machine's ext4 that creation and rename cost ~330 µs of CPU a write; writing
  over the entry's own file in place costs ~7 µs. So an entry is rewritten in place,
  under an exclusive ``flock`` of its file, and read under a shared one: a reader sees
  the old entry or the new one, never half of one;
* ``add`` and ``incr`` are a read and then a write, so two processes could both add
  the same key (spend one form token twice) or lose a count, and ``incr`` reset the
  entry's expiry to the default. Here both happen under the entry's lock, and ``incr``
  keeps the expiry, as Redis does.

A writer that waited for the lock checks that the file it locked is still the entry
(a delete, which also locks, may have removed it meanwhile) and opens it again if not.
An entry that cannot be read (cut short by a crash, or pickled by code since removed)
is a miss, never an error. Expired entries stay on disk until overwritten or trimmed.
POSIX only (``fcntl``), as the rest of the production set-up.
"""

from __future__ import annotations

import fcntl
import io
import os
import pickle
import time
import zlib
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache

_MISSING = object()
FILE_NAMES = 4096  # file names a cache object remembers (see FolderCache._key_to_file)


# The most a value may weigh to be stored as it is, inside a zlib stream, rather than
# compressed: a file takes a 4 KB block on disk whatever a small value saves.
SMALL_VALUE = 512


def compressed(data: bytes) -> bytes:
    """``zlib.compress(data)``, the stream Django's file cache writes and reads, made
    for small values without zlib's full-size set-up: each ``zlib.compress`` prepares
    a 32 KB window and about 256 KB of state and clears it, 20 to 60 µs here for an
    eight-byte count — most entries are counts and versions, and a comment post wrote
    eleven (callgrind: 9% of a post's instructions). A value of at most
    :data:`SMALL_VALUE` bytes goes into a stream of the least size and memory, stored
    rather than compressed (level 0: 1 µs; compressing it took 3 to 6 µs and saved a
    few bytes of a block), which ``zlib.decompress`` reads as any other."""
    if len(data) > SMALL_VALUE:
        return zlib.compress(data)
    compressor = zlib.compressobj(0, zlib.DEFLATED, 9, 1)
    return compressor.compress(data) + compressor.flush()


class FolderCache(FileBasedCache):
    cull_every = 200  # writes of one process between two counts of the folder

    def __init__(self, dir: str, params: dict[str, Any]) -> None:
        super().__init__(dir, params)
        options = params.get("OPTIONS", {})
        self.cull_every = int(options.get("CULL_EVERY", self.cull_every))
        self._writes = 0
        self._files: dict[tuple[str, int | None], str] = {}

    def _key_to_file(self, key: str, version: int | None = None) -> str:
        """Django's file name for the key, worked out once per key and version: its
        check (character by character) and md5 cost ~8 µs, and every request reads
        the same few keys. At most :data:`FILE_NAMES` names are kept (keys made of
        visitors' addresses or tokens would otherwise grow it without end)."""
        found = self._files.get((key, version))
        if found is None:
            found = super()._key_to_file(key, version)  # type: ignore[misc]
            if len(self._files) < FILE_NAMES:
                self._files[(key, version)] = found
        return found

    def _cull(self) -> None:
        self._writes += 1
        if self._writes % self.cull_every == 0 and self._entries() >= self._max_entries:
            super()._cull()  # type: ignore[misc]  # (lists the folder again, to trim it)

    def _entries(self) -> int:
        """How many entries the folder holds: counted by name, as Django's listing
        (a glob, which matches each name against a pattern and builds its path) finds
        them, in half the time (4.5 against 10 ms for 5,000 entries here)."""
        suffix = self.cache_suffix
        try:
            with os.scandir(self._dir) as found:  # type: ignore[attr-defined]
                return sum(1 for entry in found if entry.name.endswith(suffix))
        except FileNotFoundError:
            return 0

    # --- the entry's file, locked -------------------------------------------------

    def _locked(self, fname: str, *, create: bool) -> int | None:
        """The entry's file descriptor, locked exclusively and still the file named
        ``fname``; None when there is no such entry (and ``create`` is false)."""
        flags = os.O_RDWR | (os.O_CREAT if create else 0)
        while True:
            try:
                fd = os.open(fname, flags, 0o600)
            except FileNotFoundError:
                if not create:
                    return None
                self._createdir()  # type: ignore[attr-defined]  # the folder was removed
                continue
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                current = os.stat(fname).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                current = False
            if current:
                return fd
            os.close(fd)  # deleted while we waited for it: open the entry anew

    @staticmethod
    def _content(fd: int) -> bytes:
        """The file's bytes; an entry smaller than the first read (nearly all) takes
        one read, not a second one to find the end."""
        size = 1 << 16
        chunk = os.pread(fd, size, 0)
        if len(chunk) < size:
            return chunk
        chunks = [chunk]
        offset = len(chunk)
        while chunk := os.pread(fd, size, offset):
            chunks.append(chunk)
            offset += len(chunk)
        return b"".join(chunks)

    @staticmethod
    def _entry(content: bytes) -> tuple[float | None, Any]:
        """(expiry, value) of a file's content; the value is _MISSING when the entry
        is expired or unreadable."""
        buffer = io.BytesIO(content)
        try:
            expiry = pickle.load(buffer)  # noqa: S301 - our own folder (0700), as Django's
        except Exception:  # empty, cut short or not ours: no entry
            return None, _MISSING
        if expiry is not None and expiry < time.time():
            return expiry, _MISSING
        try:
            return expiry, pickle.loads(zlib.decompress(buffer.read()))  # noqa: S301
        except Exception:  # cut short by a crash, or pickled by code since removed
            return expiry, _MISSING

    @staticmethod
    def _write(fd: int, content: bytes) -> None:
        written = 0
        while written < len(content):
            written += os.pwrite(fd, content[written:], written)
        os.ftruncate(fd, len(content))

    def _serialized(self, value: Any, expiry: float | None) -> bytes:
        return pickle.dumps(expiry, self.pickle_protocol) + compressed(
            pickle.dumps(value, self.pickle_protocol)
        )

    def _read(self, fname: str) -> Any:
        try:
            fd = os.open(fname, os.O_RDONLY)
        except FileNotFoundError:
            return _MISSING
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)
            return self._entry(self._content(fd))[1]
        finally:
            os.close(fd)

    # --- the cache's operations -------------------------------------------------

    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        found = self._read(self._key_to_file(key, version))
        return default if found is _MISSING else found

    def has_key(self, key: str, version: int | None = None) -> bool:
        fname = self._key_to_file(key, version)
        return self._read(fname) is not _MISSING

    def set(
        self,
        key: str,
        value: Any,
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> None:
        self._put(key, value, timeout, version, replace=True)

    def add(
        self,
        key: str,
        value: Any,
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> bool:
        return self._put(key, value, timeout, version, replace=False)

    def _put(
        self, key: str, value: Any, timeout: float | None, version: int | None, *, replace: bool
    ) -> bool:
        """Write the entry (``replace``: over a live one too); False when it was live
        and stays. Read and written under the entry's lock, so two ``add``s of one key
        never both succeed."""
        fname = self._key_to_file(key, version)
        content = self._serialized(value, self.get_backend_timeout(timeout))
        self._cull()
        fd = self._locked(fname, create=True)
        assert fd is not None
        try:
            if not replace and self._entry(self._content(fd))[1] is not _MISSING:
                return False
            self._write(fd, content)
            return True
        finally:
            os.close(fd)

    def incr(self, key: str, delta: int = 1, version: int | None = None) -> Any:
        fd = self._locked(self._key_to_file(key, version), create=False)
        if fd is None:
            raise ValueError(f"Key '{key}' not found")
        try:
            expiry, value = self._entry(self._content(fd))
            if value is _MISSING:
                raise ValueError(f"Key '{key}' not found")
            value += delta
            self._write(fd, self._serialized(value, expiry))  # the expiry it had
            return value
        finally:
            os.close(fd)

    def touch(
        self, key: str, timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        fd = self._locked(self._key_to_file(key, version), create=False)
        if fd is None:
            return False
        try:
            value = self._entry(self._content(fd))[1]
            if value is _MISSING:
                return False
            self._write(fd, self._serialized(value, self.get_backend_timeout(timeout)))
            return True
        finally:
            os.close(fd)

    def _delete(self, fname: str) -> bool:
        if not fname.startswith(self._dir):  # type: ignore[attr-defined]
            return False
        fd = self._locked(fname, create=False)
        if fd is None:
            return False
        try:
            os.remove(fname)  # under the lock: a writer waiting for it opens anew
        finally:
            os.close(fd)
        return True
