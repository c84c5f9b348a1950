"""An import tells the rest of the site what it changed: one ``content_changed``
delivery after its transaction commits, listing every row it created or changed —
the bulk writes (comments, redirects, covers, thread places) included. A dry run, a
failed import and an import that finds nothing new deliver nothing at all.

The import-bookkeeping table (``ImportedObject``) is not public content and is not
listed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import png_bytes, shared_file
from tests.imports.builders import BASE, comment, item, wxr
from tests.imports.conftest import import_disqus_path, import_path
from watchworthy.accounts.models import User
from watchworthy.catalog.models import Work
from watchworthy.core.changes import COUNTS, ChangeSet, content_changed
from watchworthy.discussion.models import Comment
from watchworthy.images.models import Image
from watchworthy.imports.common import ImportFailed
from watchworthy.imports.models import LegacyRedirect
from watchworthy.imports.wordpress import comments as comment_import
from watchworthy.pages.models import Page
from watchworthy.reviews.models import Review, Tag

pytestmark = pytest.mark.django_db

COVER_URL = "http://blog.example/wp-content/uploads/2012/05/still.png"


@pytest.fixture
def deliveries() -> Iterator[list[ChangeSet]]:
    """Every ChangeSet delivered while the test runs."""
    received: list[ChangeSet] = []

    def receive(sender: object, changes: ChangeSet, **kwargs: object) -> None:
        received.append(changes)

    content_changed.connect(receive, weak=False, dispatch_uid="tests.imports.changes")
    yield received
    content_changed.disconnect(dispatch_uid="tests.imports.changes")


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a callable as its own transaction would: its on-commit callbacks (so the
    change delivery) run when it returns."""

    def run(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return run


@pytest.fixture
def uploads(tmp_path):
    folder = tmp_path / "uploads"
    (folder / "2012/05").mkdir(parents=True)
    (folder / "2012/05/still.png").write_bytes(png_bytes(800, 450).read())
    return folder


def blog(*, title: str = "Ferrylight, part 2", approved_second: str = "0", extra=()) -> str:
    return wxr(
        item(
            10,
            title,
            name="ferrylight-part-2",
            categories=[("category", "anime", "Anime"), ("post_tag", "netflix", "Netflix")],
            meta={"_thumbnail_id": "30"},
            comments=[
                comment(100, author="Ana", date="2012-06-01 10:00:00"),
                comment(101, author="Ben", approved=approved_second, date="2012-06-01 11:00:00"),
                comment(102, author="The Critic", email="critic@blog.example", parent=100,
                        user_id=1, date="2012-06-01 12:00:00"),
                *extra,
            ],
        ),
        item(20, "About", post_type="page", name="about-me", content="Who writes here."),
        item(30, "still", post_type="attachment", status="inherit", attachment_url=COVER_URL),
    )  # fmt: skip


def ids(model) -> frozenset[int]:
    return frozenset(model.objects.values_list("pk", flat=True))


def test_an_import_is_one_delivery_of_everything_it_wrote(
    write_file, uploads, deliveries, committed
):
    committed(import_path, write_file(blog()), uploads=uploads)

    assert len(deliveries) == 1
    changes = deliveries[0]
    assert changes.ids(Review) == ids(Review) != frozenset()
    assert changes.ids(Comment) == ids(Comment) == {100, 101, 102}
    assert changes.ids(Page) == ids(Page) != frozenset()
    assert changes.ids(Image) == ids(Image) != frozenset()
    assert changes.ids(LegacyRedirect) == ids(LegacyRedirect)
    assert LegacyRedirect.objects.filter(old_path="?replytocom=101").exists()  # a bulk write
    assert changes.ids(Tag) == ids(Tag) != frozenset()
    assert changes.ids(User) == ids(User) != frozenset()
    assert changes.ids(Work) == ids(Work)  # the placeholder work
    assert Review.objects.get().cover is not None  # set by update(), and marked above


def test_the_same_import_again_delivers_nothing(write_file, uploads, deliveries, committed):
    path = write_file(blog())
    committed(import_path, path, uploads=uploads)
    deliveries.clear()

    summary = committed(import_path, path, uploads=uploads)

    assert summary.objects[("comment", "unchanged")] == 3
    assert deliveries == []


def test_a_newer_export_delivers_only_what_changed(write_file, deliveries, committed):
    committed(import_path, write_file(blog()))
    review = Review.objects.get()
    redirects_before = ids(LegacyRedirect)
    deliveries.clear()

    newer = blog(
        title="Ferrylight, part 2 (updated)",
        approved_second="1",
        extra=[comment(103, author="Cy", parent=101, date="2012-06-02 09:00:00")],
    )
    committed(import_path, write_file(newer))

    assert len(deliveries) == 1
    changes = deliveries[0]
    assert changes.ids(Review) == {review.pk}
    assert changes.ids(Comment) == {101, 103}  # Ben approved (and numbered), Cy new
    assert changes.ids(LegacyRedirect) == ids(LegacyRedirect) - redirects_before != frozenset()
    assert Page not in changes and User not in changes and Image not in changes


def test_files_found_on_a_later_run_deliver_the_images_and_the_covers(
    write_file, uploads, deliveries, committed
):
    path = write_file(blog())
    committed(import_path, path)  # no --uploads: the attachment is missing
    deliveries.clear()

    committed(import_path, path, uploads=uploads)

    assert len(deliveries) == 1
    changes = deliveries[0]
    review = Review.objects.get()
    assert review.cover is not None
    assert changes.ids(Image) == {review.cover.pk}
    assert changes.ids(Review) == {review.pk}  # only its cover changed, by update()
    assert Comment not in changes


def test_an_author_changed_in_wordpress_is_delivered(write_file, deliveries, committed):
    def author(name: str) -> str:
        return (
            "<wp:author><wp:author_id>1</wp:author_id><wp:author_login>critic</wp:author_login>"
            f"<wp:author_email>critic@blog.example</wp:author_email>"
            f"<wp:author_display_name>{name}</wp:author_display_name></wp:author>"
        )

    committed(import_path, write_file(wxr(item(10, "Post"), authors=author("The Critic"))))
    deliveries.clear()

    committed(import_path, write_file(wxr(item(10, "Post"), authors=author("Mara Quill"))))

    assert len(deliveries) == 1
    critic = User.objects.get(username="critic")
    assert critic.display_name == "Mara Quill"
    assert deliveries[0].ids(User) == {critic.pk}


def test_an_old_link_another_blog_claimed_first_is_not_listed(write_file, deliveries, committed):
    committed(import_path, write_file(blog()))
    first_blog = ids(LegacyRedirect)
    deliveries.clear()

    # Another blog with the same comment ids: its comments get new ids, and its
    # ?replytocom= links stay with the first blog's comments.
    other = blog().replace(BASE, "http://other.example").replace("ferrylight", "lantern")
    committed(import_path, write_file(other))

    assert len(deliveries) == 1
    listed = deliveries[0].ids(LegacyRedirect)
    assert listed == ids(LegacyRedirect) - first_blog != frozenset()
    assert not LegacyRedirect.objects.filter(old_path="?replytocom=100", pk__in=listed).exists()


def test_a_dry_run_delivers_nothing(write_file, uploads, deliveries, committed):
    committed(import_path, write_file(blog()), uploads=uploads, dry_run=True)

    assert deliveries == []
    assert not Review.objects.exists()


def test_a_failed_import_delivers_nothing(write_file, deliveries, committed, monkeypatch):
    def failing(raw: str) -> str:
        raise ValueError("disk on fire")

    monkeypatch.setattr(comment_import, "clean_comment_html", failing)
    with pytest.raises(ImportFailed):
        committed(import_path, write_file(blog()))

    assert deliveries == []
    assert not Review.objects.exists()


def test_an_unreadable_file_delivers_nothing(write_file, deliveries, committed):
    text = blog()
    with pytest.raises(ImportFailed):
        committed(import_path, write_file(text[: text.index("<title>About")]))

    assert deliveries == []


def test_a_real_export_is_one_delivery(deliveries, committed):
    committed(import_path, shared_file("wxr/themeunittestdata.wordpress.xml"))

    assert len(deliveries) == 1
    changes = deliveries[0]
    for model in (Review, Comment, Page, LegacyRedirect, Tag):
        assert changes.ids(model) == ids(model) != frozenset(), model


DISQUS = """<?xml version="1.0"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
  <thread dsq:id="1"><id>10 http://blog.example/?p=10</id><forum>f</forum>
    <link>http://blog.example/2012/05/30/ferrylight-part-2/</link><title>t</title></thread>
  <post dsq:id="2"><message><![CDATA[<p>From Disqus.</p>]]></message>
    <createdAt>2013-10-11T06:51:33Z</createdAt><author><name>Di</name>
    <email>di@x.example</email></author><thread dsq:id="1"/></post>
  <post dsq:id="3"><message><![CDATA[<p>A reply.</p>]]></message>
    <createdAt>2013-10-12T06:51:33Z</createdAt><author><name>Ed</name>
    <email>ed@x.example</email></author><thread dsq:id="1"/><parent dsq:id="2"/></post>
</disqus>"""


def test_a_disqus_import_is_one_delivery_then_nothing(write_file, deliveries, committed):
    committed(import_path, write_file(blog()))
    review = Review.objects.get()
    wordpress_comments = ids(Comment)
    path = write_file(DISQUS)
    deliveries.clear()

    committed(import_disqus_path, path, dry_run=True)
    assert deliveries == []

    committed(import_disqus_path, path)
    assert len(deliveries) == 1
    changes = deliveries[0]
    assert changes.ids(Comment) == ids(Comment) - wordpress_comments != frozenset()
    assert changes.ids(Review, including=[COUNTS]) == {review.pk}  # its comment count
    assert changes.ids(Review) == frozenset()  # and nothing of its text

    deliveries.clear()
    committed(import_disqus_path, path)
    assert deliveries == []


def test_the_real_disqus_export_is_one_delivery(write_file, deliveries, committed):
    committed(
        import_path,
        write_file(wxr(item(1, "Hello, World!", name="hello-world", link="http://example.org/"))),
    )
    deliveries.clear()

    committed(import_disqus_path, shared_file("comments/isso-disqus.xml"))

    assert len(deliveries) == 1
    assert deliveries[0].ids(Comment) == ids(Comment) != frozenset()
