"""A closed spoiler cannot be read by hovering, tabbing, selecting or with a screen
reader; only a deliberate click, Enter or Space reveals it — with or without JavaScript."""

import pytest
from playwright.sync_api import expect

from tests.commenting import HoldEverything
from tests.factories import UserFactory
from watchworthy.demo.content import DEMO_PART2_REVIEW_SLUG, load_demo
from watchworthy.discussion.services import comment_post
from watchworthy.reviews.models import Review

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "the levee breaks"


@pytest.fixture
def review_with_inline_spoiler():
    load_demo()
    review = Review.objects.get(slug=DEMO_PART2_REVIEW_SLUG)
    review.body = f"A first line with a secret: ||Part 2 ep 9: {SECRET}||. Then more.\n\n" + (
        review.body
    )
    review.save()
    return review


def _exposed(page) -> tuple[bool, bool, str]:
    """Is SECRET in the accessibility tree, in innerText, or visibly rendered?"""
    tree = page.locator("body").aria_snapshot()
    text = page.evaluate("document.body.innerText")
    return SECRET in tree, SECRET in text, tree


def test_hover_and_focus_show_nothing_and_the_tree_holds_only_the_label(
    live_server, page, review_with_inline_spoiler
):
    page.goto(f"{live_server.url}/reviews/{DEMO_PART2_REVIEW_SLUG}/")
    button = page.get_by_role("button", name="Spoiler: Part 2, ep 9, activate to reveal")
    expect(button).to_be_visible()
    words = page.locator(".review-body .spoiler-text").first
    expect(words).to_be_hidden()

    button.hover()
    in_tree, in_text, _ = _exposed(page)
    assert not in_tree and not in_text
    expect(words).to_be_hidden()

    button.focus()
    in_tree, in_text, tree = _exposed(page)
    assert not in_tree and not in_text
    assert "Spoiler: Part 2, ep 9" in tree
    expect(words).to_be_hidden()

    # Selecting the whole page does not select the words.
    page.keyboard.press("Control+A")
    assert SECRET not in page.evaluate("String(window.getSelection())")

    # Enter reveals it, in place, and keeps the reader's place (focus on the words).
    page.keyboard.press("Enter")
    expect(words).to_be_visible()
    expect(words).to_be_focused()
    assert SECRET in page.evaluate("document.body.innerText")
    assert page.url.endswith(f"/reviews/{DEMO_PART2_REVIEW_SLUG}/")  # no reload


def test_space_reveals_and_tab_does_not(live_server, page, review_with_inline_spoiler):
    page.goto(f"{live_server.url}/reviews/{DEMO_PART2_REVIEW_SLUG}/")
    button = page.get_by_role("button", name="Spoiler: Part 2, ep 9, activate to reveal")
    button.focus()
    page.keyboard.press("Tab")  # moving on leaves it closed
    assert SECRET not in page.evaluate("document.body.innerText")
    button.focus()
    page.keyboard.press("Space")
    expect(page.locator(".review-body .spoiler-text").first).to_have_text(SECRET)


def test_without_javascript_the_button_opens_it_for_that_reader(
    live_server, browser, review_with_inline_spoiler
):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 812})
    page = context.new_page()
    page.goto(f"{live_server.url}/reviews/{DEMO_PART2_REVIEW_SLUG}/")
    assert SECRET not in page.evaluate("document.body.innerText")
    page.get_by_role("button", name="Spoiler: Part 2, ep 9, activate to reveal").click()
    page.wait_for_url("**reveal=sp-*")
    assert SECRET in page.locator(".review-body").inner_text()
    # Only that one: the demo's other inline spoilers stay closed.
    assert page.locator(".review-body button.spoiler-reveal").count() >= 1
    context.close()


def test_block_spoilers_stay_out_of_the_tree_until_opened(live_server, page):
    load_demo()
    page.goto(f"{live_server.url}/reviews/{DEMO_PART2_REVIEW_SLUG}/")
    # The screen reader's view of the whole page (Playwright's accessibility tree): no
    # closed spoiler's words, inline, block or a folded comment; only their labels.
    # (Folded character cards are left out: the names are in the critic's text too.)
    closed = page.evaluate(
        """() => [
            ...document.querySelectorAll('.spoiler-inline:not(.spoiler-open) .spoiler-text'),
            ...document.querySelectorAll(
                'details.spoiler:not(.character-spoiler):not([open]) > :not(summary)'),
        ].map(e => e.textContent.trim()).filter(Boolean)"""
    )
    assert len(closed) >= 3, closed  # the demo's inline, block and comment spoilers
    tree = page.locator("body").aria_snapshot()
    assert "activate to reveal" in tree
    for words in closed:
        assert words[:30] not in tree, words

    spoiler = page.locator(".review-body details.spoiler").first
    hidden_text = spoiler.locator(".spoiler-body").evaluate("e => e.textContent").strip()
    assert hidden_text
    spoiler.locator("summary").hover()
    spoiler.locator("summary").focus()
    assert hidden_text[:30] not in page.locator("body").aria_snapshot()
    assert hidden_text[:30] not in page.evaluate("document.body.innerText")
    spoiler.locator("summary").press("Enter")
    expect(spoiler.locator(".spoiler-body")).to_be_visible()
    assert hidden_text[:30] in page.locator("body").aria_snapshot()  # opened: read out


def test_staff_read_queued_spoilers_as_labelled_text(live_server, browser):
    load_demo()
    staff = UserFactory(username="editor", is_staff=True)
    staff.set_password("a long enough password")
    staff.save()
    comment_post(
        review=Review.objects.get(slug=DEMO_PART2_REVIEW_SLUG),
        body=f"Oh no: ||Part 2 ep 9: {SECRET}||!",
        author_name="Noor",
        author_email="noor@example.org",
        policy=HoldEverything(),
        send_notifications=False,
    )
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/moderation/")
    item = page.locator(".queue-item").filter(has_text="Noor")
    expect(item.locator(".spoiler-label")).to_be_visible()
    expect(item.locator(".spoiler-label")).to_contain_text("Part 2, ep 9")
    expect(item.locator(".spoiler-text")).to_have_text(SECRET)
    expect(item.locator(".spoiler-text")).to_be_visible()
    item.get_by_role("button", name="Approve the comment by Noor").click()
    expect(page.get_by_role("status")).to_contain_text("1 comment marked approved")
    context.close()
