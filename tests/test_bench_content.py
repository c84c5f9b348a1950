"""bench/content.py puts the WordPress comparison content in as the app would have it:
the same slugs and comment tree, real numbers, the whole thread on one page. (Its
speed is measured in bench/, not here.)"""

import pytest

from bench.content import load
from watchworthy.core.models import SiteSettings
from watchworthy.discussion.models import Comment
from watchworthy.reviews.models import Review

pytestmark = pytest.mark.django_db


def comment(id, parent, when, author="Ann Lee", url=""):
    return {
        "id": id,
        "parent": parent,
        "depth": 1,
        "author": author,
        "email": f"{author.split()[0].lower()}@example.com",
        "url": url,
        "date": f"2024-03-04 1{when}:00:00",
        "content": f"Comment {id}.\n\nSecond paragraph.",
    }


DOCUMENT = {
    "posts": [
        {
            "key": "big",
            "slug": "aperture-x9-mirrorless-camera-review",
            "title": "Aperture X9 Mirrorless Camera review",
            "date": "2024-03-04 09:30:00",
            "rating": 4.5,
            "tags": ["cameras", "long-term test"],
            "excerpt": "A camera.",
            "blocks": [
                {"type": "paragraph", "text": "Opening words."},
                {"type": "heading", "level": 2, "text": "Handling"},
                {"type": "list", "items": ["grip", "dials"]},
            ],
            "comments": [
                comment(1, 0, 1),
                comment(2, 1, 2, author="Bo Chen", url="https://example.org/~bo"),
                comment(3, 0, 3),
                comment(4, 2, 4),
            ],
        }
    ]
}


def test_the_content_is_loaded_through_the_discussion_code(client):
    pages = load(DOCUMENT, out=lambda *args: None)
    assert pages == {"big": "/reviews/aperture-x9-mirrorless-camera-review/"}
    review = Review.objects.get(slug="aperture-x9-mirrorless-camera-review")
    assert review.approved_comment_count == 4
    assert "<h2" in review.body_html and "<li>grip</li>" in review.body_html
    assert sorted(review.tags.values_list("slug", flat=True)) == ["cameras", "long-term-test"]
    rows = {c.body.split(".")[0]: c for c in Comment.objects.filter(review=review)}
    assert [rows[f"Comment {n}"].number for n in (1, 2, 3, 4)] == [1, None, 2, None]
    assert rows["Comment 2"].parent == rows["Comment 1"]
    assert rows["Comment 4"].parent == rows["Comment 2"]
    assert rows["Comment 4"].depth == 2  # depth counts from 0 at the top level
    assert rows["Comment 2"].author_url == "https://example.org/~bo"
    assert rows["Comment 3"].created_at.isoformat() == "2024-03-04T13:00:00+00:00"
    assert {c.status for c in rows.values()} == {Comment.Status.APPROVED}
    assert SiteSettings.current().comments_per_page == 0

    page = client.get(pages["big"])
    assert page.status_code == 200
    assert page.content.count(b"data-comment-id=") == 4


def test_loading_again_replaces_the_reviews():
    load(DOCUMENT, out=lambda *args: None)
    load(DOCUMENT, out=lambda *args: None)
    assert Review.objects.filter(slug="aperture-x9-mirrorless-camera-review").count() == 1
    assert Comment.objects.count() == 4
