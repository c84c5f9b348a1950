"""The canonical link and the feed links written in Python are byte for byte what
their templates wrote (kept in tests/web/reference/sharing/, with the old tag library,
rendered by the reference engine of the review page's output test): on pages with
and without feeds of their own, with and without their object in the context, with a
page number, a tracking parameter and names to escape, and on the 404 page."""

from __future__ import annotations

import pytest
from django.template import engines
from django.template.context import make_context
from django.test import RequestFactory
from django.urls import resolve

from tests.factories import TagFactory, UserFactory, WorkFactory
from tests.web.old_review_page import ENGINE

pytestmark = pytest.mark.django_db

SOURCE = "{% load sharing %}{% canonical_link %}{% feed_links %}|{% feed_links own=False %}"


def test_same_bytes_as_the_templates():
    work = WorkFactory(title="Work <&> “quoted”", slug="work-x")
    tag = TagFactory(name="tag <b>", slug="tag-x")
    author = UserFactory(username="ann", display_name="Ann & <Co>")
    pages = [
        ("/", {}),
        ("/?page=2&utm_source=x", {}),
        (work.get_absolute_url() + "?page=3", {"work": work}),
        (work.get_absolute_url(), {}),
        (tag.get_absolute_url(), {"tag": tag}),
        (tag.get_absolute_url(), {}),
        (author.get_absolute_url(), {"author": author}),
        ("/no/such/page/", {}),
    ]
    site = engines["django"].from_string(SOURCE)
    reference = ENGINE.from_string(SOURCE)
    for path, context in pages:
        request = RequestFactory().get(path)
        try:
            request.resolver_match = resolve(request.path)
        except Exception:  # the 404 page: no match
            request.resolver_match = None
        new = site.render(context, request)
        old = reference.render(make_context(context, request))
        assert new == old, path
        assert "rel=" in new
