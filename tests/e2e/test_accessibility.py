"""axe-core on every kind of page a reader or an editor meets: zero violations of its
default rules (WCAG 2.0/2.1 A and AA and best practices), at a phone's width and a
desktop's, in light and dark."""

import pytest

from tests.commenting import HoldEverything
from tests.factories import UserFactory
from watchworthy.catalog.models import Work
from watchworthy.demo.content import DEMO_PART2_REVIEW_SLUG, load_demo
from watchworthy.discussion.services import comment_post
from watchworthy.reviews.models import Review

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}
PASSWORD = "a long enough password"


def _sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def _set_progress(page, label: str) -> None:
    page.locator(".reader-strip > summary").click()
    page.get_by_label("How far have you watched").select_option(label=label)
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_no_accessibility_violations_on_any_page(live_server, browser, axe, viewport, scheme):
    load_demo()
    staff = UserFactory(username="editor", is_staff=True)
    staff.set_password(PASSWORD)
    staff.save()
    comment_post(  # something waiting in the moderation queue, with a spoiler in it
        review=Review.objects.get(slug=DEMO_PART2_REVIEW_SLUG),
        body="The ending! ||Part 2 ep 9: the levee breaks|| and I cried.",
        author_name="Noor",
        author_email="noor@example.org",
        policy=HoldEverything(),
        send_notifications=False,
    )
    base = live_server.url
    review = f"{base}/reviews/{DEMO_PART2_REVIEW_SLUG}/"
    work = Work.objects.get(reviews__slug=DEMO_PART2_REVIEW_SLUG)
    found: dict[str, list[str]] = {}

    guest = browser.new_context(viewport=viewport, color_scheme=scheme)
    page = guest.new_page()
    guest_pages = {
        "home": f"{base}/",
        "review (guest)": review,
        "review list": f"{base}/reviews/",
        "works index": f"{base}/works/",
        "work": f"{base}{work.get_absolute_url()}",
        "about": f"{base}/about/",
        "404": f"{base}/no-such-page/",
        "sign-in": f"{base}/accounts/login/",
        "sign-up": f"{base}/accounts/signup/",
    }
    for name, url in guest_pages.items():
        page.goto(url)
        found[name] = axe(page)
    page.goto(review)
    _set_progress(page, "Part 2, episode 3")
    found["review (with progress)"] = axe(page)
    guest.close()

    signed_in = browser.new_context(viewport=viewport, color_scheme=scheme)
    page = signed_in.new_page()
    _sign_in(page, base, "editor")
    page.goto(review)
    found["review (signed in)"] = axe(page)
    page.goto(f"{base}/moderation/")
    found["moderation queue"] = axe(page)
    signed_in.close()

    failures = {name: lines for name, lines in found.items() if lines}
    summary = {name: len(lines) for name, lines in found.items()}
    assert not failures, f"violations per page {summary}:\n" + "\n".join(
        f"[{name}] {line}" for name, lines in failures.items() for line in lines
    )
