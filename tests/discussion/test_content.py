"""What a reader can write: a small Markdown subset, any language and emoji, and a clear
message (with their text kept) when a comment is too long."""

import pytest
from django.test import Client

from tests import dom
from watchworthy.discussion.models import Comment

pytestmark = pytest.mark.django_db


@pytest.fixture
def publish(client, post_comment, approved_email, review):
    """Post ``body`` as a known reader through the form; the comment's element as
    another reader sees it."""

    def post(body: str, **fields) -> dom.Element:
        response = post_comment(client, review, body=body, **fields)
        assert response.status_code == 302, response.content.decode()[:2000]
        comment = Comment.objects.latest("pk")
        assert comment.status == Comment.Status.APPROVED
        root = dom.page(Client().get(review.get_absolute_url()))
        return root.by_id(comment.anchor)

    return post


def body_of(item: dom.Element) -> dom.Element:
    return item.find("div", cls="comment-body")


def test_emphasis_strong_and_strikethrough(publish):
    body = body_of(publish("Some *quiet* and **loud** and ~~wrong~~ words."))
    assert body.find("em").text == "quiet"
    assert body.find("strong").text == "loud"
    assert body.find("s").text == "wrong"


def test_links_are_marked_nofollow_ugc_noopener(publish):
    body = body_of(publish("See [my notes](https://example.org/notes) on it."))
    (link,) = body.find_all("a")
    assert link.text == "my notes"
    assert link.attrs["href"] == "https://example.org/notes"
    assert set(link.attrs["rel"].split()) == {"nofollow", "ugc", "noopener"}


def test_javascript_links_do_not_become_links(publish):
    body = body_of(publish("[click](javascript:alert(1)) and [data](data:text/html,hi)"))
    for link in body.find_all("a"):
        assert not link.attrs.get("href", "").lower().startswith(("javascript:", "data:"))


def test_quotes_code_and_lists(publish):
    body = body_of(publish("> The ferry never came.\n\nUse `x < y` here.\n\n- one\n- two"))
    assert body.find("blockquote").text == "The ferry never came."
    assert body.find("code").text == "x < y"
    assert [li.text for li in body.find("ul").find_all("li")] == ["one", "two"]


def test_code_block_keeps_its_text(publish):
    body = body_of(publish("```\nif a < b:\n    print('<b>')\n```"))
    assert body.find("pre").find("code").raw_text == "if a < b:\n    print('<b>')\n"


def test_spoiler_fold(publish):
    body = body_of(publish("::: spoiler Part 2, episode 7\nThe lighthouse keeper lies.\n:::"))
    details = body.find("details", cls="spoiler")
    assert details is not None and "open" not in details.attrs
    assert details.find("summary").text == "Spoils Part 2, ep 7"
    assert "The lighthouse keeper lies." in details.text


def test_headings_images_and_rules_are_not_rendered_as_such(publish):
    body = body_of(
        publish("# Huge heading\n\n![a cat](https://example.org/cat.png)\n\n---\n\nSetext\n===")
    )
    for tag in ("h1", "h2", "h3", "h4", "h5", "h6", "img", "hr", "figure"):
        assert body.find(tag) is None, tag
    assert "# Huge heading" in body.text


def test_raw_html_is_shown_as_text(publish):
    # (No straight quotes: the typographer turns them into curly ones, as in prose.)
    typed = "I typed <b>bold</b>, <a href=https://x.example>a link</a> and <script>x()</script>."
    body = body_of(publish(typed))
    assert body.find("b") is None and body.find("a") is None and body.find("script") is None
    assert body.text == typed


UNICODE = "Ça m’a plu — 日本語のアニメ 🎉👩‍👩‍👧 שלום עולם، مرحبا بالعالم Ω≈ç√"  # noqa: RUF001


def test_unicode_emoji_and_right_to_left_text_are_kept(publish):
    item = publish(UNICODE, author_name="Zoë 🦊 שרה")
    assert body_of(item).text == UNICODE
    assert item.find("span", cls="comment-author").text == "Zoë 🦊 שרה"
    comment = Comment.objects.latest("pk")
    assert comment.body == UNICODE
    assert comment.author_name == "Zoë 🦊 שרה"


def test_too_long_comment_names_the_limit_and_keeps_the_text(client, post_comment, review):
    body = "Long thoughts. " * 400  # 6,000 characters
    body = body.strip()
    response = post_comment(client, review, body=body)

    assert response.status_code == 400
    root = dom.page(response, status=None)
    assert dom.field_errors(root, "id_body") == (
        f"Comments can be up to 5,000 characters; this one has {len(body):,}."
    )
    assert dom.textarea_value(root) == body
    assert dom.input_value(root, "author_name") == "Ann Reader"
    assert dom.input_value(root, "author_email") == "ann@example.org"
    assert root.find("textarea", name="body").attrs["maxlength"] == "5000"
    assert not Comment.objects.exists()


def test_length_limit_follows_the_setting(settings, client, post_comment, review):
    settings.WATCHWORTHY_COMMENTS = {**settings.WATCHWORTHY_COMMENTS, "MAX_LENGTH": 100}
    assert post_comment(client, review, body="x" * 100).status_code == 302
    response = post_comment(client, review, body="y" * 101)
    assert response.status_code == 400
    root = dom.page(response, status=None)
    assert "up to 100 characters" in dom.field_errors(root, "id_body")
    assert dom.textarea_value(root) == "y" * 101
    assert root.find("textarea", name="body").attrs["maxlength"] == "100"


def test_empty_comment_is_refused_with_the_name_kept(client, post_comment, review):
    response = post_comment(client, review, body="   \n ")
    assert response.status_code == 400
    root = dom.page(response, status=None)
    assert dom.field_errors(root, "id_body")
    assert dom.input_value(root, "author_name") == "Ann Reader"
    assert not Comment.objects.exists()
