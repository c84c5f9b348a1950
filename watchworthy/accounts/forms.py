"""Forms for reader accounts: sign up, sign in, resend a confirmation, profile."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, UserCreationForm
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.views.decorators.debug import sensitive_variables

from watchworthy.core.clients import rate_key

from .backends import accounts_named_by
from .throttle import Pause, SigninAttempt, account_subject, login_subject

User = get_user_model()


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


class SignupForm(UserCreationForm):
    """Username, display name, e-mail, password twice. Saves an *inactive* user."""

    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        help_text="We send a link here to confirm it is yours. It is never shown publicly.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "display_name", "email")
        labels = {"display_name": "Display name"}
        help_texts = {
            "display_name": "Shown on your comments. Leave it empty to use your username.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "username"
        ].help_text = "For signing in. Up to 150 letters, digits and . + - _ characters."
        self.fields["display_name"].widget.attrs["autocomplete"] = "nickname"
        self.fields["password1"].label = "Password"
        self.fields["password2"].label = "Password again"

    def clean_username(self):
        username = super().clean_username()
        if username and "@" in username:
            # Keeps usernames and e-mail addresses apart for "sign in with either".
            raise ValidationError(
                "A username cannot contain @. (You can sign in with your e-mail address too.)",
                code="invalid",
            )
        return username

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"])
        if User._default_manager.filter(email__iexact=email).exists():
            raise ValidationError(
                "An account with this e-mail address already exists. Sign in, or reset "
                "your password if you have forgotten it.",
                code="duplicate_email",
            )
        return email

    def save(self, commit=True):
        user = super().save(commit=False)
        user.is_active = False  # until the e-mail address is confirmed
        if commit:
            user.save()
        return user


class LoginForm(AuthenticationForm):
    """Django's sign-in form, reading "username or e-mail", and saying so when the
    password is right but the e-mail address is not confirmed yet."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": (
            "That username or e-mail address and password do not match an account. "
            "Passwords are case-sensitive."
        ),
        "unconfirmed": (
            "Please confirm your e-mail address first: follow the link in the e-mail we "
            "sent you when you signed up, or ask for a new one below."
        ),
        "throttled": (
            "Too many failed attempts to sign in. Please try again in %(wait)s, or reset "
            "your password if you have forgotten it."
        ),
    }
    pause: Pause | None = None

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        username = self.fields["username"]
        username.label = "Username or e-mail address"
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
        cleaned_data = self._check_password()
        attempt.succeeded()
        return cleaned_data

    @sensitive_variables()
    def _check_password(self) -> dict:
        try:
            return super().clean()
        except ValidationError as error:
            if error.code == "invalid_login" and self._is_unconfirmed():
                raise ValidationError(
                    self.error_messages["unconfirmed"], code="unconfirmed"
                ) from None
            raise

    @sensitive_variables()
    def _is_unconfirmed(self) -> bool:
        """Right password for an account that is still waiting for confirmation?"""
        login = (self.cleaned_data.get("username") or "").strip()
        password = self.cleaned_data.get("password") or ""
        match = Q(username=login)
        if "@" in login:
            match |= Q(email__iexact=login)
        candidates = User._default_manager.filter(match, is_active=False, last_login__isnull=True)[
            :2
        ]
        return any(user.check_password(password) for user in candidates)


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


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ("display_name", "bio")
        labels = {"display_name": "Display name", "bio": "About you"}
        help_texts = {
            "display_name": "Shown on your comments. Leave it empty to use your username.",
            "bio": "Optional: a few lines about you and what you watch.",
        }
        widgets = {"bio": forms.Textarea(attrs={"rows": 4, "maxlength": 2000})}

    def clean_bio(self):
        bio = self.cleaned_data["bio"].strip()
        if len(bio) > 2000:
            raise ValidationError("Please keep this under 2,000 characters.", code="max_length")
        return bio
