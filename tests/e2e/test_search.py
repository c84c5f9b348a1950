"""A reader types in the header's search box and opens a result, on a desktop (the box
is in the header row) and on a phone (it is in the menu)."""

import pytest

from watchworthy.demo.content import DEMO_PART2_REVIEW_SLUG, load_demo
from watchworthy.reviews.models import Review

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])
def test_search_from_the_header_and_open_a_result(live_server, browser, width):
    load_demo()  # saved through the models: the index follows as on a live site
    review = Review.objects.get(slug=DEMO_PART2_REVIEW_SLUG)
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(f"{live_server.url}/about/")
    if width < 800:
        page.get_by_text("Menu", exact=True).click()
    box = page.get_by_role("searchbox", name="Search reviews, works and characters")
    box.fill("tide goe")  # the start of words
    box.press("Enter")
    page.wait_for_url("**/search/?q=tide+goe")
    assert page.get_by_role("heading", name="Search", exact=True).is_visible()
    result = page.locator(".search-hit-title a").first
    assert "tide" in result.inner_text().lower()
    assert result.locator("mark").count() >= 2
    result.click()
    page.wait_for_url(f"**{review.get_absolute_url()}")
    assert page.locator("h1").first.inner_text() == review.title
    context.close()
