"""The progress form written in Python ({% progress_form %}) is byte for byte what the
template it replaced wrote (tests/web/reference/spoilers/progress_form.html, through
the reference engine of the review page's output test): guests and signed-in readers,
no progress and progress at several points, a title and an address to escape."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import engines
from django.template.context import make_context
from django.test import RequestFactory

from tests.factories import SeasonFactory, UserFactory, WorkFactory
from tests.web.old_review_page import ENGINE
from tests.web.reference import blank_random
from watchworthy.spoilers.shield import Position, Shield

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("signed_in", [False, True])
@pytest.mark.parametrize("position", [None, Position(1, 3), Position(2, None)])
def test_same_bytes_as_the_template(signed_in, position):
    work = WorkFactory(title="Tides & <Towers>", slug="tides")
    SeasonFactory(work=work, number=1, label="Part 1", episode_count=12)
    SeasonFactory(work=work, number=2, label="Part <2>", episode_count=3)
    seasons = list(work.seasons.all())
    request = RequestFactory().get("/reviews/tides-part-2/?reveal=3&x=<y>")
    request.user = UserFactory() if signed_in else AnonymousUser()
    context = {"work": work, **Shield(position, seasons).form_context()}
    old = ENGINE.get_template("spoilers/progress_form.html").render(make_context(context, request))
    tag = engines["django"].from_string("{% load progress_form %}{% progress_form work %}")
    new = tag.render(context, request)
    assert blank_random(new) == blank_random(old)
    assert "selected" in new or position is None
