"""Export → import into an empty site → export again: same counts, same threads."""

import io
import xml.etree.ElementTree as ET
from collections import Counter

import pytest
from django.core.management import call_command

from tests.conftest import shared_file
from tests.imports.builders import comment, item, wxr
from tests.imports.conftest import import_path
from watchworthy.accounts.models import User
from watchworthy.catalog.models import Work
from watchworthy.discussion.models import Comment
from watchworthy.images.models import Image
from watchworthy.imports.models import ImportedObject, LegacyRedirect
from watchworthy.pages.models import Page
from watchworthy.reviews.models import Review, Tag

pytestmark = pytest.mark.django_db
WP = "{http://wordpress.org/export/1.2/}"


def wipe() -> None:
    for model in (ImportedObject, LegacyRedirect, Comment, Review, Page, Image, Tag, Work, User):
        model.objects.all().delete()


def shape(path) -> dict:
    """What must survive a round trip, read from an export with ElementTree."""
    text = path.read_text(encoding="utf-8")
    assert "<!DOCTYPE" not in text  # WordPress's importer refuses any DOCTYPE
    channel = ET.fromstring(text).find("channel")  # noqa: S314 - our own export
    assert channel.findtext(f"{WP}wxr_version") == "1.2"
    assert channel.findtext(f"{WP}base_site_url")
    items = Counter()
    threads = {}
    statuses = Counter()
    for element in channel.findall("item"):
        post_type = element.findtext(f"{WP}post_type")
        items[(post_type, element.findtext(f"{WP}status"))] += 1
        assert element.findtext(f"{WP}post_id").isdigit()
        if post_type != "post":
            continue
        pairs = set()
        seen = {"0"}
        for c in element.findall(f"{WP}comment"):
            comment_id, parent = c.findtext(f"{WP}comment_id"), c.findtext(f"{WP}comment_parent")
            # WordPress's importer links a reply only to a parent inserted before it.
            assert parent in seen and (parent == "0" or int(parent) < int(comment_id))
            seen.add(comment_id)
            pairs.add((comment_id, parent))
            statuses[c.findtext(f"{WP}comment_approved")] += 1
        threads[element.findtext(f"{WP}post_name")] = pairs
    tags = len(channel.findall(f"{WP}tag"))
    return {"items": items, "threads": threads, "statuses": statuses, "tags": tags}


def export(path) -> str:
    out = io.StringIO()
    call_command("export_wordpress", str(path), stdout=out)
    return out.getvalue()


def round_trip(tmp_path):
    first = tmp_path / "first.xml"
    second = tmp_path / "second.xml"
    export(first)
    before = {
        "reviews": Review.objects.count(),
        "pages": Page.objects.count(),
        "comments": Comment.objects.count(),
        "depths": Counter(Comment.objects.values_list("depth", flat=True)),
    }
    wipe()
    import_path(first)
    after = {
        "reviews": Review.objects.count(),
        "pages": Page.objects.count(),
        "comments": Comment.objects.count(),
        "depths": Counter(Comment.objects.values_list("depth", flat=True)),
    }
    export(second)
    return before, after, shape(first), shape(second)


def test_round_trip_of_the_theme_unit_test(tmp_path):
    import_path(shared_file("wxr/themeunittestdata.wordpress.xml"))
    before, after, first, second = round_trip(tmp_path)
    assert before == after
    assert first == second
    assert sum(len(pairs) for pairs in first["threads"].values()) == before["comments"]


def test_round_trip_keeps_statuses_removed_comments_and_scheduled_posts(tmp_path, write_file):
    import_path(
        write_file(
            wxr(
                item(1, "Published", comments=[
                    comment(10), comment(11, parent=10, approved="spam"),
                    comment(12, approved="trash"), comment(13, approved="0"),
                    comment(14, parent=10),
                ]),
                item(2, "Later", status="future", date="2099-01-01 10:00:00"),
                item(3, "Draft", status="draft"),
                item(4, "About", post_type="page"),
            )
        )
    )  # fmt: skip
    Comment.objects.filter(pk=10).update(is_removed=True)
    _before, _after, first, second = round_trip(tmp_path)
    assert first == second
    assert first["statuses"] == {"1": 2, "spam": 1, "trash": 1, "0": 1}
    assert ("post", "future") in first["items"] and ("post", "draft") in first["items"]
    assert Comment.objects.get(pk=10).is_removed
    assert Comment.objects.get(pk=14).parent_id == 10


def test_the_export_escapes_cdata_terminators_and_control_characters(tmp_path, write_file):
    import_path(write_file(wxr(item(1, "Tricky", content="<p>a ]]> b</p>"))))
    Review.objects.update(title="Bell \x07 and ]]>", excerpt="x\x01y")
    path = tmp_path / "out.xml"
    export(path)
    channel = ET.parse(path).getroot().find("channel")  # noqa: S314 - our own export
    (post,) = [i for i in channel.findall("item") if i.findtext(f"{WP}post_type") == "post"]
    assert post.findtext("title") == "Bell  and ]]>"
    assert "a ]]&gt; b" in post.findtext("{http://purl.org/rss/1.0/modules/content/}encoded")
