"""What the review page needs to show its discussion (used by reviews.views)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from watchworthy.core.models import SiteSettings
from watchworthy.core.text import parse_id
from watchworthy.spoilers.shield import Shield

from .forms import CommentForm
from .identity import my_comment_ids, remembered_commenter
from .models import Comment
from .paging import thread_page
from .rendering import render_rows
from .thread import build_thread, flatten


def discussion_context(
    request: HttpRequest,
    review,
    *,
    shield: Shield,
) -> dict:
    """The thread (one query; two when the visitor has held comments) and the form.
    ``shield`` is the reader's view of the work: it opens the spoilers they have
    reached and unfolds comments that spoil no further."""
    site = SiteSettings.current()
    seasons = shield.seasons
    order = request.GET.get("order", "newest" if site.comments_newest_first else "oldest")
    newest_first = order == "newest"
    page = thread_page(
        review.pk,
        page=parse_id(request.GET.get("page", "")) or 1,
        per_page=site.comments_per_page,
        newest_first=newest_first,
    )
    comments = list(page.within(Comment.objects.for_thread(review)))
    mine = my_comment_ids(request)
    held = []
    if mine:
        held = list(
            page.within(
                Comment.objects.pending().filter(review=review, pk__in=mine)
            ).select_related("user")
        )
        comments = sorted([*comments, *held], key=lambda comment: comment.path)
    thread = build_thread(
        comments,
        max_level=settings.WATCHWORTHY_COMMENTS["NESTING_DEPTH"],
        newest_first=newest_first,
        held_ids=[c.pk for c in held],
    )
    open_ = review.accepts_comments(close_after_days=site.comments_close_after_days)
    form = None
    if open_:
        initial: dict[str, object] = {}
        if not request.user.is_authenticated:
            initial.update(remembered_commenter(request))
        reply_to = _reply_target(request, comments)
        if reply_to is not None:
            initial["parent"] = reply_to.pk
        form = CommentForm(initial=initial, review=review, user=request.user, seasons=seasons)
    reply_to = None
    if form is not None:
        parent_id = form["parent"].value()
        reply_to = next((c for c in comments if str(c.pk) == str(parent_id)), None)
    rows = flatten(thread)
    for row in rows:
        comment = row.node.comment
        shielded = shield.comment(comment.body_html, comment.spoiler_scope)
        row.body, row.spoils, row.folded = shielded.body, shielded.spoils, shielded.folded
    editable = _editable(request, comments, mine)
    return {
        "thread": thread,
        "thread_rows": rows,
        "thread_html": render_rows(
            rows,
            review_author_id=review.author_id,
            comments_open=open_,
            editable_ids=editable,
            query=request.GET,
        ),
        "comment_form": form,
        "comments_open": open_,
        "reply_to": reply_to,
        "comment_order": "newest" if newest_first else "oldest",
        "comment_page": page,
        "editable_ids": editable,
    }


def _reply_target(request: HttpRequest, comments: list[Comment]) -> Comment | None:
    wanted = request.GET.get("replyto", "")
    return next((c for c in comments if str(c.pk) == wanted and c.is_public), None)


def _editable(request: HttpRequest, comments: list[Comment], mine: list[int]) -> set[int]:
    from .services import may_change

    user = request.user if request.user.is_authenticated else None
    if user is None and not mine:
        return set()
    return {c.pk for c in comments if may_change(c, user=user, guest_comment_ids=mine)}
