"""What the review page needs to show its discussion (used by reviews.views)."""

from __future__ import annotations

import secrets
from datetime import timedelta
from operator import attrgetter
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import BooleanField, ExpressionWrapper, F, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from watchworthy.core.htmltext import utf8
from watchworthy.core.models import SiteSettings
from watchworthy.core.prepared import PreparedQuery
from watchworthy.core.text import parse_id
from watchworthy.spoilers.shield import Shield

from . import header
from .episodes import Episode
from .formhtml import GuestForm
from .forms import CommentForm
from .identity import my_comment_ids, remembered_commenter
from .models import Comment, EpisodeThread
from .paging import LONG_THREAD, ThreadPage, thread_page
from .rendering import COLUMNS, ThreadComment, render_rows
from .thread import build_thread, flatten


def discussion_context(
    request: HttpRequest,
    review,
    *,
    shield: Shield,
    count: int | None = None,
    episode: Episode | None = None,
    episode_thread: EpisodeThread | None = None,
) -> dict:
    """The thread (two queries; three when the visitor has held comments; one more
    when some stored headers are out of date, see discussion.header) and the form.
    ``shield`` is the reader's view of the work: it opens the spoilers they have
    reached and unfolds comments that spoil no further. The main thread by default;
    with ``episode``, that episode's thread (``episode_thread``: its row, None while
    it has no comments). ``count``: the thread's approved comments (default: the
    review's, all threads together)."""
    site = SiteSettings.current()
    seasons = shield.seasons
    order = request.GET.get("order", "newest" if site.comments_newest_first else "oldest")
    newest_first = order == "newest"
    thread_id = episode_thread.pk if episode_thread is not None else None
    empty = episode is not None and episode_thread is None  # no comments yet
    page = (
        ThreadPage(page_range=[1])
        if empty
        else thread_page(
            review.pk,
            page=parse_id(request.GET.get("page", "")) or 1,
            per_page=site.comments_per_page,
            newest_first=newest_first,
            episode_thread_id=thread_id,
        )
    )
    in_thread = Q(review=review, episode_thread_id=thread_id)
    comments = [] if empty else _read_approved(review.pk, thread_id, page)
    mine = my_comment_ids(request)
    held: list[ThreadComment] = []
    if mine and not empty:
        held = _read(page.within(Comment.objects.pending().filter(in_thread, pk__in=mine)))
        comments = sorted([*comments, *held], key=lambda comment: comment.path)
    comments = _with_current_headers(comments, review, page, held)
    thread = build_thread(
        comments,
        max_level=settings.WATCHWORTHY_COMMENTS["NESTING_DEPTH"],
        newest_first=newest_first,
        held_ids=[c.pk for c in held],
    )
    open_ = review.accepts_comments(close_after_days=site.comments_close_after_days) and (
        episode is None or episode.is_open()
    )
    form: CommentForm | GuestForm | None = None
    reply_to = None
    if open_:
        guest = not request.user.is_authenticated
        initial: dict[str, object] = {}
        if guest:
            initial.update(remembered_commenter(request))
        reply_to = _reply_target(request, comments)
        if guest and reply_to is None and episode is None and not any(initial.values()):
            form = GuestForm.for_review(review, seasons)  # nearly every reader's form
        if form is None:
            if reply_to is not None:
                initial["parent"] = reply_to.pk
            if episode is not None:
                initial["episode"] = episode.position.encode()
            form = CommentForm(
                initial=initial,
                review=review,
                user=request.user,
                seasons=seasons,
                episode=episode.position if episode is not None else None,
            )
    rows = flatten(thread)
    editable = _editable(request, comments, mine)
    count = review.approved_comment_count if count is None else count
    return {
        "discussion_count": count,
        "discussion_episode": episode,
        "thread": thread,
        "thread_rows": rows,
        "thread_html": render_rows(
            rows,
            review_author_id=review.author_id,
            comments_open=open_,
            editable_ids=editable,
            query=request.GET,
            shield=shield,
            thread_scope=episode.position if episode is not None else None,
        ),
        "comment_form": form,
        "comments_open": open_,
        "reply_to": reply_to,
        "comment_order": "newest" if newest_first else "oldest",
        "comment_page": page,
        "long_thread": page.has_other_pages or count >= LONG_THREAD,
        "editable_ids": editable,
    }


# Stands in the page for the thread's HTML while the template runs. Random per process:
# nothing a person writes can carry it, so the page has exactly one.
THREAD_SLOT = mark_safe(f"<!--thread-{secrets.token_hex(16)}-->")  # noqa: S308 - a comment


def render_with_thread(request: HttpRequest, template_name: str, context: dict) -> HttpResponse:
    """``render()`` for a page holding a thread: the template renders around
    :data:`THREAD_SLOT` and the thread's HTML goes in once, at the end. A thousand
    comments are a megabyte of HTML, and each template level joining it again cost
    5 of a 15 ms page."""
    thread_html = context.get("thread_html")
    if not thread_html:
        return HttpResponse(render_to_string(template_name, context, request))
    page = render_to_string(template_name, {**context, "thread_html": THREAD_SLOT}, request)
    before, slot, after = page.partition(THREAD_SLOT)
    if not slot:  # a template that does not show the thread
        return HttpResponse(page)
    return HttpResponse(utf8([before, thread_html, after]))


def _rows(comments, since) -> QuerySet:
    """``comments`` as the thread reads them: :data:`COLUMNS`, ``recent`` meaning
    written at ``since`` or later. In no order: :func:`_in_tree_order` sorts them. (The
    database sorted a thread's rows, whole — a 1,000-comment thread is a megabyte —,
    although its index hands them over in path order: PostgreSQL cannot tell, the
    main thread being ``episode_thread IS NULL``. That sort was 2 of the 5 ms of its
    CPU a page; sorting rows already in order costs Python one pass.)"""
    recent = ExpressionWrapper(Q(created_at__gte=since), output_field=BooleanField())
    return (
        comments.annotate(writer_is_staff=F("user__is_staff"), recent=recent)
        .order_by()
        .values_list(*COLUMNS)
    )


_PATH = attrgetter("path")


def _in_tree_order(rows: list[tuple[Any, ...]]) -> list[ThreadComment]:
    """The rows as ThreadComments sorted by path, which is tree order (fixed-width
    numbers between slashes: the same order under any collation)."""
    comments = list(map(ThreadComment._make, rows))
    comments.sort(key=_PATH)
    return comments


def _edit_window_start():
    return timezone.now() - timedelta(minutes=settings.WATCHWORTHY_COMMENTS["EDIT_MINUTES"])


def _approved_shape(*, episode: bool, lower: bool, upper: bool) -> PreparedQuery[Comment]:
    """The page's approved comments, for one shape of page (main thread or an
    episode's; a path range bounded below, above, both or neither)."""

    def build(review, since, thread=None, lower=None, upper=None):
        approved = Comment.objects.filter(
            review=review, episode_thread_id=thread, status=Comment.Status.APPROVED
        )
        return _rows(ThreadPage(lower=lower or "", upper=upper).within(approved), since)

    path = Comment._meta.get_field("path")
    fields: dict[str, Any] = {"review": Comment._meta.get_field("review"), "since": _CREATED}
    if episode:
        fields["thread"] = Comment._meta.get_field("episode_thread")
    if lower:
        fields["lower"] = path
    if upper:
        fields["upper"] = path
    return PreparedQuery(build, **fields)


_CREATED = Comment._meta.get_field("created_at")
_APPROVED = {
    (episode, lower, upper): _approved_shape(episode=episode, lower=lower, upper=upper)
    for episode in (False, True)
    for lower in (False, True)
    for upper in (False, True)
}


def _read_approved(review_id: int, thread_id: int | None, page: ThreadPage) -> list[ThreadComment]:
    """The approved comments of ``page`` of a thread (the review's main thread, or
    episode thread ``thread_id``) as :func:`_read` gives them, from SQL compiled once."""
    values: dict = {"review": review_id, "since": _edit_window_start()}
    if thread_id is not None:
        values["thread"] = thread_id
    if page.lower:
        values["lower"] = page.lower
    if page.upper is not None:
        values["upper"] = page.upper
    shape = _APPROVED[(thread_id is not None, bool(page.lower), page.upper is not None)]
    return _in_tree_order(shape.rows(**values))


def _read(comments) -> list[ThreadComment]:
    """The page's comments as plain rows (no model objects), in tree order.

    The query is Django's, run through the cursor directly: a thousand rows then cost
    the driver's own tuples and no per-value converters. (The only values a converter
    would touch are the flags, 0/1 on SQLite, which are read as truth values.)"""
    query = _rows(comments, _edit_window_start())
    try:
        sql, params = query.query.get_compiler(using=query.db).as_sql()
    except EmptyResultSet:  # a filter that matches nothing, such as pk__in=[]
        return []
    with connections[query.db].cursor() as cursor:
        cursor.execute(sql, params)
        return _in_tree_order(cursor.fetchall())


def _with_current_headers(
    comments: list[ThreadComment], review, page: ThreadPage, held: list[ThreadComment]
) -> list[ThreadComment]:
    """``comments``, those whose stored header is out of date (rendered with another
    layout, time zone or secret, or never) with one rendered now, from one query."""
    key = header.current_key()
    stale = {c.pk for c in comments if c.header_key != key}
    if not stale:
        return comments
    shown = Q(status=Comment.Status.APPROVED) | Q(pk__in=[c.pk for c in held])
    sources = (
        page.within(Comment.objects.filter(shown, review=review))
        .exclude(header_key=key)
        .only("author_name", "author_email", "author_url", "number", "created_at", "edited_at")
    )
    dates = header.Dates()
    fresh = {c.pk: header.header_of(c, dates) for c in sources if c.pk in stale}
    return [
        c._replace(header_html=fresh[c.pk], header_key=key) if c.pk in fresh else c
        for c in comments
    ]


def _reply_target(request: HttpRequest, comments: list[ThreadComment]) -> ThreadComment | None:
    wanted = request.GET.get("replyto", "")
    return next((c for c in comments if str(c.pk) == wanted and c.is_public), None)


def _editable(request: HttpRequest, comments: list[ThreadComment], mine: list[int]) -> set[int]:
    """The reader's own comments they may still edit or delete: what services.may_change
    decides, from the rows (``recent``: written within the edit window)."""
    user = request.user if request.user.is_authenticated else None
    if user is None and not mine:
        return set()
    guest_ids = set(mine)
    return {
        c.pk
        for c in comments
        if c.recent
        and not c.is_removed
        and (
            (user is not None and c.user_id == user.pk) or (c.user_id is None and c.pk in guest_ids)
        )
    }
