from __future__ import annotations

import functools
import hashlib
import secrets
import time
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core import signing
from django.utils.datastructures import MultiValueDict

from watchworthy.accounts.names import reserved_owner
from watchworthy.core.formfields import quick_copied_fields
from watchworthy.core.formrender import PythonWidgets
from watchworthy.core.text import has_control_characters
from watchworthy.spoilers.shield import Position, positions

from .services import check_body

NOTHING = ("", "Nothing")  # the first "spoils up to" choice under a review


def spoiler_choices(seasons, *, after: Position | None = None) -> list[tuple[str, str]]:
    """Nothing, or any episode / whole season of the work, in watching order. In an
    episode's thread (``after``), only the points past that episode."""
    options = [NOTHING if after is None else ("", "Nothing past this episode")]
    for position, season in positions(seasons):
        if after is not None and not position.key > after.key:
            continue
        label = season.display_label
        words = f"All of {label}" if position.episode is None else f"{label}, ep {position.episode}"
        options.append((position.encode(), words))
    return options


NO_EPISODE = Position(0, None)

TOKEN_SALT = "watchworthy.discussion.form"  # noqa: S105 - a signing salt


def form_token(review_id: int, *, issued: float | None = None) -> str:
    """A signed (review, time, nonce) triple: proves the form came from our page, and
    when. The nonce makes every token different, so each can be spent once
    (:func:`submission_key`). What ``signing.dumps(..., salt=TOKEN_SALT)`` writes, from a
    signer made once per secret key (every review page signs one)."""
    moment = int(time.time() if issued is None else issued)
    return _token_signer(settings.SECRET_KEY).sign_object(
        {"r": review_id, "t": moment, "n": secrets.token_urlsafe(9)}
    )


@functools.lru_cache(maxsize=2)
def _token_signer(secret_key: str) -> signing.TimestampSigner:
    return signing.TimestampSigner(key=secret_key, salt=TOKEN_SALT)


def submission_key(token: str, client: str) -> str:
    """The key a comment made by this sent form carries (``Comment.submission_key``,
    unique): the form's token as sent by ``client`` (core.clients.rate_key). The page
    holding the token may be cached and shown to many readers, so it is spent per
    client; the same client sending it again (a double click, a replay) makes no
    second comment. Kept on the comment, not in the cache: a cache entry per post
    was a new file per post in the production cache folder."""
    sent = f"{client}\n{token}".encode()
    return hashlib.sha256(sent).hexdigest()[:40]


@quick_copied_fields
class CommentForm(forms.Form):
    default_renderer = PythonWidgets  # the form under every review: see core.formrender
    author_name = forms.CharField(label="Name", max_length=80, required=False)
    author_email = forms.EmailField(
        label="E-mail",
        required=False,
        max_length=254,
        help_text="Never shown. Used for reply notifications.",
    )
    author_url = forms.URLField(
        label="Website (optional)", required=False, max_length=200, assume_scheme="https"
    )
    body = forms.CharField(
        label="Comment",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Markdown: *italic*, **bold**, [link](https://…), > quote, `code`, "
        "||hidden words|| or ||Part 2 ep 7: hidden words|| for a spoiler, and "
        "::: spoiler Part 2 ep 7 … ::: to fold a longer one away.",
    )
    spoils = forms.ChoiceField(
        label="My comment spoils up to",
        required=False,
        help_text="Readers who have not watched that far see your comment folded away.",
    )
    notify_replies = forms.BooleanField(
        label="E-mail me when someone replies (we will ask you to confirm)", required=False
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # The episode thread the form posts to ("2:3"); empty: the main thread.
    episode = forms.CharField(required=False, widget=forms.HiddenInput)
    token = forms.CharField(widget=forms.HiddenInput, required=False)
    # The honeypot: hidden from people (CSS, aria-hidden), filled in by robots.
    homepage = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, review, user=None, seasons=(), episode=None, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self._episode = episode
        self.show_seasons(seasons or ())
        # None: the caller did not load the work's parts (see show_seasons).
        self.has_seasons = seasons is not None
        self.review = review
        self.signed_in = bool(user is not None and user.is_authenticated)
        limit = settings.WATCHWORTHY_COMMENTS["MAX_LENGTH"]
        self.fields["body"].widget.attrs["maxlength"] = str(limit)
        if self.signed_in:
            for name in ("author_name", "author_email", "author_url"):
                del self.fields[name]
        else:
            self.fields["author_name"].required = True
            self.fields["author_email"].required = True
            self.fields["author_name"].error_messages["required"] = "Tell us a name to show."
            self.fields["author_email"].error_messages["required"] = (
                "An e-mail address is needed (it is never shown)."
            )
        if not self.is_bound:
            self.initial.setdefault("token", form_token(review.pk))

    def show_seasons(self, seasons) -> None:
        """Offer the work's points in "spoils up to" (``seasons``: the work's)."""
        cast(forms.ChoiceField, self.fields["spoils"]).choices = spoiler_choices(
            seasons, after=self._episode
        )
        self.has_seasons = True

    def clean_body(self) -> str:
        return check_body(self.cleaned_data["body"])

    def clean_author_name(self) -> str:
        name = (self.cleaned_data.get("author_name") or "").strip()
        if has_control_characters(name):
            raise forms.ValidationError(
                "A name is one line of text, without line breaks or control characters."
            )
        if name and reserved_owner(name):
            raise forms.ValidationError(
                "That name belongs to someone who writes here. Please use your own — or "
                "sign in, if it is you."
            )
        return name

    def clean(self) -> dict[str, Any] | None:
        """Check the hidden token; its problems are told above the form (the reader
        cannot see or fix a hidden field)."""
        cleaned = super().clean()
        max_age = settings.WATCHWORTHY_COMMENTS["FORM_MAX_AGE_HOURS"] * 3600
        try:
            data = signing.loads(self.data.get("token", ""), salt=TOKEN_SALT, max_age=max_age)
        except signing.SignatureExpired:
            raise forms.ValidationError(
                "This page was open too long. Your text is still here: please send it again."
            ) from None
        except signing.BadSignature:
            raise forms.ValidationError(
                "This form could not be checked. Your text is still here: please send it again."
            ) from None
        if data.get("r") != self.review.pk:
            raise forms.ValidationError("This form belongs to another review.")
        episode = (cleaned or {}).get("episode") or ""
        # A hidden field's own errors (a null character, say) would never be shown.
        unreadable = self.errors.pop("episode", None) is not None
        if unreadable or (episode and (Position.decode(episode) or NO_EPISODE).episode is None):
            raise forms.ValidationError(
                "This form belongs to an episode thread that is not here any more. "
                "Your text is still here: send it from the thread's page."
            )
        self.issued = float(data["t"])
        self.fill_seconds = time.time() - self.issued
        return cleaned

    @property
    def spoils_position(self) -> Position | None:
        return Position.decode(self.cleaned_data.get("spoils") or "")

    @property
    def episode_position(self) -> Position | None:
        """The episode thread the comment is for (None: the main thread)."""
        return Position.decode(self.cleaned_data.get("episode") or "")

    @property
    def honeypot_filled(self) -> bool:
        return bool(self.cleaned_data.get("homepage"))

    def fresh_token(self) -> None:
        """Re-rendering after an error: give the form a new token, keep the text. The
        new token keeps the old one's time, so a quick correction does not look like
        a robot's speed."""
        # Bound to request.POST (a QueryDict), or unbound with Django's empty MultiValueDict.
        data = cast(MultiValueDict[str, Any], self.data).copy()
        data["token"] = form_token(self.review.pk, issued=getattr(self, "issued", None))
        self.data = data


class CommentEditForm(forms.Form):
    body = forms.CharField(label="Comment", widget=forms.Textarea(attrs={"rows": 6}))

    def clean_body(self) -> str:
        return check_body(self.cleaned_data["body"])
