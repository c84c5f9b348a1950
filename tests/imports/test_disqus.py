"""Disqus comments land on the reviews a WordPress import made, threaded."""

import pytest

from tests.conftest import shared_file
from tests.imports.builders import item, wxr
from tests.imports.conftest import everything, import_disqus_path, import_path
from watchworthy.discussion.models import Comment
from watchworthy.imports.common import ImportFailed
from watchworthy.reviews.models import Review

pytestmark = pytest.mark.django_db


@pytest.fixture
def blog(write_file):
    """A WordPress export whose first post lived at the URL of the Disqus thread 2."""
    export = wxr(
        item(1, "Hello, World!", name="hello-world", link="http://example.org/",
             creator="baz", content="x"),
        item(2, "Unrelated", name="unrelated"),
        authors="<wp:author><wp:author_id>1</wp:author_id><wp:author_login>baz</wp:author_login>"
        "<wp:author_email>foo@bar.com</wp:author_email></wp:author>",
    )  # fmt: skip
    import_path(write_file(export))
    return Review.objects.get(slug="hello-world")


def test_isso_disqus_export(blog):
    summary = import_disqus_path(shared_file("comments/isso-disqus.xml"))
    assert blog.comments.count() == 4
    top = blog.comments.filter(parent=None).order_by("created_at")
    assert top.count() == 2
    regular, deleted = sorted(top, key=lambda c: c.is_removed)
    assert not regular.is_removed and regular.number == 1
    assert deleted.is_removed and deleted.number is None  # a tombstone keeps its replies
    assert list(regular.replies.values_list("body", flat=True)) == ["<p>Hello, World.</p>"]
    assert deleted.replies.count() == 1
    # The posters used the critic's e-mail address: the author badge.
    assert {c.user_id for c in blog.comments.all()} == {blog.author_id}
    blog.refresh_from_db()
    assert blog.approved_comment_count == 3  # the tombstone is not counted
    unmatched = "\n".join(summary.unmatched)
    assert "thread 7" in unmatched and "1 post(s) not imported" in unmatched
    assert "thread 1337, which is not in the file" in unmatched
    assert summary.skipped["posts whose thread is not in the file"] == 1


def test_the_page_shows_the_thread(blog, client):
    import_disqus_path(shared_file("comments/isso-disqus.xml"))
    page = client.get(blog.get_absolute_url()).content.decode()
    assert "This comment was deleted by its author." in page
    assert page.count("Hello, World.") >= 2


def test_importing_disqus_twice_changes_nothing(blog):
    path = shared_file("comments/isso-disqus.xml")
    import_disqus_path(path)
    before = everything()
    summary = import_disqus_path(path)
    assert everything() == before
    assert summary.objects[("comment", "unchanged")] == 4


def test_threads_match_by_wordpress_identifier(write_file):
    import_path(write_file(wxr(item(77, "Matched by id", name="by-id"))))
    disqus = """<?xml version="1.0"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
  <thread dsq:id="1"><id>77 http://old.example/?p=77</id><forum>f</forum>
    <link>http://old.example/moved/</link><title>t</title></thread>
  <post dsq:id="2"><message><![CDATA[<p>Spam!</p><script>alert(1)</script>]]></message>
    <createdAt>2013-10-11T06:51:33Z</createdAt><isDeleted>false</isDeleted>
    <isSpam>true</isSpam><author><name>Bot</name><email>bot@x.example</email></author>
    <thread dsq:id="1"/></post>
</disqus>"""
    import_disqus_path(write_file(disqus))
    comment = Comment.objects.get()
    assert comment.review.slug == "by-id"
    assert comment.status == Comment.Status.SPAM
    assert "<script" not in comment.body_html


def test_a_wordpress_file_is_not_a_disqus_export(write_file):
    with pytest.raises(ImportFailed) as failure:
        import_disqus_path(write_file(wxr(item(1, "x"))))
    assert "not a Disqus export" in str(failure.value)


def test_dry_run_writes_nothing(blog):
    before = everything()
    summary = import_disqus_path(shared_file("comments/isso-disqus.xml"), dry_run=True)
    assert summary.objects[("comment", "created")] == 4
    assert everything() == before
