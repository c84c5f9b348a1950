"""Every real export in ../shared/testdata imports, and what it made matches an
independent reading of the file: items by type, comments by status, and the parent
of every comment (see independent.py for the rules both follow)."""

from collections import Counter

import pytest

from tests.commenting import assert_stored_counts_match_the_rows
from tests.conftest import shared_file
from tests.imports import independent
from tests.imports.conftest import everything, import_path, imported_threads
from watchworthy.discussion.models import Comment
from watchworthy.imports.common import ImportFailed
from watchworthy.imports.models import ImportedObject
from watchworthy.pages.models import Page
from watchworthy.reviews.models import Review

pytestmark = pytest.mark.django_db

READABLE = [
    "wxr/themeunittestdata.wordpress.xml",
    "wxr/pelican-wordpressexport.xml",
    "wxr/jekyll-wordpresscom-2012-unbound-atom-prefix.xml",
    "wxr/jekyll-import-wordpresscom-2025.xml",
    "comments/isso-wordpress.xml",
    *(
        f"wxr/wordpress-importer/{name}.xml"
        for name in [
            "small-export", "valid-wxr-1.0", "valid-wxr-1.1", "wxr-utf-8-challenges",
            "crazy-cdata-escaped", "cdata-edge", "multiple-cdata", "missing-version-tag",
            "invalid-version-tag", "missing-tags", "slashes", "backslashes", "blank-lines",
            "authors-multiline", "namespace-edge-cases", "test-serialized-comment-meta",
            "wxr-with-sub-data",
        ]
    ),
]  # fmt: skip

UNREADABLE = {
    "wxr/wordpress-importer/crazy-cdata.xml": 18,
    "wxr/wordpress-importer/malformed.xml": 90,
    "wxr/wordpress-importer/malformed-simple.xml": None,
}


@pytest.mark.parametrize("relative", READABLE)
def test_counts_and_threads_match_an_independent_reading(relative):
    path = shared_file(relative)
    expected = independent.expected(path)

    summary = import_path(path)

    assert Review.objects.count() == expected.items["post"]
    assert Page.objects.count() == expected.items["page"]
    attachments = ImportedObject.objects.filter(kind=ImportedObject.Kind.ATTACHMENT)
    assert attachments.count() == expected.items["attachment"]
    assert summary.images_missing == expected.items["attachment"]  # no --uploads given
    by_status = Counter(Comment.objects.values_list("status", flat=True))
    assert by_status == expected.comments
    assert imported_threads() == expected.threads
    assert_stored_counts_match_the_rows()


@pytest.mark.parametrize("relative", READABLE)
def test_importing_again_changes_nothing(relative):
    path = shared_file(relative)
    import_path(path)
    before = everything()
    paths = sorted(Comment.objects.values_list("pk", "path", "number", "status"))

    summary = import_path(path)

    assert everything() == before
    assert sorted(Comment.objects.values_list("pk", "path", "number", "status")) == paths
    assert not [key for key in summary.objects if key[1] in ("created", "updated")]


@pytest.mark.parametrize(("relative", "line"), UNREADABLE.items())
def test_a_file_that_is_not_well_formed_is_refused_with_its_line(relative, line):
    path = shared_file(relative)
    with pytest.raises(ImportFailed) as failure:
        import_path(path)
    message = str(failure.value)
    assert "not well-formed" in message or "no element found" in message
    assert "Nothing was imported" in message
    if line:
        assert f"line {line}" in message
    assert everything() == dict.fromkeys(everything(), 0)


def test_the_theme_unit_test_keeps_its_ten_level_thread():
    summary = import_path(shared_file("wxr/themeunittestdata.wordpress.xml"))
    assert summary.deepest_thread == 10
    assert Comment.objects.order_by("-depth").first().depth == 9
    # Numbers go to top-level approved comments only, 1, 2, 3… per review.
    for review in Review.objects.filter(comments__isnull=False).distinct():
        numbers = list(
            review.comments.filter(number__isnull=False)
            .order_by("number")
            .values_list("number", flat=True)
        )
        expected = review.comments.filter(
            parent=None, status=Comment.Status.APPROVED, is_removed=False
        ).count()
        assert numbers == list(range(1, expected + 1))
    assert summary.skipped["pingbacks and trackbacks"] == 4


def test_the_pelican_reply_to_a_missing_comment_becomes_top_level_and_is_reported():
    summary = import_path(shared_file("wxr/pelican-wordpressexport.xml"))
    reply = Comment.objects.get(pk=122)  # the WordPress id is kept as the primary key
    assert reply.parent is None and reply.depth == 0
    kind = "reply whose parent is not in the file (imported as top-level)"
    assert summary.oddities[kind] == 1
    assert "122" in summary.oddity_examples[kind][0]


def test_the_undeclared_atom_prefix_is_imported_and_reported():
    summary = import_path(shared_file("wxr/jekyll-wordpresscom-2012-unbound-atom-prefix.xml"))
    assert Review.objects.count() == 2
    kind = "undeclared namespace prefix (elements using it were ignored)"
    assert summary.oddities[kind] == 1
    assert "line 49" in summary.oddity_examples[kind][0]
    # The title with a slash and an empty post_name gets a slug from its title.
    assert Review.objects.filter(slug="anotherpost-with-slash").exists()


def test_the_isso_export_without_a_version_is_accepted_with_a_warning():
    summary = import_path(shared_file("comments/isso-wordpress.xml"))
    assert any("no wp:wxr_version" in kind for kind in summary.oddities)
    review = Review.objects.get(title="Hello, World…")
    assert review.comments.count() == 7
    assert max(review.comments.values_list("depth", flat=True)) == 2


def test_namespaces_are_matched_by_uri_not_prefix():
    summary = import_path(shared_file("wxr/wordpress-importer/namespace-edge-cases.xml"))
    # Authors: only the two whose wp: prefix is bound to a WordPress namespace (the
    # items name no author, so they get the stand-in "Unknown author").
    authors = ImportedObject.objects.filter(kind=ImportedObject.Kind.AUTHOR)
    assert set(authors.values_list("external_id", flat=True)) == {
        "real_user",
        "version_conflict",
        "unknown-author",
    }
    assert summary.total("author") == 3
    # The hijacked item's wp: elements are not WordPress's: no id, no type, no status.
    hijacked = Review.objects.get(title="Hijacked Namespace")
    assert hijacked.status == Review.Status.DRAFT
    # The item with two post ids in the WordPress namespace keeps the first.
    assert ImportedObject.objects.get(review__title="Mixed Namespaces").external_id == "1"


def test_utf8_challenges_and_backslashes_survive():
    import_path(shared_file("wxr/wordpress-importer/slashes.xml"))
    review = Review.objects.get()
    assert "\\" in review.body_html
    comment = Comment.objects.get()
    assert "\\" in comment.body
    import_path(shared_file("wxr/wordpress-importer/wxr-utf-8-challenges.xml"))
    review = Review.objects.exclude(pk=review.pk).get()
    assert review.slug  # an ASCII slug even when WordPress's had bidi characters
    assert review.get_absolute_url()
