"""Account e-mails: the address confirmation, the "somebody tried to sign up with
your address" notice and the password-reset link.

A request only *enqueues* a mail (django-tasks): the task carries the account's id
and the site's address, never a token, and the mail is rendered and sent where the
task runs — at once on the embedded set-up, in ``manage.py db_worker`` with
``WATCHWORTHY_TASKS=database``, so a slow or absent mail server never holds up a
request. A mail that fails is logged by the task runner; the reader can ask for the
link again (``accounts:resend_confirmation``, the reset form).
"""

from urllib.parse import urlencode, urljoin, urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from watchworthy.core.models import SiteSettings

from .tokens import email_confirmation_token

KINDS = ("confirm", "signup_notice", "password_reset")


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
    """Have ``user`` mailed a link that confirms the address and activates the account.

    Always sent to the address stored on the account, never to typed input.
    ``base_url`` is the site's root ("https://example.org/"), for absolute links.
    """
    send_account_mail.enqueue("confirm", user.pk, base_url, next_url)


def send_signup_notice(user, *, base_url: str) -> None:
    """Have the owner of ``user`` told that somebody tried to sign up with their address.

    Sign-up answers such an attempt exactly like a new account, so this mail is the
    only place that says the address is taken, and only its owner reads it. An
    account still waiting for confirmation gets a fresh confirmation link; any other
    gets links to sign in and to reset the password.
    """
    send_account_mail.enqueue("signup_notice", user.pk, base_url, "")


def send_password_reset(user, *, base_url: str) -> None:
    """Have ``user`` mailed a link to choose a new password."""
    send_account_mail.enqueue("password_reset", user.pk, base_url, "")


@task()
def send_account_mail(kind: str, user_id: int, base_url: str, next_url: str) -> None:
    """Render and send one account mail. The links are made here, when the mail goes
    out, so no token waits in the task queue."""
    if kind not in KINDS:
        raise ValueError(f"Unknown account mail {kind!r}")
    user = get_user_model()._default_manager.filter(pk=user_id).first()
    if user is None or not user.email:
        return  # the account is gone: nothing to tell
    context = {
        "user": user,
        "site_name": SiteSettings.current().site_name,
        "lifetime": link_lifetime(),
    }
    if kind == "confirm":
        if not user.is_pending:
            return  # confirmed meanwhile: the link would only say "invalid"
        context["link"] = urljoin(base_url, confirmation_path(user, next_url))
    elif kind == "signup_notice":
        context |= {
            "confirm_link": urljoin(base_url, confirmation_path(user)) if user.is_pending else "",
            "login_link": urljoin(base_url, reverse("accounts:login")),
            "reset_link": urljoin(base_url, reverse("accounts:password_reset")),
        }
    else:
        if not (user.is_active and user.has_usable_password()):
            return
        parts = urlsplit(base_url)
        context |= {
            "protocol": parts.scheme,
            "domain": parts.netloc,
            "uid": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        }
    subject = render_to_string(f"accounts/email/{kind}_subject.txt", context)
    body = render_to_string(f"accounts/email/{kind}_body.txt", context)
    send_mail(" ".join(subject.split()), body, None, [user.email])
