"""The site's header and the messages strip, written in Python: every page has them.

They were template code in ``base.html`` and ``partials/site_nav.html`` /
``partials/messages.html`` (the old copies are in tests/web/reference/): some thirty
``request.resolver_match`` look-ups and branches on each page, a fifth of a small
review page's template time. ``base.html`` calls them through ``{% load chrome %}``;
the review page, which is composed in Python (web.review_page), calls them directly.
Values are printed as ``{{ value }}`` prints them (core.htmltext.printed).
"""

from __future__ import annotations

from typing import Any

from django.contrib.messages import get_messages
from django.http import HttpRequest

from watchworthy.accounts.nav import CURRENT, account_nav
from watchworthy.core.htmltext import HTMLParts, printed
from watchworthy.core.links import reverse
from watchworthy.core.staticlinks import StaticNode


def _current(flag: bool) -> str:
    return CURRENT if flag else ""


def site_nav(request: HttpRequest | None, pending_comment_count: int | None = None) -> str:
    """The main links (the ``<li>`` items of ``<ul class="site-nav">``), the current
    section marked; "Moderation" with the count of waiting comments for staff.
    ``request`` is None on the 500 page (rendered without one)."""
    match = getattr(request, "resolver_match", None)
    name = match.url_name if match is not None else None
    namespace = match.namespace if match is not None else None
    moderation = ""
    if pending_comment_count is not None:
        count = printed(pending_comment_count)
        moderation = (
            f'<li><a href="{printed(reverse("discussion:queue"))}"{_current(name == "queue")}>'
            f'Moderation <span class="pending-count" aria-label="{count} waiting">{count}</span>'
            "</a></li>"
        )
    reviews = name == "list" and namespace == "reviews"
    genres = name in ("browse", "genre", "platform")
    return (
        f'\n<li><a href="{printed(reverse("reviews:list"))}"{_current(reviews)}>Reviews</a></li>\n'
        f'<li><a href="{printed(reverse("reviews:watch_list"))}"{_current(name == "watch_list")}>'
        "Watch list</a></li>\n"
        f'<li><a href="{printed(reverse("reviews:avoid_list"))}"{_current(name == "avoid_list")}>'
        "Avoid list</a></li>\n"
        f'<li><a href="{printed(reverse("works"))}"{_current(namespace == "catalog")}>'
        "Works</a></li>\n"
        f'<li><a href="{printed(reverse("reviews:browse"))}"{_current(genres)}>Genres</a></li>\n'
        f"{moderation}\n"
        f'<li><a href="{printed(reverse("about"))}"{_current(name == "about")}>About</a></li>\n'
    )


def site_header(request: HttpRequest, site: Any, pending_comment_count: int | None) -> str:
    """From the skip link to the end of ``<header class="site-header">``. One set of
    links: a row on wide screens; on phones behind a "Menu" button (a details
    element, so no JavaScript is needed)."""
    match = request.resolver_match
    searched = ""
    if match is not None and match.namespace == "search":
        searched = f' value="{printed(request.GET.get("q", ""))}"'
    tagline = f'<p class="site-tagline">{printed(site.tagline)}</p>' if site.tagline else ""
    return (
        '<a class="skip-link" href="#main">Skip to content</a>\n'
        '  <header class="site-header">\n'
        '    <div class="wrap site-header-inner">\n'
        f'      <a class="site-name" href="{printed(reverse("home"))}">'
        f"{printed(site.site_name)}</a>\n"
        f"      {tagline}\n"
        "      \n"
        '      <details class="site-menu">\n'
        "        <summary>Menu</summary>\n"
        '        <div class="site-menu-panel">\n'
        '          <form class="site-search" method="get" '
        f'action="{printed(reverse("search:page"))}" role="search" aria-label="Site">\n'
        '            <label class="visually-hidden" for="site-search-q">'
        "Search reviews, works and characters</label>\n"
        '            <input id="site-search-q" type="search" name="q" placeholder="Search" '
        f'maxlength="200" autocomplete="off"{searched}>\n'
        '            <button type="submit" class="site-search-button">Search</button>\n'
        "          </form>\n"
        '          <nav aria-label="Main"><ul class="site-nav">'
        f"{site_nav(request, pending_comment_count)}</ul></nav>\n"
        f"          {account_nav(request)}\n"
        "        </div>\n"
        "      </details>\n"
        "    </div>\n"
        "  </header>"
    )


def messages(request: HttpRequest) -> str:
    """The one-time notices ("Your comment is awaiting moderation", ...), shown once:
    reading them here marks them seen, as the template's loop did."""
    stored = get_messages(request)
    if not stored:
        return "\n"
    items = "".join(
        f'<li class="notice{f" message-{printed(message.tags)}" if message.tags else ""}">'
        f"{printed(message)}</li>"
        for message in stored
    )
    return f'\n<div role="status"><ul class="messages">\n  {items}\n</ul></div>\n\n'


def document(request: HttpRequest, site: Any, **blocks: Any) -> str:
    """:func:`document_parts` joined: the whole page as text."""
    return "".join(map(str, document_parts(request, site, **blocks)))


def document_parts(
    request: HttpRequest,
    site: Any,
    *,
    title: str,
    description: str,
    canonical: str,
    feeds: str,
    sharing: str,
    content: list[str | HTMLParts],
    revealed: list[str],
    pending_comment_count: int | None,
    head: str = "",
) -> list[str | HTMLParts]:
    """A whole page as ``base.html`` writes it, in pieces for core.htmltext.utf8: its
    blocks given as HTML, the content block's pieces among them as they were given (a
    page composed in Python: the review page). tests/web/test_chrome.py renders
    base.html with the same blocks and compares."""
    stylesheet = printed(StaticNode.handle_simple("css/site.css"))
    script = printed(StaticNode.handle_simple("js/spoilers.js"))
    reveal = "".join(
        f'<input type="hidden" name="reveal" value="{printed(id_)}">' for id_ in revealed
    )
    return [
        "<!doctype html>\n"
        '<html lang="en">\n'
        "<head>\n"
        '  <meta charset="utf-8">\n'
        '  <meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '  <meta name="color-scheme" content="light dark">\n'
        f"  <title>{title}</title>\n"
        f'  <meta name="description" content="{description}">\n'
        f'  <link rel="stylesheet" href="{stylesheet}">\n'
        f"  {canonical}\n  {feeds}\n  {sharing}\n"
        f'  <script src="{script}" defer></script>\n'
        f"  {head}\n"
        "</head>\n"
        "<body>\n  ",
        site_header(request, site, pending_comment_count),
        '\n  <main id="main" class="wrap" tabindex="-1">\n    ',
        messages(request),
        "\n    ",
        *content,
        "\n    \n"
        f'    <form id="spoiler-reveal" method="get" hidden>{reveal}</form>\n'
        "  </main>\n"
        '  <footer class="site-footer">\n'
        '    <div class="wrap">\n'
        f"      <p>{printed(site.site_name)} · published with Watchworthy</p>\n"
        "    </div>\n"
        "  </footer>\n"
        "</body>\n"
        "</html>\n",
    ]
