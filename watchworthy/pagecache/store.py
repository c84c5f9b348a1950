"""Where pages are kept: the site's cache (local memory, a cache folder, or Redis).

Three kinds of entries, all under ``pagecache:``:

* ``v:<tag>`` — the version of a tag, bumped by every change that touches it;
* ``meta:<url>`` — what the page at a URL depends on (its tags and its work);
* ``page:<url, position, versions>`` — the stored response.

A page is read only under the current versions of all its tags, so a bumped tag
makes every page carrying it unreachable at once (they expire on their own). A
version that went missing (evicted) is re-made at random, never reset to an old
value, so an old page can never come back.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.cache import cache

from . import files

PREFIX = "pagecache:"
# Pages hold the comment form's signed token, valid 48 hours: keep them well within.
PAGE_SECONDS = 12 * 3600


@dataclass(frozen=True)
class StoredPage:
    content: bytes
    content_type: str
    etag: str
    front: bool = False  # nginx may serve it from a page file (files.servable)


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]


def _version_key(tag: str) -> str:
    return f"{PREFIX}v:{tag}"


def versions(tags: Iterable[str]) -> dict[str, str]:
    """The current version of each tag (made, at random, for a tag without one)."""
    keys = {tag: _version_key(tag) for tag in tags}
    found = cache.get_many(list(keys.values()))
    current = {}
    for tag, key in keys.items():
        value = found.get(key)
        if value is None:
            cache.add(key, secrets.randbelow(2**62), None)
            value = cache.get(key)
        current[tag] = str(value)
    return current


SEQUENCE = f"{PREFIX}sequence"


def sequence() -> int:
    """Bumped by every change: a page rendered while it moved may be out of date, and
    is not stored (its versions were read before the change, or after it)."""
    value = cache.get(SEQUENCE)
    if value is None:
        cache.add(SEQUENCE, secrets.randbelow(2**62), None)
        value = cache.get(SEQUENCE)
    return int(value)


def _fresh() -> int:
    """A new version or sequence value: random, so it is written without reading the
    old one (an increment of the cache folder is a read and a write) and never comes
    back to a value a page was stored under (2**62 values)."""
    return secrets.randbelow(2**62)


def bump(tags: Iterable[str]) -> None:
    """A change to what ``tags`` name has committed: pages carrying them are forgotten.

    The sequence moves before the versions (a page rendered before the change whose
    filler reads the new versions sees the moved sequence and is not stored) and again
    after them (a hit that read the old versions — the sequence read before them —
    writes no page file, files.py). With page files, all three happen under their lock
    and the files of these tags are deleted after it. Each moves to a fresh random
    value (written, not read and incremented)."""
    tags = set(tags)
    with files.changing(tags):
        cache.set(SEQUENCE, _fresh(), None)
        cache.set_many({_version_key(tag): _fresh() for tag in tags}, None)
        cache.set(SEQUENCE, _fresh(), None)


@dataclass(frozen=True)
class PageMeta:
    """What the page at a URL depends on: its tags, and the work whose reading
    progress changes it (None: the same page at every position)."""

    tags: tuple[str, ...]
    work_id: int | None


def meta(url: str) -> PageMeta | None:
    value = cache.get(f"{PREFIX}meta:{_digest(url)}")
    return value if isinstance(value, PageMeta) else None


def remember_meta(url: str, *, tags: Iterable[str], work_id: int | None) -> None:
    page_meta = PageMeta(tuple(sorted(tags)), work_id)
    cache.set(f"{PREFIX}meta:{_digest(url)}", page_meta, PAGE_SECONDS)


def page_key(url: str, position: str, tag_versions: dict[str, str]) -> str:
    stamp = ",".join(f"{tag}={version}" for tag, version in sorted(tag_versions.items()))
    return f"{PREFIX}page:{_digest(url, position, stamp)}"


def get_page(key: str) -> StoredPage | None:
    value = cache.get(key)
    return value if isinstance(value, StoredPage) else None


def put_page(key: str, page: StoredPage) -> None:
    cache.set(key, page, PAGE_SECONDS)
