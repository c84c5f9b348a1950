"""The shield for every progress a reader can set: what opens in the review body, which
comments fold, which characters hide. Each reader is a guest browser that posted the
progress form (see ``reader_at``)."""

import pytest
from django.test import Client

from tests.dom import page
from tests.factories import CharacterFactory, ReviewFactory, SeasonFactory, WorkFactory
from tests.spoilers.conftest import (
    BLOCK_SECRET,
    COVERS_PART_1_EP_5,
    COVERS_PART_2_EP_3,
    COVERS_PART_2_EP_7,
    INLINE_SECRET,
    STATES,
    UNSCOPED_BLOCK_SECRET,
    UNSCOPED_INLINE_SECRET,
    set_progress,
)
from watchworthy.discussion.models import Comment
from watchworthy.spoilers.shield import Position

pytestmark = pytest.mark.django_db

EVERY_STATE = pytest.mark.parametrize("state", list(STATES))


def body_spoilers(root):
    """{secret word: spoiler element} for the spoilers of the review body."""
    body = root.find("div", cls="review-body")
    found = {}
    for element in body.find_all("details", cls="spoiler") + body.find_all(
        "span", cls="spoiler-inline"
    ):
        for word in (BLOCK_SECRET, INLINE_SECRET, UNSCOPED_BLOCK_SECRET, UNSCOPED_INLINE_SECRET):
            if word in element.text:
                found[word] = element
    assert len(found) == 4, found
    return found


@EVERY_STATE
def test_review_body_opens_exactly_the_spoilers_the_reader_has_reached(
    reader_at, part2_review, state
):
    root = page(reader_at(state).get(part2_review.get_absolute_url()))
    found = body_spoilers(root)
    covered = state in COVERS_PART_2_EP_7
    assert found[BLOCK_SECRET].tag == "details"
    assert found[BLOCK_SECRET].is_open is covered
    assert found[INLINE_SECRET].tag == "span"
    assert found[INLINE_SECRET].is_open is covered
    # Spoilers without a scope never open by themselves, whatever the reader has seen.
    assert not found[UNSCOPED_BLOCK_SECRET].is_open
    assert not found[UNSCOPED_INLINE_SECRET].is_open
    # Closed ones say what they spoil.
    assert found[BLOCK_SECRET].find("summary").text == "Spoils Part 2, ep 7"
    visible = root.visible_text()
    assert (BLOCK_SECRET in visible) is covered
    assert (INLINE_SECRET in visible) is covered
    assert UNSCOPED_BLOCK_SECRET not in visible and UNSCOPED_INLINE_SECRET not in visible


def test_a_scope_not_understood_stays_closed_for_a_reader_who_has_seen_everything(
    reader_at, work, part2, critic
):
    review = ReviewFactory(
        work=work, season=part2, author=critic, body="::: spoiler the big one\nkelpwhistle\n:::"
    )
    root = page(reader_at("finished Part 2").get(review.get_absolute_url()))
    (block,) = root.find("div", cls="review-body").find_all("details", cls="spoiler")
    assert not block.is_open
    assert block.find("summary").text == "Spoiler (scope “the big one” not understood)"
    assert "kelpwhistle" not in root.visible_text()


# --- comments ---------------------------------------------------------------------------


@pytest.fixture
def spoiling_comments(client, part2_review, post_comment, known_commenter):
    """Two comments posted through the form: one marked "spoils up to Part 2, ep 7",
    one with an inline spoiler of its own."""
    response = post_comment(
        client, part2_review, body="The broker is lanternwake all along.", spoils="2:7"
    )
    assert response.status_code == 302
    response = post_comment(
        client, part2_review, body="Loved it. ||Part 2 ep 7: Mio is driftwood|| though."
    )
    assert response.status_code == 302
    marked, inline = Comment.objects.filter(review=part2_review).order_by("pk")
    assert marked.is_public and inline.is_public
    assert marked.spoiler_scope == Position(2, 7)
    assert inline.spoiler_scope is None
    return marked, inline


def comment_element(root, comment):
    return root.by_id(comment.anchor)


@EVERY_STATE
def test_comment_marked_as_spoiling_folds_for_readers_behind_that_point(
    reader_at, part2_review, spoiling_comments, state
):
    marked, _ = spoiling_comments
    root = page(reader_at(state).get(part2_review.get_absolute_url()))
    item = comment_element(root, marked)
    fold = item.find("details", cls="comment-spoiler")
    note = item.find("p", cls="comment-spoils")
    if state in COVERS_PART_2_EP_7:
        assert fold is None
        assert note is not None and note.text == "Spoils Part 2, ep 7"
        assert "lanternwake" in item.visible_text()
    else:
        assert fold is not None and not fold.is_open
        assert fold.find("summary").text == "Spoils Part 2, ep 7 — show this comment"
        assert "lanternwake" in fold.find("div", cls="comment-body").text
        assert "lanternwake" not in root.visible_text()
    # The author and the link stay visible either way.
    assert item.find("span", cls="comment-author").text == "Ann Reader"


@EVERY_STATE
def test_inline_spoiler_in_a_comment_opens_with_the_readers_progress(
    reader_at, part2_review, spoiling_comments, state
):
    _, inline = spoiling_comments
    root = page(reader_at(state).get(part2_review.get_absolute_url()))
    item = comment_element(root, inline)
    (span,) = item.find_all("span", cls="spoiler-inline")
    assert span.is_open is (state in COVERS_PART_2_EP_7)
    assert item.find("details", cls="comment-spoiler") is None  # not marked: never folded
    assert ("driftwood" in root.visible_text()) is (state in COVERS_PART_2_EP_7)


def test_the_spoils_choice_offers_the_works_own_parts_and_refuses_other_values(
    client, part2_review, post_comment, known_commenter
):
    root = page(client.get(part2_review.get_absolute_url()))
    select = root.find("form", cls="comment-form")
    options = {
        option.attrs["value"]: option.text
        for option in select.find_all("option")
        if option.parent.attrs.get("name") == "spoils"
    }
    assert options[""] == "Nothing"
    assert options["2:7"] == "Part 2, ep 7"
    assert options["2:"] == "All of Part 2"
    assert "3:1" not in options
    response = post_comment(client, part2_review, body="Out of range.", spoils="7:1")
    assert response.status_code == 400
    assert not Comment.objects.filter(review=part2_review).exists()


# --- characters on the work page ------------------------------------------------------


def character_rows(root) -> dict[str, object]:
    rows = {}
    for li in root.find("ul", cls="characters").find_all("li"):
        name = li.find("strong").text
        rows[name] = li
    return rows


@EVERY_STATE
def test_characters_hide_until_the_reader_reaches_their_first_episode(
    reader_at, work, characters, state
):
    root = page(reader_at(state).get(work.get_absolute_url()))
    rows = character_rows(root)
    assert set(rows) == {"Suzu Amagane", "Ibuki Sazanami", "Renji Kuroshio"}
    expected_hidden = {
        "Suzu Amagane": False,  # Part 1, ep 1: never a spoiler
        "Ibuki Sazanami": state not in COVERS_PART_1_EP_5,
        "Renji Kuroshio": state not in COVERS_PART_2_EP_3,
    }
    visible = root.visible_text()
    for name, hidden in expected_hidden.items():
        fold = rows[name].find("details", cls="character-spoiler")
        if hidden:
            assert fold is not None and not fold.is_open, name
            summary = fold.find("summary").text
            assert summary.startswith("A character from ") and name not in summary
            assert name not in visible
            description = {"Ibuki Sazanami": "Runs the levee.", "Renji Kuroshio": "Buys drowned"}
            assert description[name] not in visible
        else:
            assert fold is None, name
            assert name in visible
    renji = rows["Renji Kuroshio"].find("details", cls="character-spoiler")
    if renji is not None:
        assert renji.find("summary").text == "A character from Part 2, ep 3 — show"


def test_a_character_with_no_first_appearance_is_never_hidden(reader_at, work, part1):
    CharacterFactory(work=work, name="The Narrator", first_season=None)
    root = page(reader_at("not set").get(work.get_absolute_url()))
    assert character_rows(root)["The Narrator"].find("details") is None


def test_progress_is_per_work(work, part2_review, characters):
    other = WorkFactory(title="Quiet Orbit", slug="quiet-orbit")
    other_part2 = SeasonFactory(work=other, number=2, episode_count=9)
    SeasonFactory(work=other, number=1, episode_count=9)
    CharacterFactory(work=other, name="Ada Quell", first_season=other_part2, first_episode=3)
    other_review = ReviewFactory(
        work=other, season=other_part2, body="||Part 2 ep 7: orbitsecret||"
    )
    reader = Client()
    set_progress(reader, work, "2:")
    assert INLINE_SECRET in page(reader.get(part2_review.get_absolute_url())).visible_text()
    other_page = page(reader.get(other_review.get_absolute_url()))
    assert "orbitsecret" not in other_page.visible_text()
    assert "Ada Quell" not in page(reader.get(other.get_absolute_url())).visible_text()
