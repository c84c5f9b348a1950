"""Spoilers never leak where text travels: cards and teasers, link-preview
descriptions, comment feeds, and the e-mails about comments. Each place gets a
labelled placeholder instead of the hidden words."""

import pytest
from django.test import Client

from tests.dom import parse
from tests.factories import ReviewFactory
from tests.spoilers.conftest import REVIEW_SECRETS
from watchworthy.discussion.models import Comment

pytestmark = pytest.mark.django_db

# Hidden words in the comments (the review's own are in conftest.REVIEW_SECRETS).
MARKED_SECRET = "lanternwake"  # a comment marked "spoils up to Part 2, ep 7"
COMMENT_INLINE_SECRET = "driftwood"  # ||Part 2 ep 7: …||
COMMENT_BLOCK_SECRET = "tidegrave"  # ::: spoiler Part 2
COMMENT_UNSCOPED_SECRET = "oarlock"  # ||…||
PARENT_SECRET = "gullrest"  # in the comment being replied to
COMMENT_SECRETS = (
    MARKED_SECRET, COMMENT_INLINE_SECRET, COMMENT_BLOCK_SECRET, COMMENT_UNSCOPED_SECRET,
    PARENT_SECRET,
)  # fmt: skip
SPOILING_BODY = (
    f"Loved it. ||Part 2 ep 7: Mio is {COMMENT_INLINE_SECRET}|| and ||{COMMENT_UNSCOPED_SECRET}||."
    f"\n\n::: spoiler Part 2\nThe levee is {COMMENT_BLOCK_SECRET}.\n:::\n\nSee you."
)


def assert_no_secret(text: str | bytes, secrets=REVIEW_SECRETS + COMMENT_SECRETS) -> None:
    if isinstance(text, bytes):
        text = text.decode()
    leaked = [word for word in secrets if word in text]
    assert not leaked, leaked


# --- the review: cards, teasers, descriptions -----------------------------------------


@pytest.mark.parametrize(
    "url", ["/", "/reviews/", "/avoid/", "/works/ferrylight/", "/authors/mara/", "/nope/"]
)
def test_cards_show_only_spoiler_free_sentences(client, part2_review, url):
    response = client.get(url)
    assert response.status_code in (200, 404)
    assert_no_secret(response.content)
    root = parse(response.content)
    (card,) = [
        c
        for c in root.find_all("article", cls="card")
        if c.find(cls="card-title").text == part2_review.title
    ]
    teaser = card.find("p", cls="card-teaser").text
    assert teaser == "Part 2 trades the water for council rooms. Avoid it."
    assert "[" not in teaser


def test_the_more_on_this_work_cards_under_another_review_hide_it_too(
    client, part1_review, part2_review
):
    response = client.get(part1_review.get_absolute_url())
    assert response.status_code == 200
    assert_no_secret(response.content)
    cards = parse(response.content).find("section", cls="more-on-work").text
    assert "Part 2 trades the water for council rooms. Avoid it." in cards
    assert "[Spoiler" not in cards


def test_a_teaser_leaves_out_a_sentence_with_a_spoiler_whole(work, part2, critic):
    review = ReviewFactory(
        work=work,
        season=part2,
        author=critic,
        body="A smaller spoiler: ||S2E8: she lies||. Verdict below.[^1] What a finale!\n\n[^1]: x",
    )
    assert review.teaser == "Verdict below. What a finale!"


def test_the_teaser_keeps_the_paragraphs_around_a_block_spoiler(part2_review):
    assert part2_review.teaser == "Part 2 trades the water for council rooms. Avoid it."


def test_spoiler_markup_in_a_hand_written_excerpt_is_hidden_on_cards(client, work, part2, critic):
    review = ReviewFactory(
        work=work,
        season=part2,
        author=critic,
        excerpt="Great until ||Part 2 ep 7: Mio returns||.",
    )
    assert "Mio returns" not in client.get("/").content.decode()
    # Nothing spoiler-free is left of the excerpt: the body's first sentences stand in.
    assert review.teaser and "Mio" not in review.teaser and "[" not in review.teaser


def test_the_link_preview_description_of_a_review_hides_spoilers(client, part2_review):
    root = parse(client.get(part2_review.get_absolute_url()).content)
    metas = [
        m
        for m in root.find_all("meta")
        if m.attrs.get("name") == "description"
        or m.attrs.get("property", "").endswith("description")
    ]
    assert metas
    for meta in metas:
        assert_no_secret(meta.attrs["content"])
    (description,) = [m for m in metas if m.attrs.get("name") == "description"]
    assert description.attrs["content"] == "Part 2 trades the water for council rooms. Avoid it."


def test_reviews_page_shows_the_hidden_words_only_inside_spoilers(client, part2_review):
    root = parse(client.get(part2_review.get_absolute_url()).content)
    assert_no_secret(root.visible_text())


# --- comments: feeds and e-mail ---------------------------------------------------------


@pytest.fixture
def parent(part2_review, make_comment):
    """Bo's comment (with a spoiler of its own); Bo asked for replies and confirmed."""
    comment = make_comment(
        part2_review,
        f"Who is the broker? ||Part 2 ep 7: {PARENT_SECRET}||",
        name="Bo",
        email="bo@example.org",
        notify_replies=True,
    )
    Comment.objects.filter(pk=comment.pk).update(notify_confirmed=True)
    return comment


@pytest.fixture
def send(django_capture_on_commit_callbacks, mailoutbox):
    """Run a request as it runs for real, mail included; return the mails it sent."""

    def run(action, *args, **kwargs):
        before = len(mailoutbox)
        with django_capture_on_commit_callbacks(execute=True):
            response = action(*args, **kwargs)
        assert response.status_code == 302, response.status_code
        return mailoutbox[before:]

    return run


@pytest.fixture
def comments(client, part2_review, post_comment, known_commenter, parent, send):
    """Ann (published at once) posts a marked comment and a reply full of spoilers."""
    mails = send(
        post_comment,
        client,
        part2_review,
        body=f"The broker is {MARKED_SECRET} all along.",
        spoils="2:7",
    )
    mails += send(post_comment, client, part2_review, body=SPOILING_BODY, parent=parent.pk)
    marked, reply = Comment.objects.filter(
        author_email="ann@example.org", review=part2_review
    ).order_by("pk")
    assert marked.is_public and reply.is_public and reply.parent_id == parent.pk
    return {"marked": marked, "reply": reply, "mails": mails}


@pytest.mark.parametrize(
    ("url", "entries"),
    [("/reviews/ferrylight-part-2/comments.atom", 3), ("/comments.atom", 4)],
    ids=["review", "site"],
)
def test_comment_feeds_carry_placeholders_not_spoilers(client, comments, url, entries):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = response.content.decode()
    assert_no_secret(feed)
    assert feed.count("<entry>") == entries  # Bo's, Ann's two (and Ann's on Part 1)
    # Inline and block spoilers became labelled placeholders…
    assert "[Spoiler: Part 2, ep 7]" in feed
    assert "[Spoiler: Part 2]" in feed
    assert "[Spoiler]" in feed
    assert "Loved it." in feed and "See you." in feed
    # …and the comment marked as spoiling is replaced by its note.
    assert "[This comment spoils " in feed and ": read it on the site]" in feed


def test_the_note_of_a_marked_comment_names_the_part_as_the_page_does(client, comments):
    feed = client.get("/reviews/ferrylight-part-2/comments.atom").content.decode()
    assert "[This comment spoils Part 2, ep 7: read it on the site]" in feed


def test_the_critics_new_comment_mails_carry_no_spoilers(comments):
    to_critic = [mail for mail in comments["mails"] if mail.to == ["mara@example.org"]]
    assert len(to_critic) == 2
    for mail in to_critic:
        assert_no_secret(mail.subject + mail.body)
        assert mail.subject == "New comment on “Ferrylight, Part 2”"
    marked_mail, reply_mail = to_critic
    assert "[This comment spoils " in marked_mail.body
    assert "[Spoiler: Part 2, ep 7]" in reply_mail.body
    assert "[Spoiler: Part 2]" in reply_mail.body
    assert "Loved it." in reply_mail.body and "See you." in reply_mail.body


def test_the_reply_notification_carries_no_spoilers(comments):
    (to_bo,) = [mail for mail in comments["mails"] if mail.to == ["bo@example.org"]]
    assert to_bo.subject == "Ann Reader replied to you on “Ferrylight, Part 2”"
    assert_no_secret(to_bo.subject + to_bo.body)
    assert "[Spoiler: Part 2, ep 7]" in to_bo.body and "Loved it." in to_bo.body


def test_a_held_comment_mail_to_the_critic_carries_no_spoilers(
    client, part2_review, post_comment, send
):
    mails = send(
        post_comment,
        Client(),
        part2_review,
        body=SPOILING_BODY,
        author_name="Noa",
        author_email="noa@example.org",
    )
    (held,) = [mail for mail in mails if mail.to == ["mara@example.org"]]
    assert held.subject.startswith("[held]")
    assert_no_secret(held.body)
    assert "[Spoiler: Part 2, ep 7]" in held.body
