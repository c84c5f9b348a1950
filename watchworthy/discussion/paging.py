"""Comment pages: a review's discussion shown a few dozen threads at a time.

A *thread* is a top-level comment with all its replies; pages hold a fixed number of
threads (``SiteSettings.comments_per_page``; 0 shows every thread on one page), in
the order the reader chose, oldest or newest first. So no page grows without bound
as a discussion grows, and a thread is never split across pages.

One page costs two queries, whatever the size of the discussion: the page's thread
roots (with the number of threads, through a window function), then every comment
whose ``path`` lies between the first and the last root of the page (paths sort
depth-first, so a page's threads are one contiguous range).

A comment's address is ``/comments/<id>/`` (:func:`page_of` finds its page and the
view redirects there), so links in mails and feeds never go stale as pages shift.
A comment just posted knows its place without counting (``Comment.top_level_before``,
from its discussion's stored top-level count).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, QuerySet, Window

from watchworthy.core.models import SiteSettings

from . import queries
from .episodes import thread_url
from .models import Comment

# Sorts after every character a path holds ("0"-"9" and "/"): "<root path>~" is past
# the last reply of that root.
PAST_THREAD = "~"
ORDERS = ("oldest", "newest")  # the ?order= a reader may choose
# A discussion this long (or on more than one page) offers "Jump to newest".
LONG_THREAD = 10


@dataclass
class ThreadPage:
    number: int = 1
    pages: int = 1
    threads: int = 0
    lower: str = ""  # paths on this page are >= lower ...
    upper: str | None = None  # ... and < upper (None: no upper bound)
    page_range: list[int | None] = field(default_factory=list)

    @property
    def has_other_pages(self) -> bool:
        return self.pages > 1

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def previous_number(self) -> int:
        return self.number - 1

    @property
    def next_number(self) -> int:
        return self.number + 1

    def within(self, comments: QuerySet[Comment]) -> QuerySet[Comment]:
        """``comments`` narrowed to the paths of this page."""
        if self.lower:
            comments = comments.filter(path__gte=self.lower)
        if self.upper is not None:
            comments = comments.filter(path__lt=self.upper)
        return comments


def _roots(review_id: int, episode_thread_id: int | None) -> QuerySet[Comment]:
    return Comment.objects.filter(
        review_id=review_id,
        episode_thread_id=episode_thread_id,
        status=Comment.Status.APPROVED,
        parent__isnull=True,
    )


def _compact_range(current: int, pages: int) -> list[int | None]:
    """1 … 4 5 [6] 7 8 … 20: the first, the last and two either side (None: a gap)."""
    shown = sorted({1, pages, *range(max(1, current - 2), min(pages, current + 2) + 1)})
    out: list[int | None] = []
    for number in shown:
        if out and number - (out[-1] or 0) > 1:
            out.append(None)
        out.append(number)
    return out


def thread_page(
    review_id: int,
    *,
    page: int,
    per_page: int,
    newest_first: bool,
    episode_thread_id: int | None = None,
) -> ThreadPage:
    """Which threads page ``page`` of a review's discussion (its main thread, or an
    episode's) shows (1 if out of range), as a path range."""
    if per_page <= 0:
        return ThreadPage(page_range=[1])
    page = max(page, 1)
    ordered = _roots(review_id, episode_thread_id).order_by("-path" if newest_first else "path")
    rows = list(
        ordered.annotate(total=Window(Count("pk"))).values_list("path", "total")[
            (page - 1) * per_page : page * per_page
        ]
    )
    if not rows and page > 1:  # past the end: show the first page
        return thread_page(
            review_id,
            page=1,
            per_page=per_page,
            newest_first=newest_first,
            episode_thread_id=episode_thread_id,
        )
    threads = rows[0][1] if rows else 0
    pages = max(1, -(-threads // per_page))
    paths = sorted(path for path, _total in rows)
    is_first, is_last = page == 1, page == pages
    # The earliest threads are on page 1 when oldest come first, on the last page
    # when newest come first; that end of the range stays open (held comments, and
    # replies whose parent is gone, sort there too).
    earliest_end = is_first if not newest_first else is_last
    latest_end = is_last if not newest_first else is_first
    return ThreadPage(
        number=page,
        pages=pages,
        threads=threads,
        lower="" if earliest_end or not paths else paths[0],
        upper=None if latest_end or not paths else paths[-1] + PAST_THREAD,
        page_range=_compact_range(page, pages),
    )


def page_address(comment: Comment, *, order: str = "") -> str:
    """Where ``comment`` is on the site now: its review's page that shows it (with
    the site's page size, and its order unless ``order`` is "oldest" or "newest",
    which the address then keeps), at its anchor: the review's page, or the page of
    the episode thread it is in."""
    site = SiteSettings.current()
    newest_first = order == "newest" if order in ORDERS else site.comments_newest_first
    number = page_of(comment, per_page=site.comments_per_page, newest_first=newest_first)
    params = [f"order={order}"] if order in ORDERS else []
    if number > 1:
        params.append(f"page={number}")
    query = f"?{'&'.join(params)}" if params else ""
    thread = comment.episode_thread
    if thread is not None:
        base = thread_url(comment.review, thread.position)
    else:
        base = comment.review.get_absolute_url()
    return f"{base}{query}#{comment.anchor}"


def page_of(comment: Comment, *, per_page: int, newest_first: bool) -> int:
    """The page that shows ``comment`` (with its thread)."""
    if per_page <= 0:
        return 1
    if comment.top_level_before is not None:  # just posted: the newest top-level comment
        before = 0 if newest_first else comment.top_level_before
        return before // per_page + 1
    root_path = comment.path.split("/", 1)[0] + "/"
    # (SQL written once, queries.py: the ORM's count cost more to build than to run)
    before = queries.roots_before(
        comment.review_id, comment.episode_thread_id, root_path, newest_first=newest_first
    )
    return before // per_page + 1
