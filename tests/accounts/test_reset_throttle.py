"""Password reset and "send the confirmation link again" cannot be used to flood a
mailbox: 3 mails per address and 10 requests per client an hour, and the page answers
the same whether a mail went out or not."""

import time

import pytest

from tests.accounts.conftest import signup_data
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

RESET = "/accounts/password/reset/"
RESEND = "/accounts/confirm/resend/"


def ask(client, url: str, email: str, ip: str = "198.51.100.7"):
    return client.post(url, {"email": email}, REMOTE_ADDR=ip, follow=True)


def test_twenty_reset_requests_for_one_address_send_at_most_three_mails(client, reader, mailoutbox):
    for _ in range(20):
        client.post(RESET, {"email": "mika@example.org"})

    assert 1 <= len(mailoutbox) <= 3


def test_the_address_budget_holds_across_clients_and_letter_case(client, reader, mailoutbox):
    for n in range(20):
        email = "MIKA@example.org" if n % 2 else "mika@EXAMPLE.org"
        ask(client, RESET, email, ip=f"203.0.113.{n + 1}")

    assert len(mailoutbox) == 3
    assert {tuple(message.to) for message in mailoutbox} == {("Mika@Example.org",)}


def test_one_client_gets_ten_reset_requests_an_hour(client, mailoutbox):
    for n in range(11):
        UserFactory(username=f"reader{n}", email=f"reader{n}@example.org")
    for n in range(11):
        ask(client, RESET, f"reader{n}@example.org")

    assert len(mailoutbox) == 10
    ask(client, RESET, "reader10@example.org", ip="192.0.2.9")  # another client
    assert len(mailoutbox) == 11


def test_the_reset_page_answers_the_same_sent_throttled_or_unknown(client, reader, mailoutbox):
    sent = ask(client, RESET, "mika@example.org")
    for _ in range(3):
        ask(client, RESET, "mika@example.org")
    throttled = ask(client, RESET, "mika@example.org")
    unknown = ask(client, RESET, "nobody@example.org", ip="192.0.2.9")

    assert len(mailoutbox) == 3
    for answer in (throttled, unknown):
        assert answer.status_code == sent.status_code == 200
        assert answer.redirect_chain == sent.redirect_chain == [(f"{RESET}sent/", 302)]
        assert answer.content == sent.content
    assert "only a few links an hour" in sent.content.decode()


def test_the_address_budget_comes_back_after_an_hour(client, reader, mailoutbox, monkeypatch):
    for _ in range(4):
        ask(client, RESET, "mika@example.org")
    assert len(mailoutbox) == 3
    later = time.time() + 3601
    monkeypatch.setattr(time, "time", lambda: later)

    ask(client, RESET, "mika@example.org")

    assert len(mailoutbox) == 4


def test_twenty_resend_requests_send_at_most_three_links(client, mailoutbox):
    client.post("/accounts/signup/", signup_data())
    mailoutbox.clear()

    answers = [
        ask(client, RESEND, "new.reader@example.org", ip=f"203.0.113.{n + 1}") for n in range(20)
    ]

    assert len(mailoutbox) == 3
    assert len({(tuple(a.redirect_chain), a.content) for a in answers}) == 1


def test_one_client_gets_ten_resend_requests_an_hour(client, mailoutbox):
    for n in range(11):
        client.post(
            "/accounts/signup/",
            signup_data(email=f"pending{n}@example.org"),
            REMOTE_ADDR=f"192.0.2.{n + 1}",
        )
    mailoutbox.clear()

    answers = [ask(client, RESEND, f"pending{n}@example.org") for n in range(11)]

    assert len(mailoutbox) == 10
    assert len({(tuple(a.redirect_chain), a.content) for a in answers}) == 1
