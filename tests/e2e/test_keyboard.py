"""A reader with only a keyboard: every step below is Tab, Shift+Tab, Enter, Space,
arrow keys or typing (``page.keyboard``), never a mouse click or a scripted focus.
Spoilers, folding a sub-thread, the audience vote, reading progress and a reply.
And the thread without JavaScript: folding and "Jump to newest" are plain HTML."""

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from tests.commenting import HoldEverything
from watchworthy.core.models import SiteSettings
from watchworthy.demo.content import DEMO_PART2_REVIEW_SLUG, load_demo
from watchworthy.discussion.models import Comment
from watchworthy.discussion.services import comment_moderate, comment_post
from watchworthy.reviews.models import Review

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


def tab_to(page, target, *, key: str = "Tab", limit: int = 250) -> None:
    """Press ``key`` until ``target`` has the keyboard focus (as a reader would)."""
    handle = target.element_handle()
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate("el => document.activeElement === el", handle):
            return
    raise AssertionError(f"{key} never reached {target}")


def test_spoilers_sub_threads_vote_and_progress_by_keyboard(live_server, browser):
    load_demo()
    review = Review.objects.get(slug=DEMO_PART2_REVIEW_SLUG)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}{review.get_absolute_url()}")

    # An inline spoiler: reaching it shows nothing; Enter opens it.
    inline = page.locator(".review-body .spoiler-inline").first
    words = inline.locator(".spoiler-text")
    secret = words.evaluate("e => e.textContent").strip()
    tab_to(page, inline.locator("button.spoiler-reveal"))
    expect(words).to_be_hidden()
    assert secret not in page.evaluate("document.body.innerText")
    page.keyboard.press("Enter")
    expect(words).to_be_visible()

    # A block spoiler: Space on its summary.
    block = page.locator(".review-body details.spoiler").first
    tab_to(page, block.locator("summary"))
    expect(block.locator(".spoiler-body")).to_be_hidden()
    page.keyboard.press("Space")
    expect(block.locator(".spoiler-body")).to_be_visible()

    # A sub-thread folds away and comes back.
    fold = page.locator("details.replies").first
    toggle = fold.locator(":scope > summary")
    tab_to(page, toggle)
    expect(toggle).to_have_text(re.compile(r"^Hide \d+ repl"), use_inner_text=True)
    page.keyboard.press("Enter")
    expect(fold.locator(":scope > ol.comment-replies")).to_be_hidden()
    expect(toggle).to_have_text(re.compile(r"^Show \d+ repl"), use_inner_text=True)
    page.keyboard.press("Enter")
    expect(fold.locator(":scope > ol.comment-replies")).to_be_visible()

    # The audience vote, from the top of a fresh page.
    before = review.audience
    page.goto(f"{live_server.url}{review.get_absolute_url()}")
    agree = page.get_by_role("button", name="Agree: Avoid")
    tab_to(page, agree)
    page.keyboard.press("Enter")
    meter = page.locator(".verdict-panel .audience-meter")
    expect(meter).to_contain_text(f"{before['votes'] + 1} votes")
    expect(page.get_by_role("button", name="Agree: Avoid")).to_have_attribute(
        "aria-pressed", "true"
    )

    # Reading progress: open the strip, choose with the arrow keys, save.
    page.goto(f"{live_server.url}{review.get_absolute_url()}")
    tab_to(page, page.locator(".reader-strip > summary"))
    page.keyboard.press("Enter")
    choice = page.get_by_label("How far have you watched")
    tab_to(page, choice)
    page.keyboard.press("End")  # the last choice: the whole work
    chosen = choice.evaluate("s => s.options[s.selectedIndex].text")
    assert chosen.startswith("Finished"), chosen
    tab_to(page, page.get_by_role("button", name="Save"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("finished")
    # Everything the review spoils is now open for this reader.
    expect(
        page.locator(".review-body details.spoiler").first.locator(".spoiler-body")
    ).to_be_visible()
    context.close()


def test_a_reply_by_keyboard(live_server, browser, settings):
    # A person needs a few seconds to type; the browser here needs none.
    settings.WATCHWORTHY_COMMENTS = {**settings.WATCHWORTHY_COMMENTS, "MIN_FILL_SECONDS": 0}
    load_demo()
    review = Review.objects.get(slug=DEMO_PART2_REVIEW_SLUG)
    parent = Comment.objects.get(review=review, author_name="June Park", episode_thread=None)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}{review.get_absolute_url()}")

    tab_to(page, page.locator(f"#comment-{parent.pk} a.reply-link"))
    page.keyboard.press("Enter")
    form = page.locator(f"#comment-{parent.pk} #respond")  # opened under the comment
    expect(form.get_by_role("heading")).to_have_text("Reply to June Park")
    expect(form.get_by_label("Comment", exact=True)).to_be_focused()
    page.keyboard.type("Episode four is where it turns, though.")
    tab_to(page, form.get_by_label("Name", exact=True), key="Shift+Tab")
    page.keyboard.type("Noor")
    page.keyboard.press("Tab")
    expect(form.get_by_label("E-mail", exact=True)).to_be_focused()
    page.keyboard.type("noor@example.org")
    tab_to(page, form.get_by_role("button", name="Post comment"))
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"#comment-\d+$"))
    reply = Comment.objects.get(parent=parent)
    assert reply.body == "Episode four is where it turns, though."
    assert reply.author_name == "Noor"
    held = page.locator(f"#comment-{reply.pk}")
    expect(held).to_contain_text("awaiting moderation")
    context.close()


def test_without_javascript_sub_threads_fold_and_jump_to_newest_pages(live_server, browser):
    load_demo()
    review = Review.objects.get(slug=DEMO_PART2_REVIEW_SLUG)
    SiteSettings.objects.update_or_create(pk=1, defaults={"comments_per_page": 3})
    cache.clear()
    for n in range(4):  # more threads: the discussion now runs to three pages
        newest = comment_post(
            review=review,
            body=f"Late thought number {n}.",
            author_name=f"Reader {n}",
            author_email=f"late{n}@example.org",
            send_notifications=False,
            policy=HoldEverything(),
        )
        comment_moderate(comments=[newest], status=Comment.Status.APPROVED)
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}{review.get_absolute_url()}")

    fold = page.locator("details.replies").first
    fold.locator(":scope > summary").press("Enter")
    expect(fold.locator(":scope > ol.comment-replies")).to_be_hidden()
    fold.locator(":scope > summary").press("Enter")
    expect(fold.locator(":scope > ol.comment-replies")).to_be_visible()

    jump = page.get_by_role("link", name="Jump to newest")
    jump.press("Enter")
    page.wait_for_url(re.compile(rf"\?page=\d+#comment-{newest.pk}$"))
    expect(page.locator(f"#comment-{newest.pk}")).to_contain_text("Late thought number 3.")
    expect(page.locator(f"#comment-{newest.pk}")).to_be_in_viewport()
    context.close()
