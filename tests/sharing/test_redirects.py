"""Old WordPress feed and archive addresses of an imported blog answer 301 to their
homes here; names that lead nowhere stay a 404."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import ReviewFactory, TagFactory, UserFactory
from watchworthy.imports.models import ImportedObject

pytestmark = pytest.mark.django_db

SOURCE = "https://old.example.org"


@pytest.fixture
def imported(db):
    """What an import leaves: a category whose tag was renamed since, a post tag with a
    non-ASCII nicename, an author whose login has a dot (WordPress's NAME: "jo-ward")."""
    author = UserFactory(username="jo.ward")
    ReviewFactory(author=author)
    news = TagFactory(name="Season news", slug="season-news")
    japanese = TagFactory(name="アニメ", slug="tag-anime")
    rows = [
        (ImportedObject.Kind.TERM, "category:news", {"tag": news}),
        (ImportedObject.Kind.TERM, "post_tag:%e3%82%a2%e3%83%8b%e3%83%a1", {"tag": japanese}),
        (ImportedObject.Kind.AUTHOR, "jo.ward", {"user": author}),
    ]
    for kind, key, target in rows:
        ImportedObject.objects.create(source=SOURCE, kind=kind, external_id=key, **target)
    return {"author": author, "news": news, "japanese": japanese}


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/feed/", "/reviews.rss"),
        ("/feed", "/reviews.rss"),
        ("/feed/rss2/", "/reviews.rss"),
        ("/feed/atom/", "/reviews.atom"),
        ("/?feed=rss2", "/reviews.rss"),
        ("/?feed=atom", "/reviews.atom"),
        ("/comments/feed/", "/comments.atom"),
        ("/?feed=comments-rss2", "/comments.atom"),
        ("/category/news/", "/tags/season-news/"),
        ("/category/parent/news/", "/tags/season-news/"),  # a child category
        ("/category/news/feed/", "/tags/season-news/reviews.rss"),
        ("/category/news/feed/atom/", "/tags/season-news/reviews.atom"),
        ("/category/news/page/3/", "/tags/season-news/?page=3"),
        ("/tag/%E3%82%A2%E3%83%8B%E3%83%A1/", "/tags/tag-anime/"),
        ("/tag/season-news/", "/tags/season-news/"),  # not imported: a tag of that slug
        ("/author/jo-ward/", "/authors/jo.ward/"),
        ("/author/jo-ward/feed/", "/authors/jo.ward/reviews.rss"),
        ("/author/jo-ward/page/2/", "/authors/jo.ward/?page=2"),
    ],
)
def test_old_addresses_are_moved_permanently(imported, old, new):
    response = Client().get(old)
    assert response.status_code == 301, old
    assert response["Location"] == new
    assert Client().get(new).status_code == 200


@pytest.mark.parametrize(
    "old",
    ["/category/nothing/", "/tag/nothing/", "/author/nobody/", "/category/", "/feed/nonsense/"],
)
def test_names_that_lead_nowhere_stay_404(imported, old):
    assert Client().get(old).status_code == 404


def test_a_tag_deleted_here_is_not_brought_back(imported):
    imported["news"].delete()
    assert Client().get("/category/news/").status_code == 404


def test_an_author_without_published_reviews_is_404(imported):
    UserFactory(username="lurker")
    assert Client().get("/author/lurker/").status_code == 404
