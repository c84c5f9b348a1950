"""How a view says its page may be kept for guests and shown again.

A view calls :func:`cacheable` with the tags of what the page shows (names in
``core.changes``) and, for a page whose spoilers open by reading progress, the work
whose progress it depends on. The page cache (``watchworthy.pagecache``) keeps such
pages for guests, one copy per reading position, and forgets them when the change
signal touches one of their tags. A view that does not call it is never cached.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.http import HttpRequest

from .changes import SITE


@dataclass(frozen=True)
class PagePolicy:
    tags: frozenset[str]
    work_id: int | None = None  # the work whose reading progress changes this page


def cacheable(request: HttpRequest, *, tags: Iterable[str], work_id: int | None = None) -> None:
    request.page_policy = PagePolicy(frozenset({SITE, *tags}), work_id)  # type: ignore[attr-defined]


def page_policy(request: HttpRequest) -> PagePolicy | None:
    return getattr(request, "page_policy", None)
