import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from tests.accounts.conftest import PASSWORD, link_in, signup_data
from tests.factories import UserFactory
from watchworthy.accounts.emails import confirmation_path

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_signup_sends_one_mail_whose_link_activates_and_signs_in(client, mailoutbox):
    response = client.post("/accounts/signup/", signup_data(), follow=True)

    assert response.redirect_chain == [("/accounts/signup/sent/", 302)]
    assert "Check your e-mail" in response.content.decode()
    user = User.objects.get(email="new.reader@example.org")
    assert re.fullmatch(r"new-reader-[a-z2-9]{6}", user.username)
    assert not user.is_active
    assert user.display_name == "New Reader"
    assert user.check_password(PASSWORD)
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["new.reader@example.org"]
    assert "Confirm your e-mail address" in message.subject
    link = link_in(message)
    assert link.startswith("/accounts/confirm/")

    response = client.get(link, follow=True)

    assert response.redirect_chain == [("/accounts/", 302)]
    html = response.content.decode()
    assert "Your e-mail address is confirmed" in html
    assert "New Reader" in html
    user.refresh_from_db()
    assert user.is_active
    assert response.wsgi_request.user == user


def test_a_confirmation_link_works_only_once(client, mailoutbox):
    client.post("/accounts/signup/", signup_data())
    link = link_in(mailoutbox[0])
    client.get(link)
    client.post("/accounts/logout/")

    response = client.get(link)

    assert response.status_code == 200
    assert "This confirmation link does not work" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_signup_remembers_where_the_reader_came_from(client, mailoutbox):
    client.post("/accounts/signup/?next=/reviews/some-review/", signup_data())

    response = client.get(link_in(mailoutbox[0]))

    assert response.status_code == 302
    assert response.url == "/reviews/some-review/"


def test_signup_drops_an_external_next(client, mailoutbox):
    client.post("/accounts/signup/", {**signup_data(), "next": "https://evil.example/"})

    link = link_in(mailoutbox[0])
    assert "evil" not in link
    assert client.get(link).url == "/accounts/"


def test_signup_page_has_labelled_fields(client):
    html = client.get("/accounts/signup/").content.decode()

    for name in ("display_name", "email", "password1", "password2"):
        assert f'for="id_{name}"' in html
        assert f'id="id_{name}"' in html
    assert 'type="email"' in html
    assert 'name="username"' not in html  # derived, never chosen (see test_signup_privacy)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"password2": "something-else-entirely"}, "password2"),
        ({"password1": "123", "password2": "123"}, "password2"),
        ({"display_name": ""}, "display_name"),
        ({"email": ""}, "email"),
        ({"email": "not-an-address"}, "email"),
    ],
)
def test_signup_errors_are_per_field(client, mailoutbox, overrides, field):
    response = client.post("/accounts/signup/", signup_data(**overrides))

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert f'id="id_{field}_error"' in response.content.decode()
    assert mailoutbox == []


def test_when_the_mail_server_is_down_the_account_waits_and_the_link_can_be_sent_again(
    client, mail_server_down, settings, mailoutbox
):
    response = client.post("/accounts/signup/", signup_data(), follow=True)

    assert response.redirect_chain == [("/accounts/signup/sent/", 302)]
    user = User.objects.get(email="new.reader@example.org")
    assert user.is_pending

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # back up
    client.post("/accounts/confirm/resend/", {"email": "new.reader@example.org"})

    assert len(mailoutbox) == 1
    client.get(link_in(mailoutbox[0]))
    user.refresh_from_db()
    assert user.is_active


def test_signed_in_readers_are_sent_from_signup_to_their_account(client, reader):
    client.force_login(reader)

    assert client.get("/accounts/signup/").url == "/accounts/"


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/confirm/bm90LWEtdXNlcg/abc-123/",
        "/accounts/confirm/!!!/abc-123/",
        "/accounts/confirm/OTk5OTk5/abc-123/",
    ],
)
def test_a_bad_confirmation_link_shows_a_clear_page_with_a_resend_form(client, path):
    response = client.get(path)

    assert response.status_code == 200
    html = response.content.decode()
    assert "This confirmation link does not work" in html
    assert 'action="/accounts/confirm/resend/"' in html
    assert 'name="email"' in html


def test_a_bad_token_leaves_the_account_inactive(client, mailoutbox):
    client.post("/accounts/signup/", signup_data())
    link = link_in(mailoutbox[0])
    tampered = link.rstrip("/")[:-1] + ("x" if not link.rstrip("/").endswith("x") else "y") + "/"

    response = client.get(tampered)

    assert "This confirmation link does not work" in response.content.decode()
    assert not User.objects.get(email="new.reader@example.org").is_active
    assert not response.wsgi_request.user.is_authenticated


def test_resend_answers_the_same_whatever_the_address(client, mailoutbox, reader):
    client.post("/accounts/signup/", signup_data())
    mailoutbox.clear()

    answers = [
        client.post("/accounts/confirm/resend/", {"email": email}, follow=True)
        for email in ("NEW.reader@example.org", "nobody@example.org", reader.email)
    ]

    assert {tuple(answer.redirect_chain) for answer in answers} == {
        (("/accounts/confirm/sent/", 302),)
    }
    assert len({answer.content for answer in answers}) == 1
    assert [message.to for message in mailoutbox] == [["new.reader@example.org"]]
    # The new link works.
    assert client.get(link_in(mailoutbox[0])).url == "/accounts/"


def test_a_switched_off_account_is_not_reactivated_by_confirmation(client, mailoutbox):
    banned = UserFactory(username="banned", email="banned@example.org", is_active=False)
    banned.last_login = timezone.now()
    banned.save()

    client.post("/accounts/confirm/resend/", {"email": "banned@example.org"})
    response = client.get(confirmation_path(banned))

    assert mailoutbox == []
    assert "This confirmation link does not work" in response.content.decode()
    banned.refresh_from_db()
    assert not banned.is_active
