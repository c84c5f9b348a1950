"""Episode threads: one discussion per episode under a review of a part, opened by the
reader's progress, with its own numbers, counts, address and feed (issue 13)."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from tests import dom
from tests.commenting import HoldEverything
from tests.factories import ReviewFactory, SeasonFactory, UserFactory, WorkFactory
from tests.search.conftest import committed, find  # noqa: F401 - committed is a fixture
from tests.spoilers.conftest import set_progress
from watchworthy.catalog.models import Work, parse_air_dates
from watchworthy.discussion.episodes import covered_episodes
from watchworthy.discussion.models import Comment, EpisodeThread
from watchworthy.discussion.services import CommentError, comment_moderate, comment_post
from watchworthy.spoilers.shield import Position

pytestmark = pytest.mark.django_db

SECRET = "Quasimodo-lantern"  # a word only an episode-7 comment holds


@pytest.fixture
def part2(critic):
    """Part 2 (nine episodes) of a two-part anime, and its review."""
    work = WorkFactory(title="Ferrylight", slug="ferrylight")
    SeasonFactory(work=work, number=1, label="Part 1", episode_count=13)
    season = SeasonFactory(work=work, number=2, label="Part 2", episode_count=9)
    return ReviewFactory(
        title="Part 2 review", slug="part-2-review", work=work, season=season, author=critic
    )


def say(review, body, *, episode=None, parent=None, name="Reader", email="r@example.org", **kw):
    """A comment that goes up at once (the critic's policy is not in the way here)."""
    comment = comment_post(
        review=review,
        body=body,
        author_name=name,
        author_email=email,
        parent=parent,
        episode=Position(review.season.number, episode) if episode else None,
        policy=HoldEverything(),
        **kw,
    )
    comment_moderate(comments=[comment], status=Comment.Status.APPROVED)
    comment.refresh_from_db()
    return comment


def reader(work, progress: str | None) -> Client:
    client = Client()
    set_progress(client, work, progress)
    return client


# --- the model rules ------------------------------------------------------------------


def test_a_comment_goes_to_its_episode_thread_and_replies_follow_their_parent(part2):
    main = say(part2, "On the whole part.")
    ep3 = say(part2, "About episode 3.", episode=3)
    reply = say(part2, "A reply, sent from anywhere.", parent=ep3)

    assert main.episode_thread is None
    assert ep3.episode_thread.position == Position(2, 3)
    assert reply.episode_thread_id == ep3.episode_thread_id
    # Whatever its writer said, a comment in an episode's thread spoils that episode.
    assert ep3.spoiler_scope == Position(2, 3) and reply.spoiler_scope == Position(2, 3)
    later = say(part2, "Spoils more.", episode=3, spoils=Position(2, 8))
    assert later.spoiler_scope == Position(2, 8)


def test_numbers_and_counts_are_kept_per_thread(part2):
    say(part2, "Main 1")
    first = say(part2, "Ep 3, first", episode=3)
    say(part2, "Ep 3, a reply", parent=first)
    second = say(part2, "Ep 3, second", episode=3)
    say(part2, "Ep 5, first", episode=5)
    say(part2, "Main 2")

    numbers = {
        (c.episode_thread.episode if c.episode_thread else None, c.body): c.number
        for c in Comment.objects.select_related("episode_thread")
    }
    assert numbers == {
        (None, "Main 1"): 1,
        (None, "Main 2"): 2,
        (3, "Ep 3, first"): 1,
        (3, "Ep 3, a reply"): None,
        (3, "Ep 3, second"): 2,
        (5, "Ep 5, first"): 1,
    }
    counts = dict(EpisodeThread.objects.values_list("episode", "approved_comment_count"))
    assert counts == {3: 3, 5: 1}
    part2.refresh_from_db()
    assert part2.approved_comment_count == 6  # every thread together

    comment_moderate(comments=[second], status=Comment.Status.TRASH)
    thread = EpisodeThread.objects.get(episode=3)
    assert thread.approved_comment_count == 2
    assert thread.last_comment_at == Comment.objects.get(body="Ep 3, a reply").created_at


def test_where_a_comment_cannot_go_is_said_and_nothing_is_written(part2, settings):
    before = Comment.objects.count()
    with pytest.raises(CommentError, match="no discussion of that episode"):
        say(part2, "Ep 10?", episode=10)
    with pytest.raises(CommentError, match="no discussion of that episode"):
        comment_post(
            review=part2, body="Part 1?", author_name="R", author_email="r@example.org",
            episode=Position(1, 2), policy=HoldEverything(),
        )  # fmt: skip
    part2.episode_threads = False
    part2.save()
    with pytest.raises(CommentError, match="no discussion of that episode"):
        say(part2, "Threads are off", episode=2)
    assert Comment.objects.count() == before
    assert not EpisodeThread.objects.exists()


def test_a_thread_opens_on_its_air_date(part2):
    season = part2.season
    today = timezone.localdate()
    season.air_dates = f"{today - dt.timedelta(days=7)}, {today}\n{today + dt.timedelta(days=7)}"
    season.full_clean()
    season.save()
    say(part2, "Airs today: open.", episode=2)
    with pytest.raises(CommentError, match="opens on"):
        say(part2, "Next week's.", episode=3)
    say(part2, "No date given: open.", episode=4)
    assert set(EpisodeThread.objects.values_list("episode", flat=True)) == {2, 4}


def test_air_dates_say_what_is_wrong():
    assert parse_air_dates("2026-11-27, 2026-12-04\n 2026-12-11 ") == [
        dt.date(2026, 11, 27),
        dt.date(2026, 12, 4),
        dt.date(2026, 12, 11),
    ]
    with pytest.raises(ValueError, match="Episode 2: “friday” is not a date"):
        parse_air_dates("2026-11-27, friday")
    season = SeasonFactory(episode_count=2, air_dates="2026-01-01 2026-01-08 2026-01-15")
    with pytest.raises(ValidationError, match="3 dates for 2 episodes"):
        season.full_clean()


def test_films_and_unknown_episode_counts_have_no_threads(critic):
    film = ReviewFactory(work=WorkFactory(kind=Work.Kind.FILM), author=critic)
    assert covered_episodes(film, []) == []
    season = SeasonFactory(episode_count=None)
    review = ReviewFactory(work=season.work, season=season, author=critic)
    assert covered_episodes(review, [season]) == []


# --- what each reader sees ------------------------------------------------------------


@pytest.fixture
def discussed(part2):
    say(part2, "The main thread talks about the whole part.")
    say(part2, "Episode 3 was where the broker appeared.", episode=3)
    say(part2, f"Episode 7: {SECRET} was alive all along.", episode=7)
    return part2


def episode_index(html: str) -> tuple[list[str], list[str]]:
    """(labels of the linked threads, labels listed folded) of the episode index."""
    section = dom.parse(html).by_id("episodes")
    links = [a.text.strip() for a in section.find_all("a")]
    later = section.find("details")
    folded = [li.text.split("·")[0].strip() for li in later.find_all("li")] if later else []
    return links, folded


@pytest.mark.parametrize(
    ("progress", "reached"),
    [(None, 0), ("0:0", 0), ("2:3", 3), ("2:", 9), ("1:", 0)],
)
def test_the_index_links_reached_episodes_and_folds_the_rest(discussed, progress, reached):
    html = reader(discussed.work, progress).get("/reviews/part-2-review/").content.decode()
    links, folded = episode_index(html)
    assert links == [f"Part 2, ep {n}" for n in range(1, reached + 1)]
    assert folded == [f"Part 2, ep {n}" for n in range(reached + 1, 10)]
    assert SECRET not in html and "broker" not in html
    heading = dom.parse(html).by_id("comments-heading").text
    assert heading.startswith("1 comment on the whole review")


def test_an_episode_thread_opens_only_to_readers_who_reached_it(discussed):
    behind = reader(discussed.work, "2:6").get("/reviews/part-2-review/ep/7/")
    assert behind.status_code == 200
    html = behind.content.decode()
    assert "Not there yet?" in html and SECRET not in html
    assert 'id="respond"' not in html  # no form either

    there = reader(discussed.work, "2:7").get("/reviews/part-2-review/ep/7/").content.decode()
    assert SECRET in there and "Not there yet?" not in there
    assert "1 comment on Part 2, ep 7" in there
    form = dom.parse(there).by_id("respond")
    assert form.find("input", name="episode").attrs["value"] == "2:7"


def test_a_guest_replies_in_the_thread_and_lands_there(discussed, post_comment, make_comment):
    client = reader(discussed.work, "2:3")
    parent = Comment.objects.get(episode_thread__episode=3)
    response = post_comment(client, discussed, body="Same here.", parent=parent.pk, episode="")
    reply = Comment.objects.get(body="Same here.")
    assert reply.episode_thread_id == parent.episode_thread_id
    assert response["Location"].startswith("/reviews/part-2-review/ep/3/")

    post_comment(client, discussed, body="New in ep 3.", episode="2:3")
    assert Comment.objects.get(body="New in ep 3.").episode_thread.episode == 3
    for garbage in ("2:x", "2:" + "9" * 5000, "1:0\x00"):
        bad = post_comment(client, discussed, body="Kept text.", episode=garbage)
        assert bad.status_code == 400
        assert "not here any more" in bad.content.decode() and "Kept text." in bad.content.decode()
    unknown = post_comment(client, discussed, body="Kept text.", episode="2:10")
    assert unknown.status_code == 400
    assert "no discussion of that episode" in unknown.content.decode()
    assert not Comment.objects.filter(body="Kept text.").exists()


# --- nothing travels in clear ----------------------------------------------------------


def test_feeds_never_carry_an_episode_threads_words(discussed, client):
    main = client.get("/reviews/part-2-review/comments.atom").content.decode()
    assert "whole part" in main and SECRET not in main and "broker" not in main
    for url in ("/reviews/part-2-review/ep/7/comments.atom", "/comments.atom"):
        feed = client.get(url).content.decode()
        assert SECRET not in feed, url
    ep7 = client.get("/reviews/part-2-review/ep/7/comments.atom").content.decode()
    assert "This comment spoils Part 2, ep 7" in ep7 and "(Part 2, ep 7)" in ep7
    assert client.get("/reviews/part-2-review/ep/10/comments.atom").status_code == 404


def test_the_api_names_the_thread_and_redacts_the_words(discussed, client):
    items = client.get("/api/reviews/part-2-review/comments/").json()["items"]
    by_thread = {item["thread"]: item for item in items}
    assert set(by_thread) == {None, "Part 2, ep 3", "Part 2, ep 7"}
    assert SECRET not in json.dumps(items)
    assert "Part 2, ep 7" in by_thread["Part 2, ep 7"]["body_html"]


def test_reply_mail_from_an_episode_thread_is_redacted(
    discussed, django_capture_on_commit_callbacks
):
    watcher = UserFactory(email="watcher@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        top = comment_post(
            review=discussed, body="Ep 7 thoughts.", user=watcher,
            episode=Position(2, 7), notify_replies=True, policy=HoldEverything(),
        )  # fmt: skip
        comment_moderate(comments=[top], status=Comment.Status.APPROVED)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        say(discussed, f"{SECRET} again, in reply.", parent=top, name="Bo", email="bo@x.org")
    sent = [m for m in mail.outbox if "watcher@example.org" in m.to]
    assert sent, [m.to for m in mail.outbox]
    for message in mail.outbox:
        assert SECRET not in message.body, message.to
    assert "Part 2, ep 7" in sent[0].body


def test_search_finds_the_comment_but_never_shows_the_words(part2, settings, committed):  # noqa: F811
    settings.WATCHWORTHY_SEARCH_COMMENTS = True
    with committed():
        say(part2, f"Episode 7: {SECRET} was alive all along.", episode=7)
    hits = find(SECRET)
    assert len(hits) == 1
    assert SECRET.lower() not in (hits[0].title + hits[0].snippet).lower()


# --- addresses --------------------------------------------------------------------------


def test_addresses_and_redirects(discussed, client):
    assert client.get("/reviews/part-2-review/ep/3/").status_code == 200
    moved = client.get("/reviews/part-2-review/part/2/ep/3/")
    assert (moved.status_code, moved["Location"]) == (301, "/reviews/part-2-review/ep/3/")
    for missing in ("/ep/0/", "/ep/10/", "/part/1/ep/3/", "/ep/99999999999/"):
        assert client.get(f"/reviews/part-2-review{missing}").status_code == 404, missing
    comment = Comment.objects.get(episode_thread__episode=3)
    permalink = client.get(comment.get_absolute_url())
    assert permalink["Location"] == f"/reviews/part-2-review/ep/3/#comment-{comment.pk}"

    discussed.episode_threads = False
    discussed.save()
    cache.clear()
    assert client.get("/reviews/part-2-review/ep/3/").status_code == 404
    assert 'id="episodes"' not in client.get("/reviews/part-2-review/").content.decode()


def test_a_whole_work_review_names_the_part(critic, client):
    work = WorkFactory(slug="two-parts")
    SeasonFactory(work=work, number=1, episode_count=4)
    SeasonFactory(work=work, number=2, episode_count=4)
    review = ReviewFactory(slug="whole", work=work, author=critic)
    set_progress(client, work, "2:")
    html = client.get("/reviews/whole/").content.decode()
    links = re.findall(r'href="(/reviews/whole/[^"]+)"', html)
    assert "/reviews/whole/part/1/ep/1/" in links and "/reviews/whole/part/2/ep/4/" in links
    assert client.get("/reviews/whole/ep/2/").status_code == 404  # which part?
    assert client.get("/reviews/whole/part/2/ep/4/").status_code == 200
    one = WorkFactory(slug="one-part")
    SeasonFactory(work=one, number=1, episode_count=3)
    ReviewFactory(slug="one-whole", work=one, author=critic)
    moved = client.get("/reviews/one-whole/ep/2/")
    assert (moved.status_code, moved["Location"]) == (301, "/reviews/one-whole/part/1/ep/2/")
    assert review.pk


def test_the_moderation_queue_names_the_thread(part2, admin_client):
    comment_post(
        review=part2, body="Held in ep 4.", author_name="New", author_email="new@example.org",
        episode=Position(2, 4), policy=HoldEverything(),
    )  # fmt: skip
    html = admin_client.get("/moderation/").content.decode()
    assert "ep 4 thread" in dom.parse(html).text


# --- fast at scale ----------------------------------------------------------------------


def grow(review, scale: int) -> None:
    """``scale`` comments (and as many replies) in the main thread and in each of 12
    episode threads."""
    for episode in [None, *range(1, 13)]:
        for n in range(scale):
            top = say(review, f"{episode}/{n}", episode=episode, email=f"e{n}@example.org")
            say(review, f"re {episode}/{n}", parent=top)


@pytest.mark.parametrize(
    ("url", "progress", "expected"),
    [
        # as every review page (tests/test_query_counts.py), the episode threads'
        # counts included
        ("/reviews/big/", "1:3", 6),
        ("/reviews/big/", "1:", 6),
        # the review, the work's seasons, the thread; then the comment page's roots
        # and its comments (reached), or nothing more (the gate)
        ("/reviews/big/ep/3/", "1:", 7),
        ("/reviews/big/ep/3/", "1:1", 5),
    ],
)
def test_pages_cost_the_same_queries_as_threads_grow(
    critic, django_assert_num_queries, url, progress, expected
):
    season = SeasonFactory(number=1, episode_count=12)
    review = ReviewFactory(slug="big", work=season.work, season=season, author=critic)
    client = reader(season.work, progress)
    for scale in (1, 10):
        grow(review, scale)
        cache.clear()
        with django_assert_num_queries(expected):
            response = client.get(url)
        assert response.status_code == 200
