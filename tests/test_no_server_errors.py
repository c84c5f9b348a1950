"""No input of any encoding gives a 500: every public URL pattern, with arbitrary path
parts, query strings, cookies, headers and form bodies, as a guest and as staff.

Hypothesis generates the input; the site under test has real content (a review with
a thread, a work with parts, a tag, an author, a page, an old WordPress link), so
valid and invalid values meet real rows. Runs on SQLite and again on PostgreSQL
(``make test`` runs the suite on both)."""

from __future__ import annotations

import re
from urllib.parse import quote, quote_from_bytes

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import ReviewFactory, SeasonFactory, TagFactory, UserFactory, WorkFactory
from watchworthy.discussion.services import comment_post
from watchworthy.imports.models import LegacyRedirect
from watchworthy.pages.models import Page

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

EXAMPLES = 60  # per test; each example sends several requests


def url_patterns() -> list[str]:
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern)

    return sorted(set(walk(get_resolver().url_patterns)))


PATTERNS = url_patterns()
CONVERTER = re.compile(r"<(?:(\w+):)?\w+>|\(\?P<\w+>[^)]*\)")
QUERY_KEYS = [
    "page", "order", "replyto", "p", "page_id", "replytocom", "attachment_id", "status",
    "q", "next", "verdict", "sort", "genre", "platform", "year", "tag", "kind", "format", "score",
]  # fmt: skip
COOKIES = ["ww_progress", "ww_commenter", "ww_mine", "ww_voter", "sessionid", "csrftoken"]
FORM_FIELDS = [
    "author_name", "author_email", "author_url", "body", "parent", "token", "spoils",
    "notify_replies", "homepage", "position", "next", "agrees", "comment", "action",
    "username", "password", "email", "password1", "password2", "display_name",
    # the writing desk's forms and endpoints, and episode threads
    "title", "subtitle", "excerpt", "verdict", "score", "spoils_up_to", "revision", "cover",
    "restore", "preview_as", "work", "new_title", "new_kind", "new_year", "season",
    "new_number", "new_label", "new_episodes", "when", "alt_text", "caption", "review",
    "as_cover", "episode",
]  # fmt: skip

# Text of every kind: any Unicode (no lone surrogates: they cannot be sent), and raw
# bytes, percent-encoded, so that invalid UTF-8 reaches the server too.
any_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
url_text = st.one_of(
    any_text.map(lambda text: quote(text, safe="")),
    st.binary(max_size=30).map(lambda raw: quote_from_bytes(raw, safe="")),
    # Digits Python's str.isdigit() accepts but int() refuses, and other edge values.
    st.sampled_from(
        ["²", "①", "٣", "\U0001d7d8", "0", "-1", "9" * 40, "%00", "..%2F..", "ferrylight", "1"]
    ).map(lambda text: quote(text, safe="%./")),
)
header_text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=60)


@pytest.fixture
def site(db):
    critic = UserFactory(username="mara", is_staff=True)
    work = WorkFactory(slug="ferrylight")
    season = SeasonFactory(work=work, number=1, label="Part 1")
    review = ReviewFactory(slug="ferrylight", work=work, season=season, author=critic)
    review.tags.add(TagFactory(slug="ferrylight"))
    top = comment_post(review=review, body="First!", user=critic)
    comment_post(review=review, body="Reply ||Part 1 ep 2: words||", user=critic, parent=top)
    Page.objects.create(title="About", slug="ferrylight", body="Hi.", status="published")
    LegacyRedirect.objects.create(old_path="?p=1", review=review)
    return {"review": review, "comment": top}


def fill(pattern: str, parts: list[str]) -> str:
    values = iter(parts)
    path = CONVERTER.sub(lambda match: next(values, "x"), pattern)
    return "/" + path.lstrip("^").rstrip("$").replace("\\", "")


def check(response) -> None:
    assert response.status_code < 500, (response.status_code, response.content[:500])


def client(*, staff: bool, cookies: dict[str, str], site) -> Client:
    browser = Client(raise_request_exception=True, HTTP_ACCEPT_LANGUAGE="x")
    if staff:
        browser.force_login(site["review"].author)
    for name, value in cookies.items():
        browser.cookies[name] = value
    return browser


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    patterns=st.lists(st.sampled_from(PATTERNS), min_size=5, max_size=5, unique=True),
    parts=st.lists(url_text, min_size=3, max_size=3),
    values=st.fixed_dictionaries({key: url_text for key in QUERY_KEYS}),
    extra=st.lists(st.tuples(url_text, url_text), max_size=2),
    cookies=st.dictionaries(st.sampled_from(COOKIES), header_text, max_size=3),
    forwarded=header_text,
    staff=st.booleans(),
)
def test_get_any_url_with_any_query_and_cookies(
    site, patterns, parts, values, extra, cookies, forwarded, staff
):
    """Every parameter the site reads gets a value in every example, sent with the
    example's cookies and headers to the front page and five other URL patterns."""
    pairs = [*values.items(), *extra]
    query_string = "&".join(f"{key}={value}" for key, value in pairs)
    browser = client(staff=staff, cookies=cookies, site=site)
    for pattern in ["", *patterns]:
        for method in ("get", "head"):
            response = getattr(browser, method)(
                fill(pattern, parts), QUERY_STRING=query_string, HTTP_X_FORWARDED_FOR=forwarded
            )
            check(response)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    pattern=st.sampled_from(PATTERNS),
    use_real_slug=st.booleans(),
    fields=st.dictionaries(st.sampled_from(FORM_FIELDS), any_text, max_size=8),
    cookies=st.dictionaries(st.sampled_from(COOKIES), header_text, max_size=3),
    staff=st.booleans(),
)
def test_post_any_form_to_any_url(site, pattern, use_real_slug, fields, cookies, staff):
    # Real slugs and ids: a slug first (most patterns), or a review's id first (the desk).
    real = ["ferrylight", str(site["comment"].pk), "t"]
    if pattern.startswith("desk/"):
        real = [str(site["review"].pk), "ferrylight", "t"]
    parts = real if use_real_slug else ["²", "①", "%00"]
    browser = client(staff=staff, cookies=cookies, site=site)
    check(browser.post(fill(pattern, parts), fields))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    pattern=st.sampled_from(PATTERNS),
    body=st.binary(max_size=200),
    content_type=st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "application/x-www-form-urlencoded; charset=utf-16",
            "application/x-www-form-urlencoded; charset=nonsense",
            "multipart/form-data; boundary=xyz",
            "multipart/form-data; charset=utf-16; boundary=xyz",
            "multipart/form-data",
            "text/plain; charset=latin-1",
            "application/json",
        ]
    ),
    csrf=st.booleans(),
)
def test_post_any_bytes_in_any_encoding(site, pattern, body, content_type, csrf):
    browser = Client(raise_request_exception=True, enforce_csrf_checks=csrf)
    path = fill(pattern, ["ferrylight", str(site["comment"].pk), "t"])
    check(browser.generic("POST", path, body, content_type=content_type))
