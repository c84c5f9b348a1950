"""The writing desk on the server: who gets in, the new-review flow, autosave and
conflicts, revisions and their limit, preview, images, citations, publishing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tests import dom
from tests.conftest import png_bytes
from tests.factories import ReviewFactory, SeasonFactory, UserFactory, WorkFactory
from watchworthy.catalog.models import Season, Work
from watchworthy.desk import services
from watchworthy.desk.models import Revision
from watchworthy.images.models import Image
from watchworthy.reviews.models import Review, Verdict

pytestmark = pytest.mark.django_db


def writer(username: str = "mara", **extra) -> object:
    user = UserFactory(username=username, **extra)
    user.user_permissions.add(Permission.objects.get(codename="add_review"))
    return user


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def mara():
    return writer()


@pytest.fixture
def desk(mara) -> Client:
    return signed_in(mara)


@pytest.fixture
def draft(mara):
    work = WorkFactory(title="Ferrylight", slug="ferrylight")
    SeasonFactory(work=work, number=1, label="Part 1", episode_count=13)
    part2 = SeasonFactory(work=work, number=2, label="Part 2", episode_count=9)
    review = ReviewFactory(
        work=work, season=part2, author=mara, status=Review.Status.DRAFT, published_at=None,
        title="The tide goes out", slug="the-tide-goes-out", body="First paragraph.\n",
        verdict=Verdict.UNRATED,
    )  # fmt: skip
    services.save_text(review, services.live_text(review), base=0, user=mara)
    return review


def fields(review, **changes) -> dict[str, str]:
    text, number = services.working_text(review)
    data = {k: "" if v is None else str(v) for k, v in text.items()}
    data["revision"] = str(number)
    data.update({k: str(v) for k, v in changes.items()})
    return data


# --- who gets in --------------------------------------------------------------------------


ENDPOINTS = [
    ("post", "/desk/reviews/{pk}/autosave/"),
    ("post", "/desk/reviews/{pk}/preview/"),
    ("post", "/desk/reviews/{pk}/copy/"),
    ("post", "/desk/images/"),
    ("get", "/desk/cite/?q=tide"),
]
PAGES = [
    "/desk/",
    "/desk/new/",
    "/desk/new/ferrylight/",
    "/desk/reviews/{pk}/",
    "/desk/reviews/{pk}/revisions/",
    "/desk/reviews/{pk}/publish/",
    "/desk/reviews/{pk}/card.png",
]


@pytest.mark.parametrize("who", ["guest", "reader"])
def test_guests_and_readers_get_nothing(draft, who):
    client = Client() if who == "guest" else signed_in(UserFactory(username="reader"))
    for url in PAGES:
        response = client.get(url.format(pk=draft.pk))
        if who == "guest":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
        else:
            assert response.status_code == 403, url
            assert "The tide goes out" not in response.content.decode()
    for method, url in ENDPOINTS:
        response = getattr(client, method)(url.format(pk=draft.pk), {"body": "x", "revision": 0})
        assert response.status_code == 403, url
        assert "tide" not in response.content.decode().lower()
    assert Revision.objects.count() == 1


def test_a_writer_cannot_open_anothers_review_but_staff_can(draft):
    other = signed_in(writer("ivo"))
    assert other.get(f"/desk/reviews/{draft.pk}/").status_code == 404
    assert other.post(f"/desk/reviews/{draft.pk}/autosave/", fields(draft)).status_code == 404
    assert "The tide goes out" not in other.get("/desk/").content.decode()
    staff = signed_in(UserFactory(username="boss", is_staff=True))
    assert staff.get(f"/desk/reviews/{draft.pk}/").status_code == 200


# --- a new review -------------------------------------------------------------------------


def test_a_new_review_with_a_new_work_and_part_made_inline(desk, mara):
    response = desk.post("/desk/new/", {"new_title": "Harbour Lights", "new_kind": "anime"})
    assert response["Location"] == "/desk/new/harbour-lights/"
    response = desk.post(
        "/desk/new/harbour-lights/",
        {"new_number": 1, "new_label": "Part 1", "new_episodes": 12, "verdict": "watch",
         "score": "8.5", "title": "Lights on the water"},
    )  # fmt: skip
    review = Review.objects.get(slug="lights-on-the-water")
    assert response["Location"] == f"/desk/reviews/{review.pk}/"
    assert (review.work.title, review.season.label, review.season.episode_count) == (
        "Harbour Lights", "Part 1", 12,
    )  # fmt: skip
    assert (review.status, review.author, review.verdict) == ("draft", mara, "watch")
    page = dom.parse(desk.get(response["Location"]).content.decode())
    form = page.by_id("desk-editor")
    assert form.attrs["data-autosave-url"] == f"/desk/reviews/{review.pk}/autosave/"
    assert '["1:3", "Part 1, ep 3"]' in form.attrs["data-scopes"]


def test_the_new_review_flow_says_what_is_missing_and_keeps_it(desk):
    response = desk.post("/desk/new/", {"new_kind": "film", "new_year": "1999"})
    assert response.status_code == 400
    assert "Choose a work, or give the new work" in response.content.decode()
    work = WorkFactory(slug="w")
    SeasonFactory(work=work, number=1)
    response = desk.post("/desk/new/w/", {"new_number": 1, "verdict": "watch", "title": "T"})
    assert response.status_code == 400 and "already in the catalog" in response.content.decode()
    assert 'value="T"' in response.content.decode()
    assert not Review.objects.exists() and Season.objects.count() == 1
    assert Work.objects.count() == 1


# --- autosave, conflicts, revisions ----------------------------------------------------


def test_autosave_keeps_the_text_as_a_revision_not_on_the_review(desk, draft):
    url = f"/desk/reviews/{draft.pk}/autosave/"
    answer = desk.post(url, fields(draft, body="First paragraph.\n\nA second one.\n")).json()
    assert answer["revision"] == 2 and answer["saved_label"].startswith("Saved ")
    draft.refresh_from_db()
    assert draft.body == "First paragraph.\n"  # Save (or publishing) writes the review
    assert services.working_text(draft)[0]["body"].endswith("A second one.\n")
    html = desk.get(f"/desk/reviews/{draft.pk}/").content.decode()
    assert "A second one." in html and "autosaved changes" in html


def test_a_save_from_another_tab_is_never_overwritten(desk, draft):
    url = f"/desk/reviews/{draft.pk}/autosave/"
    base = {"body": "Intro.\n\nMiddle.\n\nEnd.\n"}
    first = desk.post(url, fields(draft, **base)).json()["revision"]
    tab_a = fields(draft, body="Intro, rewritten.\n\nMiddle.\n\nEnd.\n", revision=first)
    tab_b = fields(draft, body="Intro.\n\nMiddle.\n\nEnd, rewritten.\n", revision=first)
    assert desk.post(url, tab_a).status_code == 200
    conflict = desk.post(url, tab_b)
    assert conflict.status_code == 409
    answer = conflict.json()
    assert answer["clean"] is True
    assert answer["merged"] == "Intro, rewritten.\n\nMiddle.\n\nEnd, rewritten.\n"
    assert answer["theirs"]["body"].startswith("Intro, rewritten.")
    assert services.working_text(draft)[0]["body"].startswith("Intro, rewritten.")  # kept

    clash = fields(draft, body="Intro, my way.\n\nMiddle.\n\nEnd.\n", revision=first)
    answer = desk.post(url, clash).json()
    assert answer["clean"] is False and "<<<<<<< yours" in answer["merged"]
    copy = desk.post(f"/desk/reviews/{draft.pk}/copy/", clash).json()
    copied = Review.objects.get(pk=copy["id"])
    assert copied.body == "Intro, my way.\n\nMiddle.\n\nEnd.\n" and copied.status == "draft"
    assert copy["url"] == f"/desk/reviews/{copied.pk}/"
    # Sending the merge on top of the newest revision goes through.
    merged = fields(draft, body=answer["merged"], revision=answer["revision"])
    assert desk.post(url, merged).status_code == 200


def test_invalid_values_are_named_and_nothing_is_saved(desk, draft):
    response = desk.post(f"/desk/reviews/{draft.pk}/autosave/", fields(draft, score="11"))
    assert response.status_code == 400
    assert "score" in response.json()["errors"]
    assert Revision.objects.filter(review=draft).count() == 1


def test_the_history_keeps_its_limit_by_dropping_the_oldest_autosaves(draft, mara):
    moment = timezone.now()
    number = 1
    for n in range(services.MAX_REVISIONS + 10):
        number = services.save_text(
            draft, {**services.live_text(draft), "body": f"w{n}"}, base=number, user=mara,
            kind=Revision.Kind.AUTOSAVE, now=moment + timedelta(seconds=5 * (n + 1)),
        ).number  # fmt: skip
    assert number == services.MAX_REVISIONS + 11  # numbers are never reused
    kept = Revision.objects.filter(review=draft)
    assert kept.count() == services.MAX_REVISIONS
    assert kept.filter(kind=Revision.Kind.SAVE, number=1).exists()  # saves are never pruned
    assert kept.order_by("-number").first().body == f"w{services.MAX_REVISIONS + 9}"
    assert not kept.filter(body="w0").exists()


def test_restoring_an_earlier_revision(desk, draft):
    desk.post(
        f"/desk/reviews/{draft.pk}/", {**fields(draft, body="Second draft."), "action": "save"}
    )
    draft.refresh_from_db()
    assert draft.body == "Second draft."
    page = desk.get(f"/desk/reviews/{draft.pk}/revisions/?show=1").content.decode()
    assert "Restore revision 1" in page and "+Second draft." in page
    response = desk.post(f"/desk/reviews/{draft.pk}/revisions/", {"restore": "1"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.body == "First paragraph.\n"
    assert [r.kind for r in Revision.objects.filter(review=draft)] == ["restore", "save", "save"]


# --- preview, images, citations -----------------------------------------------------------


def test_preview_is_the_published_pipeline_for_the_critic_and_a_reader(desk, draft):
    body = "Calm.\n\n::: spoiler Part 2, episode 7\nThe ferry sinks.\n:::\n"
    url = f"/desk/reviews/{draft.pk}/preview/"
    critic = desk.post(url, {"body": body, "preview_as": ""}).json()
    assert "The ferry sinks." in critic["html"] and "Part 2, ep 7" in critic["html"]
    assert critic["words"] >= 4 and critic["minutes"] == 1
    reader = desk.post(url, {"body": body, "preview_as": "2:3"}).json()
    reader_html = dom.parse(reader["html"])
    assert "The ferry sinks." not in reader_html.visible_text()
    past = desk.post(url, {"body": body, "preview_as": "2:"}).json()
    assert "The ferry sinks." in dom.parse(past["html"]).visible_text()
    hostile = desk.post(url, {"body": "<script>alert(1)</script><img src=x onerror=alert(1)>"})
    shown = dom.parse(hostile.json()["html"])
    assert not shown.find_all("script") and not shown.find_all("img")
    assert "alert(1)" in shown.text  # as words, escaped


def test_an_image_upload_needs_alt_text_and_leaves_the_sizes_to_the_worker(
    desk, draft, django_capture_on_commit_callbacks
):
    picture = SimpleUploadedFile("harbour.png", png_bytes(1600, 900).read(), "image/png")
    missing = desk.post(
        "/desk/images/", {"file": picture, "caption": "x"}, HTTP_ACCEPT="application/json"
    )
    assert missing.status_code == 400
    assert "alt text is required" in str(missing.json()["errors"])
    picture.seek(0)
    with django_capture_on_commit_callbacks(execute=False) as later:
        answer = desk.post(
            "/desk/images/",
            {"file": picture, "alt_text": "The harbour at dusk", "caption": "Episode 1"},
            HTTP_ACCEPT="application/json",
        ).json()
    image = Image.objects.get(pk=answer["id"])
    assert answer["markdown"] == f'![The harbour at dusk](image:{image.key} "Episode 1")'
    assert image.renditions == {}  # not made in the request
    for callback in later:
        callback()  # the task (immediate backend here) runs after the commit
    image.refresh_from_db()
    assert set(image.renditions) and all(
        name.endswith(".webp") for name in image.renditions.values()
    )


def test_cite_finds_only_the_writers_own_reviews(desk, draft, mara):
    ReviewFactory(title="Tide tables", slug="tide-tables", author=mara)
    ReviewFactory(title="Tide of others", slug="tide-others", author=UserFactory())
    found = desk.get("/desk/cite/", {"q": "tide"}).json()["results"]
    assert {r["slug"] for r in found} == {"tide-tables", "the-tide-goes-out"}


# --- publishing ---------------------------------------------------------------------------


def test_the_checklist_stops_a_review_that_is_not_ready(desk, draft):
    desk.post(
        f"/desk/reviews/{draft.pk}/autosave/",
        fields(
            draft,
            title="It ||sinks||",
            excerpt="The ||ending|| hurts.",
            body="![](https://example.org/x.png)\n\n||Part 2 ep 8: late||",
            spoils_up_to="Part 2, ep 3",
        ),
    )
    page = desk.get(f"/desk/reviews/{draft.pk}/publish/").content.decode()
    failed = [li.text for li in dom.parse(page).find_all("li", class_="check-fail")]
    assert len(failed) == 5, failed
    response = desk.post(f"/desk/reviews/{draft.pk}/publish/", {"action": "publish"})
    assert (
        response.status_code == 400
        and "Fix what the checklist says first" in response.content.decode()
    )
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_schedule_publish_and_unpublish(desk, draft):
    desk.post(f"/desk/reviews/{draft.pk}/autosave/", fields(draft, verdict="watch", score="8"))
    past = desk.post(
        f"/desk/reviews/{draft.pk}/publish/", {"action": "schedule", "when": "2001-01-01T10:00"}
    )
    assert past.status_code == 400 and "That moment has passed" in past.content.decode()
    later = timezone.localtime() + timedelta(days=2)
    desk.post(
        f"/desk/reviews/{draft.pk}/publish/",
        {"action": "schedule", "when": later.strftime("%Y-%m-%dT%H:%M")},
    )
    draft.refresh_from_db()
    assert draft.status == "scheduled" and not draft.is_public and draft.verdict == "watch"
    response = desk.post(f"/desk/reviews/{draft.pk}/publish/", {"action": "publish"})
    assert response["Location"] == "/reviews/the-tide-goes-out/"
    draft.refresh_from_db()
    assert draft.is_public
    assert Client().get("/reviews/the-tide-goes-out/").status_code == 200
    desk.post(f"/desk/reviews/{draft.pk}/publish/", {"action": "unpublish"})
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert Client().get("/reviews/the-tide-goes-out/").status_code == 404


def test_a_published_reviews_edits_stay_off_the_page_until_updated(desk, draft):
    desk.post(f"/desk/reviews/{draft.pk}/autosave/", fields(draft, verdict="watch"))
    desk.post(f"/desk/reviews/{draft.pk}/publish/", {"action": "publish"})
    desk.post(f"/desk/reviews/{draft.pk}/autosave/", fields(draft, body="Half-written new"))
    assert "Half-written" not in Client().get("/reviews/the-tide-goes-out/").content.decode()
    desk.post(f"/desk/reviews/{draft.pk}/", {**fields(draft), "action": "save"})
    assert "Half-written" in Client().get("/reviews/the-tide-goes-out/").content.decode()


def test_the_dashboard_lists_the_writers_reviews_and_waiting_comments(desk, draft, mara):
    html = desk.get("/desk/").content.decode()
    drafts = dom.parse(html).find("section", aria_labelledby="drafts-heading")
    assert "The tide goes out" in drafts.text
    assert desk.get(f"/desk/reviews/{draft.pk}/card.png")["Content-Type"] == "image/png"


def test_replies_to_the_writers_comments_say_their_thread(desk, draft, mara):
    from tests.commenting import HoldEverything
    from watchworthy.discussion.models import Comment
    from watchworthy.discussion.services import comment_moderate, comment_post
    from watchworthy.spoilers.shield import Position

    draft.status, draft.published_at = Review.Status.PUBLISHED, timezone.now()
    draft.save()
    mine = comment_post(review=draft, body="My note on ep 2.", user=mara, episode=Position(2, 2))
    reply = comment_post(
        review=draft, body="A reader answers.", author_name="Ivo", author_email="i@example.org",
        parent=mine, policy=HoldEverything(),
    )  # fmt: skip
    comment_moderate(comments=[reply], status=Comment.Status.APPROVED)
    html = desk.get("/desk/").content.decode()
    assert "Ivo" in html and "(in the ep 2 thread)" in html and "A reader answers." in html


def test_the_dashboard_costs_the_same_queries_as_reviews_grow(
    desk, mara, django_assert_num_queries
):
    from django.core.cache import cache

    for scale in (2, 20):
        for _n in range(scale):
            ReviewFactory(author=mara, status=Review.Status.DRAFT, published_at=None)
            ReviewFactory(author=mara)
        cache.clear()
        # next scheduled moment, site settings; session and user; the writer's
        # permissions (their own and their groups'); the waiting count, the three
        # lists, the replies; the fediverse setting (its panel, off here: see
        # tests/fediverse/test_dashboard.py)
        with django_assert_num_queries(12):
            assert desk.get("/desk/").status_code == 200


NASTY = ["", "\x00", "9" * 40, "²", "-1", "2001-13-45T99:99", "<script>x</script>", "é" * 5000]
DESK_FIELDS = [
    "title", "subtitle", "excerpt", "verdict", "score", "spoils_up_to", "body", "revision",
    "cover", "restore", "preview_as", "work", "new_title", "new_kind", "new_year", "season",
    "new_number", "new_label", "new_episodes", "when", "alt_text", "caption", "review",
    "as_cover", "action", "next",
]  # fmt: skip


@pytest.mark.parametrize("value", NASTY)
def test_no_value_in_any_desk_field_gives_a_server_error(draft, value):
    browser = Client(raise_request_exception=True)
    browser.force_login(UserFactory(username="boss", is_staff=True))
    before = services.working_text(draft)
    urls = [
        "/desk/new/", "/desk/new/ferrylight/", "/desk/images/", f"/desk/reviews/{draft.pk}/",
        *(f"/desk/reviews/{draft.pk}/{name}/" for name in
          ("autosave", "preview", "copy", "revisions", "publish")),
    ]  # fmt: skip
    for url in urls:
        response = browser.post(url, dict.fromkeys(DESK_FIELDS, value))
        assert response.status_code < 500, (url, response.status_code)
    assert services.working_text(draft)[0]["body"] == before[0]["body"]


def test_the_fediverse_switch_on_the_publish_page(desk, draft):
    desk.post(f"/desk/reviews/{draft.pk}/autosave/", fields(draft, verdict="watch", score="8"))
    page = dom.parse(desk.get(f"/desk/reviews/{draft.pk}/publish/").content.decode())
    box = page.find("input", name="federate")
    assert "checked" in box.attrs and box.attrs["aria-describedby"] == "federate-help"
    assert page.by_id("federate-help") is not None
    # The page's form says it showed the switch: unticked, the review stays home.
    desk.post(f"/desk/reviews/{draft.pk}/publish/", {"action": "publish", "federate_shown": "1"})
    draft.refresh_from_db()
    assert draft.is_public and not draft.federate
    page = dom.parse(desk.get(f"/desk/reviews/{draft.pk}/publish/").content.decode())
    assert "checked" not in page.find("input", name="federate").attrs
    # Ticked again: on.
    desk.post(
        f"/desk/reviews/{draft.pk}/publish/", {"action": "publish", "federate_shown": "1",
                                               "federate": "on"},
    )  # fmt: skip
    draft.refresh_from_db()
    assert draft.federate
    # A POST from something that never showed the switch (a script) leaves it as it is.
    desk.post(f"/desk/reviews/{draft.pk}/publish/", {"action": "publish"})
    draft.refresh_from_db()
    assert draft.federate
