"""The read API's contract: what each endpoint answers, and what it never shows
(drafts, scheduled reviews, held/spam/deleted comments, e-mails, IPs, spoilers)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.spoilers.conftest import RECAP_SECRET, RECAP_WORD, REVIEW_SECRETS

from .conftest import (
    COMMENT_BLOCK_SECRET,
    COMMENT_INLINE_SECRET,
    DRAFT_WORD,
    GUEST_EMAIL,
    GUEST_IP,
    HELD_WORD,
    MARKED_SECRET,
    PRIVATE_KEYS,
    REMOVED_WORD,
    SCHEDULED_WORD,
    SPAM_WORD,
    walk,
)

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "/api/works/",
    "/api/works/ferrylight/",
    "/api/works/ferrylight/seasons/",
    "/api/works/ferrylight/characters/",
    "/api/reviews/",
    "/api/reviews/ferrylight-part-2/",
    "/api/reviews/ferrylight-part-2/comments/",
]
NEVER_SHOWN = (
    *REVIEW_SECRETS,
    RECAP_SECRET,
    COMMENT_INLINE_SECRET,
    COMMENT_BLOCK_SECRET,
    MARKED_SECRET,
    HELD_WORD,
    SPAM_WORD,
    REMOVED_WORD,
    DRAFT_WORD,
    SCHEDULED_WORD,
    GUEST_EMAIL,
    GUEST_IP,
    "Ibuki",  # met in Part 1 ep 5: hidden without progress
    "Renji",  # met in Part 2 ep 3
)


def get_json(client: Client, url: str, status: int = 200) -> dict:
    response = client.get(url)
    assert response.status_code == status, (url, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    return response.json()


@pytest.mark.parametrize("url", ENDPOINTS)
def test_no_private_field_secret_or_unpublished_text_anywhere(client, site, url):
    data = get_json(client, url)
    strings = list(walk(data))
    assert not PRIVATE_KEYS & set(strings)
    assert not [s for s in strings if "@" in s], "no e-mail address"
    text = json.dumps(data)
    leaked = [word for word in NEVER_SHOWN if word in text]
    assert not leaked


def test_reviews_are_the_published_ones_newest_first(client, site):
    data = get_json(client, "/api/reviews/")
    assert [r["slug"] for r in data["items"]] == ["ferrylight-part-2", "ferrylight-part-1"]
    first = data["items"][0]
    assert first["verdict"] == "avoid"
    assert first["author"] == {"username": "mara", "name": "Mara Quill"}
    assert first["work"]["slug"] == "ferrylight"
    assert first["season"] == {"number": 2, "label": "Part 2"}
    assert first["spoils_up_to"] == "Part 2, ep 7"
    assert first["teaser"] == "Part 2 trades the water for council rooms. Avoid it."
    assert first["comment_count"] == 3  # the approved ones
    assert "body_html" not in first


@pytest.mark.parametrize("slug", ["a-draft", "tomorrow", "no-such-review"])
def test_a_draft_or_scheduled_review_is_a_404_everywhere(client, site, slug):
    for url in (f"/api/reviews/{slug}/", f"/api/reviews/{slug}/comments/"):
        assert get_json(client, url, 404)["detail"]


def test_the_review_body_has_every_spoiler_as_its_label(client, site):
    body = get_json(client, "/api/reviews/ferrylight-part-2/")["body_html"]
    assert "[Spoiler: Part 2, ep 7]" in body
    assert "Part 2 trades the water for council rooms." in body
    assert not [word for word in REVIEW_SECRETS if word in body]


def test_filters(client, site, part1_review):
    def slugs(query: str) -> list[str]:
        return [r["slug"] for r in get_json(client, f"/api/reviews/?{query}")["items"]]

    assert slugs("verdict=watch") == ["ferrylight-part-1"]
    assert slugs("work=ferrylight&verdict=avoid") == ["ferrylight-part-2"]
    assert slugs("work=no-such-work") == []
    assert slugs("author=mara") == ["ferrylight-part-2", "ferrylight-part-1"]
    assert slugs("tag=none-such") == []


def test_comments_are_the_approved_ones_in_thread_order_spoilers_as_labels(client, site):
    items = get_json(client, "/api/reviews/ferrylight-part-2/comments/")["items"]
    assert [c["id"] for c in items] == [site["spoiling"].pk, site["reply"].pk, site["marked"].pk]
    spoiling, reply, marked = items
    assert spoiling["number"] == 1 and spoiling["depth"] == 0
    assert reply["parent_id"] == spoiling["id"] and reply["depth"] == 1
    assert spoiling["author_name"] == "Ann Reader"
    assert "[Spoiler: Part 2, ep 7]" in spoiling["body_html"]
    assert marked["spoils_up_to"] == "Part 2, ep 7"
    assert "This comment spoils Part 2, ep 7" in marked["body_html"]
    assert spoiling["url"].endswith(f"/comments/{spoiling['id']}/")


def test_the_work_and_its_seasons(client, site):
    work = get_json(client, "/api/works/ferrylight/")
    assert [s["label"] for s in work["seasons"]] == ["Part 1", "Part 2"]
    assert work["characters_api_url"].endswith("/api/works/ferrylight/characters/")
    listed = get_json(client, "/api/works/")["items"]
    assert [w["slug"] for w in listed] == ["ferrylight"]


def test_a_work_without_a_published_review_is_not_listed_but_has_its_page(client, site):
    from tests.factories import WorkFactory

    WorkFactory(slug="unreviewed", title="Aaa first by title")
    assert [w["slug"] for w in get_json(client, "/api/works/")["items"]] == ["ferrylight"]
    assert get_json(client, "/api/works/unreviewed/")["slug"] == "unreviewed"
    assert "nope" in get_json(client, "/api/works/nope/", 404)["detail"]


def test_recaps_only_for_a_reader_who_finished_the_season(client, site):
    def recap(progress: str) -> list:
        url = "/api/works/ferrylight/seasons/" + (f"?progress={progress}" if progress else "")
        return [(s["recap_hidden"], s["recap_html"]) for s in get_json(client, url)["items"]]

    assert recap("") == [(True, None), (True, None)]
    assert recap("1:23") == [(True, None), (True, None)]
    (part1_hidden, part1_recap), part2 = recap("1:")
    assert not part1_hidden and RECAP_WORD in part1_recap
    assert RECAP_SECRET not in part1_recap  # inner spoilers travel as labels
    assert part2 == (True, None)
    assert recap("1:24")[0][0] is False  # the finale is the whole part


@pytest.mark.parametrize(
    ("progress", "shown"),
    [
        ("", {"Suzu Amagane"}),
        ("0:0", {"Suzu Amagane"}),
        ("1:4", {"Suzu Amagane"}),
        ("1:5", {"Suzu Amagane", "Ibuki Sazanami"}),
        ("1:", {"Suzu Amagane", "Ibuki Sazanami"}),
        ("2:3", {"Suzu Amagane", "Ibuki Sazanami", "Renji Kuroshio"}),
    ],
)
def test_characters_are_shielded_by_the_explicit_progress(client, site, progress, shown):
    url = "/api/works/ferrylight/characters/" + (f"?progress={progress}" if progress else "")
    data = get_json(client, url)
    visible = {c["name"] for c in data["items"] if not c["hidden"]}
    assert visible == shown
    hidden = [c for c in data["items"] if c["hidden"]]
    for row in hidden:
        assert row["name"] is None and row["aliases"] is None and row["description"] is None
        assert row["first_appearance"] in ("Part 1, ep 5", "Part 2, ep 3")
    text = json.dumps(data)
    for name in {"Suzu Amagane", "Ibuki Sazanami", "Renji Kuroshio"} - shown:
        assert name.split()[0] not in text
        assert name.split()[1] not in text


def test_the_characters_answer_is_not_shared_with_a_signed_in_readers_progress(
    client, site, critic, work
):
    """Progress comes from the parameter alone: a reader's saved progress (account or
    cookie) does not open anything, so every answer for one address is the same."""
    from watchworthy.spoilers.progress import progress_save
    from watchworthy.spoilers.shield import Position

    progress_save(user=critic, work=work, position=Position(2, None))
    client.force_login(critic)
    names = [c["name"] for c in get_json(client, "/api/works/ferrylight/characters/")["items"]]
    assert names == ["Suzu Amagane", None, None]


# --- paging --------------------------------------------------------------------------


def test_pages_link_to_each_other_and_cover_everything_once(client, site):
    from tests.factories import ReviewFactory

    for n in range(5):
        ReviewFactory(slug=f"extra-{n}", work=site["review"].work)
    seen = []
    url = "http://testserver/api/reviews/?per_page=3&verdict=watch"
    previous = None
    while url:
        data = get_json(client, url.removeprefix("http://testserver"))
        assert data["previous"] == previous
        seen += [r["slug"] for r in data["items"]]
        previous = f"http://testserver/api/reviews/?per_page=3&verdict=watch&page={data['page']}"
        url = data["next"]
    assert len(seen) == len(set(seen)) == 6
    assert data["page"] == 2


def test_previous_link_keeps_the_other_parameters(client, site):
    data = get_json(client, "/api/reviews/?per_page=1&page=2&author=mara")
    assert data["previous"] == "http://testserver/api/reviews/?per_page=1&page=1&author=mara"
    assert data["next"] is None


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("/api/reviews/?page=0", "page"),
        ("/api/reviews/?page=abc", "page"),
        ("/api/reviews/?page=99999999999999999999999", "page"),
        ("/api/reviews/?per_page=0", "per_page"),
        ("/api/reviews/?per_page=101", "per_page"),
        ("/api/reviews/?verdict=great", "verdict"),
        ("/api/reviews/?work=%3Cscript%3E", "work"),
        ("/api/works/ferrylight/characters/?progress=Part%202", "progress"),
        ("/api/works/ferrylight/characters/?progress=1:2:3", "progress"),
        ("/api/works/ferrylight/seasons/?progress=-1:2", "progress"),
        ("/api/reviews/?work=a%00b", "NUL"),
    ],
)
def test_bad_parameters_are_a_400_that_says_which(client, site, url, words):
    detail = get_json(client, url, 400)["detail"]
    assert words in detail


@pytest.mark.parametrize(
    "url",
    [
        "/api/reviews/?page=2",
        "/api/works/nope/",
        "/api/works/nope/characters/",
        "/api/reviews/nope/comments/",
        "/api/nothing-here/",
    ],
)
def test_unknown_things_are_a_json_404(client, site, url):
    assert get_json(client, url, 404)["detail"]


def test_openapi_document(client, site):
    document = get_json(client, "/api/openapi.json")
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {
        "/api/works/",
        "/api/works/{slug}/",
        "/api/works/{slug}/seasons/",
        "/api/works/{slug}/characters/",
        "/api/reviews/",
        "/api/reviews/{slug}/",
        "/api/reviews/{slug}/comments/",
    }
    for path in document["paths"].values():
        assert set(path) == {"get"}
        assert {"200", "304", "400", "404"} <= set(path["get"]["responses"])
    assert "/api/docs" not in [str(p) for p in document["paths"]]
    assert Client().get("/api/docs").status_code == 404


def test_the_api_serves_the_demo(client):
    """What `make run` loads: its reviews, work and discussion, spoilers as labels."""
    from watchworthy.demo.content import (
        DEMO_PART1_REVIEW_SLUG,
        DEMO_PART2_REVIEW_SLUG,
        DEMO_WORK_SLUG,
        load_demo,
    )

    load_demo()
    slugs = [r["slug"] for r in get_json(client, "/api/reviews/?per_page=100")["items"]]
    assert {DEMO_PART1_REVIEW_SLUG, DEMO_PART2_REVIEW_SLUG} <= set(slugs)
    review = get_json(client, f"/api/reviews/{DEMO_PART2_REVIEW_SLUG}/")
    assert review["work"]["slug"] == DEMO_WORK_SLUG
    assert "spoiler-placeholder" in review["body_html"]
    assert "<details" not in review["body_html"]
    comments = get_json(client, f"/api/reviews/{DEMO_PART2_REVIEW_SLUG}/comments/")
    assert comments["items"]
    work = get_json(client, f"/api/works/{DEMO_WORK_SLUG}/")
    assert [s["label"] for s in work["seasons"]]
