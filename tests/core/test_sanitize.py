"""The one sanitizer against real attack lists, and against anything hypothesis finds."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import shared_file
from tests.html_checks import executable_markup
from watchworthy.core.markdown import render_markdown
from watchworthy.core.sanitize import clean_html, html_to_text

PAYLOAD_LISTS = ["xss/payloadbox-xss-payload-list.txt", "xss/payloadsallthethings-RSNAKE_XSS.txt"]


def payloads(relative: str) -> list[str]:
    return shared_file(relative).read_text(encoding="utf-8", errors="replace").splitlines()


@pytest.mark.parametrize("relative", PAYLOAD_LISTS)
@pytest.mark.parametrize("profile", ["article", "comment"])
def test_no_payload_survives_as_html(relative, profile):
    leaks = {}
    for payload in payloads(relative):
        problems = executable_markup(clean_html(payload, profile=profile))
        if problems:
            leaks[payload] = problems
    assert leaks == {}


@pytest.mark.slow
@pytest.mark.parametrize("relative", PAYLOAD_LISTS)
def test_no_payload_survives_markdown_rendering(relative):
    lines = payloads(relative)
    # Each payload as its own paragraph, as a link target and as an image source.
    for payload in lines:
        source = f"{payload}\n\n[link]({payload})\n\n![alt]({payload})\n\n> {payload}"
        assert executable_markup(render_markdown(source)) == [], payload


def test_a_detector_that_cannot_fail_would_be_useless():
    # The checker itself finds what it is meant to find.
    assert executable_markup('<img src=x onerror="alert(1)">') == ["onerror= on <img>"]
    assert executable_markup("<a href=' javascript:alert(1)'>x</a>")
    assert executable_markup("<iframe src=https://x>")
    assert executable_markup('<img srcset="a.png 1x, data:image/svg+xml,x 2x">')


def test_safe_markup_is_kept():
    html = '<p>A <a href="https://example.org/x">link</a> and <em>emphasis</em>.</p>'
    assert clean_html(html) == (
        '<p>A <a href="https://example.org/x" rel="noopener noreferrer">link</a>'
        " and <em>emphasis</em>.</p>"
    )


def test_comment_links_get_nofollow_ugc():
    assert 'rel="nofollow ugc noopener"' in clean_html(
        '<a href="https://x.org">x</a>', profile="comment"
    )


def test_foreign_classes_cannot_fake_our_interface():
    cleaned = clean_html('<span class="verdict verdict-watch evil-overlay">Watch</span>')
    assert cleaned == '<span class="verdict verdict-watch">Watch</span>'
    assert 'class="verdict' not in clean_html('<p class="verdict">x</p>')


def test_unicode_and_emoji_survive():
    text = "Zoë’s “fin” 🎬 — 進撃 עברית 𝕏"  # noqa: RUF001
    assert html_to_text(render_markdown(text)) == text


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_markdown_renders_to_safe_html(source):
    assert executable_markup(render_markdown(source)) == []


HTML_PIECES = st.sampled_from(
    ["<", ">", "script", "img", "iframe", "svg", " src=", " href=", " onerror=", "javascript:",
     "data:", "&#106;", '"', "'", "=", "/", "<!--", "-->", "<![CDATA[", "]]>", " ", "\t", "a"]
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(HTML_PIECES, max_size=40).map("".join))
def test_any_html_cleans_to_safe_html(fragment):
    assert executable_markup(clean_html(fragment)) == []
