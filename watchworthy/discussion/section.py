"""The discussion's section of a page and the episode index, written in Python.

They were ``discussion/thread.html`` and ``discussion/episode_index.html`` (kept in
tests/web/reference/): the review page composes itself in Python (web.review_page)
and the episode thread's page calls :func:`thread_section` through ``{% load
discussion_section %}``. The context is the page's: :func:`discussion_context`'s keys
for the thread, ``episodes.index_context``'s and the shield's for the index. Values
are printed as ``{{ value }}`` prints them (core.htmltext.printed); the review page's
output test compares the bytes with the templates'.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django.template.defaultfilters import date
from django.template.defaulttags import querystring
from django.template.loader import render_to_string
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]

from watchworthy.core.htmltext import HTMLParts, long_date, printed
from watchworthy.core.links import reverse
from watchworthy.core.staticlinks import StaticNode

from .formhtml import comment_form_html


def _plural(count: int) -> str:
    return "" if count == 1 else "s"


class _Query:
    """What ``{% querystring %}`` reads of its context: the request."""

    def __init__(self, request: Any) -> None:
        self.request = request


def _query(request: Any, **changes: Any) -> str:
    return printed(querystring(cast(Any, _Query(request)), **changes))


def thread_section(context: Mapping[str, Any]) -> str:
    """``<section id="comments">`` with the count, order links, the comments (the
    context's ``thread_html``), page links, the form, and the reply script."""
    return "".join(map(str, thread_section_parts(context)))


def thread_section_parts(context: Mapping[str, Any]) -> list[str | HTMLParts]:
    """:func:`thread_section` in pieces, for a page that joins everything once: a
    thousand comments are a megabyte, and every join copies it."""
    request = context["request"]
    review = context["review"]
    count = context["discussion_count"]
    episode = context.get("discussion_episode")
    thread = context.get("thread")
    newest = context.get("comment_order") == "newest"
    on = ""
    if episode:
        on = f" on {printed(episode.label)}"
    elif context.get("episode_index"):
        on = " on the whole review"
    out: list[str | HTMLParts] = [
        '\n<section id="comments" class="discussion" aria-labelledby="comments-heading">\n'
        '  <header class="discussion-header">\n'
        f'    <h2 id="comments-heading">{printed(count)} comment{_plural(count)}{on}</h2>\n    '
    ]
    if thread:
        if newest:
            order = (
                f'<a href="{_query(request, order="oldest", replyto=None, page=None)}#comments">'
                "Oldest first</a> · <strong>Newest first</strong>"
            )
        else:
            order = (
                "<strong>Oldest first</strong> · "
                f'<a href="{_query(request, order="newest", replyto=None, page=None)}#comments">'
                "Newest first</a>"
            )
        if episode:
            feed = f'<a href="{printed(episode.url)}comments.atom">Comments feed</a>'
        else:
            feed_url = printed(reverse("discussion:review_feed", args=[review.slug]))
            feed = f'<a href="{feed_url}">Comments feed</a>'
        jump = ""
        if context.get("long_thread") and not episode:
            newest_url = printed(reverse("discussion:newest", args=[review.slug]))
            kept = (
                f"?order={printed(context.get('comment_order'))}"
                if request.GET.get("order")
                else ""
            )
            jump = f'· <a class="jump-newest" href="{newest_url}{kept}">Jump to newest</a>'
        out.append(
            '\n    <p class="discussion-tools">\n'
            f"      {order}\n      · {feed}\n      {jump}\n    </p>\n    "
        )
    out.append("\n  </header>\n  ")
    if thread:
        out += ['\n  <ol class="comment-list">\n    ', context["thread_html"], "\n  </ol>\n  "]
        page = context.get("comment_page")
        if page is not None and page.has_other_pages:
            out.append(render_to_string("discussion/pages.html", dict(context), request))
        out.append("\n  ")
    else:
        out.append('\n  <p class="empty">No comments yet.')
        if context.get("comments_open"):
            out.append(" Start the discussion.")
        elif episode and not episode.is_open():
            out.append(f" This thread opens on {_day(episode.air_date)}, when the episode airs.")
        out.append("</p>\n  ")
    out.append("\n  ")
    if context.get("comments_open"):
        form = comment_form_html(
            request,
            context["comment_form"],
            review=review,
            reply_to=context.get("reply_to"),
            episode=episode,
            form_page=bool(context.get("form_page")),
        )
        out.append(f"\n  {form}\n  ")
    else:
        if episode and not episode.is_open():
            closed = f"Comments open on {_day(episode.air_date)}."
        else:
            closed = "Comments are closed for this review."
        out.append(f'\n  <p class="notice">{closed}</p>\n  ')
    script = printed(StaticNode.handle_simple("discussion/reply.js"))
    out.append(f'\n</section>\n<script src="{script}" defer></script>\n')
    return out


def _day(value: Any) -> str:
    return printed(long_date(value))


def episode_index(context: Mapping[str, Any]) -> str:
    """The review's episode threads as this reader may see them: episodes they have
    reached link to their thread; later ones show a label and a count, folded."""
    if not context.get("episode_index"):
        return "\n\n"
    progress = f" (you: {printed(context['progress_label'])})" if context.get("progress") else ""
    out = [
        "\n\n"
        '<section id="episodes" class="episode-threads" aria-labelledby="episodes-heading">\n'
        '  <h2 id="episodes-heading">Episode by episode</h2>\n'
        '  <p class="help">Each episode has its own discussion, open to readers who have '
        f"watched that far{progress}.</p>\n  "
    ]
    reached = context.get("episodes_reached")
    if reached:
        out.append('\n  <ul class="episode-list">\n    ')
        for entry in reached:
            episode = entry.episode
            out.append(
                f'\n    <li><a href="{printed(episode.url)}">{printed(episode.label)}</a> '
                f'<span class="episode-meta">{_entry_meta(entry, latest=True)}</span></li>\n    '
            )
        out.append("\n  </ul>\n  ")
    out.append("\n  ")
    later = context.get("episodes_later")
    if later:
        total = context["episodes_later_count"]
        out.append(
            '\n  <details class="episode-later">\n'
            f"    <summary>{printed(len(later))} episode{_plural(len(later))} you have not "
            f"reached · {printed(total)} comment{_plural(total)}</summary>\n"
            '    <p class="help">Their discussions open when you say you have watched that '
            "far (“How far have you watched” above).</p>\n"
            '    <ul class="episode-list">\n      '
        )
        for entry in later:
            out.append(
                f'\n      <li>{printed(entry.episode.label)} <span class="episode-meta">'
                f"{_entry_meta(entry, latest=False)}</span></li>\n      "
            )
        out.append("\n    </ul>\n  </details>\n  ")
    out.append("\n</section>\n\n")
    return "".join(out)


def _entry_meta(entry: Any, *, latest: bool) -> str:
    """ "· 3 comments · latest 2 Dec · opens 9 Dec" of an episode index line (the
    latest comment's day only where the thread is the reader's to open)."""
    meta = f"· {printed(entry.count)} comment{_plural(entry.count)}"
    if latest and entry.last_comment_at:
        meta += f" · latest {printed(date(template_localtime(entry.last_comment_at), 'j M'))}"
    if not entry.is_open:
        meta += f" · opens {printed(date(entry.episode.air_date, 'j M'))}"
    return meta
