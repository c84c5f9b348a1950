"""A two-part series with spoilers everywhere a critic and readers can put them.

*Ferrylight* has Part 1 (24 episodes, so "Part 1, episode 13" is mid-part) and Part 2
(9 episodes). The Part 2 review hides one secret word in each kind of spoiler; each
word appears nowhere else, so a test can ask "does this page, feed or mail show it?".

Readers act through HTTP: ``set_progress`` posts the progress form as a browser does
(a guest keeps the answer in a cookie, a signed-in reader in the database),
``post_comment`` (from tests/conftest.py) sends the comment form with a form token
issued seconds ago.
"""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import (
    CharacterFactory,
    ReviewFactory,
    SeasonFactory,
    WorkFactory,
)
from watchworthy.discussion.models import VerifiedAddress
from watchworthy.reviews.models import Verdict

# One secret word per kind of spoiler in the Part 2 review.
INLINE_SECRET = "quillfeather"  # ||Part 2 ep 7: …||
BLOCK_SECRET = "marrowgate"  # ::: spoiler Part 2, episode 7
UNSCOPED_INLINE_SECRET = "hollowreed"  # ||…||
UNSCOPED_BLOCK_SECRET = "saltmarrow"  # ::: spoiler (no scope)
RECAP_SECRET = "brinewake"  # in Part 1's recap, behind a Part 1 ep 20 spoiler
RECAP_WORD = "lockstep"  # in Part 1's recap, plain
REVIEW_SECRETS = (INLINE_SECRET, BLOCK_SECRET, UNSCOPED_INLINE_SECRET, UNSCOPED_BLOCK_SECRET)

PART_2_BODY = f"""\
Part 2 trades the water for council rooms. By episode seven ||Part 2 ep 7: the ferryman \
turns out to be {INLINE_SECRET}|| and nothing is the same.

::: spoiler Part 2, episode 7
The levee breaks because {BLOCK_SECRET} opened the sluice.
:::

A general aside: ||the bell is {UNSCOPED_INLINE_SECRET}||, whatever that means.

::: spoiler
Something {UNSCOPED_BLOCK_SECRET} about the ending.
:::

Avoid it.
"""

# Progress a reader can pick, as the form posts it ("season:episode"; None = not set).
STATES = {
    "not set": None,
    "not started": "0:0",
    "Part 1 ep 13": "1:13",
    "finished Part 1": "1:",
    "Part 2 ep 6": "2:6",
    "Part 2 ep 7": "2:7",
    "finished Part 2": "2:",
}
COVERS_PART_2_EP_7 = {"Part 2 ep 7", "finished Part 2"}
COVERS_PART_2_EP_3 = {"Part 2 ep 6", "Part 2 ep 7", "finished Part 2"}
COVERS_PART_1_EP_5 = {"Part 1 ep 13", "finished Part 1", *COVERS_PART_2_EP_3}
FINISHED_PART_1 = {"finished Part 1", *COVERS_PART_2_EP_3}


@pytest.fixture(autouse=True)
def _generous_comment_limits(generous_comment_limits):
    """Readers here post more than the default 5 comments a minute from 127.0.0.1."""


@pytest.fixture
def work(db):
    return WorkFactory(title="Ferrylight", slug="ferrylight")


@pytest.fixture
def part1(work):
    return SeasonFactory(
        work=work,
        number=1,
        label="Part 1",
        episode_count=24,
        recap=f"Suzu rows in {RECAP_WORD}.\n\n::: spoiler Part 1 ep 20\n{RECAP_SECRET}\n:::",
    )


@pytest.fixture
def part2(work, part1):
    return SeasonFactory(work=work, number=2, label="Part 2", episode_count=9)


@pytest.fixture
def characters(work, part1, part2):
    """Who is who: met in the first minutes, mid-Part 1, and in Part 2."""
    return {
        "suzu": CharacterFactory(
            work=work, name="Suzu Amagane", description="Rows the ferry.",
            first_season=part1, first_episode=1, position=1,
        ),
        "ibuki": CharacterFactory(
            work=work, name="Ibuki Sazanami", description="Runs the levee.",
            first_season=part1, first_episode=5, position=2,
        ),
        "renji": CharacterFactory(
            work=work, name="Renji Kuroshio", description="Buys drowned buildings.",
            first_season=part2, first_episode=3, position=3,
        ),
    }  # fmt: skip


@pytest.fixture
def part1_review(work, part1, critic):
    return ReviewFactory(
        title="Ferrylight, Part 1",
        slug="ferrylight-part-1",
        work=work,
        season=part1,
        author=critic,
        verdict=Verdict.WATCH,
        body="A lantern worth following.",
    )


@pytest.fixture
def part2_review(work, part2, critic):
    return ReviewFactory(
        title="Ferrylight, Part 2",
        slug="ferrylight-part-2",
        work=work,
        season=part2,
        author=critic,
        verdict=Verdict.AVOID,
        body=PART_2_BODY,
    )


def set_progress(client: Client, work, value: str | None, *, next_url: str = ""):
    """Post the progress form as the reader's browser does (None: leave it unset)."""
    if value is None:
        return None
    response = client.post(f"/works/{work.slug}/progress/", {"position": value, "next": next_url})
    assert response.status_code == 302, response.status_code
    return response


@pytest.fixture
def reader_at(work):
    """A fresh guest browser that has told the site how far it has watched."""

    def make(state: str) -> Client:
        client = Client()
        set_progress(client, work, STATES[state])
        return client

    return make


@pytest.fixture
def known_commenter(part1_review, make_comment):
    """ann@example.org has had a comment approved and confirmed her address, so her next
    one is published at once."""
    make_comment(part1_review, "An earlier comment.", name="Ann Reader", email="ann@example.org")
    VerifiedAddress.verify("ann@example.org")
    return "ann@example.org"
