"""Threads that read well: the review author's comments stand out, every sub-thread
folds away without JavaScript, and a long discussion offers "Jump to newest", which
lands on whichever comment page shows the newest comment."""

import pytest
from django.core.cache import cache
from django.test import Client

from tests import dom
from tests.factories import UserFactory
from watchworthy.core.models import SiteSettings
from watchworthy.discussion.header import BADGE_SLOT
from watchworthy.discussion.models import Comment

pytestmark = pytest.mark.django_db


def page(review, query: str = ""):
    return dom.page(Client().get(f"{review.get_absolute_url()}{query}"))


def test_the_review_authors_comments_carry_a_badge_and_their_own_look(review, make_comment, critic):
    top = make_comment(review, "A question for the critic.")
    answer = make_comment(review, "The critic answers.", parent=top, user=critic)
    staff = UserFactory(username="mod", is_staff=True)
    moderator = make_comment(review, "A moderator's note.", user=staff)

    root = page(review)
    answer_li = root.by_id(answer.anchor)
    assert "comment-by-author" in answer_li.classes
    assert answer_li.find("span", cls="badge").text == "Author"
    # Nobody else's: not the reader's, not staff's (who get a "Staff" badge only).
    assert "comment-by-author" not in root.by_id(top.anchor).classes
    staff_li = root.by_id(moderator.anchor)
    assert "comment-by-author" not in staff_li.classes
    assert staff_li.find("span", cls="badge").text == "Staff"

    # The mark is not part of the stored header: it follows the review's author now,
    # without `manage.py render_comments`.
    assert BADGE_SLOT in Comment.objects.get(pk=answer.pk).header_html
    review.author = UserFactory(username="someone-else")
    review.save()
    cache.clear()
    answer_li = page(review).by_id(answer.anchor)
    assert "comment-by-author" not in answer_li.classes
    assert answer_li.find("span", cls="badge") is None


def test_each_sub_thread_folds_under_a_summary_that_counts_its_replies(review, make_comment):
    top = make_comment(review, "Top.", name="Ann")
    reply = make_comment(review, "Reply.", parent=top)
    make_comment(review, "Reply to the reply.", parent=reply)
    make_comment(review, "Second reply.", parent=top)
    single = make_comment(review, "A thread with no replies.")

    root = page(review)
    (fold,) = root.by_id(top.anchor).direct("details", cls="replies")
    assert "open" in fold.attrs  # shown unless the reader folds it
    summary = fold.direct("summary")[0]
    assert summary.find("span", cls="replies-when-open").text == "Hide"
    assert summary.find("span", cls="replies-when-closed").text == "Show"
    assert summary.text == "HideShow 3 replies to Ann"  # CSS shows one of the two verbs
    assert [li.attrs["id"] for li in fold.direct("ol")[0].direct("li")] == [
        reply.anchor,
        f"comment-{reply.pk + 2}",
    ]
    (inner,) = root.by_id(reply.anchor).direct("details", cls="replies")
    assert "1 reply to" in inner.direct("summary")[0].text
    assert root.by_id(single.anchor).direct("details") == []


@pytest.fixture
def five_per_page(db):
    SiteSettings.objects.update_or_create(pk=1, defaults={"comments_per_page": 5})
    cache.clear()


def newest_link(root):
    tools = root.find("p", cls="discussion-tools")
    return tools.find("a", cls="jump-newest")


def test_jump_to_newest_lands_on_the_page_that_shows_it(review, make_comment, five_per_page):
    short = make_comment(review, "Thread 0.")
    assert newest_link(page(review)) is None  # one comment: nothing to jump over
    threads = [short] + [make_comment(review, f"Thread {n}.") for n in range(1, 12)]
    link = newest_link(page(review))
    assert link.text == "Jump to newest"
    assert link.attrs["href"] == f"{review.get_absolute_url()}comments/newest/"

    # Oldest first, the newest thread is on page 3 of 3.
    response = Client().get(link.attrs["href"])
    assert response.status_code == 302
    assert response["Location"] == f"{review.get_absolute_url()}?page=3#{threads[-1].anchor}"

    # A reply to the first thread is newer still: it is on page 1.
    late = make_comment(review, "A late reply.", parent=threads[0])
    response = Client().get(link.attrs["href"])
    assert response["Location"] == f"{review.get_absolute_url()}#{late.anchor}"
    landed = page(review)
    assert landed.by_id(late.anchor) is not None

    # In the reader's own order: newest threads first put the first thread on page 3.
    newest_first = page(review, "?order=newest")
    href = newest_link(newest_first).attrs["href"]
    assert href.endswith("comments/newest/?order=newest")
    response = Client().get(href)
    assert response["Location"] == (
        f"{review.get_absolute_url()}?order=newest&page=3#{late.anchor}"
    )
    assert page(review, "?order=newest&page=3").by_id(late.anchor) is not None


def test_jump_to_newest_without_comments_or_review(review, client):
    response = client.get(f"{review.get_absolute_url()}comments/newest/")
    assert response.status_code == 302
    assert response["Location"] == f"{review.get_absolute_url()}#comments"
    assert client.get("/reviews/no-such-review/comments/newest/").status_code == 404
    assert client.post(f"{review.get_absolute_url()}comments/newest/").status_code == 405
