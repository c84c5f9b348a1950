"""Reviews going out to followers: Create when public, Update on edit, Delete with a
Tombstone when withdrawn; spoilers kept back; signed; the outbox."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from cryptography.hazmat.primitives import serialization
from django.utils import timezone

from tests.factories import ReviewFactory, SeasonFactory, WorkFactory
from watchworthy.core.changes import start_new_batch
from watchworthy.core.publishing import announce_due
from watchworthy.fediverse import httpsig, keys
from watchworthy.fediverse.models import Delivery, FederatedReview, FederationSettings, Follower
from watchworthy.reviews.models import Review

from .peer import SITE

pytestmark = pytest.mark.usefixtures("federating")

MIRA = f"{SITE}/actors/mira"
SECRET_BLOCK = "Wexcombe"  # words that appear only inside spoilers
SECRET_INLINE = "Quillibrant"
SPOILING_BODY = (
    "The first half is calm.\n\n"
    f"::: spoiler Part 2, episode 7\n{SECRET_BLOCK} was the broker all along.\n:::\n\n"
    f"And then the levee: ||{SECRET_INLINE} drowns||. See [the work](/works/x/)."
)


@pytest.fixture
def followers(critic):
    """Two followers on one server (one shared inbox) and one on a server without."""
    actor = keys.actor_for(critic)
    for name in ("alice", "bob"):
        Follower.objects.create(
            actor=actor,
            remote_actor=f"https://peer.example/users/{name}",
            inbox=f"https://peer.example/users/{name}/inbox",
            shared_inbox="https://peer.example/inbox",
            domain="peer.example",
        )
    Follower.objects.create(
        actor=actor,
        remote_actor="https://solo.example/carol",
        inbox="https://solo.example/carol/inbox",
        domain="solo.example",
    )
    return ["https://peer.example/inbox", "https://solo.example/carol/inbox"]


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run a block's on-commit work (the change signal, then deliveries) as a commit."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            start_new_batch()  # marks made before the block stay with their own callback
            return action(*args, **kwargs)

    return run


@pytest.fixture
def work():
    work = WorkFactory(title="Ferrylight", slug="ferrylight")
    SeasonFactory(work=work, number=1, label="Part 1", episode_count=12)
    SeasonFactory(work=work, number=2, label="Part 2", episode_count=12)
    return work


def publish(commit, critic, work, **fields):
    fields.setdefault("body", SPOILING_BODY)
    return commit(
        ReviewFactory,
        author=critic,
        work=work,
        season=work.seasons.get(number=2),
        slug="ferrylight-part-2",
        title="Ferrylight, Part 2",
        score=Decimal("8.5"),
        **fields,
    )


def verified_by_critic(posted, critic) -> bool:
    public = keys.actor_for(critic).public_key_pem
    result = httpsig.verify(
        method="POST",
        url=posted.url,
        headers=posted.headers,
        body=posted.body,
        resolve=lambda key_id: serialization.load_pem_public_key(public.encode()),
    )
    return result.key_id == f"{MIRA}#main-key"


def test_publishing_sends_a_signed_create_with_the_spoilers_kept_back(
    commit, critic, work, followers, network
):
    review = publish(commit, critic, work)

    assert sorted(posted.url for posted in network.posts) == sorted(followers)
    for posted in network.posts:
        raw = posted.body.decode().lower()
        assert SECRET_BLOCK.lower() not in raw
        assert SECRET_INLINE.lower() not in raw
        assert verified_by_critic(posted, critic)
    create = network.posts[0].activity
    assert create["type"] == "Create"
    assert create["actor"] == MIRA
    article = create["object"]
    page = f"{SITE}/reviews/ferrylight-part-2/"
    assert article["id"] == f"{SITE}/objects/reviews/{review.pk}"
    assert create["id"] == article["id"] + "#create"
    assert article["type"] == "Article"
    assert article["name"] == "Ferrylight, Part 2"
    assert article["url"] == page
    assert article["attributedTo"] == MIRA
    assert article["summary"] == "Spoilers: Part 2, ep 7"
    assert article["sensitive"] is True
    assert create["to"] == article["to"] == ["https://www.w3.org/ns/activitystreams#Public"]
    assert create["cc"] == article["cc"] == [f"{MIRA}/followers"]
    assert article["published"] == review.published_at.isoformat().replace("+00:00", "Z")
    assert "[Spoiler: Part 2, ep 7]" in article["content"]
    assert f'href="{SITE}/works/x/"' in article["content"]
    assert f'<a href="{page}">Read the review</a>' in article["content"]
    assert article["work"] == {
        "type": "Series", "id": f"{SITE}/works/ferrylight/", "name": "Ferrylight",
        "url": f"{SITE}/works/ferrylight/",
    }  # fmt: skip
    assert article["part"] == {
        "type": "Part", "name": "Part 2", "partNumber": 2, "episodes": 12,
        "partOf": f"{SITE}/works/ferrylight/",
    }  # fmt: skip
    assert article["spoilerScope"] == {
        "type": "SpoilerScope", "name": "Part 2, ep 7", "partNumber": 2, "episode": 7,
    }  # fmt: skip
    assert (article["verdict"], article["score"]) == ("watch", "8.5")
    context = create["@context"][-1]
    for term in ("work", "part", "spoilerScope", "verdict", "score", "Part", "sensitive"):
        assert term in context
    record = FederatedReview.objects.get()
    assert (record.review_pk, record.state, record.generation) == (review.pk, "public", 1)


def test_a_review_without_spoilers_has_no_warning(commit, critic, work, followers, network):
    publish(commit, critic, work, body="Nothing is given away here.")
    article = network.posts[0].activity["object"]
    assert "summary" not in article and "spoilerScope" not in article
    assert article["sensitive"] is False


def test_spoilers_that_name_no_point_are_a_plain_warning(commit, critic, work, followers, network):
    publish(commit, critic, work, body=f"Careful: ||{SECRET_INLINE} lies||.")
    article = network.posts[0].activity["object"]
    assert (article["summary"], article["sensitive"]) == ("Spoilers", True)
    assert "spoilerScope" not in article
    assert SECRET_INLINE not in network.posts[0].body.decode()


def test_an_edit_sends_update_and_a_save_that_changes_nothing_sends_nothing(
    commit, critic, work, followers, network
):
    review = publish(commit, critic, work)
    network.posts.clear()
    review.comments_open = False  # not part of what travels
    commit(review.save)
    assert network.posts == []

    review.title = "Ferrylight, Part 2 (revisited)"
    commit(review.save)
    assert len(network.posts) == 2
    update = network.posts[0].activity
    assert update["type"] == "Update"
    assert update["object"]["id"] == f"{SITE}/objects/reviews/{review.pk}"
    assert update["object"]["name"] == "Ferrylight, Part 2 (revisited)"
    assert "updated" in update["object"]
    assert all(verified_by_critic(posted, critic) for posted in network.posts)
    assert SECRET_BLOCK not in network.posts[0].body.decode()


def test_unpublishing_sends_a_tombstone_and_republishing_a_new_object(
    commit, critic, work, followers, network
):
    review = publish(commit, critic, work)
    network.posts.clear()
    review.status = Review.Status.DRAFT
    commit(review.save)
    delete = network.posts[0].activity
    assert delete["type"] == "Delete"
    assert delete["object"] == {"id": f"{SITE}/objects/reviews/{review.pk}", "type": "Tombstone"}
    assert verified_by_critic(network.posts[0], critic)

    network.posts.clear()
    review.status = Review.Status.PUBLISHED
    commit(review.save)
    create = network.posts[0].activity
    assert create["type"] == "Create"
    assert create["object"]["id"] == f"{SITE}/objects/reviews/{review.pk}/2"


def test_deleting_sends_a_tombstone(commit, critic, work, followers, network):
    review = publish(commit, critic, work)
    pk = review.pk
    network.posts.clear()
    commit(review.delete)
    assert [posted.activity["type"] for posted in network.posts] == ["Delete", "Delete"]
    assert network.posts[0].activity["object"]["id"] == f"{SITE}/objects/reviews/{pk}"
    assert FederatedReview.objects.get().state == FederatedReview.State.WITHDRAWN


def test_nothing_while_federation_is_off(commit, critic, work, followers, network):
    FederationSettings.objects.update(enabled=False)
    FederationSettings(enabled=False).save()  # clears the cached row
    publish(commit, critic, work)
    assert network.posts == []
    assert not FederatedReview.objects.exists()


def test_the_reviews_switch(commit, critic, work, followers, network):
    review = publish(commit, critic, work, federate=False)
    assert network.posts == []
    assert not FederatedReview.objects.exists()

    review.federate = True
    commit(review.save)
    assert network.posts[0].activity["type"] == "Create"
    network.posts.clear()
    review.federate = False  # off once sent: withdrawn
    commit(review.save)
    assert network.posts[0].activity["type"] == "Delete"


def test_a_scheduled_review_goes_out_when_it_goes_live(commit, critic, work, followers, network):
    later = timezone.now() + timedelta(hours=2)
    review = publish(commit, critic, work, status=Review.Status.SCHEDULED, published_at=later)
    assert network.posts == []

    # The moment passes (no write, so no change yet); announcing it is the change.
    Review.objects.filter(pk=review.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    assert commit(announce_due) == 1
    assert len(network.posts) == 2
    create = network.posts[0].activity
    assert create["type"] == "Create"
    assert create["object"]["id"] == f"{SITE}/objects/reviews/{review.pk}"
    assert commit(announce_due) == 0  # nothing more
    assert len(network.posts) == 2


ACTIVITY = "application/activity+json"


def test_the_outbox_lists_the_creates_newest_first_in_pages(
    client, commit, critic, work, settings, django_assert_num_queries, monkeypatch
):
    from watchworthy.fediverse import documents

    monkeypatch.setattr(documents, "PAGE_SIZE", 3)
    now = timezone.now()
    for scale in (1, 10):
        start = Review.objects.count()
        for n in range(scale * 7):
            commit(
                ReviewFactory, author=critic, work=work,
                published_at=now - timedelta(hours=start + n),
            )  # fmt: skip
        withdrawn = commit(ReviewFactory, author=critic, work=work)
        withdrawn.status = Review.Status.DRAFT
        commit(withdrawn.save)
        total = FederatedReview.objects.filter(state="public").count()
        assert total == {1: 7, 10: 77}[scale]

        client.get("/actors/mira/outbox")  # the next scheduled moment, cached again
        with django_assert_num_queries(2):  # the author, the count
            summary = client.get("/actors/mira/outbox", HTTP_ACCEPT=ACTIVITY).json()
        assert (summary["type"], summary["totalItems"]) == ("OrderedCollection", total)
        with django_assert_num_queries(3):  # the author, the count, the page
            page = client.get("/actors/mira/outbox?page=2", HTTP_ACCEPT=ACTIVITY).json()
        assert page["type"] == "OrderedCollectionPage"
        items = page["orderedItems"]
        assert [item["type"] for item in items] == ["Create"] * 3
        published = [item["object"]["published"] for item in items]
        assert published == sorted(published, reverse=True)
        assert page["next"].endswith("?page=3") and page["prev"].endswith("?page=1")


def test_the_object_id_answers_with_the_article_then_a_tombstone(
    client, commit, critic, work, followers, network
):
    review = publish(commit, critic, work)
    path = f"/objects/reviews/{review.pk}"
    article = client.get(path, HTTP_ACCEPT=ACTIVITY).json()
    assert article == {**network.posts[0].activity["object"], "@context": article["@context"]}
    browser = client.get(path, HTTP_ACCEPT="text/html")
    assert browser.status_code == 302
    assert browser["Location"] == f"{SITE}/reviews/ferrylight-part-2/"

    review.status = Review.Status.DRAFT
    commit(review.save)
    gone = client.get(path, HTTP_ACCEPT=ACTIVITY)
    assert gone.status_code == 410
    assert gone.json()["type"] == "Tombstone"
    assert client.get(f"{path}/2", HTTP_ACCEPT=ACTIVITY).status_code == 404
    assert client.get("/objects/reviews/999999", HTTP_ACCEPT=ACTIVITY).status_code == 404


def test_an_import_too_large_to_list_sends_each_public_review_once(
    commit, critic, work, followers, network, monkeypatch
):
    from watchworthy.core import changes

    monkeypatch.setattr(changes, "MANY", 2)  # three reviews in one transaction: swept

    def run_import():
        for n in range(3):
            ReviewFactory(author=critic, work=work, title=f"Imported {n}")
        ReviewFactory(author=critic, work=work, status=Review.Status.DRAFT, published_at=None)

    commit(run_import)
    creates = [p.activity for p in network.posts if p.url == "https://solo.example/carol/inbox"]
    public = Review.objects.published().filter(author=critic).count()  # with the fixture's
    assert public == 4
    assert [a["type"] for a in creates] == ["Create"] * public
    assert len({a["object"]["id"] for a in creates}) == public
    network.posts.clear()
    commit(Review.objects.filter(title="Imported 1").get().save)  # a save changing nothing
    assert network.posts == []


def test_followers_on_blocked_servers_get_nothing(commit, critic, work, followers, network):
    from watchworthy.fediverse.models import BlockedDomain

    BlockedDomain.objects.create(domain="solo.example")
    publish(commit, critic, work)
    assert [posted.url for posted in network.posts] == ["https://peer.example/inbox"]


def test_through_the_admin_publish_then_untick_the_switch(
    client, commit, critic, work, followers, network
):
    critic.is_staff = critic.is_superuser = True
    critic.save()
    client.force_login(critic)
    form = {
        "verdict": "watch", "score": "7", "work": work.pk, "season": "", "title": "Admin review",
        "slug": "admin-review", "subtitle": "", "body_format": "markdown",
        "body": f"Calm.\n\n||Part 1 ep 2: {SECRET_INLINE}||", "status": "published",
        "published_at_0": "", "published_at_1": "", "author": critic.pk, "cover": "",
        "excerpt": "", "comments_open": "on", "federate": "on", "_save": "Save",
    }  # fmt: skip
    page = client.get("/admin/reviews/review/add/").content.decode()
    assert 'name="federate"' in page and "Send to the fediverse" in page
    response = commit(client.post, "/admin/reviews/review/add/", form)
    assert response.status_code == 302, response.content
    create = network.posts[0].activity
    assert create["type"] == "Create" and create["object"]["summary"] == "Spoilers: Part 1, ep 2"
    assert SECRET_INLINE not in network.posts[0].body.decode()

    network.posts.clear()
    review = Review.objects.get(slug="admin-review")
    del form["federate"]  # unticked
    response = commit(client.post, f"/admin/reviews/review/{review.pk}/change/", form)
    assert response.status_code == 302, response.content
    assert [posted.activity["type"] for posted in network.posts] == ["Delete", "Delete"]


def test_what_publishing_costs_does_not_grow_with_followers(
    critic, work, followers, network, django_assert_num_queries
):
    from watchworthy.fediverse import publishing

    actor = keys.actor_for(critic)
    FederationSettings.current()  # cached, as on a running site
    for scale in (1, 10):
        Follower.objects.bulk_create(
            Follower(
                actor=actor, remote_actor=f"https://s{scale}-{n}.example/u",
                inbox=f"https://s{scale}-{n}.example/u/inbox", domain=f"s{scale}-{n}.example",
            )
            for n in range(scale * 5)
        )  # fmt: skip
        review = ReviewFactory(author=critic, work=work, body=SPOILING_BODY, season=None)
        # The savepoint and its release, the review, its record, the work's seasons (for
        # the scope's words), the actor, the new record, blocked servers, followers,
        # the delivery rows.
        before = Delivery.objects.count()
        with django_assert_num_queries(10):
            publishing.federate([review.pk])
        # One row per inbox: the fixture's two, and every follower added since.
        assert Delivery.objects.count() - before == {1: 2 + 5, 10: 2 + 5 + 50}[scale]
