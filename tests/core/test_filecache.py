"""The production cache folder: writes do not list the folder, and it is still trimmed."""

from pathlib import Path

from watchworthy.core.filecache import FolderCache


def folder_cache(path: Path, **options) -> FolderCache:
    return FolderCache(str(path), {"OPTIONS": options})


def entries(path: Path) -> int:
    return len(list(path.glob("*.djcache")))


def test_a_write_does_not_list_the_folder(tmp_path, monkeypatch):
    cache = folder_cache(tmp_path, MAX_ENTRIES=10_000, CULL_EVERY=200)
    listings = []
    original = FolderCache._list_cache_files

    def counted(self):
        listings.append(1)
        return original(self)

    monkeypatch.setattr(FolderCache, "_list_cache_files", counted)
    for n in range(399):
        cache.set(f"key-{n}", n)
    assert len(listings) == 1  # once, at the 200th write (Django's lists at every one)
    assert cache.get("key-398") == 398


def test_the_folder_is_trimmed_when_it_holds_too_many(tmp_path):
    cache = folder_cache(tmp_path, MAX_ENTRIES=30, CULL_EVERY=10, CULL_FREQUENCY=3)
    for n in range(39):
        cache.set(f"key-{n}", n)
    assert entries(tmp_path) == 39  # over the maximum, not yet counted
    cache.set("key-39", 39)  # the 40th write counts 39 entries: a third goes
    assert entries(tmp_path) == 40 - 39 // 3
    assert cache.get("key-39") == 39  # the entry just written survives
