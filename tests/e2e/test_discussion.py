"""A guest and the critic discussing the demo review, in a real browser."""

import pytest
from playwright.sync_api import expect

from tests.factories import UserFactory
from watchworthy.demo.content import DEMO_PART2_REVIEW_SLUG, load_demo
from watchworthy.discussion.models import Comment

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def quick_forms(settings):
    # A person needs a few seconds to type; the browser here needs none.
    settings.WATCHWORTHY_COMMENTS = {**settings.WATCHWORTHY_COMMENTS, "MIN_FILL_SECONDS": 0}


def test_guest_comment_is_held_approved_by_staff_then_the_reply_nests(
    live_server, browser, page, quick_forms
):
    load_demo()
    staff = UserFactory(username="editor", is_staff=True)
    staff.set_password("a long enough password")
    staff.save()
    review_url = f"{live_server.url}/reviews/{DEMO_PART2_REVIEW_SLUG}/"

    # A guest writes a first comment: it is held, and only they see it, marked so.
    page.goto(review_url)
    form = page.locator("#respond")
    form.get_by_label("Name", exact=True).fill("Noor")
    form.get_by_label("E-mail", exact=True).fill("noor@example.org")
    form.get_by_label("Comment", exact=True).fill("The storm was worth *every* minute.")
    form.get_by_role("button", name="Post comment").click()
    held = page.locator("li.comment-held")
    expect(held).to_contain_text("awaiting moderation")
    expect(held).to_contain_text("The storm was worth every minute.")
    comment = Comment.objects.get(author_email="noor@example.org")
    assert comment.status == Comment.Status.PENDING

    # The critic's editor signs in, sees the pending count and approves it.
    staff_context = browser.new_context()
    staff_page = staff_context.new_page()
    staff_page.goto(f"{live_server.url}/accounts/login/")
    staff_page.get_by_label("Username").fill("editor")
    staff_page.get_by_label("Password").fill("a long enough password")
    staff_page.get_by_role("button", name="Sign in").click()
    moderation = staff_page.get_by_role("link", name="Moderation")
    expect(moderation).to_contain_text("1")
    moderation.click()
    # One button per comment: no tick-box needed.
    staff_page.get_by_role("button", name="Approve the comment by Noor").click()
    expect(staff_page.get_by_role("status")).to_contain_text("1 comment marked approved")
    staff_context.close()

    # Back as the guest: the comment is public and numbered; the reply opens inline.
    page.goto(review_url)
    approved = page.locator(f"#comment-{comment.pk}")
    expect(approved.locator(".comment-number")).to_have_text("#6")  # after the demo's five
    expect(approved).not_to_have_class("comment-held")
    approved.get_by_role("link", name="Reply").first.click()
    inline_form = approved.locator("#respond")
    expect(inline_form).to_be_visible()
    expect(inline_form.get_by_role("heading")).to_have_text("Reply to Noor")
    expect(inline_form.get_by_label("Name", exact=True)).to_have_value("Noor")  # remembered
    inline_form.get_by_label("Comment", exact=True).fill("Replying to myself, on second thought.")
    inline_form.get_by_role("button", name="Post comment").click()

    reply = Comment.objects.get(parent=comment)
    assert reply.status == Comment.Status.APPROVED  # known commenter now
    expect(page).to_have_url(f"{review_url}#comment-{reply.pk}")
    nested = page.locator(
        f"#comment-{comment.pk} > details > ol.comment-replies > #comment-{reply.pk}"
    )
    expect(nested).to_contain_text("Replying to myself, on second thought.")
