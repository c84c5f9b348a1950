"""The batched WordPress import makes exactly the site the row-by-row import made.

``same_result.json`` holds, per scenario, a hash of every table (reviews, comments
with their parent, depth, number, status, stored header and body renders, counts,
redirects, import records, pages, users, tags), of the summary and of the change
delivery, recorded with the import as it was before it was batched (one to two
dozen queries per post). Each test imports the same file again and compares. The
dumps name rows without primary keys (see ``dump.py``), so they are the same on
SQLite and PostgreSQL.

When a hash differs, run with ``WATCHWORTHY_IMPORT_DUMPS=/some/folder`` to get the
full dumps, and compare them with ones written by the old code.

``WATCHWORTHY_IMPORT_RECORD=1`` rewrites ``same_result.json`` (only ever from the
reference implementation).
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest

from tests.conftest import shared_file
from tests.imports import dump
from tests.imports.builders import BASE, cdata, comment, item, wxr
from tests.imports.conftest import import_path
from tests.imports.test_real_exports import READABLE
from watchworthy.discussion.models import Comment
from watchworthy.imports.models import ImportedObject
from watchworthy.imports.wordpress import batch
from watchworthy.reviews.models import Review

pytestmark = pytest.mark.django_db

EXPECTED_FILE = Path(__file__).with_name("same_result.json")
RECORD = os.environ.get("WATCHWORTHY_IMPORT_RECORD") == "1"
DUMPS = os.environ.get("WATCHWORTHY_IMPORT_DUMPS")


@pytest.fixture(autouse=True)
def fixed_secret(settings):
    """Avatar colours in the stored comment headers are keyed by SECRET_KEY (so they
    cannot be forged from the source code); each checkout has its own key, so the
    recorded hashes are made and checked under one fixed test key."""
    settings.SECRET_KEY = "same-result-test-key-" + "x" * 40


@pytest.fixture(scope="module")
def expected():
    data = json.loads(EXPECTED_FILE.read_text()) if EXPECTED_FILE.exists() else {}
    yield data
    if RECORD:
        EXPECTED_FILE.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")


def check(expected: dict, name: str, snapshot: dict) -> None:
    if DUMPS:
        folder = Path(DUMPS)
        folder.mkdir(parents=True, exist_ok=True)
        text = json.dumps(snapshot, indent=1, sort_keys=True, ensure_ascii=False, default=str)
        (folder / f"{name.replace('/', '_')}.json").write_text(text)
    got = dump.digests(snapshot)
    if RECORD:
        expected[name] = got
        return
    assert got == expected[name]


def run(path: Path, capture_changes, **options) -> dict:
    """Import ``path`` as its own transaction; everything it left and told."""
    with capture_changes() as delivered:
        summary = import_path(path, **options)
    snapshot = dump.dump()
    snapshot["summary"] = dump.summary_of(summary)
    snapshot["changes"] = dump.changes_of(delivered, dump.Names())
    return snapshot


# --- the real exports in ../shared/testdata --------------------------------------------


@pytest.mark.parametrize("relative", READABLE)
def test_real_export_makes_the_same_site(relative, expected, capture_changes):
    path = shared_file(relative)
    check(expected, relative, run(path, capture_changes))
    check(expected, f"{relative} again", run(path, capture_changes))


# --- a generated blog, then a newer export of it ------------------------------------------


def raw_comment(
    *, comment_id: str = "", parent: str = "0", date: str = "", approved: str | None = "1",
    content: str = "Raw.", meta: dict[str, str] | None = None, kind: str = "",
) -> str:  # fmt: skip
    """A comment with parts left out: no id, no date, no status, comment meta."""
    parts = [
        f"<wp:comment_id>{comment_id}</wp:comment_id>" if comment_id else "",
        f"<wp:comment_author>{cdata('Raw Reader')}</wp:comment_author>",
        f"<wp:comment_date_gmt>{date}</wp:comment_date_gmt>" if date else "",
        f"<wp:comment_content>{cdata(content)}</wp:comment_content>",
        f"<wp:comment_approved>{approved}</wp:comment_approved>" if approved is not None else "",
        f"<wp:comment_type>{kind}</wp:comment_type>",
        f"<wp:comment_parent>{parent}</wp:comment_parent>",
    ]
    parts += [
        f"<wp:commentmeta><wp:meta_key>{k}</wp:meta_key>"
        f"<wp:meta_value>{cdata(v)}</wp:meta_value></wp:commentmeta>"
        for k, v in (meta or {}).items()
    ]
    return "<wp:comment>" + "".join(parts) + "</wp:comment>"


def day(n: int) -> str:
    return f"2013-{1 + n // 28 % 12:02d}-{1 + n % 28:02d} {n % 24:02d}:{n % 60:02d}:00"


def deep_thread(first: int, length: int) -> list[str]:
    """A chain of ``length`` replies, each to the one before (deeper than MAX_DEPTH)."""
    return [
        comment(first + n, parent=first + n - 1 if n else 0, date=day(n), content=f"Level {n}")
        for n in range(length)
    ]


def random_thread(first: int, count: int, seed: int) -> list[str]:
    """``count`` comments in a random tree, statuses mixed, dates out of order."""
    rnd = random.Random(seed)
    out = []
    for n in range(count):
        cid = first + n
        parent = rnd.choice([0, 0, 0, *range(first, cid)]) if n else 0
        approved = rnd.choice(["1", "1", "1", "0", "spam", "trash", "approve", "hold"])
        email = "critic@blog.example" if n % 9 == 4 else f"r{n % 5}@example.org"
        url = ["", "https://reader.example/", "javascript:alert(1)"][n % 3]
        body = f"Comment {n}\n\nSecond *line* <script>x</script> <a href='http://e.example'>l</a>"
        out.append(
            comment(
                cid, parent=parent, approved=approved, author=f"Reader {n % 7}", email=email,
                url=url, content=body, date=day(rnd.randrange(400)),
                user_id=1 if n % 11 == 3 else 0,
            )
        )  # fmt: skip
    return out


def generated_blog(version: int) -> str:
    """A blog with every thread shape the import handles; ``version`` 2 is a newer
    export of it (an edited and renamed post, an approved comment, an edited one, new
    replies to old comments, a new post)."""
    tags = [("post_tag", "mecha", "Mecha"), ("category", "reviews", "Reviews")]
    orphans = [
        comment(2001, parent=2002, date=day(1)),  # a loop of two
        comment(2002, parent=2001, date=day(2)),
        comment(2003, parent=999, date=day(3)),  # a missing parent
        comment(2003, date=day(4), content="Same id again"),
        comment(2004, approved="0" if version == 1 else "1", date=day(5)),
        comment(2005, kind="pingback", date=day(6)),
        comment(2006, approved="weird", date=day(7)),
        raw_comment(content="No id and no date"),
        raw_comment(content="No status", approved=None, date="2013-02-02 10:00:00"),
        raw_comment(comment_id="2007", meta={"_watchworthy_removed": "1"}, date=day(9)),
        comment(2008, parent=2007, date=day(10), content="Reply to a removed one"),
        comment(2009, date=day(11), content="Edited" if version == 2 else "Original"),
        comment(2010, date=day(12), content="Its id is taken here"),
    ]
    if version == 2:
        orphans += [
            comment(2011, parent=2004, date=day(13), content="New reply to an old one"),
            comment(2012, date=day(14), content="New top-level comment"),
        ]
    items = [
        item(
            10, "Deep thread" if version == 1 else "Deep thread, renamed",
            name="deep-thread" if version == 1 else "deep-renamed",
            date="2013-01-05 10:00:00", categories=tags,
            comments=[*deep_thread(1000, 160), comment(1200, date=day(3))],
        ),
        item(11, "Orphans and loops", date="2013-01-06 10:00:00", comments=orphans),
        item(12, "Shared ids", date="2013-01-07 10:00:00", comments=[comment(2003)]),
        item(13, "A draft", status="draft", date="2013-01-08 10:00:00", categories=tags[:1]),
        item(14, "Busy", date="2013-01-09 10:00:00", comments=random_thread(3000, 60, seed=3),
             meta={"_thumbnail_id": "30"}),
        item(20, "About", post_type="page", comments=[comment(4000)]),
        item(30, "A still", post_type="attachment",
             attachment_url=f"{BASE}/wp-content/uploads/2013/01/still.png"),
        item(15, "To be deleted here", date="2013-01-10 10:00:00",
             comments=[comment(5000), comment(5001, parent=5000)]),
    ]  # fmt: skip
    if version == 2:
        items.append(
            item(16, "New post", date="2013-02-01 10:00:00", comments=random_thread(6000, 20, 5))
        )
    return wxr(*items)


def test_generated_blog_and_its_newer_export(expected, capture_changes, write_file, make_comment):
    # A site with a review and a comment already: comment id 2010 is taken.
    site_review = Review.objects.create(
        title="Already here", slug="already-here", body="Hi", author=_site_author(),
        work=_site_work(), verdict="unrated", status=Review.Status.PUBLISHED,
    )  # fmt: skip
    Comment.objects.create(
        pk=2010, review=site_review, body="Local", author_name="Local Reader", path="x"
    )
    first = write_file(generated_blog(1))
    check(expected, "generated", run(first, capture_changes))
    check(expected, "generated again", run(first, capture_changes))

    # Deleted here since: a comment and a review stay deleted.
    row = ImportedObject.objects.get(kind=ImportedObject.Kind.COMMENT, external_id="2009")
    Comment.objects.filter(pk=row.comment_id).delete()
    Review.objects.filter(slug="to-be-deleted-here").delete()
    check(expected, "generated newer", run(write_file(generated_blog(2)), capture_changes))


def _site_author():
    from tests.factories import UserFactory

    return UserFactory(username="local", display_name="Local Critic", email="l@example.org")


def _site_work():
    from watchworthy.catalog.models import Work

    return Work.objects.create(slug="local-work", title="Local work", kind=Work.Kind.SERIES)


# --- the benchmark's own file, small --------------------------------------------------


def test_benchmark_file_makes_the_same_site(expected, capture_changes, tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "import_bench", Path(__file__).parents[2] / "bench" / "import_bench.py"
    )
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    path = tmp_path / "bench.xml"
    bench.write_wxr(path, posts=30, comments_per_post=12)
    check(expected, "bench", run(path, capture_changes))


# --- batch boundaries ---------------------------------------------------------------


@pytest.mark.parametrize("max_posts", [1, 2, 7])
def test_any_batch_size_makes_the_same_site(
    max_posts, expected, capture_changes, write_file, make_comment, monkeypatch
):
    """Batches that end anywhere (next to a post handled one by one, mid-thread of
    the file) make the same site."""
    monkeypatch.setattr(batch, "MAX_POSTS", max_posts)
    test_generated_blog_and_its_newer_export(expected, capture_changes, write_file, make_comment)


@pytest.mark.parametrize("max_posts", [1, 7])
def test_any_batch_size_makes_the_same_benchmark_site(
    max_posts, expected, capture_changes, tmp_path, monkeypatch
):
    monkeypatch.setattr(batch, "MAX_POSTS", max_posts)
    test_benchmark_file_makes_the_same_site(expected, capture_changes, tmp_path)
