from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from tests.factories import CharacterFactory, ReviewFactory, SeasonFactory, WorkFactory
from tests.html_checks import executable_markup
from watchworthy.catalog.models import Character, Season, Work
from watchworthy.reviews.models import Review

pytestmark = pytest.mark.django_db


# --- seasons and parts ----------------------------------------------------------------


def test_season_is_called_season_n_unless_it_has_a_label():
    work = WorkFactory(title="Ferrylight")
    plain = SeasonFactory(work=work, number=3, label="")
    part = SeasonFactory(work=work, number=2, label="Part 2")

    assert plain.display_label == "Season 3"
    assert part.display_label == "Part 2"
    assert str(part) == "Ferrylight — Part 2"


def test_seasons_are_listed_in_watching_order():
    work = WorkFactory()
    third = SeasonFactory(work=work, number=3)
    first = SeasonFactory(work=work, number=1)
    second = SeasonFactory(work=work, number=2)
    assert list(work.seasons.all()) == [first, second, third]


def test_two_seasons_of_one_work_cannot_share_a_number():
    season = SeasonFactory(number=1)
    SeasonFactory(number=1)  # another work may have its own season 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Season.objects.create(work=season.work, number=1, label="Part 1 again")
    assert season.work.seasons.count() == 1


def test_season_number_zero_is_refused_by_the_database():
    work = WorkFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Season.objects.create(work=work, number=0)


def test_recap_is_rendered_and_sanitized_on_save():
    season = SeasonFactory(recap="Suzu *rows*.\n\n<script>alert(1)</script>")
    assert "<em>rows</em>" in season.recap_html
    assert "<script" not in season.recap_html
    assert executable_markup(season.recap_html) == []

    season.recap = "Now **changed**."
    season.save()
    season.refresh_from_db()
    assert "<strong>changed</strong>" in season.recap_html and "rows" not in season.recap_html


# --- works ----------------------------------------------------------------------------


def test_synopsis_is_rendered_and_sanitized_on_save():
    work = WorkFactory(
        synopsis='A *drowned* city. <script>alert("x")</script> [x](javascript:alert(1))'
    )
    work.refresh_from_db()
    assert "<em>drowned</em>" in work.synopsis_html
    assert "<script" not in work.synopsis_html
    assert 'href="javascript' not in work.synopsis_html
    assert executable_markup(work.synopsis_html) == []
    assert "<em>drowned</em>" in work.synopsis_markup


@pytest.mark.parametrize("year", [1869, 2201])
def test_implausible_years_are_refused_by_the_database(year):
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkFactory(year=year)
    assert not Work.objects.filter(year=year).exists()


@pytest.mark.parametrize("year", [None, 1870, 2025, 2200])
def test_plausible_or_unknown_years_are_accepted(year):
    work = WorkFactory(year=year)
    work.refresh_from_db()
    assert work.year == year


def test_work_name_shows_the_year_when_known():
    assert str(WorkFactory(title="Quiet Orbit", year=2023)) == "Quiet Orbit (2023)"
    assert str(WorkFactory(title="Untitled", year=None)) == "Untitled"


def test_work_list_shows_only_works_with_public_reviews(client):
    now = timezone.now()
    reviewed = WorkFactory(title="Reviewed work")
    ReviewFactory(work=reviewed)
    ReviewFactory(work=reviewed)
    drafted = WorkFactory(title="Only a draft")
    ReviewFactory(work=drafted, status=Review.Status.DRAFT, published_at=now - timedelta(days=2))
    later = WorkFactory(title="Scheduled later")
    ReviewFactory(work=later, status=Review.Status.SCHEDULED, published_at=now + timedelta(days=2))
    WorkFactory(title="Never reviewed")
    mixed = WorkFactory(title="Mixed work")
    ReviewFactory(work=mixed)
    ReviewFactory(work=mixed, status=Review.Status.DRAFT)

    response = client.get(reverse("works"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Reviewed work" in html and "2 reviews" in html
    assert "Mixed work" in html and "1 review<" in html  # the draft is not counted
    assert "Only a draft" not in html
    assert "Scheduled later" not in html
    assert "Never reviewed" not in html


def test_work_list_says_so_when_nothing_is_reviewed(client):
    WorkFactory(title="Never reviewed")
    html = client.get(reverse("works")).content.decode()
    assert "Nothing reviewed yet." in html and "Never reviewed" not in html


# --- characters -----------------------------------------------------------------------


def test_character_first_season_must_belong_to_their_work():
    character = CharacterFactory.build(work=WorkFactory(), first_season=SeasonFactory())
    with pytest.raises(ValidationError) as error:
        character.full_clean()
    assert error.value.message_dict["first_season"] == ["That season belongs to another work."]


def test_character_first_episode_needs_a_season():
    character = CharacterFactory.build(work=WorkFactory(), first_episode=4)
    with pytest.raises(ValidationError) as error:
        character.full_clean()
    assert error.value.message_dict["first_episode"] == ["Choose the season of that episode too."]


def test_character_first_episode_cannot_be_beyond_the_season():
    season = SeasonFactory(label="Part 2", episode_count=9)
    character = CharacterFactory.build(work=season.work, first_season=season, first_episode=10)
    with pytest.raises(ValidationError) as error:
        character.full_clean()
    assert error.value.message_dict["first_episode"] == ["Part 2 has only 9 episodes."]


def test_character_in_the_last_episode_or_with_unknown_count_is_valid():
    season = SeasonFactory(episode_count=9)
    CharacterFactory.build(work=season.work, first_season=season, first_episode=9).full_clean()
    open_ended = SeasonFactory(work=season.work, episode_count=None)
    CharacterFactory.build(work=season.work, first_season=open_ended, first_episode=40).full_clean()


def test_alias_list_splits_on_commas_and_drops_blanks():
    character = CharacterFactory.build(aliases=" Suzu ,the Ferrywoman,, ,Ms. Amagane ")
    assert character.alias_list == ["Suzu", "the Ferrywoman", "Ms. Amagane"]
    assert CharacterFactory.build(aliases="").alias_list == []


def test_first_appearance_is_season_number_and_episode():
    season = SeasonFactory(number=2)
    met_later = CharacterFactory(work=season.work, first_season=season, first_episode=7)
    episode_unknown = CharacterFactory(work=season.work, first_season=season)
    never_placed = CharacterFactory(work=season.work)

    assert met_later.first_appearance == (2, 7)
    assert episode_unknown.first_appearance == (2, 1)
    assert never_placed.first_appearance is None


def test_deleting_a_season_keeps_the_character_without_a_first_season():
    season = SeasonFactory()
    character = CharacterFactory(work=season.work, first_season=season, first_episode=1)
    season.delete()
    character.refresh_from_db()
    assert character.first_season is None


def test_character_first_episode_zero_is_refused_by_the_database():
    season = SeasonFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Character.objects.create(work=season.work, name="X", first_season=season, first_episode=0)
