"""A guest in the demo's Part 2 review's episode threads, in a real browser: at "Part 2,
episode 3" the threads of episodes 1-3 open and the later ones are folded, labels and
counts only; a reply in the ep 3 thread stays in that thread; the ep 7 thread is a gate
until the guest says they have finished Part 2. axe-core on each of those pages, light
and dark, phone and desktop."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browsing import (
    PASSWORD,
    VIEWPORTS,
    axe_in_every_view,
    set_progress,
    sign_in,
)
from tests.factories import UserFactory
from watchworthy.demo.content import DEMO_PART2_REVIEW_SLUG, load_demo
from watchworthy.discussion.models import Comment
from watchworthy.reviews.models import Review

pytestmark = pytest.mark.django_db(transaction=True)

# The words of the demo's comments in the threads of episodes the guest has not reached.
LATER_WORDS = {
    4: "The vote scene goes on for most of the episode.",
    5: "levee sketches are there from this episode on",
    7: "So Mio was alive all along.",
    9: "the finale earned its levee",
}
LATER_COUNTS = {4: 1, 5: 1, 6: 0, 7: 2, 8: 0, 9: 1}  # approved comments per thread
EP3_WORDS = (
    "I went back to the handshake twice.",
    "That handshake is the one moment the council story felt alive to me.",
    "name already on the council roll in Part 1, or is that new?",
)
# The page's HTML without the words of the spoilers that are closed for this reader.
WITHOUT_CLOSED_SPOILERS = """() => {
    const copy = document.documentElement.cloneNode(true);
    copy.querySelectorAll("details.spoiler:not([open]) > :not(summary)")
        .forEach(e => e.remove());
    return copy.outerHTML;
}"""
REPLY = "New to me too: I paused on the roll and could not find him."


def test_a_guest_reads_and_replies_in_the_threads_they_have_reached(
    live_server, browser, axe, settings
):
    # A person needs a few seconds to type; the browser here needs none.
    settings.WATCHWORTHY_COMMENTS = {**settings.WATCHWORTHY_COMMENTS, "MIN_FILL_SECONDS": 0}
    load_demo()
    staff = UserFactory(username="editor", is_staff=True)
    staff.set_password(PASSWORD)
    staff.save()
    review = Review.objects.get(slug=DEMO_PART2_REVIEW_SLUG)
    review_url = f"{live_server.url}{review.get_absolute_url()}"
    thread_url = f"{review_url}ep/{{}}/"
    kaz = Comment.objects.get(review=review, author_name="Kaz", episode_thread__episode=3)
    violations: dict[str, list[str]] = {}

    def check(page, name: str) -> None:
        axe_in_every_view(page, axe, name, violations, end="phone")

    context = browser.new_context(viewport=VIEWPORTS["phone"])
    page = context.new_page()

    # 1. At Part 2, episode 3: eps 1-3 are links, eps 4-9 folded with their counts only.
    page.goto(review_url)
    set_progress(page, "Part 2, episode 3")
    expect(page.get_by_label("How far have you watched")).to_have_value("2:3")
    index = page.locator("#episodes")
    expect(index.get_by_role("heading")).to_have_text("Episode by episode")
    expect(index).to_contain_text("(you: Part 2, episode 3)")
    reached = index.locator(":scope > ul.episode-list > li")
    expect(reached).to_have_count(3)
    for number, count in ((1, "2 comments"), (2, "0 comments"), (3, "3 comments")):
        line = reached.nth(number - 1)
        expect(line.get_by_role("link")).to_have_text(f"Part 2, ep {number}")
        expect(line.get_by_role("link")).to_have_attribute(
            "href", f"{review.get_absolute_url()}ep/{number}/"
        )
        expect(line).to_contain_text(count)
    later = index.locator("details.episode-later")
    expect(later).not_to_have_attribute("open", "")
    expect(later.locator("summary")).to_have_text("6 episodes you have not reached · 5 comments")
    expect(later.locator("li")).to_have_text(
        [re.compile(rf"^Part 2, ep {n} · {c} comments?$") for n, c in LATER_COUNTS.items()]
    )
    expect(later.locator("a")).to_have_count(0)
    html = page.content()
    for number in range(4, 10):
        assert f"/ep/{number}/" not in html, number
    for number, words in LATER_WORDS.items():
        assert words not in html, (number, words)
    # "Mio" is left only inside closed spoilers (the critic's and a main-thread comment's,
    # Part 2 ep 7), whose words the shield sends folded by design (docs/spoilers.md).
    assert "Mio" not in page.evaluate(WITHOUT_CLOSED_SPOILERS)
    # The episode threads' comments are not in the main thread either.
    main = page.locator("#comments")
    expect(main.get_by_role("heading", level=2)).to_have_text(
        re.compile(r"^\d+ comments on the whole review$")
    )
    for words in EP3_WORDS:
        expect(main).not_to_contain_text(words)
    main_heading = main.get_by_role("heading", level=2).inner_text()
    check(page, "review, index at ep 3")
    later.locator("summary").click()
    expect(later.locator("li").first).to_be_visible()
    check(page, "review, index at ep 3, later episodes unfolded")

    # 2. The ep 3 thread: its comments, and a reply that stays in it.
    index.get_by_role("link", name="Part 2, ep 3").click()
    expect(page).to_have_url(thread_url.format(3))
    expect(page.get_by_role("heading", level=1)).to_have_text("Part 2, ep 3")
    thread = page.locator("#comments")
    expect(thread.get_by_role("heading", level=2)).to_have_text("3 comments on Part 2, ep 3")
    for words in EP3_WORDS:
        expect(thread.get_by_text(words)).to_be_visible()
    # Numbered within the thread, from 1: Kaz's is its second top-level comment.
    expect(page.locator(f"#comment-{kaz.pk} .comment-number").first).to_have_text("#2")
    expect(page.locator(".episode-gate")).to_have_count(0)
    assert LATER_WORDS[7] not in page.content()
    check(page, "ep 3 thread")

    parent = page.locator(f"#comment-{kaz.pk}")
    parent.get_by_role("link", name="Reply").first.click()
    form = parent.locator("#respond")
    expect(form.get_by_role("heading")).to_have_text("Reply to Kaz")
    form.get_by_label("Name", exact=True).fill("Noor")
    form.get_by_label("E-mail", exact=True).fill("noor@example.org")
    form.get_by_label("Comment", exact=True).fill(REPLY)
    form.get_by_role("button", name="Post comment").click()

    page.wait_for_url(re.compile(r"#comment-\d+$"))
    reply = Comment.objects.get(parent=kaz)
    assert reply.status == Comment.Status.PENDING  # a new guest's first comment
    assert reply.episode_thread_id == kaz.episode_thread_id
    expect(page).to_have_url(f"{thread_url.format(3)}#comment-{reply.pk}")
    expect(page.get_by_role("status").filter(has_text="Thanks")).to_have_text(
        "Thanks — your comment is awaiting moderation."
    )
    held = page.locator(f"#comment-{kaz.pk} ol.comment-replies > #comment-{reply.pk}")
    expect(held).to_have_class(re.compile("comment-held"))
    expect(held).to_contain_text("awaiting moderation")
    expect(held).to_contain_text(REPLY)

    # The editor approves it from the queue, which names the thread it is in.
    staff_context = browser.new_context()
    staff_page = staff_context.new_page()
    sign_in(staff_page, live_server.url, "editor")
    staff_page.goto(f"{live_server.url}/moderation/")
    item = staff_page.locator(".queue-item").filter(has_text="Noor")
    expect(item.locator(".queue-thread")).to_have_text("ep 3 thread")
    item.get_by_role("button", name="Approve the comment by Noor").click()
    expect(staff_page.get_by_role("status")).to_contain_text("1 comment marked approved")
    staff_context.close()

    page.goto(thread_url.format(3))
    expect(thread.get_by_role("heading", level=2)).to_have_text("4 comments on Part 2, ep 3")
    approved = page.locator(f"#comment-{kaz.pk} ol.comment-replies > #comment-{reply.pk}")
    expect(approved).not_to_have_class(re.compile("comment-held"))
    expect(approved).to_contain_text(REPLY)
    page.goto(review_url)
    expect(main.get_by_role("heading", level=2)).to_have_text(main_heading)
    expect(main).not_to_contain_text(REPLY)
    expect(reached.nth(2)).to_contain_text("4 comments")

    # 3. The ep 7 thread, straight from its address: the gate, not a word of it.
    page.goto(thread_url.format(7))
    expect(page.get_by_role("heading", level=2, name="Not there yet?")).to_be_visible()
    expect(page.locator(".episode-gate")).to_contain_text(
        "You are at Part 2, episode 3, so it stays closed: 2 comments wait here."
    )
    expect(page.locator("#comments")).to_have_count(0)
    assert "Mio" not in page.content()
    check(page, "ep 7 thread, not reached")

    # 4. Finished Part 2, said in the gate's own form: every thread opens.
    strip = page.locator(".reader-strip")
    expect(strip).to_have_attribute("open", "")
    strip.get_by_label("How far have you watched").select_option(label="Finished Part 2")
    strip.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("finished Part 2")
    expect(page).to_have_url(thread_url.format(7))
    expect(page.get_by_label("How far have you watched")).to_have_value("2:")
    expect(page.locator(".episode-gate")).to_have_count(0)
    expect(thread.get_by_role("heading", level=2)).to_have_text("2 comments on Part 2, ep 7")
    expect(thread.get_by_text(LATER_WORDS[7])).to_be_visible()
    expect(thread.get_by_text("The dread is the point.")).to_be_visible()
    check(page, "ep 7 thread, reached")

    page.goto(review_url)
    expect(index.locator("details")).to_have_count(0)
    links = index.get_by_role("link")
    expect(links).to_have_text([f"Part 2, ep {n}" for n in range(1, 10)])
    check(page, "review, index at the end of Part 2")
    links.nth(6).click()
    expect(page).to_have_url(thread_url.format(7))
    expect(thread.get_by_text(LATER_WORDS[7])).to_be_visible()
    context.close()

    failures = {name: lines for name, lines in violations.items() if lines}
    print(f"axe-core: {len(violations)} page views checked, {len(failures)} with violations")
    assert len(violations) == 6 * 4
    assert not failures, f"{len(failures)} page views with violations:\n" + "\n".join(
        f"[{name}] {line}" for name, lines in failures.items() for line in lines
    )
