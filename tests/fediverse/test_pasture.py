# ruff: noqa: F811  (the fixtures of test_replies are imported by name)
"""Real servers' Notes, from ``fediverse-pasture-inputs`` 0.3.0: every content
warning, mention, reply and HTML variant goes through the inbox and the replies-in
code as a signed reply to a review. None gives a server error; content warnings
fold the comment; mentions, links and hostile HTML come out sanitized."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from watchworthy.core.sanitize import html_to_text
from watchworthy.discussion.models import Comment
from watchworthy.fediverse import replies
from watchworthy.fediverse.models import RemoteComment

from . import pasture
from .peer import SITE
from .test_replies import PUBLIC, alice, review, review_id, work  # noqa: F401

pytestmark = [
    pytest.mark.usefixtures("federating"),
    pytest.mark.skipif(
        pasture.inputs_folder() is None,
        reason="fediverse-pasture-inputs is not installed (make install puts it in .venv)",
    ),
]

THEIR_NOTE = "http://pasture-one-actor/assets/note1.jsonap"
HOSTILE = (
    "<script", "onclick", "javascript:", "<img", "<style", "<form", "<input", "<button",
    "<meta", "<title", "<iframe", 'class="mention', 'class="hashtag', "target=",
)  # fmt: skip


@pytest.fixture(autouse=True)
def no_rate_limit(settings):
    settings.WATCHWORTHY_COMMENTS = {**settings.WATCHWORTHY_COMMENTS, "RATE_PER_EMAIL": (10**6, 60)}


@pytest.fixture
def deliver(post_signed, alice, review):
    """Send one example as Alice's reply to the review: served at its id by her
    server, wrapped in a signed Create. Returns (status, the comment or None)."""
    counter = iter(range(1, 10**6))

    def send(example: dict[str, Any]) -> tuple[int, Comment | None]:
        number = next(counter)
        # Their replies name their own note; ours must name our review to land.
        text = json.dumps(example).replace(THEIR_NOTE, review_id(review))
        obj = {
            "id": f"{alice.id}/statuses/{number}", "type": "Note", "attributedTo": alice.id,
            "inReplyTo": review_id(review), "to": [PUBLIC], **json.loads(text),
        }  # fmt: skip
        alice.network.documents[obj["id"]] = obj
        activity = {"id": f"{obj['id']}/activity", "type": "Create", "actor": alice.id,
                    "object": obj}  # fmt: skip
        response = post_signed("/inbox", alice, activity)
        found = RemoteComment.objects.filter(object_id=obj["id"]).select_related("comment")
        return response.status_code, next((row.comment for row in found), None)

    return send


def assert_clean(html: str) -> None:
    for bad in HOSTILE:
        assert bad not in html.lower(), (bad, html)
    assert html.count("<a ") == html.count('rel="nofollow ugc noopener"'), html


def test_the_loader_reads_the_packages_data_without_importing_it():
    import sys

    assert len(pasture.examples("content_warnings")) == 7
    assert len(pasture.examples("mentions")) >= 10
    assert len(pasture.examples("html_tags_summary")) == len(pasture.examples("html_tags"))
    assert "fediverse_pasture_inputs" not in sys.modules


def test_content_warnings_fold_the_comment(deliver):
    for example in pasture.examples("content_warnings"):
        status, comment = deliver(example)
        assert status == 202 and comment is not None, example
        warned = bool(example.get("summary")) or example.get("sensitive") is True
        folded = comment.body_html.startswith('<details class="spoiler"><summary>Spoiler: ')
        assert folded == warned, (example, comment.body_html)
        if example.get("summary"):
            assert "<summary>Spoiler: summary</summary>" in comment.body_html
        elif warned:
            assert "<summary>Spoiler: Sensitive</summary>" in comment.body_html
        assert "<img" not in comment.body_html  # attachments are not taken


def test_a_summary_naming_a_point_of_the_work_is_its_spoiler_scope(deliver):
    status, comment = deliver({"content": "text", "summary": "Spoilers: Part 2, ep 7",
                               "sensitive": True})  # fmt: skip
    assert status == 202 and comment is not None
    assert (comment.spoils_season, comment.spoils_episode) == (2, 7)
    assert "<details" not in comment.body_html


def test_html_in_a_summary_is_plain_text_in_the_label(deliver):
    for example in pasture.examples("html_tags_summary"):
        status, comment = deliver(example)
        assert status == 202 and comment is not None, example
        if not html_to_text(example["summary"]).strip():
            assert "<details" not in comment.body_html  # a warning with no words: none
            continue
        label = comment.body_html.split("<summary>", 1)[1].split("</summary>", 1)[0]
        assert "<" not in label, label


def test_mentions_are_taken_as_text_with_their_links_sanitized(deliver):
    for example in pasture.examples("mentions"):
        status, comment = deliver(example)
        assert status == 202 and comment is not None, example
        assert_clean(comment.body_html)
        assert comment.body  # the words stay


@pytest.mark.parametrize("group", ["html_tags", "html_tags_bad", "html_anchor", "hashtags"])
def test_any_html_or_tag_comes_out_sanitized(deliver, group):
    for example in pasture.examples(group):
        status, comment = deliver(example)
        assert status == 202, example
        if comment is not None:  # an example with no text left is "not taken"
            assert_clean(comment.body_html)


def test_the_shapes_of_in_reply_to(deliver, review):
    taken = {}
    for example in pasture.examples("in_reply_to"):
        status, comment = deliver(example)
        assert status in (202, 400), example
        taken[example["content"]] = comment is not None and comment.review_id == review.pk
    assert taken == {
        "valid uri": True,  # our review's id
        "invalid uri": False,  # not ours: ignored
        "list": True,  # a list of one
        "Link in inReplyTo": True,  # its href
        "two elements in inReplyTo": False,  # ambiguous: ignored
        "collection": False,
        "embedded note": True,  # an object with our id
    }
    assert SITE in review_id(review)


# --- any shape at all --------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)


@given(JSON)
@settings(max_examples=300, deadline=None)
def test_in_reply_to_of_any_shape_names_a_string(value):
    assert isinstance(replies.reply_target(value), str)


@given(summary=JSON, sensitive=JSON, content=JSON)
@settings(max_examples=200, deadline=None)
def test_a_note_of_any_shape_reads_as_sanitized_html_and_a_scope_or_none(
    summary, sensitive, content
):
    html, scope = replies.body_of(
        {"summary": summary, "sensitive": sensitive, "content": content}, []
    )
    assert isinstance(html, str) and "<script" not in html
    assert scope is None or scope.season >= 0
