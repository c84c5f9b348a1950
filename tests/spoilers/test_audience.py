"""The audience verdict: readers agree or disagree with the critic, one voice each,
changeable, counted apart among those who finished what the review covers."""

import itertools

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.dom import messages, page, parse
from tests.factories import ReviewFactory, UserFactory
from tests.spoilers.conftest import set_progress
from watchworthy.reviews import views as review_views
from watchworthy.reviews.audience import VOTER_COOKIE, audience_recount
from watchworthy.reviews.models import AudienceVote, Review, Verdict

pytestmark = pytest.mark.django_db


_networks = itertools.count(1)


def vote(client, review, choice: str, *, ip: str | None = None):
    """A vote from ``client``; without ``ip``, from a network of its own (one network
    may give only a few guest voices: tests/test_abuse_findings.py)."""
    if ip is None:
        ip = client.__dict__.setdefault("_test_ip", f"10.{next(_networks)}.0.1")
    return client.post(f"/reviews/{review.slug}/vote/", {"agrees": choice}, REMOTE_ADDR=ip)


def tally(review) -> tuple[int, int, int, int]:
    review.refresh_from_db()
    return (
        review.audience_votes,
        review.audience_agree,
        review.audience_finished_votes,
        review.audience_finished_agree,
    )


def meter(client, url: str, review=None) -> str | None:
    """The meter's words on ``url`` (on a list: on the card of ``review``)."""
    root = page(client.get(url))
    scope = root
    if review is not None:
        cards = [
            card
            for card in root.find_all("article", cls="card")
            if card.find("h2", cls="card-title").text == review.title
        ]
        assert len(cards) == 1, url
        scope = cards[0]
    found = scope.find("p", cls="audience-meter")
    return found.text if found is not None else None


# --- one voice per reader ---------------------------------------------------------------


def test_a_guest_votes_once_and_can_change_their_mind(client, part2_review):
    response = vote(client, part2_review, "yes")
    assert response.status_code == 302
    assert response["Location"] == f"{part2_review.get_absolute_url()}#audience"
    assert VOTER_COOKIE in response.cookies and response.cookies[VOTER_COOKIE]["httponly"]
    assert tally(part2_review)[:2] == (1, 1)
    root = page(client.get(response["Location"]))
    assert messages(root) == [
        "Thanks: you agree with the verdict. You can change your mind any time."
    ]
    chosen = root.find("form", cls="vote-form").find("button", cls="button-chosen")
    assert chosen.attrs["value"] == "yes" and chosen.attrs["aria-pressed"] == "true"

    vote(client, part2_review, "yes")  # the same again: still one vote
    assert tally(part2_review)[:2] == (1, 1)
    vote(client, part2_review, "no")  # changing the mind updates, does not add
    assert tally(part2_review)[:2] == (1, 0)
    assert AudienceVote.objects.filter(review=part2_review).count() == 1
    root = page(client.get(part2_review.get_absolute_url()))
    assert root.find("button", cls="button-chosen").attrs["value"] == "no"
    assert (
        "You disagree; you can change your mind." in root.find("section", cls="audience-vote").text
    )


def test_each_browser_and_each_account_is_one_voice(part2_review):
    first, second = Client(), Client()
    vote(first, part2_review, "yes")
    vote(second, part2_review, "yes")
    assert tally(part2_review)[:2] == (2, 2)

    reader = UserFactory(username="ann")
    laptop, phone = Client(), Client()
    laptop.force_login(reader)
    phone.force_login(reader)
    vote(laptop, part2_review, "yes")
    vote(phone, part2_review, "no")  # the same account from another browser
    assert tally(part2_review)[:2] == (3, 2)
    (mine,) = AudienceVote.objects.filter(user=reader)
    assert mine.agrees is False and mine.voter_key == ""
    # The vote shows as the reader's own on the other browser too.
    root = page(laptop.get(part2_review.get_absolute_url()))
    assert root.find("button", cls="button-chosen").attrs["value"] == "no"


def test_a_forged_voter_cookie_is_a_new_voice_not_someone_elses(client, part2_review):
    vote(client, part2_review, "yes")
    victim_key = AudienceVote.objects.get().voter_key
    forger = Client()
    forger.cookies[VOTER_COOKIE] = client.cookies[VOTER_COOKIE].value.split(":")[0]
    vote(forger, part2_review, "no")
    assert tally(part2_review)[:2] == (2, 1)
    assert AudienceVote.objects.get(voter_key=victim_key).agrees is True


# --- the meter --------------------------------------------------------------------------


def test_meter_arithmetic_on_the_review_and_its_card(client, part2_review):
    assert meter(client, part2_review.get_absolute_url()) is None  # no votes, no meter
    for choice in ("yes", "yes", "no"):
        vote(Client(), part2_review, choice)
    expected = "Readers agree 67% · 3 votes"
    assert meter(client, part2_review.get_absolute_url()) == expected
    assert meter(client, "/", part2_review) == expected
    assert meter(client, "/avoid/", part2_review) == expected
    assert meter(client, "/reviews/", part2_review) == expected
    vote(Client(), part2_review, "no")
    assert meter(client, part2_review.get_absolute_url()) == "Readers agree 50% · 4 votes"


def test_one_vote_is_singular(client, part2_review):
    vote(Client(), part2_review, "no")
    assert meter(client, part2_review.get_absolute_url()) == "Readers agree 0% · 1 vote"


def test_the_finished_share_counts_only_readers_who_had_finished_the_part(
    client, work, part2_review
):
    def reader(progress):
        browser = Client()
        set_progress(browser, work, progress)
        return browser

    vote(reader("2:"), part2_review, "yes")  # finished Part 2
    vote(reader("2:"), part2_review, "no")  # finished Part 2
    vote(reader("2:8"), part2_review, "yes")  # one episode short
    vote(reader("1:"), part2_review, "yes")  # finished only Part 1
    vote(Client(), part2_review, "yes")  # never said
    signed_in = Client()
    signed_in.force_login(UserFactory(username="ann"))
    set_progress(signed_in, work, "2:")
    vote(signed_in, part2_review, "yes")  # finished, from the account's progress
    assert tally(part2_review) == (6, 5, 3, 2)
    assert meter(client, part2_review.get_absolute_url()) == (
        "Readers agree 83% · 6 votes of readers who finished Part 2: 67%"
    )


def test_changing_progress_then_voting_again_moves_the_vote_between_shares(
    client, work, part2_review
):
    vote(client, part2_review, "no")
    assert tally(part2_review) == (1, 0, 0, 0)
    set_progress(client, work, "2:")
    vote(client, part2_review, "no")
    assert tally(part2_review) == (1, 0, 1, 0)
    assert meter(client, part2_review.get_absolute_url()).endswith(
        "of readers who finished Part 2: 0%"
    )


def test_the_finished_share_is_not_shown_when_no_finished_reader_voted(client, part2_review):
    vote(Client(), part2_review, "yes")
    assert meter(client, part2_review.get_absolute_url()) == "Readers agree 100% · 1 vote"


# --- what is refused --------------------------------------------------------------------


def test_an_unrated_review_has_no_vote_form_and_refuses_votes(client, work, part2, critic):
    unrated = ReviewFactory(work=work, season=part2, author=critic, verdict=Verdict.UNRATED)
    root = page(client.get(unrated.get_absolute_url()))
    assert root.find("form", cls="vote-form") is None
    assert root.by_id("audience") is None
    response = vote(client, unrated, "yes")
    assert response.status_code == 302
    assert messages(parse(client.get(response["Location"]).content)) == [
        "Choose Agree or Disagree with the verdict."
    ]
    assert tally(unrated) == (0, 0, 0, 0)
    assert not AudienceVote.objects.exists()
    assert VOTER_COOKIE not in response.cookies


@pytest.mark.parametrize("choice", ["", "maybe", "YES", "1"])
def test_a_vote_must_be_agree_or_disagree(client, part2_review, choice):
    vote(client, part2_review, choice)
    assert not AudienceVote.objects.exists()


def test_votes_on_drafts_and_unknown_reviews_are_not_found(client, part2_review):
    Review.objects.filter(pk=part2_review.pk).update(status=Review.Status.DRAFT)
    assert vote(client, part2_review, "yes").status_code == 404
    assert client.post("/reviews/nope/vote/", {"agrees": "yes"}).status_code == 404
    assert not AudienceVote.objects.exists()


def test_votes_by_get_are_refused(client, part2_review):
    response = client.get(f"/reviews/{part2_review.slug}/vote/", {"agrees": "yes"})
    assert response.status_code == 405
    assert not AudienceVote.objects.exists()


def test_a_vote_needs_the_csrf_token(part2_review):
    response = vote(Client(enforce_csrf_checks=True), part2_review, "yes")
    assert response.status_code == 403
    assert not AudienceVote.objects.exists()


def test_per_ip_limit_refuses_with_a_message_and_records_nothing(monkeypatch, part2_review):
    monkeypatch.setattr(review_views, "VOTE_LIMIT", (2, 3600))
    for _ in range(2):
        assert vote(Client(), part2_review, "yes", ip="203.0.113.9").status_code == 302
    assert tally(part2_review)[:2] == (2, 2)
    late = Client()
    response = vote(late, part2_review, "no", ip="203.0.113.9")
    assert response.status_code == 302
    assert messages(parse(late.get(response["Location"]).content)) == [
        "Too many votes from your network just now; try again later."
    ]
    assert tally(part2_review)[:2] == (2, 2)
    assert AudienceVote.objects.count() == 2
    assert VOTER_COOKIE not in response.cookies
    # Another network is not affected.
    vote(Client(), part2_review, "no", ip="198.51.100.4")
    assert tally(part2_review)[:2] == (3, 2)


# --- list pages: the meter costs no queries --------------------------------------------


def add_votes(reviews, count: int) -> None:
    votes = [
        AudienceVote(
            review=reviews[n % len(reviews)],
            voter_key=f"test-voter-{n}",
            agrees=n % 3 != 0,
            finished=n % 2 == 0,
        )
        for n in range(count)
    ]
    AudienceVote.objects.bulk_create(votes)
    audience_recount([review.pk for review in reviews])


@pytest.mark.parametrize("url", ["/", "/watch/", "/avoid/"])
def test_list_pages_show_the_meter_without_extra_queries(
    client, work, critic, part2, url, django_assert_num_queries
):
    reviews = [
        ReviewFactory(work=work, season=part2, author=critic, verdict=verdict)
        for verdict in [Verdict.WATCH, Verdict.AVOID] * 3
    ]
    assert page(client.get(url)).find("p", cls="audience-meter") is None
    cache.clear()  # count the site-settings query each time
    with CaptureQueriesContext(connection) as without_votes:
        client.get(url)
    add_votes(reviews, 50)
    cache.clear()
    with django_assert_num_queries(len(without_votes)):
        response = client.get(url)
    meters = page(response).find_all("p", cls="audience-meter")
    assert len(meters) == (6 if url == "/" else 3)
    assert all(m.text.startswith("Readers agree ") for m in meters)


# --- staff ------------------------------------------------------------------------------


@pytest.fixture
def staff_client(db):
    client = Client()
    client.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))
    return client


def test_staff_see_the_raw_votes_and_tallies_in_the_admin(staff_client, part2_review):
    from django.contrib import admin

    if not admin.site.is_registered(AudienceVote):
        pytest.skip("no AudienceVote admin is registered (reviews/admin.py)")
    for choice in ("yes", "yes", "no"):
        vote(Client(), part2_review, choice)
    response = staff_client.get("/admin/reviews/audiencevote/")
    assert response.status_code == 200
    assert response.context["cl"].result_count == 3
    review_page = staff_client.get(f"/admin/reviews/review/{part2_review.pk}/change/")
    assert "2 agree, 1 disagree (3 votes)" in review_page.content.decode()
    # Readers cannot.
    reader = Client()
    reader.force_login(UserFactory(username="ann"))
    assert reader.get("/admin/reviews/audiencevote/").status_code == 302
    assert Client().get("/admin/reviews/audiencevote/").status_code == 302


def test_staff_remove_abusive_votes_and_the_tallies_follow(staff_client, part2_review):
    from django.contrib import admin

    if not admin.site.is_registered(AudienceVote):
        pytest.skip("no AudienceVote admin is registered (reviews/admin.py)")
    for n in range(4):
        vote(Client(), part2_review, "no", ip=f"192.0.2.{n}")
    vote(Client(), part2_review, "yes", ip="198.51.100.1")
    assert tally(part2_review)[:2] == (5, 1)
    abusive = AudienceVote.objects.filter(ip_address__startswith="192.0.2.")
    actions = staff_client.get("/admin/reviews/audiencevote/").context["action_form"]
    names = [value for value, _label in actions.fields["action"].choices if value]
    assert names, "no action to remove votes"
    assert "delete_selected" not in names  # it would leave the tallies stale
    response = staff_client.post(
        "/admin/reviews/audiencevote/",
        {"action": names[0], "_selected_action": [v.pk for v in abusive]},
    )
    assert response.status_code == 302
    assert tally(part2_review)[:2] == (1, 1)
    assert meter(Client(), part2_review.get_absolute_url()) == "Readers agree 100% · 1 vote"
    # Resetting every vote of a review from the review list.
    response = staff_client.post(
        "/admin/reviews/review/",
        {"action": "reset_audience_votes", "_selected_action": [part2_review.pk]},
    )
    assert response.status_code == 302
    assert tally(part2_review) == (0, 0, 0, 0)
    assert meter(Client(), part2_review.get_absolute_url()) is None
