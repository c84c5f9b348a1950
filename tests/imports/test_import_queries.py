"""A fresh import costs a bounded number of queries per post, however many comments
each post has: new posts and their comments are written in batches (see
``imports/wordpress/batch.py``), one insert per table and batch."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.imports.builders import comment, item, wxr
from tests.imports.conftest import import_path
from watchworthy.discussion.models import Comment
from watchworthy.imports.wordpress import batch

pytestmark = pytest.mark.django_db

POSTS = 40


def blog(comments_per_post: int) -> str:
    """POSTS posts, each with a thread: top-level comments with a reply to each."""
    items = []
    for post in range(1, POSTS + 1):
        first = post * 1000
        thread = [
            comment(
                first + n, parent=first + n - 1 if n % 2 else 0, date=f"2013-01-02 10:{n:02d}:00"
            )
            for n in range(comments_per_post)
        ]
        tags = [("post_tag", f"tag-{post % 3}", f"Tag {post % 3}")]
        items.append(item(post, f"Post {post}", comments=thread, categories=tags))
    return wxr(*items)


def queries_for(write_file, comments_per_post: int) -> int:
    path = write_file(blog(comments_per_post))
    with CaptureQueriesContext(connection) as queries:
        import_path(path)
    assert Comment.objects.count() == POSTS * comments_per_post
    return len(queries)


@pytest.mark.parametrize("comments_per_post", [2, 20])
def test_queries_per_post_stay_the_same_as_threads_grow(write_file, comments_per_post):
    assert POSTS * (comments_per_post + 1) < batch.MAX_COMMENTS  # one batch
    # 40 posts, 80 or 800 comments: the same 39 queries on SQLite and PostgreSQL (the
    # row-by-row import made 24 per post, 960 here). Set up once: the author, three
    # tags and their records, the placeholder work; per batch: four look-ups, one
    # insert per table, the reviews' top-level counts (known once the comments are
    # threaded), the redirects' ids read back (and on PostgreSQL the comment id
    # sequence moved past the kept ids).
    assert queries_for(write_file, comments_per_post) == 39
