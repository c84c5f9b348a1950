"""Account e-mails: the address confirmation and the "somebody tried to sign up with
your address" notice (both sent inline through ``EMAIL_BACKEND``)."""

from urllib.parse import urlencode, urljoin

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from watchworthy.core.models import SiteSettings

from .tokens import email_confirmation_token


def link_lifetime() -> str:
    """How long a confirmation or reset link works, in words ("3 days")."""
    seconds = settings.PASSWORD_RESET_TIMEOUT
    if seconds >= 86400 and seconds % 86400 == 0:
        days = seconds // 86400
        return f"{days} day{'s' if days != 1 else ''}"
    hours = max(1, seconds // 3600)
    return f"{hours} hour{'s' if hours != 1 else ''}"


def confirmation_path(user, next_url: str = "") -> str:
    path = reverse(
        "accounts:confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": email_confirmation_token.make_token(user),
        },
    )
    return f"{path}?{urlencode({'next': next_url})}" if next_url else path


def send_confirmation(user, *, base_url: str, next_url: str = "") -> None:
    """Mail ``user`` a link that confirms the address and activates the account.

    Always sent to the address stored on the account, never to typed input.
    ``base_url`` is the site's root ("https://example.org/"), for absolute links.
    Raises ``OSError`` (``smtplib.SMTPException`` is one) when the mail cannot go out.
    """
    context = {
        "user": user,
        "link": urljoin(base_url, confirmation_path(user, next_url)),
        "site_name": SiteSettings.current().site_name,
        "lifetime": link_lifetime(),
    }
    _send(user, "confirm", context)


def send_signup_notice(user, *, base_url: str) -> None:
    """Tell the owner of ``user`` that somebody tried to sign up with their address.

    Sign-up answers such an attempt exactly like a new account, so this mail is the
    only place that says the address is taken, and only its owner reads it. An
    account still waiting for confirmation gets a fresh confirmation link; any other
    gets links to sign in and to reset the password. Raises ``OSError`` like
    :func:`send_confirmation`.
    """
    context = {
        "user": user,
        "site_name": SiteSettings.current().site_name,
        "lifetime": link_lifetime(),
        "confirm_link": (urljoin(base_url, confirmation_path(user)) if user.is_pending else ""),
        "login_link": urljoin(base_url, reverse("accounts:login")),
        "reset_link": urljoin(base_url, reverse("accounts:password_reset")),
    }
    _send(user, "signup_notice", context)


def _send(user, template: str, context: dict) -> None:
    subject = render_to_string(f"accounts/email/{template}_subject.txt", context)
    body = render_to_string(f"accounts/email/{template}_body.txt", context)
    send_mail(" ".join(subject.split()), body, None, [user.email])
