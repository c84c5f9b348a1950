"""Each finding of the attack pass ("Hold under abuse"), reproduced as a test.

Accounts, uploads and imports have theirs beside their other tests
(tests/accounts/test_login_throttle.py, test_reset_throttle.py, test_signup_privacy.py;
tests/images/; tests/imports/test_hostile_files.py); the sweep for 500s is
tests/test_no_server_errors.py and the cost of adversarial input is bench/adversarial.py.
"""

from __future__ import annotations

import base64
import contextlib
import os
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client

from tests.commenting import post_url, token_for
from tests.factories import ReviewFactory, UserFactory
from tests.startup import PRODUCTION, STRONG_KEY, start
from watchworthy.core.models import SiteSettings
from watchworthy.discussion.models import AuthorNotice, Comment, VerifiedAddress
from watchworthy.discussion.notifications import send_digests
from watchworthy.discussion.services import comment_post

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db


def comment_form(review, **fields) -> dict:
    data = {
        "author_name": "Ann Reader",
        "author_email": "ann@example.org",
        "body": "Hello.",
        "token": token_for(review),
    }
    data.update(fields)
    return data


# --- 1. unauthenticated 500s ----------------------------------------------------------


@pytest.mark.parametrize("url", ["/?p=%C2%B2", "/any-404/?replytocom=%E2%91%A0", "/?p=" + "9" * 50])
def test_odd_digits_in_old_wordpress_links_are_not_a_server_error(url):
    assert Client().get(url).status_code in (200, 404)


@pytest.mark.parametrize(
    ("url", "cookies"),
    [
        ("/accounts/confirm//%00/", {}),
        ("/authors/%00/", {}),
        ("/?q=%00", {}),
        ("/?%00=1", {}),
        ("/", {"sessionid": "abc\x00def"}),
    ],
)
def test_a_nul_character_anywhere_is_a_clear_400(url, cookies):
    """PostgreSQL raises on text holding NUL (found by the sweep in CI on PostgreSQL)."""
    client = Client()
    for name, value in cookies.items():
        client.cookies[name] = value
    response = client.get(url)
    assert response.status_code == 400
    assert b"NUL character" in response.content


def test_a_moderation_post_with_odd_digits_is_not_a_server_error(client):
    client.force_login(UserFactory(is_staff=True))
    response = client.post("/moderation/", {"action": "approve", "comment": ["²", "①"]})
    assert response.status_code == 302


# --- 2. fail-open defaults ----------------------------------------------------------------


def test_development_signs_with_a_key_of_its_own_not_one_in_the_source(tmp_path):
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    env = {"WATCHWORTHY_DATA_DIR": str(tmp_path)}
    first = subprocess.run(  # noqa: S603
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env={**os.environ, **env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout.strip()
    assert len(first) >= 50
    assert first not in (REPO / "config" / "settings.py").read_text()
    assert (tmp_path / "secret_key").read_text().strip() == first
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({**PRODUCTION, "DJANGO_SECRET_KEY": "xxxxxxxx"}, "DJANGO_SECRET_KEY is too weak"),
        ({**PRODUCTION}, "set DJANGO_SECRET_KEY"),
        ({"WATCHWORTHY_ENV": "production", "DJANGO_SECRET_KEY": STRONG_KEY}, "ALLOWED_HOSTS"),
        ({**PRODUCTION, "DJANGO_SECRET_KEY": STRONG_KEY, "DJANGO_DEBUG": "1"}, "DJANGO_DEBUG"),
        ({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG='maybe'"),
        ({"WATCHWORTHY_COMMENT_RATE_PER_IP": "lots"}, "WATCHWORTHY_COMMENT_RATE_PER_IP='lots'"),
        ({"WATCHWORTHY_COMMENT_RATE_PER_EMAIL": "5/0"}, "must be at least 1"),
    ],
)
def test_production_refuses_to_start_with_one_clear_line(env, says, tmp_path):
    status, stderr = start({**env, "WATCHWORTHY_DATA_DIR": str(tmp_path)})
    assert status != 0
    assert stderr.startswith("Watchworthy will not start:") and says in stderr
    assert "Traceback" not in stderr


def test_comment_rate_limits_are_read_from_the_environment(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "c = settings.WATCHWORTHY_COMMENTS; print(c['RATE_PER_IP'], c['RATE_PER_EMAIL'])"
    )
    run = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "WATCHWORTHY_DATA_DIR": str(tmp_path),
            "WATCHWORTHY_COMMENT_RATE_PER_IP": "100000/60",
        },
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.stdout.split("\n")[0] == "(100000, 60) (5, 60)"


def test_production_will_not_serve_before_collectstatic(tmp_path):
    env = {
        **PRODUCTION,
        "DJANGO_SECRET_KEY": STRONG_KEY,
        "WATCHWORTHY_DATA_DIR": str(tmp_path),
        "WATCHWORTHY_STATIC_ROOT": str(tmp_path / "static"),
    }
    status, stderr = start(env, "import config.wsgi")
    assert status != 0
    assert "static files are not collected" in stderr and "collectstatic" in stderr


def test_debug_pages_only_when_asked_and_only_for_this_computer(settings):
    assert settings.DEBUG is False  # the default: the designed error pages
    settings.DEBUG = True
    assert Client(REMOTE_ADDR="198.51.100.7").get("/about/").status_code == 403
    assert Client(REMOTE_ADDR="127.0.0.1").get("/about/").status_code == 200


# --- 3. client identity --------------------------------------------------------------------


def test_behind_a_proxy_readers_do_not_share_one_rate_limit(settings):
    settings.WATCHWORTHY_TRUSTED_PROXIES = "1"
    settings.WATCHWORTHY_COMMENTS = {**settings.WATCHWORTHY_COMMENTS, "RATE_PER_IP": (3, 60)}
    review = ReviewFactory()
    proxy = {"REMOTE_ADDR": "10.0.0.2"}

    def post(reader: str, n: int) -> int:
        data = comment_form(review, author_email=f"{reader}{n}@example.org", body=f"{n}")
        return (
            Client().post(post_url(review), data, HTTP_X_FORWARDED_FOR=reader, **proxy).status_code
        )

    assert [post("198.51.100.1", n) for n in range(4)] == [302, 302, 302, 429]
    assert post("198.51.100.2", 9) == 302  # another reader behind the same proxy


def test_a_cleared_cookie_does_not_buy_endless_guest_votes():
    review = ReviewFactory(verdict="watch")
    statuses = []
    for _ in range(5):  # five "new" guests from one address
        response = Client(REMOTE_ADDR="198.51.100.9").post(
            f"/reviews/{review.slug}/vote/", {"agrees": "yes"}, follow=True
        )
        statuses.append("Sign in to add your own voice" in response.content.decode())
    review.refresh_from_db()
    assert review.audience_votes == 3
    assert statuses == [False, False, False, True, True]


# --- 5. cost ------------------------------------------------------------------------------


def test_a_refused_comment_does_not_render_the_thread(settings, make_comment):
    review = ReviewFactory()
    for n in range(30):
        make_comment(review, f"Thread body number {n}.")
    response = Client().post(post_url(review), comment_form(review, body=""))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Thread body number" not in page
    assert 'id="respond"' in page


# --- 7. trust -------------------------------------------------------------------------------


def test_a_form_token_is_spent_once():
    review = ReviewFactory()
    VerifiedAddress.verify("ann@example.org")
    data = comment_form(review)
    assert Client().post(post_url(review), data).status_code == 302
    again = Client().post(post_url(review), {**data, "body": "Replayed."})
    assert again.status_code == 400
    assert "already sent" in again.content.decode()
    assert 'name="body"' in again.content.decode() and "Replayed." in again.content.decode()
    assert not Comment.objects.filter(body="Replayed.").exists()


def test_a_name_with_a_line_break_gets_a_field_error_and_keeps_the_text():
    review = ReviewFactory()
    data = comment_form(review, author_name="Ann\r\nBcc: everyone@example.org", body="Kept.")
    response = Client().post(post_url(review), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "without line breaks" in page and "Kept." in page
    assert not Comment.objects.exists()


def test_a_stored_name_with_a_line_break_does_not_lose_the_reply_mail(
    django_capture_on_commit_callbacks,
):
    review = ReviewFactory(author=UserFactory(email="mara@example.org"))
    parent = comment_post(
        review=review, body="Tell me.", author_name="Sub", author_email="sub@example.org"
    )
    Comment.objects.filter(pk=parent.pk).update(
        status="approved", notify_replies=True, notify_confirmed=True
    )
    parent.refresh_from_db()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reply = comment_post(
            review=review,
            body="Here.",
            author_name="Imported\nName",  # as an old import might hold
            author_email="x@example.org",
            parent=parent,
            policy=_Approve(),
        )
    assert reply.is_public
    (to_parent,) = [m for m in mail.outbox if m.to == ["sub@example.org"]]
    assert "\n" not in to_parent.subject and "Imported Name" in to_parent.subject


class _Approve:
    def decide(self, **_):
        from watchworthy.discussion.moderation import Decision

        return Decision(Comment.Status.APPROVED, "test")


def test_a_flood_sends_the_critic_a_capped_number_of_mails_then_a_digest(
    django_capture_on_commit_callbacks,
):
    SiteSettings.objects.create(comment_mail_hourly_limit=5)
    critic = UserFactory(email="mara@example.org")
    review = ReviewFactory(author=critic)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(40):
            comment_post(
                review=review,
                body=f"Flood {n}.",
                author_name=f"Bot {n}",
                author_email=f"bot{n}@example.org",
            )
    to_critic = [m for m in mail.outbox if m.to == ["mara@example.org"]]
    assert len(to_critic) == 5
    assert AuthorNotice.objects.filter(sent_at__isnull=True).count() == 35

    from datetime import timedelta

    from django.utils import timezone

    assert send_digests(timezone.now() + timedelta(hours=1, minutes=1)) == 1
    digest = mail.outbox[-1]
    assert digest.subject == "35 new comments, 35 waiting for you"
    assert "Flood 39." in digest.body and "Flood 4." not in digest.body


def test_confirmation_mails_to_one_address_are_capped(django_capture_on_commit_callbacks):
    review = ReviewFactory()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(6):
            comment_post(
                review=review,
                body=f"Notify me {n}.",
                author_name="Someone",
                author_email="victim@example.org",
                notify_replies=True,
            )
    assert len([m for m in mail.outbox if m.to == ["victim@example.org"]]) == 2


# --- 8. cookies -----------------------------------------------------------------------------


def readable(value: str) -> str:
    """Everything a person holding the cookie can read in it, lower-cased: the value
    itself, and each of its parts decoded as Django's signing would have encoded them
    (URL-safe base64, zlib-compressed when it starts with a dot). An encrypted value
    reads as noise, in which a short word like "ann" can turn up by chance (once in a
    few hundred runs), so the checks look for the name and the address whole."""
    texts = [value]
    for part in value.replace(".", ":").split(":"):
        try:
            raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        except ValueError:
            continue
        texts.append(raw.decode("latin-1"))
        with contextlib.suppress(zlib.error):
            texts.append(zlib.decompress(raw).decode("latin-1"))
    return "\n".join(texts).lower()


def test_every_first_party_cookie_is_secure_in_production_and_holds_no_address(settings):
    settings.SESSION_COOKIE_SECURE = True
    review = ReviewFactory(verdict="watch")
    VerifiedAddress.verify("ann@example.org")
    browser = Client()
    browser.post(post_url(review), comment_form(review, notify_replies="on"))
    browser.post(f"/reviews/{review.slug}/vote/", {"agrees": "yes"})
    browser.post(f"/works/{review.work.slug}/progress/", {"position": "1:"})
    ours = {name: morsel for name, morsel in browser.cookies.items() if name.startswith("ww_")}
    assert set(ours) == {"ww_commenter", "ww_mine", "ww_voter", "ww_progress"}
    for name, morsel in ours.items():
        assert morsel["secure"], name
        assert morsel["httponly"], name
        shown = readable(morsel.value)
        assert "ann reader" not in shown and "ann@example.org" not in shown, name
