"""The e-mail confirmation message (sent inline through ``EMAIL_BACKEND``)."""

from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import send_mail
from django.http import HttpRequest
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


def send_confirmation(request: HttpRequest, user, next_url: str = "") -> None:
    """Mail ``user`` a link that confirms the address and activates the account.

    Always sent to the address stored on the account, never to typed input.
    Raises ``OSError`` (``smtplib.SMTPException`` is one) when the mail cannot go out.
    """
    context = {
        "user": user,
        "link": request.build_absolute_uri(confirmation_path(user, next_url)),
        "site_name": SiteSettings.current().site_name,
        "lifetime": link_lifetime(),
    }
    subject = render_to_string("accounts/email/confirm_subject.txt", context)
    body = render_to_string("accounts/email/confirm_body.txt", context)
    send_mail(" ".join(subject.split()), body, None, [user.email])
