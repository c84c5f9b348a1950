"""Load the WordPress anchor's generated content into Watchworthy.

The content is the JSON that ``gen_content.py`` writes (``../shared/bench/wordpress``,
or ``/var/lib/wpbench/content.json`` after its ``setup.sh``): two reviews with their
threaded reader comments. Everything goes in through the app's own code, so the page
we measure is the page a real site would serve:

* the critic, the work and the review are saved through their models (the review's
  Markdown body is rendered to ``body_html`` on save, as the admin does);
* every comment is posted with ``discussion.services.comment_post``, oldest first,
  replies under their parents, with the author, e-mail, website and date from the
  file, and approved on arrival: paths, depths, numbers and the review's comment count
  are the ones the discussion code gives;
* the site shows a whole thread on one page (``SiteSettings.comments_per_page = 0``),
  as WordPress does with ``page_comments=0``.

Same slugs as WordPress, so the pages are ``/reviews/<slug>/``. Loading again first
deletes the two reviews (their comments go with them), so it is repeatable.

    python bench/content.py CONTENT.json     # uses DATABASE_URL / WATCHWORTHY_DATA_DIR
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CRITIC = "bench-critic"


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def markdown_body(blocks: Iterable[dict[str, Any]]) -> str:
    """The post's body blocks as the Markdown a critic would write."""
    parts = []
    for block in blocks:
        if block["type"] == "heading":
            parts.append("#" * int(block.get("level", 2)) + " " + block["text"])
        elif block["type"] == "list":
            parts.append("\n".join(f"- {item}" for item in block["items"]))
        else:
            parts.append(block["text"])
    return "\n\n".join(parts)


def utc(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)


def approving_policy():
    """A moderation policy that approves everything: the file's comments are already
    approved on the WordPress side. Posting still numbers, counts and paths them."""
    from watchworthy.discussion.models import Comment
    from watchworthy.discussion.moderation import Decision, ModerationPolicy

    class ApproveAll(ModerationPolicy):
        def decide(self, **kwargs: Any) -> Decision:
            return Decision(Comment.Status.APPROVED, "loaded from the benchmark content")

    return ApproveAll()


def critic():
    from watchworthy.accounts.models import User

    user, _ = User.objects.get_or_create(
        username=CRITIC, defaults={"display_name": "Bench Critic", "email": "critic@bench.example"}
    )
    return user


def make_review(*, slug: str, title: str, body: str, date: datetime, author, **extra: Any):
    """A published review of its own work (deleted first when it exists)."""
    from watchworthy.catalog.models import Work
    from watchworthy.reviews.models import Review

    Review.objects.filter(slug=slug).delete()
    work, _ = Work.objects.get_or_create(slug=slug, defaults={"title": title})
    return Review.objects.create(
        title=title,
        slug=slug,
        work=work,
        author=author,
        body=body,
        status=Review.Status.PUBLISHED,
        published_at=date,
        **extra,
    )


def post_comments(
    review, comments: Iterable[dict[str, Any]], posted: dict[int, Any] | None = None
) -> int:
    """Post ``comments`` (gen_content.py's shape: id, parent, author, email, url, date,
    content; parents first) under ``review`` through ``comment_post``. ``posted`` maps
    the ids of comments posted earlier to their rows (a thread that grows in steps).
    Returns how many were posted now."""
    from django.db import transaction

    from watchworthy.discussion.services import comment_post

    policy = approving_policy()
    posted = {} if posted is None else posted
    before = len(posted)
    with transaction.atomic():
        for item in comments:
            parent = posted[item["parent"]] if item.get("parent") else None
            posted[item["id"]] = comment_post(
                review=review,
                parent=parent,
                body=item["content"],
                author_name=item["author"],
                author_email=item["email"],
                author_url=item.get("url", ""),
                ip_address="127.0.0.1",
                posted_at=utc(item["date"]) if isinstance(item["date"], str) else item["date"],
                policy=policy,
                send_notifications=False,
            )
    return len(posted) - before


def one_page_threads() -> None:
    """Every comment of a review on its one page, as WordPress with page_comments=0."""
    from watchworthy.core.models import SiteSettings

    site = SiteSettings.current()
    if site.comments_per_page != 0:
        site.comments_per_page = 0
        site.save()


def load(document: dict[str, Any], out: Callable[..., None] = print) -> dict[str, str]:
    """Put the file's posts into the database; returns {key: page path}."""
    from watchworthy.reviews.models import Review, Tag, Verdict

    one_page_threads()
    author = critic()
    pages = {}
    for post in document["posts"]:
        began = time.perf_counter()
        rating = Decimal(str(post.get("rating", 0))) * 2  # out of 5 -> out of 10
        review = make_review(
            slug=post["slug"],
            title=post["title"],
            body=markdown_body(post["blocks"]),
            date=utc(post["date"]),
            author=author,
            excerpt=post.get("excerpt", ""),
            score=rating,
            verdict=Verdict.WATCH if rating >= 7 else Verdict.SKIP,
        )
        for name in post.get("tags", []):
            slug = "-".join(name.lower().split())
            review.tags.add(Tag.objects.get_or_create(slug=slug, defaults={"name": name})[0])
        count = post_comments(review, post["comments"])
        review = Review.objects.get(pk=review.pk)
        assert review.approved_comment_count == count, (review.approved_comment_count, count)
        pages[post["key"]] = review.get_absolute_url()
        out(
            f"loaded {post['slug']}: {count} comments "
            f"in {time.perf_counter() - began:.1f} s -> {pages[post['key']]}"
        )
    return pages


def main() -> None:
    if len(sys.argv) != 2:
        raise SystemExit("usage: python bench/content.py CONTENT.json")
    setup_django()
    document = json.loads(Path(sys.argv[1]).read_text())
    load(document)


if __name__ == "__main__":
    main()
