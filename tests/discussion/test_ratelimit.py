"""Too many comments too fast: 429 with a human message, and the typed text still in
the form so nothing is lost."""

import pytest
from django.core.cache import cache

from tests import dom
from watchworthy.discussion.models import Comment

pytestmark = pytest.mark.django_db

SLOW_DOWN = "You are commenting faster than anyone can read."


@pytest.fixture
def limits(settings):
    def set_limits(*, per_ip=(1000, 60), per_email=(1000, 60)):
        settings.WATCHWORTHY_COMMENTS = {
            **settings.WATCHWORTHY_COMMENTS,
            "RATE_PER_IP": per_ip,
            "RATE_PER_EMAIL": per_email,
        }

    return set_limits


def assert_slowed_down(response, *, body: str, name: str, email: str) -> None:
    assert response.status_code == 429
    root = dom.page(response, status=None)
    assert SLOW_DOWN in dom.told(root), dom.told(root)
    assert "your text is still in the form" in dom.told(root)
    assert dom.textarea_value(root) == body
    assert dom.input_value(root, "author_name") == name
    assert dom.input_value(root, "author_email") == email
    assert dom.input_value(root, "token")


def test_more_posts_than_allowed_per_ip_answer_429_and_keep_the_text(
    limits, client, post_comment, approved_email, review
):
    limits(per_ip=(3, 60))
    for n in range(3):
        response = post_comment(
            client, review, body=f"Quick {n}.", author_email=f"a{n}@example.org"
        )
        assert response.status_code == 302

    body = "A fourth thought,\nwritten with care."
    response = post_comment(
        client, review, body=body, author_name="Ann Reader", author_email="a3@example.org"
    )
    assert_slowed_down(response, body=body, name="Ann Reader", email="a3@example.org")
    assert not Comment.objects.filter(body=body).exists()

    # Another address is not limited by this one's posts.
    other = post_comment(
        client, review, ip="10.0.0.9", body="From elsewhere.", author_email="b@example.org"
    )
    assert other.status_code == 302


def test_more_posts_than_allowed_per_address_answer_429_from_any_ip(
    limits, client, post_comment, review
):
    limits(per_email=(2, 60))
    for n in range(2):
        response = post_comment(
            client, review, ip=f"10.0.0.{n + 1}", body=f"Post {n}.", author_email="ann@example.org"
        )
        assert response.status_code == 302

    body = "Third, from yet another network."
    response = post_comment(
        client, review, ip="10.0.0.3", body=body, author_email="ANN@example.org"
    )
    assert_slowed_down(response, body=body, name="Ann Reader", email="ANN@example.org")
    assert Comment.objects.count() == 2

    # Someone else on that network is fine.
    other = post_comment(
        client, review, ip="10.0.0.3", body="Me too.", author_email="bo@example.org"
    )
    assert other.status_code == 302


def test_signed_in_reader_is_limited_by_their_account_address(
    limits, client, post_comment, review, critic
):
    limits(per_email=(1, 60))
    client.force_login(critic)
    assert post_comment(client, review, ip="10.0.0.1", body="One.").status_code == 302
    response = post_comment(client, review, ip="10.0.0.2", body="Two.")
    assert response.status_code == 429
    root = dom.page(response, status=None)
    assert dom.textarea_value(root) == "Two."
    assert SLOW_DOWN in dom.told(root)


def test_limit_counts_within_the_window_only(limits, client, post_comment, review):
    limits(per_ip=(1, 60))
    assert post_comment(client, review, body="One.").status_code == 302
    assert post_comment(client, review, body="Two.").status_code == 429
    cache.clear()  # the window has passed
    assert post_comment(client, review, body="Three.").status_code == 302


def test_a_mistyped_address_gets_a_form_error(client, post_comment, review):
    response = post_comment(client, review, author_email="ann @example.org", body="Keep me.")
    assert response.status_code == 400
    root = dom.page(response, status=None)
    assert dom.field_errors(root, "id_author_email") == "Enter a valid email address."
    assert dom.textarea_value(root) == "Keep me."
