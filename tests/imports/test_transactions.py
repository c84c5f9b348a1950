"""Re-running, updating, failing half-way and dry runs."""

import pytest

from tests.imports.builders import comment, item, wxr
from tests.imports.conftest import everything, import_path
from watchworthy.discussion.models import Comment
from watchworthy.imports.common import ImportFailed
from watchworthy.imports.models import ImportedObject
from watchworthy.imports.wordpress import attachments, comments, importer
from watchworthy.reviews.models import Review, Verdict

pytestmark = pytest.mark.django_db


def blog(*, title="Ferrylight, part 2", extra_comments=(), approved_second="0"):
    return wxr(
        item(
            10,
            title,
            name="ferrylight-part-2",
            content="First paragraph.\n\nSecond paragraph.",
            categories=[("category", "anime", "Anime"), ("post_tag", "netflix", "Netflix")],
            comments=[
                comment(100, author="Ana", date="2012-06-01 10:00:00"),
                comment(101, author="Ben", approved=approved_second, date="2012-06-01 11:00:00"),
                comment(102, author="The Critic", email="critic@blog.example", parent=100,
                        user_id=1, date="2012-06-01 12:00:00"),
                *extra_comments,
            ],
        ),
        item(20, "About", post_type="page", name="about-me", content="Who writes here."),
    )  # fmt: skip


def test_first_import(write_file):
    summary = import_path(write_file(blog()))
    review = Review.objects.get()
    assert review.verdict == Verdict.UNRATED
    assert review.work.slug == "imported"
    assert review.status == Review.Status.PUBLISHED
    assert review.body_format == Review.BodyFormat.HTML
    assert review.body_html == "<p>First paragraph.</p>\n<p>Second paragraph.</p>"
    assert review.teaser == "First paragraph. Second paragraph."
    review.save()  # as the admin would: the HTML stays HTML
    assert review.body_html == "<p>First paragraph.</p>\n<p>Second paragraph.</p>"
    assert sorted(review.tags.values_list("slug", flat=True)) == ["anime", "netflix"]
    assert review.author.username == "critic" and not review.author.has_usable_password()
    ana, ben, answer = Comment.objects.order_by("pk")
    assert (ana.pk, ben.pk, answer.pk) == (100, 101, 102)  # WordPress ids kept
    assert ana.number == 1 and ben.number is None and ben.status == Comment.Status.PENDING
    assert answer.parent == ana and answer.user == review.author  # the author badge
    assert review.approved_comment_count == 2
    assert summary.count and summary.total("post") == 1


def test_a_newer_export_updates_what_changed(write_file):
    import_path(write_file(blog()))
    review = Review.objects.get()
    review.verdict = Verdict.WATCH  # the critic's own work since the import stays
    review.save()
    newer = blog(
        title="Ferrylight, part 2 (updated)",
        approved_second="1",
        extra_comments=[comment(103, author="Cy", parent=101, date="2012-06-02 09:00:00")],
    )
    summary = import_path(write_file(newer))
    review.refresh_from_db()
    assert review.title == "Ferrylight, part 2 (updated)"
    assert review.verdict == Verdict.WATCH
    assert summary.objects[("post", "updated")] == 1
    assert summary.objects[("comment", "created")] == 1
    assert summary.objects[("comment", "updated")] == 1
    assert summary.objects[("comment", "unchanged")] == 2
    ben = Comment.objects.get(pk=101)
    assert ben.status == Comment.Status.APPROVED and ben.number == 2
    assert Comment.objects.get(pk=103).parent == ben
    assert Review.objects.count() == 1


def test_a_comment_deleted_here_is_not_brought_back(write_file):
    path = write_file(blog())
    import_path(path)
    Comment.objects.filter(pk=101).delete()
    summary = import_path(path)
    assert not Comment.objects.filter(pk=101).exists()
    assert summary.objects[("comment", "kept deleted")] == 1


def test_a_failure_half_way_rolls_everything_back_and_names_the_item(write_file, monkeypatch):
    calls = []
    real = comments.clean_comment_html

    def failing(raw):
        calls.append(raw)
        if len(calls) == 2:
            raise ValueError("disk on fire")
        return real(raw)

    monkeypatch.setattr(comments, "clean_comment_html", failing)
    with pytest.raises(ImportFailed) as failure:
        import_path(write_file(blog()))
    message = str(failure.value)
    assert "Ferrylight, part 2" in message and "id 10" in message
    assert "disk on fire" in message and "Nothing was imported" in message
    assert all(n == 0 for n in everything().values())


def test_a_failure_removes_copied_image_files(write_file, tmp_path, settings, monkeypatch):
    from tests.conftest import png_bytes

    uploads = tmp_path / "uploads"
    (uploads / "2012/05").mkdir(parents=True)
    (uploads / "2012/05/still.png").write_bytes(png_bytes(800, 450).read())
    export = wxr(
        item(5, "still", post_type="attachment", status="inherit",
             attachment_url="http://blog.example/wp-content/uploads/2012/05/still.png"),
        item(6, "Post", content="x"),
    )  # fmt: skip
    stored = []
    real_store = attachments.Attachments.store_image

    def store(self, *args, **kwargs):
        image = real_store(self, *args, **kwargs)
        stored.append(image.file.path)
        return image

    def fail(self, item):
        raise OSError("no space left")

    monkeypatch.setattr(attachments.Attachments, "store_image", store)
    monkeypatch.setattr(importer.WordPressImporter, "post", fail)
    with pytest.raises(ImportFailed) as failure:
        import_path(write_file(export), uploads=uploads)
    assert "no space left" in str(failure.value)
    assert stored, "the image was copied before the failure"
    media = settings.MEDIA_ROOT
    assert [p for p in media.rglob("*") if p.is_file()] == []
    assert all(n == 0 for n in everything().values())


def test_a_dry_run_writes_nothing_and_says_what_would_happen(write_file):
    summary = import_path(write_file(blog()), dry_run=True)
    assert summary.dry_run
    assert summary.objects[("post", "created")] == 1
    assert summary.objects[("comment", "created")] == 3
    assert summary.comments_by_status == {"approved": 2, "pending": 1}
    assert summary.redirects > 0
    assert all(n == 0 for n in everything().values())


def test_the_import_records_identity_in_its_own_table(write_file):
    import_path(write_file(blog()))
    kinds = dict(
        ImportedObject.objects.values_list("kind").annotate().values_list("kind", "source")
    )
    assert set(kinds.values()) == {"http://blog.example"}
    assert ImportedObject.objects.get(kind="post").data["original_html"].startswith("First")


def test_new_comments_after_an_import_get_fresh_ids(write_file):
    # The import inserted comments 100-102 with explicit ids; on PostgreSQL the id
    # sequence must have moved past them.
    import_path(write_file(blog()))
    review = Review.objects.get()
    new = Comment.objects.create(review=review, author_name="Dee", body="Late to this.")
    assert new.pk > 102
