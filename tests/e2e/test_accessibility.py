"""axe-core on every kind of page a reader or an editor meets: zero violations of its
default rules (WCAG 2.0/2.1/2.2 A and AA and best practices), at a phone's width
(390 x 844) and a desktop's (1280 x 800), in light and dark.

One browser, one guest page and one editor's page: each address is loaded once and
checked in the four combinations (the colour scheme and the viewport change in place,
as a reader turning the phone or the system's dark mode would)."""

import pytest

from tests.commenting import HoldEverything
from tests.e2e.browsing import PASSWORD, axe_in_every_view, set_progress, sign_in
from tests.factories import UserFactory
from watchworthy.catalog.models import Work
from watchworthy.demo.content import DEMO_PART2_REVIEW_SLUG, load_demo
from watchworthy.discussion.services import comment_post
from watchworthy.reviews.models import Review, Tag

pytestmark = pytest.mark.django_db(transaction=True)


def test_no_accessibility_violations_on_any_page(live_server, browser, axe, settings):
    settings.ROOT_URLCONF = "tests.error_urls"  # the site, and one address that fails
    load_demo()
    staff = UserFactory(username="editor", is_staff=True)
    staff.set_password(PASSWORD)
    staff.save()
    review = Review.objects.get(slug=DEMO_PART2_REVIEW_SLUG)
    comment_post(  # something waiting in the moderation queue, with a spoiler in it
        review=review,
        body="The ending! ||Part 2 ep 9: the levee breaks|| and I cried.",
        author_name="Noor",
        author_email="noor@example.org",
        policy=HoldEverything(),
        send_notifications=False,
    )
    base = live_server.url
    review_url = f"{base}{review.get_absolute_url()}"
    work = Work.objects.get(reviews__slug=DEMO_PART2_REVIEW_SLUG)
    tag = Tag.objects.filter(reviews=review).first()
    assert tag is not None, "the demo review has tags"
    found: dict[str, list[str]] = {}

    def check(page, name: str) -> None:
        axe_in_every_view(page, axe, name, found, end="desktop")

    guest = browser.new_context()
    page = guest.new_page()
    guest_pages = {
        "home": f"{base}/",
        "review (guest)": review_url,
        "review list": f"{base}/reviews/",
        "list, filtered, bad genre": f"{base}/reviews/?verdict=watch&genre=none&sort=score",
        "genres and platforms": f"{base}/browse/",
        "genre": f"{base}/genres/drama/",
        "watch list": f"{base}/watch/",
        "avoid list": f"{base}/avoid/",
        "works index": f"{base}/works/",
        "work": f"{base}{work.get_absolute_url()}",
        "tag": f"{base}{tag.get_absolute_url()}",
        "author": f"{base}{review.author.get_absolute_url()}",
        "about": f"{base}/about/",
        "sign-in": f"{base}/accounts/login/",
        "sign-up": f"{base}/accounts/signup/",
        "404": f"{base}/no-such-page/",
        "500": f"{base}/test-failure/",
        "search results": f"{base}/search/?q=ferry",
        "search, filters open, a bad year": f"{base}/search/?q=ferry&year=soon",
    }
    for name, url in guest_pages.items():
        response = page.goto(url)
        expected = {"404": 404, "500": 500}.get(name, 200)
        assert response is not None and response.status == expected, (name, response)
        check(page, name)

    # The comment form sent empty: the form again, with what is wrong.
    page.goto(review_url)
    page.locator("#respond").get_by_role("button", name="Post comment").click()
    page.wait_for_load_state()
    assert page.locator("#respond .errorlist").count() >= 2
    check(page, "comment form with errors")

    page.goto(review_url)
    set_progress(page, "Part 2, episode 3")
    check(page, "review (with progress)")
    guest.close()

    editor = browser.new_context()
    page = editor.new_page()
    sign_in(page, base, "editor")
    page.goto(review_url)
    check(page, "review (signed in)")
    page.goto(f"{base}/moderation/")
    check(page, "moderation queue")
    editor.close()

    failures = {name: lines for name, lines in found.items() if lines}
    print(f"axe-core: {len(found)} page views checked, {len(failures)} with violations")
    assert len(found) == (len(guest_pages) + 4) * 4
    assert not failures, f"{len(failures)} page views with violations:\n" + "\n".join(
        f"[{name}] {line}" for name, lines in failures.items() for line in lines
    )
