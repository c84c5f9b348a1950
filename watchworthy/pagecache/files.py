"""Shared pages as plain files, for nginx to serve without asking the app.

Optional (``WATCHWORTHY_PAGE_FILES``, a folder; off when empty). When the page cache
fills a shared copy for a plain GET (no query string), it also writes the page here;
the nginx front in docs/deploy.md serves the file to the next guest with no cookie of
ours (or the same reading-progress cookie) and asks the app only when it is missing.
The Python cache (store.py) stays behind it for everything nginx passes on.

Layout (under the folder; nginx's ``root`` is ``<folder>/current``)::

    .lock                               flock: writers shared, a change exclusive
    current -> g-<random>               the live generation (a symlink, swapped whole)
    g-<random>/<bucket>/<scheme>/<host><path>~/<variant>.html   the pages
    g-<random>/<bucket>/tags/<tag>/<random>                     index: one file per
                                                                page and tag, naming it

* ``<bucket>`` is the Unix time divided by :data:`BUCKET_SECONDS` (nginx takes it
  from ``$msec``), so no file is served for longer than that (the comment form's
  signed token in a page is good for 48 hours) and old buckets are simply removed;
* ``<path>`` is the request path, only when every segment is made of safe
  characters (no ``~``, no leading dot, no empty segment); ``~`` closes it, so that
  two paths never share a file;
* ``<variant>`` is ``any`` for a page that reads no progress, ``default`` for a guest
  without the progress cookie, and ``p-<cookie value>`` with it (only a valid cookie
  of at most :data:`MAX_TOKEN` safe characters; a longer one gets the Python cache).

Exactness. A change (``store.bump``, called after the commit) takes the lock
exclusively while it moves the change sequence and the tag versions, then deletes
every file the index lists for its tags (``site``: swaps ``current`` to a new, empty
generation). A writer reads the sequence before it reads the page's content (before
rendering, or, for a page-cache hit, before the tag versions), writes its index
entries and a temporary file, then, holding the lock shared, renames the file into
place only if the sequence has not moved. So either the rename came before the
change's increments, and the change (listing the index after them) finds and deletes
the file, or it came after, and the writer sees the moved sequence and drops its
file: no file read before a commit survives the ``bump`` that follows it.
``tests/pagecache/test_page_files.py`` plays the interleaving the lock is for.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import re
import secrets
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from watchworthy.core.caching import PagePolicy
from watchworthy.core.changes import SITE
from watchworthy.core.cookies import read_private_cookie
from watchworthy.core.publishing import NEXT_DUE_KEY, NOTHING_SCHEDULED
from watchworthy.spoilers.progress import COOKIE as PROGRESS_COOKIE
from watchworthy.spoilers.progress import COOKIE_AGE as PROGRESS_COOKIE_AGE

logger = logging.getLogger(__name__)

# nginx: the leading digits of $msec without the last four (see docs/deploy.md).
BUCKET_SECONDS = 10_000
MAX_TOKEN = 240  # a file name holds 255 bytes: "p-" + token + ".html"
CONTENT_TYPE = "text/html; charset=utf-8"

SAFE_PATH = re.compile(r"(?:/[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}){0,20}/?\Z")
SAFE_HOST = re.compile(r"[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?\Z")
# A progress cookie is a Fernet token: URL-safe base64, '=' padding at the end only.
SAFE_TOKEN = re.compile(rf"[A-Za-z0-9_-]{{20,{MAX_TOKEN - 2}}}={{0,2}}\Z")
SAFE_TAG = re.compile(r"[a-z]{1,20}(?::[0-9]{1,20})?\Z")
# Headers a page may carry when it leaves this middleware and still be served by
# nginx, which adds the site's security headers itself (the same values).
PLAIN_HEADERS = {"content-type", "content-length", "vary"}


def folder() -> Path | None:
    value = getattr(settings, "WATCHWORTHY_PAGE_FILES", "")
    return Path(value) if value else None


def bucket(now: float | None = None) -> str:
    return str(int(time.time() if now is None else now) // BUCKET_SECONDS)


@contextmanager
def _locked(root: Path, mode: int) -> Iterator[None]:
    fd = os.open(root / ".lock", os.O_RDWR | os.O_CREAT, 0o640)
    try:
        fcntl.flock(fd, mode)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _generation(root: Path) -> Path:
    """The live generation's folder, made (with ``current``) when there is none."""
    current = root / "current"
    try:
        return root / os.readlink(current)
    except FileNotFoundError:
        return _new_generation(root)


def _new_generation(root: Path) -> Path:
    name = f"g-{secrets.token_hex(8)}"
    (root / name).mkdir(mode=0o755)
    link = root / f".{name}.link"
    os.symlink(name, link)
    os.replace(link, root / "current")  # atomic: nginx sees the old or the new one
    return root / name


# --- writing ------------------------------------------------------------------------


def variant(request: HttpRequest, policy: PagePolicy) -> str | None:
    """The file name (without ``.html``) nginx will look for, or None: no file."""
    if policy.work_id is None:
        return "any"
    token = request.COOKIES.get(PROGRESS_COOKIE, "")
    if not token:
        return "default"
    if not SAFE_TOKEN.match(token):
        return None
    if read_private_cookie(request, PROGRESS_COOKIE, max_age=PROGRESS_COOKIE_AGE) is None:
        return None  # not one of ours (or expired): no file for made-up values
    return f"p-{token}"


def page_path(request: HttpRequest, policy: PagePolicy) -> str | None:
    """The page's file, relative to a generation and without the bucket; None when
    this request gets no file (nginx then asks the app, as before)."""
    if request.method != "GET" or request.META.get("QUERY_STRING"):
        return None
    host = request.get_host()
    path = request.path
    name = variant(request, policy)
    if name is None or not SAFE_HOST.match(host) or not SAFE_PATH.match(path):
        return None
    return f"{request.scheme}/{host}{path}~/{name}.html"


def servable(request: HttpRequest, response: HttpResponse) -> bool:
    """Whether nginx's copy would go out with the headers this response gets: no header
    of its own beyond the plain ones, no per-response CSP or framing rule."""
    if response.get("Content-Type") != CONTENT_TYPE:
        return False
    if any(name.lower() not in PLAIN_HEADERS for name in response.headers):
        return False
    if response.get("Vary", "Cookie").replace(" ", "").lower() != "cookie":
        return False  # nginx says Vary: Cookie, as the app does for shared pages
    special = ("_csp_exempt", "_csp_update", "_csp_replace", "_csp_config")
    if any(getattr(response, name, None) for name in special):
        return False
    if getattr(response, "xframe_options_exempt", False):
        return False
    return getattr(request, "_csp_nonce", None) is None


def _due_within(end: float) -> bool:
    """Whether a scheduled review or page goes public before ``end`` (its pages would
    change with no write to announce it until some request reaches the app)."""
    moment = cache.get(NEXT_DUE_KEY)
    if moment is None:
        return True  # unknown: the app computes it on the next request it sees
    return bool(moment != NOTHING_SCHEDULED and moment < end)


def _stamp(content: bytes) -> int:
    """The file's modification time, taken from its content: nginx's ETag is the time
    (in seconds) and the size, so two versions written within a second must differ in
    time. A date in 2000-2008, so nginx-front.conf hides Last-Modified."""
    return 946_684_800 + int.from_bytes(hashlib.sha256(content).digest()[:4]) % (1 << 28)


def write(
    request: HttpRequest,
    content: bytes,
    policy: PagePolicy,
    still_current: Callable[[], bool],
    *,
    if_missing: bool = False,
) -> Path | None:
    """Write the page (from a response that is :func:`servable`) for nginx if this
    request may have one. ``still_current`` says whether no change has happened since
    the page's content was read from the database or the cache (checked under the
    lock). ``if_missing``: leave a file that is there alone (a page-cache hit)."""
    root = folder()
    if root is None:
        return None
    relative = page_path(request, policy)
    if relative is None:
        return None
    now = time.time()
    current_bucket = bucket(now)
    if _due_within((int(current_bucket) + 1) * BUCKET_SECONDS):
        return None
    try:
        return _write(
            root, current_bucket, relative, content, policy.tags, still_current, if_missing
        )
    except OSError:
        logger.warning("page file for %s not written", relative, exc_info=True)
        return None


def _write(
    root: Path,
    current_bucket: str,
    relative: str,
    content: bytes,
    tags: Iterable[str],
    still_current: Callable[[], bool],
    if_missing: bool,
) -> Path | None:
    root.mkdir(parents=True, exist_ok=True)
    generation = _generation(root)
    here = generation / current_bucket
    if not here.exists():
        here.mkdir(parents=True, exist_ok=True)
        _drop_old_buckets(generation, keep=current_bucket)
    target = here / relative
    if if_missing and target.exists():
        return None
    # Index first: a change that lists it after our rename must find the file.
    for tag in tags:
        if tag == SITE:
            continue  # a site-wide change drops the whole generation
        marker_folder = here / "tags" / _tag_folder(tag)
        marker_folder.mkdir(parents=True, exist_ok=True)
        # Written whole, then named: a change listing the folder meanwhile sees the
        # marker complete or not at all (it skips the dot names).
        unnamed = marker_folder / f".{secrets.token_hex(8)}.tmp"
        unnamed.write_text(relative)
        os.replace(unnamed, marker_folder / secrets.token_hex(12))
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.parent / f".{secrets.token_hex(8)}.tmp"
    temporary.write_bytes(content)
    stamp = _stamp(content)
    os.utime(temporary, (stamp, stamp))
    os.chmod(temporary, 0o644)
    with _locked(root, fcntl.LOCK_SH):
        if still_current():
            os.replace(temporary, target)
            return target
    temporary.unlink(missing_ok=True)
    return None


def _tag_folder(tag: str) -> str:
    if SAFE_TAG.match(tag):
        return tag.replace(":", "-")
    return "h-" + hashlib.sha256(tag.encode()).hexdigest()[:32]


def _drop_old_buckets(generation: Path, *, keep: str) -> None:
    """Buckets before ``keep``: nginx never reads them again."""
    for entry in generation.iterdir():
        if entry.name.isdigit() and int(entry.name) < int(keep):
            shutil.rmtree(entry, ignore_errors=True)


# --- forgetting ---------------------------------------------------------------------


@contextmanager
def changing(tags: Iterable[str]) -> Iterator[None]:
    """Around the sequence increment of a change: holds the lock exclusively while it
    happens, then deletes the files of ``tags`` (all of them for ``site``)."""
    root = folder()
    if root is None or not root.exists():
        yield
        return
    with _locked(root, fcntl.LOCK_EX):
        yield
    try:
        forget(root, set(tags))
    except OSError:  # a file we cannot delete would be served stale: say so loudly
        logger.exception("page files for %s not deleted", sorted(tags))


def forget(root: Path, tags: set[str]) -> None:
    if SITE in tags:
        new = _new_generation(root)
        for entry in root.iterdir():  # the old one, and any a lost start-up race made
            if entry.name.startswith("g-") and entry != new:
                shutil.rmtree(entry, ignore_errors=True)
        return
    failed: list[OSError] = []
    for bucket_folder in _listing(_generation(root)):  # gone: a site change took it all
        if not bucket_folder.name.isdigit():
            continue
        for tag in tags:
            for marker in _listing(bucket_folder / "tags" / _tag_folder(tag)):
                if marker.name.startswith("."):
                    continue  # a marker still being written (see _write)
                try:
                    relative = marker.read_text()
                except FileNotFoundError:
                    continue  # another change took it
                if not relative.endswith(".html"):
                    # Not a page's name (an empty marker, as writers made before
                    # they wrote markers whole: read as a path, "" named the bucket's
                    # folder, and the failed unlink stopped the change before the
                    # rest of its pages). Its writer renames its page only after the
                    # marker, and then finds the sequence moved and drops the page.
                    continue
                if relative.startswith("/") or ".." in relative.split("/"):
                    continue  # not written by us
                try:
                    (bucket_folder / relative).unlink(missing_ok=True)
                    marker.unlink(missing_ok=True)
                except OSError as error:  # the others still go; the caller reports it
                    failed.append(error)
    if failed:
        raise failed[0]


def _listing(where: Path) -> list[Path]:
    try:
        return list(where.iterdir())
    except FileNotFoundError:
        return []
