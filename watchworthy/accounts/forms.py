"""Forms for reader accounts: sign up, sign in, resend a confirmation, profile."""

from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import (
    AuthenticationForm,
    BaseUserCreationForm,
    PasswordResetForm,
)
from django.core.exceptions import ValidationError
from django.views.decorators.debug import sensitive_variables

from watchworthy.core.clients import rate_key
from watchworthy.core.text import has_control_characters

from .backends import accounts_named_by
from .emails import send_password_reset
from .names import reserved_owner
from .throttle import Pause, SigninAttempt, account_subject, login_subject

User = get_user_model()


def checked_display_name(name: str, *, user_id: int | None = None) -> str:
    """A display name a reader may use: one line, and not the critic's or staff's."""
    name = name.strip()
    if has_control_characters(name):
        raise ValidationError("A name is one line of text, without control characters.")
    if reserved_owner(name, exclude_user_id=user_id):
        raise ValidationError(
            "That name belongs to someone who writes here. Please choose another.",
            code="reserved",
        )
    return name


def pending_users(email: str):
    """Accounts at this address still waiting for their e-mail confirmation.

    "Pending" is ``is_active=False`` and never signed in: confirming signs the reader
    in, so a confirmed account always has a ``last_login``. An account a moderator
    switched off (inactive, but signed in before) is therefore never re-activated by
    a confirmation link.
    """
    return User._default_manager.filter(
        email__iexact=email, is_active=False, last_login__isnull=True
    )


class SignupForm(BaseUserCreationForm):
    """Display name, e-mail address, password twice.

    No username (one is derived, see ``services.new_username``) and no "already
    taken" error for the address: the form checks only what the visitor typed, so
    it answers the same whoever has an account. ``services.account_signup`` does
    the rest.
    """

    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        help_text="You sign in with it, and we send a link here to confirm it is yours. "
        "It is never shown publicly.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    class Meta(BaseUserCreationForm.Meta):
        model = User
        fields = ("display_name", "email")
        labels = {"display_name": "Display name"}
        help_texts = {"display_name": "Shown on your comments; you can change it later."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["display_name"].required = True
        self.fields["display_name"].widget.attrs.update(autocomplete="nickname", autofocus=True)
        self.fields["password1"].label = "Password"
        self.fields["password2"].label = "Password again"

    def clean_email(self) -> str:
        return User.objects.normalize_email(self.cleaned_data["email"])

    def clean_display_name(self) -> str:
        return checked_display_name(self.cleaned_data.get("display_name") or "")

    def save(self, commit: bool = True):
        raise NotImplementedError("Sign-up goes through services.account_signup().")


class LoginForm(AuthenticationForm):
    """Django's sign-in form, reading "e-mail address or username", with the sign-in
    throttle in front of the password check (see ``throttle``).

    Every refusal of a password reads the same, including the right password for an
    account still waiting for its confirmation: a distinct message there would tell a
    visitor which sign-ups created an account (sign-up itself no longer does). So the
    one message mentions confirming too.
    """

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": (
            "That e-mail address or username and password do not match an account. "
            "Passwords are case-sensitive. Signed up recently? Confirm your address "
            "first with the link we e-mailed you, or ask for a new one below."
        ),
        "throttled": (
            "Too many failed attempts to sign in. Please try again in %(wait)s, or reset "
            "your password if you have forgotten it."
        ),
    }
    pause: Pause | None = None

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        username = cast(forms.CharField, self.fields["username"])  # a UsernameField
        username.label = "E-mail address or username"
        username.max_length = 254
        username.widget.attrs["maxlength"] = 254

    @sensitive_variables()
    def clean(self):
        login = self.cleaned_data.get("username")
        if not (login and self.cleaned_data.get("password")):
            return super().clean()  # a field is missing: nothing is checked or counted
        attempt = SigninAttempt.for_subjects(
            accounts=[account_subject(pk) for pk in accounts_named_by(login)]
            or [login_subject(login)],
            client=rate_key(self.request) if self.request is not None else "unknown",
        )
        self.pause = attempt.start()
        if self.pause is not None:
            # Refused before the password is looked at, so even the right one fails.
            raise ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"wait": self.pause.in_words()},
            )
        cleaned_data = super().clean()  # raises for a wrong password: the failure stays
        attempt.succeeded()
        return cleaned_data


class ResendConfirmationForm(forms.Form):
    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class ResetPasswordForm(PasswordResetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "E-mail address"
        self.fields["email"].help_text = "The address you signed up with."

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        """Enqueue the mail instead of sending it in the request (see ``emails``);
        the link is made when it goes out."""
        send_password_reset(
            context["user"], base_url=f"{context['protocol']}://{context['domain']}/"
        )


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ("display_name", "bio")
        labels = {"display_name": "Display name", "bio": "About you"}
        help_texts = {
            "display_name": "Shown on your comments.",
            "bio": "Optional: a few lines about you and what you watch.",
        }
        widgets = {"bio": forms.Textarea(attrs={"rows": 4, "maxlength": 2000})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["display_name"].required = True

    def clean_display_name(self) -> str:
        name = self.cleaned_data.get("display_name") or ""
        if self.instance.is_staff:  # staff write here: their name is theirs to set
            return name.strip()
        return checked_display_name(name, user_id=self.instance.pk)

    def clean_bio(self):
        bio = self.cleaned_data["bio"].strip()
        if len(bio) > 2000:
            raise ValidationError("Please keep this under 2,000 characters.", code="max_length")
        return bio
