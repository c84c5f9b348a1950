"""The discussion section of an episode thread's page, written in Python
(discussion.section), prints what ``discussion/thread.html`` printed (kept in
tests/web/reference/) with the same page context: a thread with comments, an empty
one, one not open yet, both orders. (The review page's own section is compared by
tests/web/test_review_page_output.py.)"""

from __future__ import annotations

import datetime as dt

import pytest
from django.template.context import make_context

from tests.discussion.test_episode_threads import part2, reader, say  # noqa: F401 - fixture
from tests.web.old_review_page import ENGINE
from tests.web.reference import blank_random as blank
from watchworthy.discussion.templatetags import discussion_section

pytestmark = pytest.mark.django_db


@pytest.fixture
def sections(monkeypatch):
    """Every section the episode page writes, with the reference template's output
    for the same context."""
    seen: list[tuple[str, str]] = []
    real = discussion_section.section_html

    def both(context):
        written = real(context)
        page = ENGINE.get_template("discussion/thread.html")
        expected = page.render(make_context(context, context["request"]))
        seen.append((written, expected))
        return written

    monkeypatch.setattr(discussion_section, "section_html", both)
    return seen


@pytest.mark.parametrize("query", ["", "?order=newest", "?replyto=1&a=%3Cb%3E"])
def test_episode_thread_section_as_the_template_wrote_it(part2, sections, query):  # noqa: F811
    top = say(part2, "Episode three, <em>at last</em> & more.", episode=3, name="Ann <A>")
    say(part2, "A reply.", episode=3, parent=top)
    response = reader(part2.work, "2:5").get(f"/reviews/{part2.slug}/ep/3/{query}")
    assert response.status_code == 200
    assert len(sections) == 1
    written, expected = sections[0]
    assert blank(written) == blank(expected)
    assert 'class="comment-list"' in written
    assert "Episode three" in response.content.decode()


def test_empty_and_not_yet_open_threads(part2, sections):  # noqa: F811
    season = part2.season
    season.air_dates = " ".join(
        str(dt.date.today() + dt.timedelta(days=offset)) for offset in range(-3, 6)
    )
    season.save()
    client = reader(part2.work, "2:9")
    for episode in (1, 6):  # aired, no comments yet; airs in two days
        assert client.get(f"/reviews/{part2.slug}/ep/{episode}/").status_code == 200
    assert len(sections) == 2
    for written, expected in sections:
        assert blank(written) == blank(expected)
    assert "This thread opens on" in sections[1][0]
