"""The spoiler shield and the audience verdict on the demo review, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from watchworthy.demo.content import DEMO_PART2_REVIEW_SLUG, load_demo
from watchworthy.reviews.models import Review

pytestmark = pytest.mark.django_db(transaction=True)


def test_progress_opens_the_spoilers_a_reader_has_reached(live_server, page):
    load_demo()
    page.goto(f"{live_server.url}/reviews/{DEMO_PART2_REVIEW_SLUG}/")
    body_spoiler = page.locator(".review-body details.spoiler").first
    inline = page.locator(".review-body .spoiler-inline").first

    # Mid-way through Part 1: the Part 2 spoilers are closed and say what they spoil.
    # (The progress control sits in the closed reader strip above the body.)
    page.locator(".reader-strip > summary").click()
    page.get_by_label("How far have you watched").select_option(label="Part 1, episode 13")
    page.get_by_role("button", name="Save").click()
    # Episode 13 is Part 1's last: the reader has finished Part 1.
    expect(page.get_by_role("status")).to_contain_text("finished Part 1")
    expect(body_spoiler.locator("summary")).to_have_text(re.compile(r"Spoils Part 2, ep 7"))
    expect(body_spoiler).not_to_have_attribute("open", "")
    expect(body_spoiler.locator(".spoiler-body")).to_be_hidden()
    expect(inline).not_to_have_class(re.compile("spoiler-open"))
    kaz = page.locator("details.comment-spoiler").first  # then Noor's, from the fediverse
    expect(kaz.locator("summary").first).to_contain_text("Spoils Part 2, ep 3")
    expect(kaz.locator(".comment-body")).to_be_hidden()

    # Finished Part 2: everything it spoils is open, without a click.
    page.locator(".reader-strip > summary").click()
    page.get_by_label("How far have you watched").select_option(label="Finished Part 2")
    page.get_by_role("button", name="Save").click()
    expect(body_spoiler.locator(".spoiler-body")).to_be_visible()
    expect(inline).to_have_class(re.compile("spoiler-open"))
    expect(page.locator("details.comment-spoiler")).to_have_count(0)
    expect(page.locator(".comment-spoils").first).to_contain_text("Spoils Part 2, ep 3")


def test_a_guest_agreeing_moves_the_meter(live_server, page):
    load_demo()
    review = Review.objects.get(slug=DEMO_PART2_REVIEW_SLUG)
    before = review.audience
    page.goto(f"{live_server.url}/reviews/{DEMO_PART2_REVIEW_SLUG}/")
    meter = page.locator(".verdict-panel .audience-meter")
    expect(meter).to_contain_text(
        f"Readers agree {before['agree_percent']}% · {before['votes']} votes"
    )

    page.get_by_role("button", name="Agree: Avoid").click()

    votes = before["votes"] + 1
    percent = round(100 * (review.audience_agree + 1) / votes)
    expect(meter).to_contain_text(f"Readers agree {percent}% · {votes} votes")
    expect(page.get_by_role("button", name="Agree: Avoid")).to_have_attribute(
        "aria-pressed", "true"
    )

    # Changing one's mind moves the same vote, it does not add one.
    page.get_by_role("button", name="Disagree").click()
    percent = round(100 * review.audience_agree / votes)
    expect(meter).to_contain_text(f"Readers agree {percent}% · {votes} votes")
