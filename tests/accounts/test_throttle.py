"""The sign-in failure counters themselves (the pages are tested through HTTP in
test_login_throttle.py)."""

import pytest

from watchworthy.accounts.throttle import SigninAttempt, digest, normalised


def attempt() -> SigninAttempt:
    return SigninAttempt.for_subjects(accounts=["user:1"], client="192.0.2.1")


def test_attempts_racing_past_the_check_are_still_held_to_the_limit(monkeypatch):
    for _ in range(4):
        assert attempt().start() is None  # four failures, none given back
    # Two requests both looked before either counted:
    monkeypatch.setattr(SigninAttempt, "_peek", lambda self: [0, 0])

    first, second = attempt(), attempt()

    assert first.start() is None
    pause = second.start()
    assert pause is not None and pause.minutes == 15
    # The refused one gave its reservation back; the client budget is not charged.
    monkeypatch.undo()
    assert attempt().start() is not None


def test_a_success_gives_back_only_its_own_reservation():
    for _ in range(4):
        attempt().start()
    lucky = attempt()
    assert lucky.start() is None
    lucky.succeeded()
    lucky.succeeded()  # twice is harmless

    assert attempt().start() is None  # the fifth failure
    assert attempt().start() is not None


@pytest.mark.parametrize(
    ("typed", "same_as"),
    [
        ("MIKA@Example.org", "mika@example.org"),
        ("\uff4d\uff49\uff4b\uff41", "mika"),  # full-width letters
        (" Stra\u00dfe ", "strasse"),
    ],
)
def test_logins_are_normalised_before_hashing(typed, same_as):
    assert normalised(typed) == same_as
    assert digest(normalised(typed)) == digest(same_as)
    assert same_as not in digest(same_as)
