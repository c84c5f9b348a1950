"""Page-number paging for the API: ``?page=N`` (from 1) and ``?per_page=`` (1-100).

A page is read as one slice of one more row than it shows, so knowing whether a next
page exists costs no count query; ``next`` and ``previous`` are absolute addresses
with the request's other parameters kept. Every list is ordered to the last column
(a primary key breaks ties), so pages never overlap or skip while nothing changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import Model, QuerySet
from django.http import HttpRequest
from ninja.errors import HttpError

T = TypeVar("T", bound=Model)

PER_PAGE = 20
MAX_PER_PAGE = 100
# Past this a page is refused: an offset of millions is a scan, and nobody pages there.
MAX_PAGE = 10_000


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    number: int
    has_next: bool

    def links(self, request: HttpRequest) -> dict[str, Any]:
        return {
            "page": self.number,
            "next": _address(request, self.number + 1) if self.has_next else None,
            "previous": _address(request, self.number - 1) if self.number > 1 else None,
        }


def page_of(queryset: QuerySet[T], number: int, per_page: int) -> Page[T]:
    """Page ``number`` of ``queryset`` (already ordered); 404 past the last page."""
    start = (number - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    if number > 1 and not rows:
        raise HttpError(404, f"There is no page {number}: the list has fewer pages.")
    return Page(rows[:per_page], number, len(rows) > per_page)


def _address(request: HttpRequest, number: int) -> str:
    query = request.GET.copy()
    query["page"] = str(number)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
