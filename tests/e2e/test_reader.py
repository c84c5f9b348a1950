"""What a reader sees of the demo's Part 2 review, in a real browser."""

import pytest
from playwright.sync_api import expect

from watchworthy.core.models import SupportLink
from watchworthy.demo.content import DEMO_PART1_REVIEW_SLUG, DEMO_PART2_REVIEW_SLUG, load_demo
from watchworthy.reviews.models import Review

pytestmark = pytest.mark.django_db(transaction=True)


def test_reader_sees_verdict_figure_citation_card_and_support_buttons(live_server, page):
    load_demo()
    part1 = Review.objects.get(slug=DEMO_PART1_REVIEW_SLUG)

    page.goto(f"{live_server.url}/reviews/{DEMO_PART2_REVIEW_SLUG}/")

    expect(page.locator(".review-subject")).to_contain_text("Part 2")
    verdict = page.get_by_role("region", name="Verdict", exact=True)
    expect(verdict).to_contain_text("Avoid")
    expect(verdict).to_contain_text("/10")

    figure = page.locator(".review-body figure.figure").first
    expect(figure.locator("figcaption")).to_be_visible()
    image = figure.locator("img")
    image.scroll_into_view_if_needed()
    assert image.get_attribute("alt")
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )

    card = page.locator(".citation-card")
    expect(card).to_contain_text(part1.title)
    expect(card.locator(".verdict")).to_have_text("Watch")

    for link in SupportLink.objects.filter(is_active=True):
        expect(page.get_by_role("link", name=link.label)).to_be_visible()

    spoiler = page.locator(".review-body details.spoiler")
    expect(spoiler.locator(".spoiler-body")).to_be_hidden()
    spoiler.locator("summary").click()
    expect(spoiler.locator(".spoiler-body")).to_be_visible()

    card.get_by_role("link", name=part1.title).click()
    expect(page).to_have_url(f"{live_server.url}{part1.get_absolute_url()}")
    expect(page.get_by_role("region", name="Verdict", exact=True)).to_contain_text("Watch")


def test_keyboard_reader_can_skip_to_the_content(live_server, page):
    load_demo()
    page.goto(f"{live_server.url}/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/#main")
