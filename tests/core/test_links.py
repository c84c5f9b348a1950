"""core.links.reverse answers what Django's reverse() answers, for every named address
of the site and values of every kind (slugs, digits, characters that need quoting,
values no converter takes); the {% url %} builtin renders what Django's tag renders."""

from __future__ import annotations

import itertools

import pytest
from django.template import Context, Engine, Template
from django.test import override_settings
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, set_script_prefix
from django.urls import reverse as django_reverse

from watchworthy.core import links

VALUES = ["the-slug_2", "42", "007", "a b", "über", "x@y.z", "zqx0-q_Z", "7319082642", ""]


def _named(resolver: URLResolver, namespace: str = "") -> list[tuple[str, list[str]]]:
    """Every named pattern: its qualified name and its parameter names."""
    found = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found.extend(_named(entry, inner))
        elif isinstance(entry, URLPattern) and entry.name:
            found.append((namespace + entry.name, list(entry.pattern.regex.groupindex)))
    return found


def _answer(function, *args, **kwargs) -> str:
    try:
        return function(*args, **kwargs)
    except NoReverseMatch:
        return "NoReverseMatch"


NAMES = sorted(set((name, tuple(params)) for name, params in _named(get_resolver())))


@pytest.mark.parametrize(("name", "params"), NAMES, ids=[n for n, _ in NAMES])
def test_same_address_as_django(name, params):
    # Three values or more: fewer kinds each, still every mix of slug and digits.
    kinds = VALUES if len(params) < 3 else ["the-slug_2", "42", "a b"]
    samples = list(itertools.product(kinds, repeat=len(params)))
    for values in samples:
        kwargs = dict(zip(params, values, strict=True))
        assert _answer(links.reverse, name, kwargs=kwargs) == _answer(
            django_reverse, name, kwargs=kwargs
        ), (name, kwargs)
        assert _answer(links.reverse, name, args=values) == _answer(
            django_reverse, name, args=values
        ), (name, values)
    assert len(NAMES) > 50


def test_int_values_and_script_prefix():
    assert links.reverse("discussion:permalink", kwargs={"pk": 12}) == django_reverse(
        "discussion:permalink", kwargs={"pk": 12}
    )
    with override_settings(FORCE_SCRIPT_NAME="/blog/"):
        from django.urls import set_script_prefix

        set_script_prefix("/blog/")
        try:
            assert links.reverse("review", kwargs={"slug": "a"}) == "/blog/reviews/a/"
        finally:
            set_script_prefix("/")
    assert links.reverse("review", kwargs={"slug": "a"}) == "/reviews/a/"


def test_url_tag_renders_what_djangos_renders():
    source = (
        "{% url 'home' %}|{% url 'review' slug %}|{% url 'review' slug=slug %}|"
        "{% url 'reviews:author' who %}|{% url 'nothing-here' as missing %}[{{ missing }}]"
    )
    ours = Engine(builtins=["watchworthy.core.links"]).from_string(source)
    django = Template(source, engine=Engine())
    context = {"slug": "a-b", "who": "x@y.z"}
    assert ours.render(Context(context)) == django.render(Context(context))
    assert isinstance(ours.nodelist[0], links.URLNode)


def test_static_addresses_as_djangos():
    from django.template import engines

    source = "{% static 'css/site.css' %}|{% static 'a b&c.js' as x %}{{ x }}"
    site = engines["django"].from_string("{% load staticlinks %}" + source)
    django = Engine(libraries={"static": "django.templatetags.static"}).from_string(
        "{% load static %}" + source
    )
    for _ in range(2):  # worked out, then remembered
        assert site.render({}) == django.render(Context({}))
    with override_settings(STATIC_URL="/elsewhere/"):
        assert site.render({}).startswith("/elsewhere/css/site.css")


@pytest.mark.django_db
def test_each_request_reverses_under_its_own_script_name():
    """The URLconf and script prefix are read once per request and forgotten when it
    ends: requests served (by Django's WSGI handler, which sets the script prefix;
    the test client does not) under different script names each get their own."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections
    from django.test import RequestFactory

    from tests.factories import ReviewFactory

    path = ReviewFactory(slug="under-a-prefix").get_absolute_url()
    handler = WSGIHandler()
    # As the test client does: the test's transaction must outlive each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        for prefix in ("/blog", "", "/other/place", ""):
            environ = RequestFactory()._base_environ(PATH_INFO=path, SCRIPT_NAME=prefix)
            response = handler(environ, lambda status, headers: None)
            assert response.status_code == 200
            page = b"".join(response).decode()
            response.close()
            assert f'href="{prefix}/about/"' in page, prefix
            assert f'href="http://testserver{prefix}/reviews/under-a-prefix/"' in page, prefix
            if prefix:
                assert 'href="/about/"' not in page
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        set_script_prefix("/")
    # Outside a request nothing is kept: the default prefix again.
    assert links.reverse("review", kwargs={"slug": "a"}) == "/reviews/a/"
