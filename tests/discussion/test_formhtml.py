"""The comment form written in Python (discussion.formhtml) is byte for byte what the
template it replaced wrote (kept in tests/web/reference/discussion/form.html, rendered
by the reference engine of the review page's output test): for guests and signed-in
writers, blank and remembered, bound with field and form errors, replying (on the
review page, an episode thread's page and the form's own page)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.template.context import make_context
from django.test import RequestFactory

from tests.factories import ReviewFactory, SeasonFactory, UserFactory
from tests.web.old_review_page import ENGINE
from tests.web.reference import blank_random
from watchworthy.discussion.episodes import Episode
from watchworthy.discussion.formhtml import comment_form_html
from watchworthy.discussion.forms import CommentForm
from watchworthy.discussion.identity import remember_commenter
from watchworthy.spoilers.shield import Position

pytestmark = pytest.mark.django_db


def both(form, *, user, review, reply_to=None, episode=None, form_page=False):
    request = RequestFactory().get(review.get_absolute_url())
    request.user = user
    context = {
        "comment_form": form,
        "review": review,
        "reply_to": reply_to,
        "discussion_episode": episode,
        "form_page": form_page,
    }
    old = ENGINE.get_template("discussion/form.html").render(make_context(context, request))
    new = comment_form_html(
        request, form, review=review, reply_to=reply_to, episode=episode, form_page=form_page
    )
    return blank_random(old), blank_random(new)


@pytest.fixture
def review(critic):
    review = ReviewFactory(slug="the-review", title="A <review>", author=critic)
    SeasonFactory(work=review.work, number=1, label="Part 1", episode_count=3)
    return review


def seasons(review):
    return list(review.work.seasons.all())


@pytest.mark.parametrize("signed_in", [False, True])
@pytest.mark.parametrize("form_page", [False, True])
def test_blank_and_replying(review, make_comment, signed_in, form_page):
    user = UserFactory(display_name="Ann & <Co>") if signed_in else AnonymousUser()
    parent = make_comment(review, name="Bo <b>")
    episode = Episode(1, 2, "Part 1, ep 2", dt.date(2024, 1, 1), "/reviews/the-review/ep/2/")
    cases = [
        {},
        {"reply_to": parent},
        {"reply_to": parent, "episode": episode},
    ]
    for case in cases:
        initial = {"author_name": "Remembered <me>", "author_email": "me@example.org"}
        form = CommentForm(
            initial=initial if not signed_in else {},
            review=review,
            user=user,
            seasons=seasons(review),
            episode=Position(1, 2) if case.get("episode") else None,
        )
        old, new = both(form, user=user, review=review, form_page=form_page, **case)
        assert new == old, case


@pytest.mark.parametrize("signed_in", [False, True])
def test_bound_with_errors(review, signed_in):
    user = UserFactory() if signed_in else AnonymousUser()
    data = {"author_name": "", "author_email": "not an address <x>", "body": "", "token": "bad"}
    form = CommentForm(data, review=review, user=user, seasons=seasons(review))
    assert not form.is_valid()
    assert form.non_field_errors()
    old, new = both(form, user=user, review=review, form_page=True)
    assert new == old


@pytest.mark.parametrize("signed_in", [False, True])
def test_pristine_forms_are_written_from_kept_parts(review, signed_in, settings):
    """A form with nothing in it but its token is written from parts kept per kind of
    form (formhtml._pristine): still the template's bytes, for a work with and
    without seasons, with its own token each time, and after a settings change."""
    from watchworthy.discussion import formhtml

    user = UserFactory() if signed_in else AnonymousUser()
    seasonless = ReviewFactory(slug="a-film", title="A film")
    remembered_nothing = {"author_name": "", "author_email": "", "author_url": ""}
    tokens = set()
    for limit in (5000, 1234):
        settings.WATCHWORTHY_COMMENTS = {**settings.WATCHWORTHY_COMMENTS, "MAX_LENGTH": limit}
        for subject in (review, seasonless, review):
            form = CommentForm(
                initial={} if signed_in else dict(remembered_nothing),
                review=subject,
                user=user,
                seasons=seasons(subject),
            )
            assert formhtml._pristine_layout(form) is not None
            old, new = both(form, user=user, review=subject)
            assert new == old
            assert f'maxlength="{limit}"' in new
            tokens.add(form.initial["token"])
    assert len(tokens) == 6


@pytest.mark.parametrize(
    ("initial", "pristine"),
    [
        ({"notify_replies": True}, False),
        ({"notify_replies": False}, True),
        ({"parent": 0}, False),  # falsy, yet a value the field shows
        ({"author_name": None, "author_url": ""}, True),
    ],
)
def test_a_form_with_a_value_is_not_written_from_kept_parts(review, initial, pristine):
    """Only blank fields come from kept parts: a ticked box or a 0 is the form's own."""
    from watchworthy.discussion import formhtml

    user = AnonymousUser()
    form = CommentForm(initial=initial, review=review, user=user)
    assert (formhtml._pristine_layout(form) is not None) is pristine
    old, new = both(form, user=user, review=review)
    assert new == old


def test_a_guest_form_is_the_blank_comment_form_written_without_one(critic, settings):
    """The form nearly every reader gets (a guest, nothing remembered, not replying)
    is written without building a CommentForm (formhtml.GuestForm): the same bytes as
    the CommentForm and as the template, for works with no parts, one, and parts whose
    labels need escaping, with a fresh token each time, after a settings change too."""
    from watchworthy.discussion.formhtml import GuestForm

    guest = AnonymousUser()
    film = ReviewFactory(slug="a-film", title="A film", author=critic)
    series = ReviewFactory(slug="a-series", title="A <series>", author=critic)
    SeasonFactory(work=series.work, number=1, label="Part 1", episode_count=2)
    SeasonFactory(work=series.work, number=2, label='Part "2" & <b>Co</b>', episode_count=0)
    tokens = set()
    for limit in (5000, 321):
        settings.WATCHWORTHY_COMMENTS = {**settings.WATCHWORTHY_COMMENTS, "MAX_LENGTH": limit}
        for subject in (film, series):
            fast = GuestForm.for_review(subject, seasons(subject))
            assert fast is not None
            form = CommentForm(
                initial={"author_name": "", "author_email": "", "author_url": ""},
                review=subject,
                user=guest,
                seasons=seasons(subject),
            )
            form.initial["token"] = fast.token
            old, new = both(form, user=guest, review=subject)
            assert new == old
            request = RequestFactory().get(subject.get_absolute_url())
            request.user = guest
            written = blank_random(comment_form_html(request, fast, review=subject))
            assert written == new
            assert f'maxlength="{limit}"' in written
            tokens.add(fast.token)
    assert "Part &quot;2&quot; &amp; &lt;b&gt;Co&lt;/b&gt;" in written
    assert len(tokens) == 4


def test_only_a_guest_with_nothing_to_show_gets_the_guest_form(review, make_comment):
    """The review page writes the form without building one only when nothing in it
    is the reader's: a remembered name, a reply or a signed-in writer get the form."""
    from watchworthy.discussion.context import discussion_context
    from watchworthy.discussion.formhtml import GuestForm
    from watchworthy.discussion.identity import COMMENTER_COOKIE
    from watchworthy.spoilers.progress import reader_shield

    parent = make_comment(review)

    def form_for(user, query="", cookies=None):
        request = RequestFactory().get(review.get_absolute_url() + query)
        request.user = user
        request.COOKIES.update(cookies or {})
        shield = reader_shield(request, review.work, seasons(review))
        return discussion_context(request, review, shield=shield)["comment_form"]

    assert isinstance(form_for(AnonymousUser()), GuestForm)
    assert isinstance(form_for(AnonymousUser(), f"?replyto={parent.pk}"), CommentForm)
    assert isinstance(form_for(UserFactory()), CommentForm)
    response = HttpResponse()
    remember_commenter(response, name="Ann", email="ann@example.org", url="")
    remembered = {COMMENTER_COOKIE: response.cookies[COMMENTER_COOKIE].value}
    form = form_for(AnonymousUser(), cookies=remembered)
    assert isinstance(form, CommentForm)
    assert form.initial["author_name"] == "Ann"


def test_form_tokens_are_djangos_signed_objects_under_the_current_key(settings):
    """form_token() signs as signing.dumps(salt=TOKEN_SALT) does, with the secret key
    in force when it is called (a key change takes effect at once)."""
    from django.core import signing

    from watchworthy.discussion.forms import TOKEN_SALT, form_token

    token = form_token(7, issued=1_700_000_000)
    data = signing.loads(token, salt=TOKEN_SALT)
    assert (data["r"], data["t"]) == (7, 1_700_000_000)
    settings.SECRET_KEY = "another-key-" + "x" * 50
    fresh = form_token(7)
    assert signing.loads(fresh, salt=TOKEN_SALT)["r"] == 7
    with pytest.raises(signing.BadSignature):
        signing.loads(token, salt=TOKEN_SALT)  # signed with the old key
