"""The import's fast paths give what the slower code they replaced gives.

Each shortcut taken for speed (issue 15: ``import_wordpress`` at 2,000 comments/s) is
checked here against the general code it stands in for: the WXR fields read in one
pass over an element's children, the usual date form read without ``strptime``,
``insert_rows`` against ``bulk_create``, the batch's blank comments against
``Comment()``, and the search entries an import leaves against a full rebuild.
"""

from __future__ import annotations

import io
import random
from dataclasses import fields
from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.db.models.signals import post_init, pre_init

from tests.factories import ReviewFactory
from tests.imports.builders import cdata, comment, item, wxr
from tests.imports.conftest import import_path
from watchworthy.core.changes import start_new_batch
from watchworthy.discussion.models import Comment
from watchworthy.imports import content
from watchworthy.imports import wxr as wxr_module
from watchworthy.imports.common import insert_rows, parse_wp_date
from watchworthy.imports.wordpress.batch import BlankComment
from watchworthy.imports.xmlstream import iter_elements
from watchworthy.search import index
from watchworthy.search.models import SearchEntry

WP = wxr_module.WP
OTHER = 'xmlns:x="http://example.org/not-wordpress/"'


# --- WXR fields in one pass ------------------------------------------------------------


def _tricky_file() -> bytes:
    """Comments and items whose children repeat, come in another ``wp:`` URI, or have a
    WordPress name in a foreign namespace (only the first ``wp:`` one counts)."""
    odd_comment = (
        f"<wp:comment {OTHER}>"
        "<x:comment_author>Impostor</x:comment_author>"
        f"<wp:comment_author>{cdata(' First ')}</wp:comment_author>"
        "<wp:comment_author>Second</wp:comment_author>"
        '<wp:comment_id xmlns:wp="http://wordpress.org/export/1.0/">77</wp:comment_id>'
        "<wp:comment_content>Body</wp:comment_content>"
        "<wp:commentmeta><wp:meta_key>k</wp:meta_key><wp:meta_value> v </wp:meta_value>"
        "</wp:commentmeta>"
        "</wp:comment>"
    )
    odd_item = item(
        5, "Odd", comments=[comment(1), odd_comment, "<wp:comment></wp:comment>"],
        meta={"_thumbnail_id": "9"}, categories=[("post_tag", "t", "T")],
    ).replace(
        "<wp:status>", f"<x:post_name {OTHER}>foreign</x:post_name><wp:status>"
    ).replace("<title>", "<title>Shadowed</title><title>", 1)  # fmt: skip
    bare = (
        "<item><title>Bare</title>"
        '<wp:post_id xmlns:wp="https://wordpress.org/export/1.1/">6</wp:post_id>'
        '<excerpt:encoded xmlns:excerpt="http://wordpress.org/export/1.0/excerpt/">'
        "Short</excerpt:encoded></item>"
    )
    return wxr(odd_item, bare, item(7, "Plain")).encode()


COMMENT_ELEMENTS = {"comment_id": "comment_id", "author_ip": "comment_author_IP"}


def _by_first(element, namespaces, name: str) -> str:
    return element.child_text(namespaces, name)


def test_item_and_comment_fields_are_what_first_finds():
    elements = [
        e
        for e in iter_elements(io.BytesIO(_tricky_file()), capture_depth=2)
        if e.ns == "" and e.name == "item"
    ]
    assert len(elements) == 3
    seen_comments = 0
    for element in elements:
        parsed = wxr_module.parse_item(element)
        assert parsed.title == _by_first(element, wxr_module.NONE, "title")
        assert parsed.excerpt == _by_first(element, wxr_module.EXCERPT, "encoded")
        assert parsed.content == _by_first(element, wxr_module.CONTENT, "encoded")
        for name in ("post_id", "post_name", "status", "post_type", "post_date_gmt"):
            assert getattr(parsed, name) == _by_first(element, WP, name), name
        assert parsed.meta == wxr_module._meta(element, "postmeta")
        for source, child in zip(parsed.comments, element.all(WP, "comment"), strict=True):
            seen_comments += 1
            for f in fields(source):
                if f.name in ("meta", "line", "approved"):
                    continue
                wp_name = COMMENT_ELEMENTS.get(f.name, "comment_" + f.name)
                assert getattr(source, f.name) == _by_first(child, WP, wp_name), f.name
            assert source.meta == wxr_module._meta(child, "commentmeta")
    assert seen_comments == 3
    odd = wxr_module.parse_item(elements[0])
    assert odd.title == "Shadowed" and odd.post_name == "odd"
    assert odd.comments[1].author == "First" and odd.comments[1].comment_id == "77"
    assert odd.comments[1].meta == {"k": " v "}
    assert odd.comments[2].approved is None
    assert wxr_module.parse_item(elements[1]).excerpt == "Short"


# --- dates ------------------------------------------------------------------------------


def _strptime_reading(value: str) -> datetime | None:
    """parse_wp_date as it was: strptime with three forms."""
    value = (value or "").strip()
    if not value or value.startswith("0000"):
        return None
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def test_wp_dates_read_as_strptime_reads_them():
    rnd = random.Random(15)
    values = [
        "2012-05-30 23:37:02", " 2012-05-30 23:37:02\n", "2012-02-30 10:00:00",
        "2012-13-01 10:00:00", "2012-00-10 10:00:00", "2012-02-29 24:00:00",
        "2012-02-28 23:60:00", "2012-02-28 23:59:60", "2012-5-3 1:2:3", "2012-05-30 23:37",
        "2012-05-30", "2012-05-30T23:37:02", "2012-05-30 23:37:02.5", "0001-01-01 00:00:00",
        "9999-12-31 23:59:59", "0000-00-00 00:00:00", "", "٢٠١٢-05-30 23:37:02",
    ]  # fmt: skip
    for _ in range(5000):
        values.append(
            f"{rnd.randint(1, 9999):04d}-{rnd.randint(0, 14):02d}-{rnd.randint(0, 33):02d} "
            f"{rnd.randint(0, 25):02d}:{rnd.randint(0, 61):02d}:{rnd.randint(0, 62):02d}"
        )
    for value in values:
        assert parse_wp_date(value) == _strptime_reading(value), value


# --- rows and objects -------------------------------------------------------------------


def test_a_blank_comment_is_a_bare_comment():
    assert not post_init.has_listeners(Comment) and not pre_init.has_listeners(Comment)
    blank = BlankComment()(42)
    bare = Comment(pk=42)
    mine, theirs = dict(vars(blank)), dict(vars(bare))
    for values in (mine, theirs):
        values.pop("_state")
        values.pop("created_at")  # the one computed default; fill_comment sets it
    assert mine == theirs
    assert blank._state.adding and blank._state.db is None
    assert blank._state is not BlankComment()(43)._state


@pytest.mark.django_db
def test_insert_rows_writes_what_bulk_create_writes():
    reviews = {1000: ReviewFactory(), 2000: ReviewFactory()}  # numbers are per review
    elsewhere = timezone(timedelta(hours=-5))
    moments = [
        datetime(2012, 5, 30, 23, 37, 2, tzinfo=UTC),
        datetime(2012, 5, 30, 20, 1, 2, 345678, tzinfo=elsewhere),
    ]

    def comments(first_pk: int) -> list[Comment]:
        made = []
        for n, moment in enumerate(moments * 2):
            c = BlankComment()(first_pk + n)
            c.review_id = reviews[first_pk].pk
            c.author_name, c.body, c.body_html = f"Reader {n} ü", "Body ✓", "<p>Body ✓</p>"
            c.created_at = moment
            c.approved_at = moment if n % 2 else None
            c.ip_address = ("::ffff:192.0.2.1", "192.0.2.7", None, "2001:DB8::1")[n]
            c.is_removed = bool(n % 3)
            c.number = n + 1 if n < 2 else None
            c.path = f"{first_pk + n:010d}/"
            made.append(c)
        return made

    Comment.objects.bulk_create(comments(1000))
    insert_rows(Comment, [vars(c) for c in comments(2000)])
    columns = [f.attname for f in Comment._meta.concrete_fields if f.attname != "id"]
    by_bulk = list(Comment.objects.filter(pk__lt=2000).order_by("pk").values(*columns))
    by_rows = list(Comment.objects.filter(pk__gte=2000).order_by("pk").values(*columns))
    assert len(by_bulk) == 4
    for row in by_bulk + by_rows:
        row["path"] = row["path"][-1:]
        row["review_id"] = "the review"
    assert by_rows == by_bulk


# --- search entries ---------------------------------------------------------------------


def _entries() -> dict[tuple[str, int], dict]:
    columns = [f.attname for f in SearchEntry._meta.concrete_fields if f.attname != "id"]
    return {
        (row["kind"], row["object_id"]): row
        for row in SearchEntry.objects.values(*columns)
    }  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("with_comments", [False, True])
def test_an_import_leaves_the_entries_a_rebuild_writes(
    with_comments, settings, tmp_path, django_capture_on_commit_callbacks
):
    """The index after an import (each review indexed once, with its placeholder
    work) holds exactly what rebuilding it from scratch writes."""
    settings.WATCHWORTHY_SEARCH_COMMENTS = with_comments
    posts = [
        item(n, f"Quill {n}", content=f"<p>Zephyr number {n}.</p>",
             comments=[comment(100 + 3 * n + k, content=f"Marigold {n} {k}") for k in range(3)])
        for n in range(1, 8)
    ]  # fmt: skip
    path = tmp_path / "export.xml"
    path.write_text(wxr(*posts), encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        start_new_batch()
        import_path(path)
    after_import = _entries()
    assert sum(kind == "review" for kind, _pk in after_import) == 7
    assert sum(kind == "comment" for kind, _pk in after_import) == (21 if with_comments else 0)
    index.rebuild()
    assert _entries() == after_import


# --- paragraphs -------------------------------------------------------------------------


def test_plain_text_gets_the_paragraphs_the_general_way_gives():
    rnd = random.Random(15)
    pieces = ["word", "ünï", " ", "  ", "\t", "\n", "\n\n", "\n \n", "\r\n", "\r", "\u00a0",
              "\u2028", "\x0b", "&amp;", "a & b", "'quote'", '"q"', "[caption]"]  # fmt: skip
    texts = ["Just one line.", "One.\nTwo.", "One.\n\nTwo.\n\n\n", "\n\n  padded  \n"]
    texts += ["".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 30))) for _ in range(3000)]
    for text in texts:
        normalized = text.replace("\r\n", "\n").replace("\r", "\n")
        if not normalized.strip():
            assert content.autop(text) == ""
            continue
        assert content.autop(text) == content._autop_html(normalized), repr(text)
