"""The banner that says how far a review spoils, and the catch-up box that opens a
review of Part 2: the previous verdict, the recap, and who is who so far."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from tests.dom import page
from tests.factories import ReviewFactory, UserFactory
from tests.spoilers.conftest import (
    COVERS_PART_1_EP_5,
    FINISHED_PART_1,
    RECAP_SECRET,
    RECAP_WORD,
    STATES,
)
from watchworthy.reviews.models import Review

pytestmark = pytest.mark.django_db


def banner(client, review) -> str | None:
    found = page(client.get(review.get_absolute_url())).find("p", cls="spoiler-banner")
    return found.text if found is not None else None


# --- the banner -------------------------------------------------------------------------


def test_banner_names_the_furthest_spoiler_in_the_body(client, reader_at, part2_review):
    assert banner(client, part2_review) == (
        "This review spoils up to Part 2, ep 7. Tell us how far you have watched and the "
        "spoilers you have reached will open."
    )
    assert banner(reader_at("Part 1 ep 13"), part2_review) == (
        "This review spoils up to Part 2, ep 7. You are at Part 1, episode 13: spoilers you "
        "have reached are open."
    )


def test_banner_follows_the_body_when_it_is_edited(client, work, part2, critic):
    review = ReviewFactory(
        work=work,
        season=part2,
        author=critic,
        body="||ep 3: a||\n\n::: spoiler Part 2 ep 2\nb\n:::",
    )
    assert banner(client, review).startswith("This review spoils up to Part 2, ep 2.")
    review.body = "||Part 2 finale: the end||"
    review.save()
    assert banner(client, review).startswith("This review spoils up to Part 2.")
    review.body = "No spoilers at all. ||Only an unscoped one||."
    review.save()
    assert banner(client, review) is None


@pytest.mark.parametrize(
    ("spoils_up_to", "shown"),
    [("Part 2 finale", "Part 2"), ("S2E9", "Part 2, ep 9"), ("Part 1, episode 4", "Part 1, ep 4")],
)
def test_the_author_can_say_how_far_the_review_spoils(client, part2_review, spoils_up_to, shown):
    part2_review.spoils_up_to = spoils_up_to
    part2_review.full_clean()
    part2_review.save()
    assert banner(client, part2_review).startswith(f"This review spoils up to {shown}.")


def test_a_review_without_spoilers_has_no_banner(client, part1_review):
    assert banner(client, part1_review) is None


@pytest.mark.parametrize("value", ["the big one", "Part 0", "episode seven", "S2E7 and more"])
def test_a_spoils_up_to_that_is_not_a_point_is_a_field_error(part2_review, value):
    part2_review.spoils_up_to = value
    with pytest.raises(ValidationError) as error:
        part2_review.full_clean()
    assert set(error.value.message_dict) == {"spoils_up_to"}
    assert value in error.value.message_dict["spoils_up_to"][0]


def admin_change_data(staff_client, review, **overrides) -> dict:
    """What the admin change form posts back unchanged, plus ``overrides``."""
    url = f"/admin/reviews/review/{review.pk}/change/"
    form = staff_client.get(url).context["adminform"].form
    data = {"_save": "Save"}
    for name in form.fields:
        value = form[name].value()
        if name == "published_at":
            local = timezone.localtime(review.published_at)
            data["published_at_0"] = f"{local:%Y-%m-%d}"
            data["published_at_1"] = f"{local:%H:%M:%S}"
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        else:
            data[name] = "" if value is None else str(value)
    data.update(overrides)
    return data


@pytest.fixture
def staff_client(db):
    client = Client()
    client.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))
    return client


def test_the_critic_sets_spoils_up_to_in_the_admin(staff_client, part2_review):
    url = f"/admin/reviews/review/{part2_review.pk}/change/"
    response = staff_client.post(
        url, admin_change_data(staff_client, part2_review, spoils_up_to="Part 2 finale")
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    part2_review.refresh_from_db()
    assert (part2_review.spoiler_season, part2_review.spoiler_episode) == (2, None)
    assert banner(Client(), part2_review).startswith("This review spoils up to Part 2.")


def test_an_invalid_spoils_up_to_in_the_admin_is_shown_on_the_field(staff_client, part2_review):
    url = f"/admin/reviews/review/{part2_review.pk}/change/"
    data = admin_change_data(staff_client, part2_review, spoils_up_to="the big one")
    response = staff_client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"spoils_up_to"}
    assert "“the big one” is not a point in the work" in errors["spoils_up_to"][0]
    part2_review.refresh_from_db()
    assert part2_review.spoils_up_to == ""


def test_the_admin_help_documents_both_spoiler_forms(staff_client):
    help_text = (
        staff_client.get("/admin/reviews/review/add/").context["adminform"].form.fields["body"]
    ).help_text
    assert "::: spoiler Part 2, episode 7" in help_text
    assert "||Part 2 ep 7: words||" in help_text


# --- the catch-up box -------------------------------------------------------------------


def catch_up(client, review):
    return page(client.get(review.get_absolute_url())).find("details", cls="catch-up")


def test_catch_up_opens_a_part_2_review_with_the_previous_verdict_and_link(
    client, part1_review, part2_review, characters
):
    box = catch_up(client, part2_review)
    assert box is not None and not box.is_open
    assert box.find("summary").text == "Catch up: Part 1 in a minute"
    verdict_line = box.find("div", cls="catch-up-body").find("p")
    assert verdict_line.text == "My verdict on Part 1: Watch — Ferrylight, Part 1"
    (link,) = verdict_line.find_all("a")
    assert link.attrs["href"] == part1_review.get_absolute_url()


def test_no_catch_up_on_a_part_1_review_or_a_review_of_the_whole_work(
    client, work, part1_review, part2_review, critic
):
    assert catch_up(client, part1_review) is None
    whole = ReviewFactory(work=work, season=None, author=critic)
    assert catch_up(client, whole) is None


def test_an_unpublished_review_of_the_previous_part_is_not_linked(
    client, part1_review, part2_review
):
    Review.objects.filter(pk=part1_review.pk).update(status=Review.Status.DRAFT)
    box = catch_up(client, part2_review)
    assert box is not None
    assert "My verdict" not in box.text
    assert part1_review.get_absolute_url() not in {a.attrs["href"] for a in box.find_all("a")}
    assert RECAP_WORD in box.text  # the recap is still there


@pytest.mark.parametrize("state", list(STATES))
def test_recap_is_folded_unless_the_reader_finished_part_1(
    reader_at, part1_review, part2_review, characters, state
):
    box = catch_up(reader_at(state), part2_review)
    body = box.find("div", cls="catch-up-body")
    fold = next(
        (
            d
            for d in body.find_all("details", cls="spoiler")
            if d.find("summary").text.startswith("Spoils all of")
        ),
        None,
    )
    if state in FINISHED_PART_1:
        assert fold is None
        assert RECAP_WORD in body.visible_text()
        # The recap's own scoped spoiler (Part 1 ep 20) is open too.
        assert RECAP_SECRET in body.visible_text()
    else:
        assert fold is not None and not fold.is_open
        assert fold.find("summary").text == "Spoils all of Part 1 — show the recap"
        assert RECAP_WORD in fold.text
        assert RECAP_WORD not in body.visible_text()
        assert RECAP_SECRET not in body.visible_text()


@pytest.mark.parametrize("state", list(STATES))
def test_who_is_who_lists_characters_from_before_this_part_each_shielded(
    reader_at, part1_review, part2_review, characters, state
):
    box = catch_up(reader_at(state), part2_review)
    items = box.find("ul", cls="characters").find_all("li")
    names = [li.find("strong").text for li in items]
    assert names == ["Suzu Amagane", "Ibuki Sazanami"]  # not Renji: he arrives in Part 2
    assert "Renji" not in box.text
    suzu, ibuki = items
    assert suzu.find("details") is None
    fold = ibuki.find("details", cls="character-spoiler")
    if state in COVERS_PART_1_EP_5:
        assert fold is None
        assert "Ibuki Sazanami" in box.visible_text()
    else:
        assert fold is not None and not fold.is_open
        assert fold.find("summary").text == "A character from Part 1, ep 5 — show"
        assert "Ibuki" not in box.visible_text()
        assert "Runs the levee." not in box.visible_text()
