"""The writing desk (issue 11) in a real browser, as a critic uses it: a new review of a
work and a part made inline, written with the keyboard in the CodeMirror editor, an
image pasted in (alt text required), a sentence marked as a scoped spoiler, another
review cited; the tab closed mid-sentence and the words found again; an earlier
revision restored; scheduled, then published, and the public page the same as the
preview; two tabs editing at once without a silent loss; axe-core on every desk page,
light and dark, phone and desktop."""

import base64
import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image as PILImage
from playwright.sync_api import expect

from tests.e2e.browsing import (
    PASSWORD,
    VIEWPORTS,
    axe_in_every_view,
    set_progress,
    sign_in,
)
from tests.factories import ReviewFactory, UserFactory, WorkFactory
from watchworthy.catalog.models import Season, Work
from watchworthy.desk.models import Revision
from watchworthy.images.models import Image
from watchworthy.reviews.models import Review

pytestmark = pytest.mark.django_db(transaction=True)

DESK = "window.watchworthyDesk"
# The editor script has taken over the form.
ENHANCED = f"() => {DESK} && {DESK}.form.dataset.deskEnhanced === 'true'"
# Autosave has sent every change and the server answered.
SAVED = f"() => {DESK} && !{DESK}.autosave.dirty && !{DESK}.autosave.inFlight"
# The live preview has answered for the text as it is now.
PREVIEWED = """() => {
    const section = document.getElementById("desk-preview");
    return !section.hasAttribute("aria-busy") && section.dataset.stale === "false"
        && !window.watchworthyDesk.preview.controller;
}"""
# A paste carrying a PNG file, as the system clipboard hands one to the page.
PASTE = """(content, png) => {
    const bytes = Uint8Array.from(atob(png), c => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], "lighthouse.png", {type: "image/png"}));
    content.dispatchEvent(new ClipboardEvent("paste", {
        clipboardData: transfer, bubbles: true, cancelable: true,
    }));
}"""
OPENING = "The crossing opens slow. "
SPOILER = "The stationmaster lies to everyone."
CLOSING = "It is the best thing on the line this year."
ALT = "A lighthouse at dusk over the salt marsh"


def _png() -> str:
    buffer = io.BytesIO()
    PILImage.new("RGB", (640, 360), (200, 120, 40)).save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def _squeeze(html: str) -> str:
    """HTML with runs of whitespace made one space, none between tags."""
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


def test_a_critic_writes_previews_and_publishes_at_the_desk(live_server, browser, axe):
    critic = UserFactory(username="critic", is_staff=True, is_superuser=True)
    critic.set_password(PASSWORD)
    critic.save()
    earlier = ReviewFactory(
        author=critic,
        work=WorkFactory(title="Ferry Tales", slug="ferry-tales"),
        title="The first crossing",
        slug="the-first-crossing",
    )
    base = live_server.url
    violations: dict[str, list[str]] = {}

    def check(page, name: str) -> None:
        axe_in_every_view(page, axe, name, violations, end="desktop")

    def body(page) -> str:
        return page.evaluate(f"{DESK}.body")

    def open_editor(page, url: str):
        page.goto(url)
        page.wait_for_function(ENHANCED)
        return page.locator(".de-source .cm-content")

    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    page = context.new_page()
    sign_in(page, base, "critic")

    # 1. The dashboard → New review → a new work, then a new part, verdict, score, title.
    page.goto(f"{base}/desk/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your desk")
    check(page, "desk")
    page.locator(".desk-summary").get_by_role("link", name="New review").click()
    expect(page).to_have_url(f"{base}/desk/new/")
    check(page, "new review: the work")
    page.get_by_label("New work: title").fill("Saltmarsh Line")
    page.get_by_label("Kind").select_option(label="Anime series")
    page.get_by_label("Year").fill("2024")
    page.get_by_role("button", name="Next: the part and the verdict").click()
    expect(page).to_have_url(re.compile(r"/desk/new/[\w-]+/$"))
    work = Work.objects.get(title="Saltmarsh Line")
    expect(page).to_have_url(f"{base}/desk/new/{work.slug}/")
    check(page, "new review: the part")
    page.get_by_label("New part: number").fill("1")
    page.get_by_label(re.compile(r"^Label")).fill("Part 1")
    page.get_by_label("Episodes").fill("4")
    page.get_by_label("Verdict").select_option(label="Watch")
    page.get_by_label("Score").fill("8.5")
    page.get_by_label("Title").fill("Saltmarsh Line holds its nerve")
    page.get_by_role("button", name="Start writing").click()
    expect(page).to_have_url(re.compile(r"/desk/reviews/\d+/$"))
    review = Review.objects.get(title="Saltmarsh Line holds its nerve")
    editor_url = f"{base}/desk/reviews/{review.pk}/"
    expect(page).to_have_url(editor_url)
    assert work.kind == Work.Kind.ANIME and work.year == 2024
    part = Season.objects.get(work=work)
    assert (part.number, part.label, part.episode_count) == (1, "Part 1", 4)
    assert (review.season_id, review.author_id, review.status) == (part.pk, critic.pk, "draft")
    assert (review.verdict, str(review.score)) == ("watch", "8.5")

    # 2. Writing with the keyboard; Ctrl-B wraps the next words in bold.
    page.wait_for_function(ENHANCED)
    text = page.locator(".de-source .cm-content")
    expect(text).to_have_attribute("role", "textbox")
    text.click()
    page.keyboard.press("Control+End")
    page.keyboard.type(OPENING)
    page.keyboard.press("Control+b")  # "**bold words**", the placeholder selected
    page.keyboard.type("Quiet courage")
    page.keyboard.press("End")
    page.keyboard.type(" carries it.")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.keyboard.type(SPOILER)
    assert body(page).endswith(f"{OPENING}**Quiet courage** carries it.\n\n{SPOILER}")

    # The sentence selected → Ctrl-Shift-S → a scope from the work's episodes.
    page.keyboard.press("Shift+Home")
    page.keyboard.press("Control+Shift+S")
    dialog = page.get_by_role("dialog", name="Mark as spoiler")
    expect(dialog).to_be_visible()
    scope = dialog.get_by_label("How far does it spoil?")
    expect(scope.locator("option")).to_have_text(
        [
            "Part 1, ep 1",
            "Part 1, ep 2",
            "Part 1, ep 3",
            "Part 1, ep 4",
            "Part 1",
            "No scope: closed for every reader",
        ]
    )
    scope.select_option(label="Part 1, ep 2")
    dialog.get_by_role("button", name="Mark as spoiler").click()
    expect(dialog).to_have_count(0)
    spoiler = f"||Part 1, ep 2: {SPOILER}||"
    assert body(page).endswith(f"\n\n{spoiler}")

    # An image pasted at the end: the dialog wants alt text before it uploads.
    page.keyboard.press("Control+End")
    text.evaluate(PASTE, _png())
    dialog = page.get_by_role("dialog", name="Add an image")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Image: lighthouse.png")
    alt = dialog.get_by_label("Alt text (required)")
    expect(alt).to_be_focused()
    upload = dialog.get_by_role("button", name="Upload and insert")
    upload.click()  # empty: the browser's own check refuses it
    expect(dialog).to_be_visible()
    assert alt.evaluate("input => input.validity.valueMissing")
    alt.fill("   ")  # blank: the server refuses it and says why
    upload.click()
    expect(dialog.get_by_role("alert")).to_contain_text("Alt text")
    expect(alt).to_be_focused()
    assert not Image.objects.exists()
    alt.fill(ALT)
    dialog.get_by_label("Caption (optional)").fill("The last light on the line")
    upload.click()
    expect(dialog).to_have_count(0)
    image = Image.objects.get()
    assert image.alt_text == ALT
    figure = f'![{ALT}](image:{image.key} "The last light on the line")'
    assert body(page).endswith(f"{spoiler}\n\n{figure}\n")
    expect(page.locator("#desk-status")).to_have_text("Image uploaded and inserted.")

    # Cite the critic's earlier review: Ctrl-Alt-C, words of its title, Enter.
    page.keyboard.press("Control+Alt+c")
    dialog = page.get_by_role("dialog", name="Cite one of your reviews")
    dialog.get_by_label("Search your reviews").type("first cross")
    expect(dialog.get_by_role("status")).to_have_text("1 review found.")
    expect(dialog.get_by_role("button")).to_have_text(["The first crossing — Watch", "Cancel"])
    page.keyboard.press("Enter")
    expect(dialog).to_have_count(0)
    cite = f"::: cite {earlier.slug}\n:::"
    assert body(page).endswith(f"{figure}\n\n{cite}\n\n")  # the cursor after its ":::"
    page.keyboard.press("Control+End")
    page.keyboard.type(CLOSING)
    full = body(page)
    assert full.endswith(f"{cite}\n\n{CLOSING}")
    page.wait_for_function(SAVED)
    expect(page.locator("#desk-status")).to_have_text(re.compile(r"^Saved \d"))
    saved = Revision.objects.filter(review=review).first()
    assert saved is not None and saved.body == full
    review.refresh_from_db()
    assert spoiler not in review.body  # autosaves stay off the review until saved
    check(page, "editor")

    # 4. The tab closed mid-sentence, right after typing: the words are there again
    # (sent as the page went, or kept in this browser and offered back).
    page.keyboard.type(" The ending is unfinished busin")
    page.close()
    page = context.new_page()
    text = open_editor(page, editor_url)
    page.wait_for_function(
        f"""() => {DESK}.body.includes("unfinished busin")
            || [...document.querySelectorAll(".de-notice button")]
                .some(b => b.textContent === "Restore it")"""
    )
    restore = page.locator(".de-notice").get_by_role("button", name="Restore it")
    if restore.count():  # the browser's copy, offered back
        restore.click()
    assert body(page) == f"{full} The ending is unfinished busin"
    page.wait_for_function(SAVED)
    assert Revision.objects.filter(review=review).first().body == body(page)

    # Offline this time: the autosave fails and says the words are kept here; then the
    # tab goes without a goodbye (scripts stopped, as a crash or a killed browser would
    # leave it) and the copy this browser kept is offered back, and then saved, when the
    # editor reopens. Not a plain page.close(): the keepalive request a closing page
    # sends escapes Chromium's offline emulation (and Playwright's routes) in about a
    # third of closes, which no real offline tab can do.
    text.click()
    page.keyboard.press("Control+End")
    context.set_offline(True)
    page.keyboard.type(" Or is i")
    expect(page.locator("#desk-status")).to_have_text(
        "Offline — kept in this browser", timeout=15_000
    )
    context.new_cdp_session(page).send("Emulation.setScriptExecutionDisabled", {"value": True})
    page.close()
    context.set_offline(False)
    kept = Revision.objects.filter(review=review).first()
    assert kept.body == f"{full} The ending is unfinished busin"  # nothing reached us
    page = context.new_page()
    text = open_editor(page, editor_url)
    restore = page.locator(".de-notice").get_by_role("button", name="Restore it")
    expect(restore).to_be_visible()
    assert body(page) == f"{full} The ending is unfinished busin"
    restore.click()
    assert body(page) == f"{full} The ending is unfinished busin Or is i"
    page.wait_for_function(SAVED)
    assert Revision.objects.filter(review=review).first().body == body(page)

    # 5. Revisions: the one before the half sentences, shown as a diff, then restored.
    page.get_by_role("link", name="Revisions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Revisions of “Saltmarsh Line holds its nerve”"
    )
    page.get_by_role("link", name=str(saved.number), exact=True).click()
    expect(page.locator(".desk-diff .diff-added")).to_contain_text(
        [re.compile(r"unfinished busin Or is i$")]
    )
    check(page, "revisions")
    page.get_by_role("button", name=f"Restore revision {saved.number}").click()
    expect(page).to_have_url(editor_url)
    page.wait_for_function(ENHANCED)
    assert body(page) == full
    review.refresh_from_db()
    assert review.body == full

    # 3, before publishing: the preview as a reader at Part 1, ep 1 (the spoiler closed)
    # and as one who finished Part 1 (open).
    page.wait_for_function(PREVIEWED)
    preview = page.locator("#desk-preview")
    expect(preview.locator(".spoiler-inline")).to_have_class(re.compile(r"\bspoiler-open\b"))
    expect(preview.locator("figure img")).to_have_attribute("alt", image.alt_text)
    expect(preview.locator(".citation-card")).to_contain_text("The first crossing")
    previews: dict[str, str] = {}
    for value, label in (("1:1", "Part 1, episode 1"), ("1:", "Finished Part 1")):
        with page.expect_response(lambda response: response.url.endswith("/preview/")):
            page.locator("#desk-preview-as").select_option(value)
        page.wait_for_function(PREVIEWED)
        previews[label] = preview.inner_html()
    for shown in previews.values():  # what is compared with the published page
        assert (
            f'alt="{ALT}"' in shown
            and "<figcaption>The last light on the line</figcaption>" in shown
        )
        assert 'href="/reviews/the-first-crossing/"' in shown and CLOSING in shown
    before, after = previews["Part 1, episode 1"], previews["Finished Part 1"]
    assert 'aria-label="Spoiler: Part 1, ep 2, activate to reveal"' in before
    assert f'hidden="">{SPOILER}</span>' in before and "spoiler-open" not in before
    assert 'class="spoiler-inline spoiler-open"' in after and 'hidden=""' not in after

    # 6. Scheduled for tomorrow (guests see nothing yet), then published now.
    page.get_by_role("link", name="Publish…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Before “Saltmarsh Line holds its nerve” goes public"
    )
    check(page, "publish")
    tomorrow = timezone.localtime(timezone.now() + timedelta(days=1))
    page.get_by_label("Publish at").fill(tomorrow.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Schedule").click()
    expect(page).to_have_url(editor_url)
    expect(page.locator(".desk-state")).to_have_text("Scheduled")
    review.refresh_from_db()
    assert review.status == Review.Status.SCHEDULED
    public_url = f"{base}{review.get_absolute_url()}"
    guest = browser.new_context(viewport=VIEWPORTS["desktop"])
    reader = guest.new_page()
    assert reader.goto(public_url).status == 404
    page.get_by_role("link", name="Publish…").click()
    page.get_by_role("button", name="Publish now").click()
    expect(page).to_have_url(public_url)
    review.refresh_from_db()
    assert review.status == Review.Status.PUBLISHED and review.body == full

    # 3. What a guest reads at the same progress is what the preview showed.
    assert reader.goto(public_url).status == 200
    expect(reader.get_by_role("heading", level=1)).to_contain_text("Saltmarsh Line holds its nerve")
    for label, shown in previews.items():
        set_progress(reader, label)
        published = reader.locator(".review-body").inner_html()
        assert _squeeze(published) == _squeeze(shown), label
    guest.close()

    # 7. Two tabs on the same review, each adding its own line: the second to save is
    # told, and the merge it chooses keeps both lines.
    first = page
    text = open_editor(first, editor_url)
    second = context.new_page()
    other = open_editor(second, editor_url)
    text.click()
    first.keyboard.press("Control+End")
    first.keyboard.type("\n\nFirst tab: a last word on the score.")
    first.wait_for_function(SAVED)
    other.click()
    second.keyboard.press("Control+Home")
    second.keyboard.type("Second tab: a first word on the pace.\n\n")
    dialog = second.get_by_role("dialog", name="Saved elsewhere since you started")
    # Autosave waits 3 s after the last key.
    expect(dialog).to_contain_text("Your changes and theirs merge cleanly.", timeout=15_000)
    merged = dialog.get_by_label("The merged text").input_value()
    dialog.get_by_role("button", name="Use the merge").click()
    expect(dialog).to_have_count(0)
    second.wait_for_function(SAVED)
    latest = Revision.objects.filter(review=review).first()
    assert latest.body == merged == body(second)
    assert latest.body.startswith("Second tab: a first word on the pace.\n\n")
    assert latest.body.endswith("First tab: a last word on the score.")

    # Then both change the same last line: the first tab, now behind, keeps its
    # version as a new draft and shows the one saved from the second.
    second.keyboard.press("Control+End")
    second.keyboard.type(" Second again.")
    second.wait_for_function(SAVED)
    text.click()
    first.keyboard.press("Control+End")
    first.keyboard.type(" First again.")
    dialog = first.get_by_role("dialog", name="Saved elsewhere since you started")
    expect(dialog).to_contain_text("Your changes and theirs overlap", timeout=15_000)
    merged = dialog.get_by_label("The merged text").input_value()
    assert "<<<<<<< yours" in merged and ">>>>>>> saved elsewhere" in merged
    assert "score. First again." in merged and "score. Second again." in merged
    mine = body(first)
    dialog.get_by_role("button", name="Keep mine as a copy").click()
    expect(dialog).to_have_count(0)
    copy = Review.objects.exclude(pk__in=[review.pk, earlier.pk]).get()
    assert (copy.author_id, copy.status, copy.body) == (critic.pk, "draft", mine)
    assert mine.endswith("score. First again.")
    expect(first.get_by_role("link", name="open your copy")).to_have_attribute(
        "href", f"/desk/reviews/{copy.pk}/"
    )
    theirs = Revision.objects.filter(review=review).first().body
    assert theirs.endswith("score. Second again.") and body(first) == theirs
    context.close()

    failures = {name: lines for name, lines in violations.items() if lines}
    print(f"axe-core: {len(violations)} page views checked, {len(failures)} with violations")
    assert len(violations) == 6 * 4
    assert not failures, f"{len(failures)} page views with violations:\n" + "\n".join(
        f"[{name}] {line}" for name, lines in failures.items() for line in lines
    )
