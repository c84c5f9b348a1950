"""Reader accounts: sign up with e-mail confirmation, sign in/out, passwords, profile.

Sign-in, sign-out and the password views are Django's own with our templates; sign
up, confirmation and the profile are small function views. See docs/accounts.md.
"""

import unicodedata

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.contrib.messages.views import SuccessMessageMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.encoding import force_str
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode
from django.views.decorators.debug import sensitive_post_parameters

from watchworthy.core.clients import rate_key
from watchworthy.core.models import SiteSettings

from . import throttle
from .emails import link_lifetime, send_confirmation
from .forms import (
    LoginForm,
    ProfileForm,
    ResendConfirmationForm,
    ResetPasswordForm,
    SignupForm,
    pending_users,
)
from .services import account_signup
from .tokens import email_confirmation_token

User = get_user_model()

# Confirming an address signs the reader in; with several backends Django needs to
# be told which one vouches for the user.
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def safe_next(request: HttpRequest, url: str | None) -> str:
    """``url`` if it stays on this site (same host, no scheme tricks), else ""."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


def _same_address(typed: str, stored: str) -> bool:
    """Case-insensitive, Unicode-aware; guards against look-alike case folding."""
    return (
        unicodedata.normalize("NFKC", typed).casefold()
        == unicodedata.normalize("NFKC", stored).casefold()
    )


SIGNUP_PAUSED = (
    "Too many sign-ups have come from your network recently. Please try again later "
    "(at most %(wait)s from now); nothing was created yet."
)


@sensitive_post_parameters("password1", "password2")
def signup(request: HttpRequest) -> HttpResponse:
    """Answers every valid sign-up with "check your e-mail", whether the address is
    new or already has an account (``services.account_signup`` tells the difference
    to the address's owner only)."""
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    status = 200
    if request.method == "POST":
        form = SignupForm(request.POST)
        if form.is_valid():
            if throttle.spend("signup_client", rate_key(request)):
                wait = throttle.in_words(throttle.budget("signup_client").window)
                form.add_error(None, SIGNUP_PAUSED % {"wait": wait})
                status = 429
            else:
                account_signup(
                    email=form.cleaned_data["email"],
                    display_name=form.cleaned_data["display_name"],
                    password=form.cleaned_data["password1"],
                    base_url=request.build_absolute_uri("/"),
                    next_url=next_url,
                )
                return redirect("accounts:signup_done")
    else:
        form = SignupForm()
    return render(request, "accounts/signup.html", {"form": form, "next": next_url}, status=status)


def signup_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signup_done.html", {"lifetime": link_lifetime()})


def confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The link from the confirmation e-mail: activate, sign in, go on."""
    try:
        pk = force_str(urlsafe_base64_decode(uidb64))
        # Only an account still waiting for confirmation; never one a moderator
        # switched off after it had been used (see forms.pending_users).
        user = User._default_manager.get(pk=pk, is_active=False, last_login__isnull=True)
    except (TypeError, ValueError, OverflowError, ValidationError, User.DoesNotExist):
        user = None
    if user is not None and email_confirmation_token.check_token(user, token):
        user.is_active = True
        user.save(update_fields=["is_active"])
        login(request, user, backend=MODEL_BACKEND)  # sets last_login: the link is spent
        messages.success(request, "Your e-mail address is confirmed. Welcome!")
        return redirect(safe_next(request, request.GET.get("next")) or "accounts:profile")
    return render(
        request,
        "accounts/confirm_invalid.html",
        {"form": ResendConfirmationForm(), "lifetime": link_lifetime()},
    )


def mail_budget_spent(request: HttpRequest, kind: str, email: str) -> bool:
    """Count a request to mail ``email`` ("reset" or "resend"); True when this client
    or this address has had its share (see ``throttle``). The client is counted first,
    so a client past its budget does not use up the address's."""
    return throttle.spend(f"{kind}_client", rate_key(request)) or throttle.spend(
        f"{kind}_address", throttle.normalised(email)
    )


def resend_confirmation(request: HttpRequest) -> HttpResponse:
    """Send a fresh link. Answers the same whether or not the address is known, and
    whether or not a link went out."""
    if request.method == "POST":
        form = ResendConfirmationForm(request.POST)
        if form.is_valid():
            email = form.cleaned_data["email"]
            if mail_budget_spent(request, "resend", email):
                return redirect("accounts:resend_done")
            for user in pending_users(email):
                if not _same_address(email, user.email):
                    continue
                send_confirmation(user, base_url=request.build_absolute_uri("/"))
            return redirect("accounts:resend_done")
    else:
        form = ResendConfirmationForm()
    return render(request, "accounts/resend.html", {"form": form})


def resend_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/resend_done.html", {"lifetime": link_lifetime()})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    assert request.user.is_authenticated  # login_required; tells mypy it is a User
    # A fresh copy, so an invalid submission never shows up in the header.
    account = User._default_manager.get(pk=request.user.pk)
    if request.method == "POST":
        form = ProfileForm(request.POST, instance=account)
        if form.is_valid():
            form.save()
            messages.success(request, "Your profile is saved.")
            return redirect("accounts:profile")
    else:
        form = ProfileForm(instance=account)
    return render(request, "accounts/profile.html", {"form": form, "account": account})


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_invalid(form)
        pause = getattr(form, "pause", None)  # set by our LoginForm
        if pause is not None:
            response.status_code = 429
            response["Retry-After"] = str(pause.seconds)
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Django puts its RequestSite in `site`, hiding our site settings from base.html.
        context["site"] = SiteSettings.current()
        context.pop("site_name", None)
        return context


class LogoutView(auth_views.LogoutView):
    """POST only (Django's rule); goes back to a safe ``next`` or the home page."""

    next_page = "home"


class PasswordChangeView(SuccessMessageMixin, auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")
    success_message = "Your password is changed."


class PasswordResetView(auth_views.PasswordResetView):
    form_class = ResetPasswordForm
    template_name = "accounts/password_reset.html"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    email_template_name = "accounts/email/password_reset_body.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        if mail_budget_spent(self.request, "reset", form.cleaned_data["email"]):
            # The same answer as when a mail went out: nothing tells whether it did.
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)

    # Django reads this attribute in form_valid(); a property computes it per request.
    @property
    def extra_email_context(self):  # type: ignore[override]
        return {"site_name": SiteSettings.current().site_name, "lifetime": link_lifetime()}


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # The owner proved the account is theirs: guesses against the old password
        # no longer keep them out.
        throttle.forget_account_failures(form.user.pk)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
