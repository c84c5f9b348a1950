"""Sign-up does not tell a visitor which e-mail addresses or usernames have accounts.

A valid sign-up always answers "check your e-mail". For a new address that mail is
the confirmation link; for an address with an account it is a notice to its owner.
Usernames are derived from the display name with a random suffix, never chosen.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from tests.accounts.conftest import PASSWORD, link_in, signup_data
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()


def attempt(client, ip: str = "198.51.100.7", **fields):
    data = {
        "username": "freshname",  # the old form's field: now ignored
        "display_name": "Fresh Name",
        "email": "fresh@example.org",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **fields,
    }
    return client.post("/accounts/signup/", data, follow=True, REMOTE_ADDR=ip)


@pytest.mark.parametrize(
    "conflict",
    [
        {"email": "MIKA@example.org"},
        {"username": "mika"},
        {"username": "Mika", "display_name": "Mika R."},
    ],
    ids=["existing-email", "existing-username", "existing-username-other-case"],
)
def test_signup_answers_an_existing_account_exactly_like_a_new_one(client, reader, conflict):
    new = attempt(client, username="another", email="another@example.org")
    taken = attempt(client, **conflict)

    assert taken.status_code == new.status_code == 200
    assert taken.redirect_chain == new.redirect_chain
    assert [t.name for t in taken.templates] == [t.name for t in new.templates]
    assert taken.content == new.content
    form = taken.context.get("form")
    assert form is None or not form.errors


def test_an_invalid_form_shows_the_same_errors_for_a_taken_address(client, reader):
    mismatch = {"password2": "something-else-entirely"}
    new = attempt(client, email="another@example.org", **mismatch)
    taken = attempt(client, email="mika@example.org", **mismatch)

    assert taken.status_code == new.status_code == 200
    assert taken.context["form"].errors.keys() == new.context["form"].errors.keys() == {"password2"}
    assert "already" not in taken.content.decode()


def test_an_existing_address_gets_a_notice_instead_of_an_account(client, reader, mailoutbox):
    attempt(client, email="mika@EXAMPLE.org", display_name="Somebody Else")

    assert User.objects.filter(email__iexact="mika@example.org").count() == 1
    reader.refresh_from_db()
    assert reader.check_password(PASSWORD) and reader.display_name == "Mika R."
    [notice] = mailoutbox
    assert notice.to == ["Mika@Example.org"]  # the stored address, never the typed one
    assert "Someone tried to sign up" in notice.subject
    assert "There is already an account with it" in notice.body
    assert "http://testserver/accounts/login/" in notice.body
    assert "http://testserver/accounts/password/reset/" in notice.body
    assert "/accounts/confirm/" not in notice.body


def test_a_pending_address_gets_a_notice_with_a_working_confirmation_link(client, mailoutbox):
    attempt(client, email="pending@example.org", display_name="First Try")
    mailoutbox.clear()

    attempt(client, email="pending@example.org", display_name="Second Try")

    assert User.objects.filter(email="pending@example.org").count() == 1
    [notice] = mailoutbox
    assert "still waiting for you to confirm" in notice.body
    link = link_in(notice)
    assert link.startswith("/accounts/confirm/")
    assert client.get(link).url == "/accounts/"
    assert User.objects.get(email="pending@example.org").display_name == "First Try"


def test_a_switched_off_account_gets_no_notice(client, mailoutbox):
    banned = UserFactory(username="banned", email="banned@example.org", is_active=False)
    banned.last_login = timezone.now()
    banned.save()
    new = attempt(client, email="another@example.org")

    taken = attempt(client, email="banned@example.org")

    assert taken.content == new.content
    assert [message.to for message in mailoutbox] == [["another@example.org"]]
    banned.refresh_from_db()
    assert not banned.is_active


def test_the_notices_to_one_address_are_limited_to_three_a_day(client, reader, mailoutbox):
    answers = [attempt(client, email="mika@example.org", ip=f"203.0.113.{n + 1}") for n in range(8)]

    assert len(mailoutbox) == 3
    assert len({answer.content for answer in answers}) == 1


def test_a_failed_mail_reads_the_same_for_a_new_and_a_taken_address(
    client, reader, mail_server_down
):
    new = attempt(client, email="another@example.org")
    taken = attempt(client, email="mika@example.org")

    assert new.redirect_chain == taken.redirect_chain == [("/accounts/signup/sent/", 302)]
    assert new.content == taken.content
    assert User.objects.get(email="another@example.org").is_pending


def test_usernames_are_derived_with_a_suffix_whether_or_not_the_name_is_free(client, reader):
    attempt(client, email="one@example.org", display_name="Mika")
    attempt(client, email="two@example.org", display_name="Mika")
    attempt(client, email="three@example.org", display_name="Brand-new Name")

    names = list(
        User.objects.filter(email__in=["one@example.org", "two@example.org", "three@example.org"])
        .order_by("pk")
        .values_list("username", flat=True)
    )

    assert re.fullmatch(r"mika-[a-z2-9]{6}", names[0])
    assert re.fullmatch(r"mika-[a-z2-9]{6}", names[1])
    assert re.fullmatch(r"brand-new-name-[a-z2-9]{6}", names[2])
    assert len({name.casefold() for name in [*names, "mika"]}) == 4


@pytest.mark.parametrize(
    ("display_name", "pattern"),
    [
        ("someone@example.org", r"someoneexampleorg-[a-z2-9]{6}"),
        ("美香", r"reader-[a-z2-9]{6}"),
        ("Zoë  O'Brien!", r"zoe-obrien-[a-z2-9]{6}"),
        ("x" * 80, r"x{30}-[a-z2-9]{6}"),
    ],
)
def test_a_derived_username_never_contains_an_at_sign(client, display_name, pattern):
    attempt(client, display_name=display_name)

    username = User.objects.get(email="fresh@example.org").username
    assert "@" not in username
    assert re.fullmatch(pattern, username)


def test_a_confirmed_reader_signs_in_with_the_address_and_sees_the_username(client, mailoutbox):
    attempt(client, email="fresh@example.org")
    client.get(link_in(mailoutbox[0]))
    client.post("/accounts/logout/")

    response = client.post(
        "/accounts/login/", {"username": "Fresh@Example.org", "password": PASSWORD}
    )

    assert response.status_code == 302
    username = User.objects.get(email="fresh@example.org").username
    assert f"<dd>{username}</dd>" in client.get("/accounts/").content.decode()


def test_one_client_gets_ten_sign_ups_an_hour(client, mailoutbox):
    for n in range(10):
        assert attempt(client, **signup_data(email=f"person{n}@example.org")).redirect_chain

    paused = client.post(
        "/accounts/signup/", signup_data(email="person10@example.org"), REMOTE_ADDR="198.51.100.7"
    )

    assert paused.status_code == 429
    html = paused.content.decode()
    assert "Please try again later (at most 1 hour from now); nothing was created yet." in html
    assert 'value="New Reader"' in html
    assert 'value="person10@example.org"' in html
    assert PASSWORD not in html
    assert not User.objects.filter(email="person10@example.org").exists()
    assert len(mailoutbox) == 10
    assert attempt(client, ip="192.0.2.3", email="person10@example.org").redirect_chain
