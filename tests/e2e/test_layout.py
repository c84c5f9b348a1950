"""The review first: what a phone shows before any scrolling, and a header that stays
one row on a phone and a desktop."""

import pytest

from watchworthy.demo.content import DEMO_PART2_REVIEW_SLUG, load_demo

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}
ONE_ROW = 72  # px: the site name's line plus the header's padding, with room to spare


def _first_sentence_box(page):
    return page.evaluate(
        """() => {
            const p = document.querySelector('.review-body > p');
            const range = document.createRange();
            range.setStart(p.firstChild, 0);
            range.setEnd(p.firstChild, Math.min(20, p.firstChild.length));
            const box = range.getBoundingClientRect();
            return {top: box.top + window.scrollY, bottom: box.bottom + window.scrollY};
        }"""
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_on_a_phone_the_review_starts_above_the_fold(live_server, browser, scheme):
    load_demo()
    context = browser.new_context(viewport=PHONE, color_scheme=scheme)
    page = context.new_page()
    page.goto(f"{live_server.url}/reviews/{DEMO_PART2_REVIEW_SLUG}/")
    box = _first_sentence_box(page)
    print(f"first sentence at y={box['top']:.0f} to {box['bottom']:.0f} of {PHONE['height']}")
    assert box["bottom"] < PHONE["height"], box
    # …and the verdict and the cover come before it, on the same first screen.
    verdict = page.get_by_role("region", name="Verdict", exact=True).bounding_box()
    assert verdict is not None and verdict["y"] + verdict["height"] <= box["top"]
    context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("path", ["/", f"/reviews/{DEMO_PART2_REVIEW_SLUG}/", "/about/"])
def test_the_header_is_one_row(live_server, browser, viewport, path):
    load_demo()
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(f"{live_server.url}{path}")
    height = page.locator(".site-header").bounding_box()["height"]
    width = page.evaluate("document.documentElement.scrollWidth")
    print(f"header {height:.0f} px tall at {viewport['width']} px")
    assert height <= ONE_ROW, height
    assert width <= viewport["width"], "the page scrolls sideways"
    context.close()
