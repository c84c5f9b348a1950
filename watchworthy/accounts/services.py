"""Sign-up, the one account write with side effects (an e-mail), as a service.

Sign-up must not tell a visitor whether an address already has an account. So
:func:`account_signup` does one of two things that look the same from outside — it
returns nothing, spends about the same time hashing a password, and sends one mail
to the address:

* a new address gets an inactive account and the confirmation link;
* an address that already has an account gets nothing new; its owner is told by
  mail that someone tried (at most ``signup_notice`` times a day), with a fresh
  confirmation link if the account is still waiting for one.

Usernames are not chosen at sign-up either, since "that username is taken" would
list the accounts as surely as "that address is taken". :func:`new_username`
derives one from the display name plus a random suffix; readers sign in with their
address (the username works too, and their account page shows it).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils.crypto import get_random_string
from django.utils.text import slugify
from django.views.decorators.debug import sensitive_variables

from . import throttle
from .emails import send_confirmation, send_signup_notice

# No 0/o, 1/l/i: the username is shown to its owner, who may type it.
SUFFIX_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
SUFFIX_LENGTH = 6
BASE_LENGTH = 30


def new_username(display_name: str) -> str:
    """A free username from the display name: "Mika R." → "mika-r-7k3p9x".

    The suffix is always there, whether or not the bare name is free, so not even
    the owner learns from it which other names exist. Only ASCII letters, digits and
    hyphens: never an ``@`` (a username must not look like an address).
    """
    base = slugify(display_name)[:BASE_LENGTH].strip("-") or "reader"
    User = get_user_model()
    for _ in range(20):  # 31**6 suffixes per name: a clash is already a rarity
        candidate = f"{base}-{get_random_string(SUFFIX_LENGTH, SUFFIX_ALPHABET)}"
        if not User._default_manager.filter(username__iexact=candidate).exists():
            return candidate
    raise RuntimeError(f"No free username found for {base!r}")


@sensitive_variables("password")
def account_signup(
    *, email: str, display_name: str, password: str, base_url: str, next_url: str = ""
) -> None:
    """Sign up ``email``, or tell its owner that someone tried (see the module
    docstring). ``password`` has been validated already; ``base_url`` is the site's
    root for the links in the mail; ``next_url`` (already checked to be on this
    site) is where the confirmation link leads. The mail is enqueued, not sent here
    (see ``emails``).
    """
    User = get_user_model()
    email = User._default_manager.normalize_email(email)
    owners = list(User._default_manager.filter(email__iexact=email).order_by("pk"))
    if owners:
        make_password(password)  # the same work as a new account, so no faster answer
        _notify_owner(owners, base_url=base_url)
        return
    user = User(
        username=new_username(display_name),
        display_name=display_name,
        email=email,
        is_active=False,  # until the address is confirmed
    )
    user.set_password(password)
    user.save()
    send_confirmation(user, base_url=base_url, next_url=next_url)


def _notify_owner(owners: list, *, base_url: str) -> None:
    """Mail one notice for the address, about its active account or else its
    pending one. An account a moderator switched off gets nothing."""
    owner = next((user for user in owners if user.is_active), None) or next(
        (user for user in owners if user.is_pending), None
    )
    if owner is None or throttle.spend("signup_notice", throttle.normalised(owner.email)):
        return
    send_signup_notice(owner, base_url=base_url)
