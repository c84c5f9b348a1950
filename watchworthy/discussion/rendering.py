"""The comment list's HTML, written in Python for speed.

A review page with a thousand comments spent nine tenths of its time in the template
engine: some 37,000 variable look-ups and 14,000 ``{% if %}`` nodes per request. The
markup of one comment is simple and fixed, so it is built here with plain string
joins; every value a person wrote is escaped exactly as the template autoescaped it,
and stored HTML (the comment body, already sanitized and shielded for this reader)
goes in as it is. ``tests/discussion/test_rendering.py`` renders the same rows through
the template this replaced and asserts the output is identical, byte for byte, for
every kind of reader (guest, writer of a held comment, staff, with and without reading
progress) and every nesting cap.

The per-reader parts — the spoiler shield, "your comment" controls, held notes, the
reply links — are decided by the caller (``discussion.context``) and passed in.
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from datetime import datetime
from html import escape  # what Django's escape() calls, without its lazy-string wrapper
from urllib.parse import urlencode

from django.http import QueryDict
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.safestring import SafeString, mark_safe

from .models import Comment
from .thread import Row

REMOVED = (
    '\n    <p class="comment-placeholder" id="{anchor}-by">'
    "This comment was deleted by its author.</p>\n    "
)
HELD_NOTE = (
    '<p class="held-note" role="status">'
    "Your comment is awaiting moderation. Only you can see it.</p>"
)


class ReplyLinks:
    """``{% querystring replyto=PK %}`` for every comment, from one copy of the query:
    the other parameters in their order, ``replyto`` replaced where it stood or added
    at the end."""

    def __init__(self, query: QueryDict) -> None:
        self.before: list[tuple[str, str]] = []
        self.after: list[tuple[str, str]] = []
        seen_replyto = False
        for key, values in query.lists():
            if key == "replyto":
                seen_replyto = True
                continue
            for value in values:
                (self.after if seen_replyto else self.before).append((key, value))
        self.head = urlencode(self.before)
        self.tail = urlencode(self.after)

    def href(self, pk: int) -> str:
        middle = f"replyto={pk}"
        parts = [part for part in (self.head, middle, self.tail) if part]
        return "?" + "&".join(parts)


class Dates:
    """``|date:'c'`` and ``|date:"j M Y, H:i"`` as the template wrote them (in the
    site's time zone and the active language), without a formatter object per call."""

    def __init__(self) -> None:
        self.months = {number: str(name).title() for number, name in MONTHS_3.items()}

    def __call__(self, moment: datetime) -> tuple[str, str]:
        local = timezone.localtime(moment)
        shown = (
            f"{local.day} {self.months[local.month]} {local.year:04d}, "
            f"{local.hour:02d}:{local.minute:02d}"
        )
        return local.isoformat(), shown


def _writer_is_staff(comment: Comment) -> bool:
    """From the thread query's annotation when there is one, else from the account."""
    flag = getattr(comment, "writer_is_staff", None)
    if flag is None:
        return comment.user is not None and comment.user.is_staff
    return bool(flag)


def _header(row: Row, *, review_author_id: int | None, dates: Dates) -> str:
    comment = row.node.comment
    anchor = comment.anchor
    avatar = comment.avatar()
    name = escape(comment.author_name)
    if comment.author_url:
        author = f'<a href="{escape(comment.author_url)}" rel="nofollow ugc noopener">{name}</a>'
    else:
        author = name
    badge = ""
    if comment.user_id and comment.user_id == review_author_id:
        badge = '<span class="badge">Author</span>'
    elif comment.user_id and _writer_is_staff(comment):
        badge = '<span class="badge">Staff</span>'
    if comment.number:
        number = (
            f'<a class="comment-number" href="#{anchor}" aria-label="Comment '
            f'{comment.number}, link">#{comment.number}</a>'
        )
    else:
        number = f'<a class="comment-permalink" href="#{anchor}">link</a>'
    iso, shown = dates(comment.created_at)
    edited = '<span class="edited">(edited)</span>' if comment.was_edited else ""
    return (
        '\n    <header class="comment-meta">\n      '
        f'<span class="avatar avatar-h{escape(avatar["hue"])}" aria-hidden="true">'
        f"{escape(avatar['initials'])}</span>\n      "
        f'<span id="{anchor}-by" class="comment-author">{author}</span>\n      '
        f"{badge}\n      {number}\n      "
        f'<time datetime="{iso}">{escape(shown)}</time>\n      {edited}\n    </header>\n    '
    )


def _body(row: Row) -> str:
    spoils = escape(row.spoils)
    body = f'<div class="comment-body">{row.body}</div>'
    if row.folded:
        return (
            '<details class="spoiler comment-spoiler"><summary>Spoils '
            f"{spoils} — show this comment</summary>{body}</details>"
        )
    lead = f'<p class="comment-spoils">Spoils {spoils}</p>' if row.spoils else ""
    return lead + body


def _row(
    row: Row,
    *,
    review_author_id: int | None,
    comments_open: bool,
    editable_ids: Container[int],
    reply_links: ReplyLinks,
    dates: Dates,
) -> str:
    node = row.node
    comment = node.comment
    anchor = comment.anchor
    classes = "comment" + (" comment-held" if node.is_held else "")
    classes += " comment-removed" if comment.is_removed else ""
    parts = [
        f'<li id="{anchor}" class="{classes}" data-comment-id="{comment.pk}">\n  '
        f'<article aria-labelledby="{anchor}-by">\n    '
    ]
    if comment.is_removed:
        parts.append(REMOVED.format(anchor=anchor))
    else:
        reply = ""
        if comments_open and not node.is_held:
            reply = (
                f'<a class="reply-link" href="{escape(reply_links.href(comment.pk))}#respond" '
                f'data-reply-to="{comment.pk}" data-reply-name="{escape(comment.author_name)}">'
                "Reply</a>"
            )
        edit = ""
        if comment.pk in editable_ids:
            edit = f'<a href="{escape(comment.get_edit_url())}">Edit or delete</a>'
        in_reply_to = (
            f'<p class="in-reply-to">In reply to {escape(node.in_reply_to)}</p>'
            if node.in_reply_to
            else ""
        )
        parts += [
            _header(row, review_author_id=review_author_id, dates=dates),
            in_reply_to,
            "\n    ",
            HELD_NOTE if node.is_held else "",
            "\n    ",
            _body(row),
            '\n    <footer class="comment-actions">\n      ',
            reply,
            "\n      ",
            edit,
            "\n    </footer>\n    ",
        ]
    parts.append("\n  </article>\n  ")
    parts.append('<ol class="comment-replies">' if row.opens_replies else "</li>")
    parts.append("</ol></li>" * len(row.closes))
    parts.append("\n")
    return "".join(parts)


def render_rows(
    rows: Sequence[Row],
    *,
    review_author_id: int | None,
    comments_open: bool,
    editable_ids: Container[int],
    query: QueryDict,
) -> SafeString:
    """The ``<li>`` elements of the comment list for ``rows`` (see thread.flatten)."""
    reply_links = ReplyLinks(query)
    dates = Dates()
    html = "".join(
        _row(
            row,
            review_author_id=review_author_id,
            comments_open=comments_open,
            editable_ids=editable_ids,
            reply_links=reply_links,
            dates=dates,
        )
        for row in rows
    )
    return mark_safe(html)  # noqa: S308 - every value above is escaped or stored-sanitized
