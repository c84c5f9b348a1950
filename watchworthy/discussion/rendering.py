"""The comment list's HTML, composed per request from stored headers.

A review page with a thousand comments spent nine tenths of its time in the template
engine; then, written in Python, a third of it making a model object per comment and
another third writing each comment's header (avatar, name, number, date). Neither
depends on the reader. So each comment's header is rendered when the comment is
written and stored (:mod:`watchworthy.discussion.header`), the thread is read as
plain tuples (:class:`ThreadComment`, no model objects), and only the parts that
depend on the reader or the page are composed here:

* the Author / Staff badge (the review's author and the writer's staff flag now), and
  the review author's comments marked ``comment-by-author`` for their own styling;
* each sub-thread's replies in a ``<details open>`` whose summary hides or shows them
  ("Hide 3 replies" / "Show 3 replies"): collapsing works without JavaScript;
* the spoiler shield, through :class:`~watchworthy.spoilers.shield.Shield`: spoilers
  the reader has reached open, a comment that spoils further stays folded;
* "In reply to …" (the nesting cap and which comments are shown), the reader's own
  held comments and their note, the reply links (open or closed discussion, and the
  page's query string), "Edit or delete" for the reader's own recent comments.

Every value a person wrote is escaped exactly as the template autoescaped it; stored
HTML (the sanitized comment body, the header) goes in as it is.
``tests/discussion/test_rendering.py`` renders the same thread through the template
loop this replaced, from model objects, and asserts the page's output is identical,
byte for byte, for every kind of reader (guest, writer of a held comment, staff, with
and without reading progress), every nesting cap, stored and stale headers.
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from html import escape  # what Django's escape() calls, without its lazy-string wrapper
from typing import NamedTuple
from urllib.parse import urlencode

from django.http import QueryDict
from django.urls import reverse

from watchworthy.core.htmltext import HTMLParts, joined_html
from watchworthy.spoilers.shield import Position, Shield

from .header import BADGE_SLOT
from .thread import Row

REMOVED = (
    '\n    <p class="comment-placeholder" id="{anchor}-by">'
    "This comment was deleted by its author.</p>\n    "
)
HELD_NOTE = (
    '<p class="held-note" role="status">'
    "Your comment is awaiting moderation. Only you can see it.</p>"
)
AUTHOR_BADGE = '<span class="badge">Author</span>'
STAFF_BADGE = '<span class="badge">Staff</span>'


class ThreadComment(NamedTuple):
    """One comment as the thread reads it: the columns in :data:`COLUMNS`, in order."""

    pk: int
    path: str
    parent_id: int | None
    status: str
    is_removed: bool
    author_name: str
    user_id: int | None
    writer_is_staff: bool | None
    spoils_season: int | None
    spoils_episode: int | None
    body_html: str
    header_html: str
    header_key: str
    recent: bool  # written within the edit window

    @property
    def anchor(self) -> str:
        return f"comment-{self.pk}"

    @property
    def is_public(self) -> bool:
        return self.status == "approved" and not self.is_removed


# What the page reads of each comment (``recent`` is annotated by the caller).
COLUMNS = ThreadComment._fields


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
        # escape() works character by character: escaping the parts around the id
        # once is escaping the whole link.
        self.escaped_head = escape("?" + (f"{self.head}&" if self.head else "") + "replyto=")
        self.escaped_tail = escape(f"&{self.tail}" if self.tail else "")

    def href(self, pk: int) -> str:
        middle = f"replyto={pk}"
        parts = [part for part in (self.head, middle, self.tail) if part]
        return "?" + "&".join(parts)

    def escaped_href(self, pk: int) -> str:
        """``escape(self.href(pk))``."""
        return f"{self.escaped_head}{pk}{self.escaped_tail}"


def render_rows(
    rows: Sequence[Row],
    *,
    review_author_id: int | None,
    comments_open: bool,
    editable_ids: Container[int],
    query: QueryDict,
    shield: Shield,
    thread_scope: Position | None = None,
) -> HTMLParts:
    """The ``<li>`` elements of the comment list for ``rows`` (see thread.flatten),
    whose comments are :class:`ThreadComment` with a current ``header_html``.
    ``thread_scope``: the episode of an episode thread, which every comment in it
    spoils — said once by the page, not on each comment."""
    plain_scope = (thread_scope.season, thread_scope.episode) if thread_scope else None
    reply_links = ReplyLinks(query)
    escaped_head, escaped_tail = reply_links.escaped_head, reply_links.escaped_tail
    comment_body = shield.comment_body
    names: dict[str, str] = {}  # escaped names: a thread's writers recur
    out: list[str] = []
    add = out.append
    for row in rows:
        node = row.node
        comment: ThreadComment = node.comment
        pk = str(comment.pk)  # written five times: converted once
        held = node.is_held
        if comment.is_removed:
            classes = "comment comment-held comment-removed" if held else "comment comment-removed"
            add(
                f'<li id="comment-{pk}" class="{classes}" data-comment-id="{pk}">\n  '
                f'<article aria-labelledby="comment-{pk}-by">\n    '
                f"{REMOVED.format(anchor=f'comment-{pk}')}\n  </article>\n  "
            )
        else:
            user_id = comment.user_id
            by_author = bool(user_id) and user_id == review_author_id
            if by_author:
                badge = AUTHOR_BADGE
            elif user_id and comment.writer_is_staff:
                badge = STAFF_BADGE
            else:
                badge = ""
            if (
                comment.spoils_season is None
                or (comment.spoils_season, comment.spoils_episode) == plain_scope
            ):
                body = f'<div class="comment-body">{comment_body(comment.body_html)}</div>'
            else:
                body = _scoped_body(comment, shield)
            if comments_open and not held:
                name = names.get(comment.author_name)
                if name is None:
                    name = names[comment.author_name] = escape(comment.author_name)
                reply = (
                    f'<a class="reply-link" href="{escaped_head}{pk}{escaped_tail}#respond" '
                    f'data-reply-to="{pk}" data-reply-name="{name}">'
                    "Reply</a>"
                )
            else:
                reply = ""
            edit = (
                f'<a href="{escape(reverse("discussion:edit", kwargs={"pk": pk}))}">'
                "Edit or delete</a>"
                if comment.pk in editable_ids
                else ""
            )
            in_reply_to = (
                f'<p class="in-reply-to">In reply to {escape(node.in_reply_to)}</p>'
                if node.in_reply_to
                else ""
            )
            classes = "comment comment-held" if held else "comment"
            if by_author:
                classes += " comment-by-author"
            add(
                f'<li id="comment-{pk}" class="{classes}"'
                f' data-comment-id="{pk}">\n  <article aria-labelledby="comment-{pk}-by">\n    '
                f"{comment.header_html.replace(BADGE_SLOT, badge, 1)}{in_reply_to}\n    "
                f"{HELD_NOTE if held else ''}\n    {body}"
                f'\n    <footer class="comment-actions">\n      {reply}\n      {edit}'
                "\n    </footer>\n    \n  </article>\n  "
            )
        if row.opens_replies:
            if comment.is_removed:
                to = "the deleted comment"
            else:
                to = names.get(comment.author_name) or escape(comment.author_name)
            count = row.replies
            add(
                '<details class="replies" open><summary class="replies-toggle">'
                '<span class="replies-when-open">Hide</span>'
                '<span class="replies-when-closed">Show</span> '
                f"{count} {'reply' if count == 1 else 'replies'}"
                f'<span class="visually-hidden"> to {to}</span></summary>'
                '<ol class="comment-replies">'
            )
        else:
            add("</li>")
        if row.closes:
            add("</ol></details></li>" * len(row.closes))
        add("\n")
    return joined_html(out)  # every value above is escaped or stored-sanitized


def _scoped_body(comment: ThreadComment, shield: Shield) -> str:
    """The body of a comment whose writer said how far it spoils."""
    scope = Position(comment.spoils_season, comment.spoils_episode)  # type: ignore[arg-type]
    shielded = shield.comment(comment.body_html, scope)
    spoils = escape(shielded.spoils)
    body = f'<div class="comment-body">{shielded.body}</div>'
    if shielded.folded:
        return (
            '<details class="spoiler comment-spoiler"><summary>Spoils '
            f"{spoils} — show this comment</summary>{body}</details>"
        )
    lead = f'<p class="comment-spoils">Spoils {spoils}</p>' if shielded.spoils else ""
    return lead + body
