"""Telling the site how far you have watched: the progress form on the work page and on
every review of the work. Guests keep it in a signed cookie, signed-in readers in their
account."""

import json

import pytest
from django.test import Client

from tests.dom import messages, page, parse
from tests.factories import UserFactory
from tests.spoilers.conftest import BLOCK_SECRET, INLINE_SECRET, set_progress
from watchworthy.catalog.models import WatchProgress
from watchworthy.spoilers.progress import COOKIE

pytestmark = pytest.mark.django_db


def progress_url(work) -> str:
    return f"/works/{work.slug}/progress/"


def sees_part_2_spoilers(client, review) -> bool:
    visible = page(client.get(review.get_absolute_url())).visible_text()
    assert (BLOCK_SECRET in visible) == (INLINE_SECRET in visible)
    return BLOCK_SECRET in visible


def selected(root) -> str:
    form = root.find("form", cls="progress-form")
    chosen = [o.attrs["value"] for o in form.find_all("option") if "selected" in o.attrs]
    return chosen[0] if chosen else ""


def test_the_form_is_on_the_work_page_and_on_each_review_of_the_work(client, work, part2_review):
    for url in (work.get_absolute_url(), part2_review.get_absolute_url()):
        form = page(client.get(url)).find("form", cls="progress-form")
        assert form.attrs["action"] == progress_url(work)
        assert form.attrs["method"] == "post"
        values = [o.attrs["value"] for o in form.find_all("option")]
        assert values[:3] == ["", "0:0", "1:1"]
        assert {"1:24", "1:", "2:9", "2:"} <= set(values)
        assert "1:25" not in values and "2:10" not in values


def test_a_guests_progress_persists_across_requests_in_the_same_browser(client, work, part2_review):
    assert not sees_part_2_spoilers(client, part2_review)
    response = client.post(
        progress_url(work), {"position": "2:7", "next": part2_review.get_absolute_url()}
    )
    assert response.status_code == 302
    assert response["Location"] == part2_review.get_absolute_url()
    cookie = response.cookies[COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    root = page(client.get(response["Location"]))
    assert messages(root) == [
        "Saved: Part 2, episode 7 of Ferrylight. Spoilers up to there now open by themselves."
    ]
    assert BLOCK_SECRET in root.visible_text()
    for _ in range(2):  # and on later requests, without the form
        assert sees_part_2_spoilers(client, part2_review)
    assert selected(page(client.get(work.get_absolute_url()))) == "2:7"
    # Another browser has its own (unset) progress; no account row was written.
    assert not sees_part_2_spoilers(Client(), part2_review)
    assert not WatchProgress.objects.exists()


def test_a_forged_progress_cookie_is_ignored(client, work, part2_review):
    client.cookies[COOKIE] = json.dumps({str(work.pk): "2:"})  # not signed
    assert not sees_part_2_spoilers(client, part2_review)


def test_a_signed_in_readers_progress_follows_them_to_another_browser(work, part2_review):
    reader = UserFactory(username="ann")
    laptop, phone = Client(), Client()
    laptop.force_login(reader)
    phone.force_login(reader)
    set_progress(laptop, work, "2:")
    row = WatchProgress.objects.get(user=reader, work=work)
    assert (row.season, row.episode) == (2, None)
    assert COOKIE not in laptop.cookies
    assert sees_part_2_spoilers(phone, part2_review)
    assert selected(page(phone.get(work.get_absolute_url()))) == "2:"
    set_progress(phone, work, "1:13")  # changing it updates the one row
    assert WatchProgress.objects.filter(user=reader).count() == 1
    assert not sees_part_2_spoilers(laptop, part2_review)
    # Somebody else signed in, and a guest, have their own progress.
    other = Client()
    other.force_login(UserFactory(username="bo"))
    assert not sees_part_2_spoilers(other, part2_review)
    assert not sees_part_2_spoilers(Client(), part2_review)


@pytest.mark.parametrize("signed_in", [False, True], ids=["guest", "account"])
def test_clearing_progress_closes_every_spoiler_again(work, part2_review, signed_in):
    client = Client()
    if signed_in:
        client.force_login(UserFactory(username="ann"))
    set_progress(client, work, "2:")
    assert sees_part_2_spoilers(client, part2_review)
    response = client.post(progress_url(work), {"position": ""}, follow=True)
    assert messages(parse(response.content)) == [
        "Progress for Ferrylight cleared: every spoiler stays closed."
    ]
    assert not sees_part_2_spoilers(client, part2_review)
    assert not WatchProgress.objects.exists()


@pytest.mark.parametrize("signed_in", [False, True], ids=["guest", "account"])
@pytest.mark.parametrize("value", ["9:1", "2:10", "1:0", "garbage", "2:7 ", "-1:3"])
def test_a_position_that_is_not_in_the_work_is_refused_and_nothing_changes(
    work, part2_review, signed_in, value
):
    client = Client()
    if signed_in:
        client.force_login(UserFactory(username="ann"))
    set_progress(client, work, "1:13")
    client.get(work.get_absolute_url())  # the "Saved" message is read
    cookie_before = client.cookies[COOKIE].value if not signed_in else None
    response = client.post(
        progress_url(work), {"position": value, "next": part2_review.get_absolute_url()}
    )
    assert response.status_code == 302
    assert response["Location"] == part2_review.get_absolute_url()
    assert COOKIE not in response.cookies
    root = page(client.get(response["Location"]))
    assert messages(root) == ["That is not a point in this work; nothing was changed."]
    assert selected(root) == "1:13"
    assert not sees_part_2_spoilers(client, part2_review)
    if signed_in:
        row = WatchProgress.objects.get()
        assert (row.season, row.episode) == (1, 13)
    else:
        assert client.cookies[COOKIE].value == cookie_before


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/phish",
        "//evil.example/phish",
        "http://testserver.evil.example/",
        "javascript:alert(1)",
        "\\\\evil.example",
        "",
    ],
)
def test_next_only_leads_back_into_the_site(client, work, target):
    response = client.post(progress_url(work), {"position": "1:13", "next": target})
    assert response.status_code == 302
    assert response["Location"] == work.get_absolute_url()
    # Refused values go the same safe way.
    response = client.post(progress_url(work), {"position": "9:9", "next": target})
    assert response["Location"] == work.get_absolute_url()


def test_next_may_be_a_page_of_this_site(client, work, part2_review):
    target = f"{part2_review.get_absolute_url()}?order=newest#comments"
    response = client.post(progress_url(work), {"position": "1:13", "next": target})
    assert response["Location"] == target


def test_the_progress_form_needs_a_post_with_a_csrf_token(work):
    browser = Client(enforce_csrf_checks=True)
    assert browser.get(progress_url(work)).status_code == 405
    assert browser.post(progress_url(work), {"position": "2:"}).status_code == 403
    assert COOKIE not in browser.cookies
    assert Client().post("/works/no-such-work/progress/", {"position": "1:1"}).status_code == 404
