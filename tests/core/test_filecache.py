"""The production cache folder: writes do not list the folder, and it is still trimmed;
entries are written in place under a lock, so add and incr hold across processes."""

import fcntl
import multiprocessing
import os
import threading
import time
from pathlib import Path

import pytest
from django.core.cache.backends.filebased import FileBasedCache

from watchworthy.core.filecache import FolderCache


def folder_cache(path: Path, **options) -> FolderCache:
    return FolderCache(str(path), {"OPTIONS": options})


def entries(path: Path) -> int:
    return len(list(path.glob("*.djcache")))


def test_a_write_does_not_list_the_folder(tmp_path, monkeypatch):
    cache = folder_cache(tmp_path, MAX_ENTRIES=10_000, CULL_EVERY=200)
    listings, counts = [], []
    original_listing, original_count = FolderCache._list_cache_files, FolderCache._entries

    def listed(self):
        listings.append(1)
        return original_listing(self)

    def counted(self):
        counts.append(original_count(self))
        return counts[-1]

    monkeypatch.setattr(FolderCache, "_list_cache_files", listed)
    monkeypatch.setattr(FolderCache, "_entries", counted)
    for n in range(399):
        cache.set(f"key-{n}", n)
    # Counted once, at the 200th write (Django's lists at every one), and not listed:
    # under the maximum there is nothing to trim.
    assert counts == [199]  # (before the 200th entry is written)
    assert listings == []
    assert cache.get("key-398") == 398


def test_file_names_are_djangos_and_the_remembered_ones_stay_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr("watchworthy.core.filecache.FILE_NAMES", 50)
    ours, djangos = folder_cache(tmp_path), FileBasedCache(str(tmp_path), {})
    for n in range(120):
        for version in (None, 2):
            name = ours._key_to_file(f"key-{n}", version)
            assert name == djangos._key_to_file(f"key-{n}", version)
            assert ours._key_to_file(f"key-{n}", version) == name  # asked again
    assert len(ours._files) == 50  # a visitor's address per key: not without end
    ours.set("key-7", "seven", version=2)
    assert djangos.get("key-7", version=2) == "seven"
    assert ours.get("key-7") is None  # another version, another file


def test_the_folder_is_trimmed_when_it_holds_too_many(tmp_path):
    cache = folder_cache(tmp_path, MAX_ENTRIES=30, CULL_EVERY=10, CULL_FREQUENCY=3)
    for n in range(39):
        cache.set(f"key-{n}", n)
    assert entries(tmp_path) == 39  # over the maximum, not yet counted
    cache.set("key-39", 39)  # the 40th write counts 39 entries: a third goes
    assert entries(tmp_path) == 40 - 39 // 3
    assert cache.get("key-39") == 39  # the entry just written survives


def _add_many(folder: str, keys: list[str], wins) -> None:
    cache = folder_cache(Path(folder))
    wins.put([key for key in keys if cache.add(key, os.getpid(), 60)])


def _count_up(folder: str, times: int) -> None:
    cache = folder_cache(Path(folder))
    for _ in range(times):
        cache.incr("hits")


def _in_processes(target, *args_per_process) -> None:
    processes = [multiprocessing.Process(target=target, args=args) for args in args_per_process]
    for process in processes:
        process.start()
    for process in processes:
        process.join(30)
        assert process.exitcode == 0


def test_add_from_several_processes_lets_exactly_one_have_each_key(tmp_path):
    """Two processes adding one key (a rate-limit window, a page-cache version): one wins."""
    keys = [f"token-{n}" for n in range(150)]
    wins = multiprocessing.Queue()
    _in_processes(_add_many, *[(str(tmp_path), keys, wins) for _ in range(4)])
    won = [key for _ in range(4) for key in wins.get(timeout=10)]
    assert sorted(won) == sorted(keys)


def test_incr_from_several_processes_loses_no_count(tmp_path):
    folder_cache(tmp_path).add("hits", 0, 60)
    _in_processes(_count_up, *[(str(tmp_path), 100) for _ in range(4)])
    assert folder_cache(tmp_path).get("hits") == 400


def test_incr_keeps_the_entrys_expiry(tmp_path):
    """A rate limit's window starts at its first hit; counting must not move it."""
    cache = folder_cache(tmp_path)
    cache.add("window", 1, timeout=1)
    assert cache.incr("window") == 2
    time.sleep(1.1)
    assert cache.get("window") is None
    with pytest.raises(ValueError):
        cache.incr("window")
    assert cache.add("window", 1, timeout=60)  # expired: a new window


def test_an_unreadable_entry_is_a_miss_and_can_be_written_again(tmp_path):
    cache = folder_cache(tmp_path)
    cache.set("page", {"html": "x" * 500}, 60)
    entry = Path(cache._key_to_file("page"))
    entry.write_bytes(entry.read_bytes()[:20])  # cut short, as by a crash mid-write
    assert cache.get("page", "missed") == "missed"
    assert not cache.has_key("page")
    assert cache.add("page", "again", 60)
    assert cache.get("page") == "again"
    entry.write_bytes(b"")
    assert cache.get("page") is None


def test_a_shorter_value_replaces_a_longer_one_whole(tmp_path):
    cache = folder_cache(tmp_path)
    cache.set("key", "long " * 1000, 60)
    cache.set("key", "short", 60)
    assert cache.get("key") == "short"
    assert entries(tmp_path) == 1  # written in place: no temporary files left


def test_a_writer_that_waited_for_a_deleted_entry_writes_the_new_one(tmp_path):
    """The delete holds the entry's lock while it removes the file; a set that waited
    for that lock must not write into the removed file (it would be lost)."""
    cache = folder_cache(tmp_path)
    cache.set("key", "old", 60)
    fname = cache._key_to_file("key")
    fd = os.open(fname, os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)  # as a delete in another process holds it
    writer = threading.Thread(target=cache.set, args=("key", "new", 60))
    writer.start()
    time.sleep(0.2)  # the writer now waits for the lock
    os.remove(fname)
    os.close(fd)  # the delete is done
    writer.join(5)
    assert cache.get("key") == "new"


def test_entries_are_django_file_cache_entries(tmp_path):
    """The format is Django's: a folder written before an upgrade is still read."""
    ours, djangos = folder_cache(tmp_path), FileBasedCache(str(tmp_path), {})
    djangos.set("theirs", [1, 2], 60)
    ours.set("ours", {"a": 1}, None)
    assert ours.get("theirs") == [1, 2]
    assert djangos.get("ours") == {"a": 1}
    assert ours.delete("theirs") and not ours.has_key("theirs")


@pytest.mark.parametrize("length", [0, 1, 400, 490, 500, 510, 2000, 100_000])
def test_small_and_large_values_are_streams_djangos_cache_reads(tmp_path, length):
    """Small values (counts, versions) are stored in a small zlib stream, larger ones
    as Django does (around the boundary: pickled, 490-510 characters are 500-520
    bytes); Django's own file cache reads every one back, and so do we."""
    ours, djangos = folder_cache(tmp_path), FileBasedCache(str(tmp_path), {})
    text = ("The ferry scene earns it. " * 4000)[:length]
    for key, value in (("text", text), ("count", length), ("pair", (length, text))):
        ours.set(key, value, None)
        assert djangos.get(key) == value
        assert ours.get(key) == value
    ours.set("count", 1, 60)
    assert ours.incr("count", 41) == 42 == djangos.get("count")


@pytest.mark.parametrize("size", [0, 10, (1 << 16) - 40, 1 << 16, 3 * (1 << 16) + 7])
def test_entries_of_any_size_read_back_whole(tmp_path, size):
    """An entry is read in one go when it is smaller than a read, in several otherwise
    (sizes around the 64 KiB read, random bytes so compression cannot shrink them)."""
    cache = folder_cache(tmp_path)
    value = os.urandom(size)
    cache.set("blob", value)
    assert cache.get("blob") == value
    cache.set("blob", value[: size // 2])  # rewritten in place, shorter
    assert cache.get("blob") == value[: size // 2]
