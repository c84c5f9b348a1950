"""The review first: what a phone shows before any scrolling, and a header that stays
one row on a phone and a desktop."""

import pytest

from watchworthy.demo.content import DEMO_PART2_REVIEW_SLUG, load_demo

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 375, "height": 812}
PHONE_390 = {"width": 390, "height": 844}  # the phone
DESKTOP = {"width": 1280, "height": 800}
ONE_ROW = 72  # px: the site name's line plus the header's padding, with room to spare


def _first_paragraph_box(page):
    """Where the review's first paragraph sits on the page (not the viewport)."""
    return page.evaluate(
        """() => {
            const box = document.querySelector('.review-body > p').getBoundingClientRect();
            return {top: box.top + window.scrollY, bottom: box.bottom + window.scrollY};
        }"""
    )


def test_on_a_phone_the_review_starts_above_the_fold(live_server, browser):
    """The title, cover, verdict and the whole first paragraph on the first screen of a
    390 x 844 phone (and of a smaller 375 x 812 one), light and dark."""
    load_demo()
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/reviews/{DEMO_PART2_REVIEW_SLUG}/")
    for viewport in (PHONE_390, PHONE):
        page.set_viewport_size(viewport)
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            box = _first_paragraph_box(page)
            height = viewport["height"]
            print(f"{viewport['width']}x{height} {scheme}: first paragraph at y={box['top']:.0f}"
                  f" to {box['bottom']:.0f}")  # fmt: skip
            assert box["bottom"] <= height, (viewport, scheme, box)
            # ...and the title, the cover and the verdict come before it.
            for above in (
                page.locator("main h1").first,
                page.locator(".review-cover"),
                page.get_by_role("region", name="Verdict", exact=True),
            ):
                shape = above.bounding_box()
                assert shape is not None and shape["y"] + shape["height"] <= box["top"], above
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
