"""The site's header, navigation and messages written in Python (web.chrome) print what
the templates they replaced printed (tests/web/reference/), and a page composed in
Python (chrome.document, the review page's) is what the live base.html writes with
the same blocks — so the two cannot drift apart."""

from __future__ import annotations

import pytest
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.template import engines
from django.template.context import make_context
from django.test import RequestFactory
from django.urls import resolve

from tests.factories import UserFactory
from tests.web.old_review_page import ENGINE
from tests.web.reference import blank_random as blank
from watchworthy.core.models import SiteSettings
from watchworthy.web import chrome

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/reviews/",
    "/watch/",
    "/avoid/",
    "/works/",
    "/works/some-work/",
    "/browse/",
    "/about/",
    "/search/?q=<ferry>&q=%22two%22",
    "/accounts/login/",
    "/reviews/some-review/",
]


def request_for(path: str, user=None):
    request = RequestFactory().get(path)
    request.resolver_match = resolve(request.path)
    request.user = user or AnonymousUser()
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def reference(template: str, request, **context) -> str:
    page = ENGINE.get_template(template)
    return page.render(make_context({"request": request, **context}, request))


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("pending", [None, 0, 3])
def test_site_nav_marks_the_same_section(path, pending):
    request = request_for(path)
    expected = reference(
        "partials/site_nav.html",
        request,
        **({} if pending is None else {"pending_comment_count": pending}),
    )
    assert chrome.site_nav(request, pending) == expected


def test_site_nav_without_a_request_as_on_the_500_page():
    assert chrome.site_nav(None) == ENGINE.get_template("partials/site_nav.html").render(
        make_context({})
    )


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("who", ["guest", "reader", "staff"])
def test_header_as_the_old_base_template_wrote_it(path, who):
    user = None if who == "guest" else UserFactory(is_staff=who == "staff")
    request = request_for(path, user)
    site = SiteSettings.current()
    site.tagline = 'Reviews & "verdicts" <season by season>'
    pending = 2 if who == "staff" else None
    old = reference(
        "base.html",
        request,
        site=site,
        user=request.user,
        **({} if pending is None else {"pending_comment_count": pending}),
    )
    header = old[old.index('<a class="skip-link"') : old.index("</header>\n  <main") + 9]
    assert blank(chrome.site_header(request, site, pending)) == blank(header)


def test_header_without_a_tagline():
    request = request_for("/")
    site = SiteSettings.current()
    site.tagline = ""
    old = reference("base.html", request, site=site, user=request.user)
    header = old[old.index('<a class="skip-link"') : old.index("</header>\n  <main") + 9]
    assert chrome.site_header(request, site, None) == header


@pytest.mark.parametrize("count", [0, 1, 3])
def test_messages_as_the_template_listed_them_and_only_once(count):
    request = request_for("/")
    twin = request_for("/")
    for number in range(count):
        level = messages.SUCCESS if number % 2 else messages.INFO
        for each in (request, twin):
            messages.add_message(each, level, f"Saved <{number}> & done", extra_tags="x" * number)
    assert chrome.messages(request) == reference(
        "partials/messages.html", twin, messages=messages.get_messages(twin)
    )
    # Read, so the messages middleware drops them after this response (shown once).
    assert messages.get_messages(request).used == bool(count)


@pytest.mark.parametrize("who", ["guest", "staff"])
def test_document_is_base_html_with_the_same_blocks(who):
    """chrome.document against the LIVE base.html: change one, this fails until the
    other follows."""
    user = None if who == "guest" else UserFactory(is_staff=True)
    request = request_for("/reviews/some-review/", user)
    messages.info(request, "A notice & more")
    twin = request_for("/reviews/some-review/", user)
    messages.info(twin, "A notice & more")
    site = SiteSettings.current()
    pending = 4 if who == "staff" else None
    blocks = {
        "title": "T &amp; t",
        "description": "D &lt;d&gt;",
        "canonical": '<link rel="canonical" href="/x">\n',
        "feeds": '<link rel="alternate" href="/f">\n\n',
        "sharing": '<meta property="og:title" content="x">\n',
        "head": "<!-- head -->",
    }
    content = ["\n<article>", "one", "two</article>\n"]
    template = engines["django"].from_string(
        '{% extends "base.html" %}'
        + "".join(f"{{% block {name} %}}{value}{{% endblock %}}" for name, value in blocks.items())
        + "{% block content %}"
        + "".join(content)
        + "{% endblock %}"
    )
    context = {"spoilers_revealed": ["abc", "d<e"]}
    if pending is not None:
        context["pending_comment_count"] = pending
    expected = template.render(context, twin)
    written = chrome.document(
        request,
        site,
        content=content,
        revealed=["abc", "d<e"],
        pending_comment_count=pending,
        **blocks,
    )
    assert blank(written) == blank(expected)
