"""Old WordPress links answer 301 to the new pages, through the test client."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from tests.imports.builders import comment, item, wxr
from tests.imports.conftest import import_path
from watchworthy.imports.middleware import LegacyRedirectMiddleware

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(write_file):
    export = wxr(
        item(
            42,
            "Hello world",
            name="hello-world",
            date="2012-05-30 23:37:02",
            comments=[comment(7, author="Ana"), comment(8, author="Ben", parent=7)],
        ),
        item(43, "Secret draft", name="secret-draft", status="draft"),
        item(44, "About me", post_type="page", name="about-me", link="http://blog.example/about-me/"),
        item(45, "Held", name="held", comments=[comment(9, approved="0")]),
    )  # fmt: skip
    return import_path(write_file(export))


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/2012/05/30/hello-world/", "/reviews/hello-world/"),
        ("/2012/05/30/hello-world", "/reviews/hello-world/"),
        ("/2012/05/hello-world/", "/reviews/hello-world/"),
        ("/hello-world/", "/reviews/hello-world/"),
        ("/?p=42", "/reviews/hello-world/"),
        ("/index.php?p=42", "/reviews/hello-world/"),
        ("/?replytocom=8", "/reviews/hello-world/#comment-8"),
        ("/2012/05/30/hello-world/?replytocom=7", "/reviews/hello-world/#comment-7"),
        ("/?page_id=44", "/pages/about-me/"),
        ("/about-me/", "/pages/about-me/"),
        ("/?p=44", "/pages/about-me/"),
        ("/?replytocom=9", "/reviews/held/"),  # a held comment: its review, no anchor
    ],
)
def test_old_links_redirect_permanently(client, imported, old, new):
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == new
    assert client.get(new.split("#")[0]).status_code == 200


@pytest.mark.parametrize(
    ("old", "status"),
    [
        ("/2012/05/30/secret-draft/", 404),
        ("/nothing/", 404),
        ("/nothing/%2500/", 404),  # a NUL once unescaped: looked up as nothing
        ("/?p=43", 200),  # a draft: the front page, as for any unknown ?p=
        ("/?p=999", 200),
    ],
)
def test_drafts_and_unknown_links_are_not_redirected(client, imported, old, status):
    assert client.get(old).status_code == status


def test_a_page_that_exists_is_never_redirected(client, imported, django_assert_num_queries):
    response = client.get("/reviews/hello-world/?p=43")
    assert response.status_code == 200


def test_the_middleware_costs_no_query_unless_the_answer_is_404(
    imported, django_assert_num_queries
):
    middleware = LegacyRedirectMiddleware(lambda request: HttpResponse("fine"))
    request = RequestFactory().get("/2012/05/30/hello-world/?p=42")
    with django_assert_num_queries(0):
        assert middleware(request).status_code == 200
    missing = LegacyRedirectMiddleware(lambda request: HttpResponse(status=404))
    with django_assert_num_queries(1):
        assert missing(request).status_code == 301


def test_an_old_comment_anchor_lands_on_the_same_comment(client, imported):
    # /2012/05/30/hello-world/#comment-8: the browser keeps the fragment across the
    # 301, and the comment kept its WordPress id, so the anchor is on the page.
    response = client.get("/2012/05/30/hello-world/")
    page = client.get(response["Location"]).content.decode()
    assert 'id="comment-8"' in page and 'id="comment-7"' in page
