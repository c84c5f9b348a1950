"""A page holding a thread renders around a slot and gets the thread's HTML once, at
the end (discussion.context.render_with_thread); what a reader receives is what the
template would have written with the thread in place."""

from __future__ import annotations

import pytest
from django.template import engines
from django.test import RequestFactory, override_settings
from django.utils.safestring import mark_safe

from watchworthy.discussion.context import THREAD_SLOT, render_with_thread

LAYOUT = "<main>{{ title }}<ol>{{ thread_html }}</ol>{{ after }}</main>"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "OPTIONS": {"loaders": [("django.template.loaders.locmem.Loader", {"page.html": LAYOUT})]},
    }
]


@pytest.fixture
def request_():
    return RequestFactory().get("/")


@override_settings(TEMPLATES=TEMPLATES)
def test_the_thread_lands_where_the_template_puts_it(request_):
    thread = mark_safe('<li id="comment-1">first</li>\n' * 500)  # noqa: S308 - test markup
    context = {"title": "Title <b>", "thread_html": thread, "after": "after"}
    response = render_with_thread(request_, "page.html", context)
    expected = engines["django"].from_string(LAYOUT).render(context, request_)
    assert response.content.decode() == expected
    assert str(THREAD_SLOT) not in response.content.decode()


@override_settings(TEMPLATES=TEMPLATES)
def test_words_that_look_like_a_slot_are_left_alone(request_):
    """A person can write an HTML comment's text (escaped); only the process's own
    random slot is replaced, and only once."""
    lookalike = "<!--thread-00000000000000000000000000000000-->"
    context = {"title": lookalike, "thread_html": mark_safe("<li>x</li>"), "after": lookalike}
    body = render_with_thread(request_, "page.html", context).content.decode()
    assert body.count("<li>x</li>") == 1
    assert body.count("&lt;!--thread-0000") == 2


@override_settings(TEMPLATES=TEMPLATES)
def test_an_empty_thread_renders_as_before(request_):
    context = {"title": "t", "thread_html": mark_safe(""), "after": "a"}
    assert render_with_thread(request_, "page.html", context).content == b"<main>t<ol></ol>a</main>"
