"""A closed inline spoiler leaves the server as a reveal button with its words hidden;
``?reveal=<id>`` (the button without JavaScript) opens that one for that request."""

import re

import pytest

from tests.dom import page
from tests.spoilers.conftest import INLINE_SECRET
from watchworthy.core.markdown import render_comment_markdown
from watchworthy.spoilers.shield import Position, Shield, reveal_ids, staff_view

pytestmark = pytest.mark.django_db

STORED = render_comment_markdown("Broker: ||Part 2 ep 3: Renji||. And ||she lies||.")
BUTTON = re.compile(r'<button type="submit" class="spoiler-reveal"[^>]*value="(sp-[0-9a-f-]+)"')


def test_closed_inline_spoilers_are_buttons_followed_by_hidden_words():
    html = Shield(None).html(STORED)
    ids = BUTTON.findall(html)
    assert len(ids) == 2 and len(set(ids)) == 2
    assert 'aria-label="Spoiler: Part 2, ep 3, activate to reveal"' in html
    assert f'<span class="spoiler-text" id="{ids[0]}" hidden>Renji</span>' in html
    assert f'<span class="spoiler-text" id="{ids[1]}" hidden>she lies</span>' in html
    assert "tabindex" not in html  # nothing to focus but the button


def test_ids_do_not_depend_on_the_readers_progress():
    behind = BUTTON.findall(Shield(None).html(STORED))
    ahead = BUTTON.findall(Shield(Position(2, 5)).html(STORED))
    assert ahead == behind[1:]  # the Part 2 ep 3 one is open; the unscoped one keeps its id
    assert '<span class="spoiler-inline spoiler-open"' in Shield(Position(2, 5)).html(STORED)


def test_reveal_opens_only_the_named_spoiler_and_ignores_anything_else():
    first, second = BUTTON.findall(Shield(None).html(STORED))
    html = Shield(None, (), reveal_ids([second, "sp-zz", "<script>", first + "x"])).html(STORED)
    assert BUTTON.findall(html) == [first]
    assert "she lies</span>" in html and "hidden>she lies" not in html
    assert reveal_ids(["sp-0123abcd-1"] * 100) == {"sp-0123abcd-1"}


def test_staff_see_every_spoiler_open_with_its_label():
    html = str(staff_view(STORED))
    assert html.count("spoiler-open spoiler-marked") == 2
    assert '<span class="spoiler-label">Spoiler for Part 2, ep 3: </span>' in html
    assert "hidden" not in html


def test_the_review_page_opens_a_revealed_spoiler_for_that_request(client, part2_review):
    url = part2_review.get_absolute_url()
    closed = client.get(url).content.decode()
    assert INLINE_SECRET not in page(client.get(url)).visible_text()
    (spoiler_id,) = [
        i for i in BUTTON.findall(closed) if re.search(f'"{i}" hidden>[^<]*{INLINE_SECRET}', closed)
    ]
    opened = client.get(url, {"reveal": spoiler_id})
    assert INLINE_SECRET in page(opened).visible_text()
    # The reveal form carries it on, so a second reveal keeps the first open.
    assert f'<input type="hidden" name="reveal" value="{spoiler_id}">' in opened.content.decode()
    assert client.get(url, {"reveal": "sp-nonsense"}).status_code == 200
