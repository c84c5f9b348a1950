"""The Markdown renderer critics write in: CommonMark plus the extras they rely on, and
the Watchworthy extensions (images by key, citations, spoiler folds)."""

import pytest

from tests.html_checks import executable_markup
from watchworthy.core.markdown import parse_markdown, render_comment_markdown, render_markdown


def fake_image_html(key: str, alt: str, caption: str, as_figure: bool) -> str | None:
    """Stands in for images.Image.html: known keys only, figure or bare <img>."""
    if key not in {"lighthouse", "roof"}:
        return None
    img = f'<img src="/media/{key}.png" alt="{alt}">'
    if not as_figure:
        return img
    return f'<figure class="figure">{img}<figcaption>{caption}</figcaption></figure>'


def fake_citation_html(slug: str) -> str | None:
    if slug != "part-1":
        return None
    return (
        '<article class="citation-card">'
        '<a class="citation-title" href="/reviews/part-1/">Part 1</a></article>'
    )


def render(source: str) -> str:
    return parse_markdown(source).render(
        image_html=fake_image_html, citation_html=fake_citation_html
    )


# --- CommonMark and the extras --------------------------------------------------------


def test_tables_render_with_header_cells_and_alignment():
    html = render_markdown("| Episode | Score |\n|:--|--:|\n| 1 | 8.0 |\n| 2 | 6.5 |")
    assert "<table>" in html and "<thead>" in html and "<tbody>" in html
    assert '<th class="align-left">Episode</th>' in html
    assert '<td class="align-right">6.5</td>' in html


def test_footnotes_link_both_ways():
    html = render_markdown("The oars.[^oars]\n\n[^oars]: Someone counted the strokes.")
    assert '<sup class="footnote-ref"><a href="#fn1" id="fnref1"' in html
    assert '<section class="footnotes">' in html
    assert '<li id="fn1" class="footnote-item">' in html
    assert "Someone counted the strokes." in html
    assert 'href="#fnref1" class="footnote-backref"' in html


def test_headings_get_anchors_and_duplicate_headings_get_distinct_ids():
    html = render_markdown("## The reveal\n\nText.\n\n## The reveal\n\n### A detail")
    assert '<h2 id="the-reveal">' in html
    assert '<h2 id="the-reveal-1">' in html
    assert '<h3 id="a-detail">' in html
    assert 'class="header-anchor" href="#the-reveal"' in html
    assert html.count('id="the-reveal"') == 1


def test_strikethrough_and_smart_typography():
    html = render_markdown('~~Part 3~~ is "coming" -- it\'s confirmed...')
    assert "<s>Part 3</s>" in html
    assert "“coming”" in html
    assert "it\u2019s" in html  # a typographic apostrophe
    assert "…" in html and '"coming"' not in html


def test_emphasis_and_links_render():
    html = render_markdown("It *drags* and **drags**; see [my notes](https://example.org/n).")
    assert "<em>drags</em>" in html and "<strong>drags</strong>" in html
    assert '<a href="https://example.org/n"' in html


# --- what never becomes markup --------------------------------------------------------


def test_raw_html_is_shown_as_text_not_as_tags():
    html = render_markdown('Hello <b onclick="steal()">bold</b> <script>alert(1)</script>')
    assert "&lt;b onclick=" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html and "<b " not in html
    assert executable_markup(html) == []


def test_raw_html_block_is_text_too():
    html = render_markdown(
        '<div onmouseover="x()">\n<iframe src="https://evil.example"></iframe>\n</div>'
    )
    assert "<iframe" not in html and "<div" not in html
    assert "&lt;iframe" in html


def test_javascript_links_are_dropped():
    html = render_markdown(
        "[click](javascript:alert(1)) and [also](JaVaScRiPt:alert(2)) and <javascript:alert(3)>"
    )
    assert "<a " not in html  # none of the three becomes a link
    assert 'href="javascript' not in html.lower()
    assert executable_markup(html) == []
    assert "click" in html  # the words stay; only the link goes


def test_javascript_image_sources_are_dropped():
    html = render_markdown("![x](javascript:alert(1))")
    assert 'src="javascript' not in html.lower()
    assert executable_markup(html) == []


# --- images by key --------------------------------------------------------------------


def test_image_on_its_own_line_becomes_a_figure_not_inside_a_paragraph():
    html = render('Before.\n\n![A lighthouse](image:lighthouse "Episode 3")\n\nAfter.')
    assert (
        '<figure class="figure"><img src="/media/lighthouse.png" alt="A lighthouse">'
        "<figcaption>Episode 3</figcaption></figure>"
    ) in html
    assert "<p><figure" not in html and "</figure></p>" not in html
    assert "<p>Before.</p>" in html and "<p>After.</p>" in html


def test_image_inside_a_sentence_stays_inline():
    calls = []

    def spy(key, alt, caption, as_figure):
        calls.append((key, alt, caption, as_figure))
        return fake_image_html(key, alt, caption, as_figure)

    html = parse_markdown("Look at ![the roof](image:roof) here.").render(image_html=spy)
    assert calls == [("roof", "the roof", "", False)]
    assert '<p>Look at <img src="/media/roof.png" alt="the roof"> here.</p>' in html
    assert "<figure" not in html


def test_figure_callback_gets_alt_text_without_markup_and_the_title_as_caption():
    calls = []

    def spy(key, alt, caption, as_figure):
        calls.append((key, alt, caption, as_figure))
        return fake_image_html(key, alt, caption, as_figure)

    parse_markdown('![The *lit* lantern](image:lighthouse "Part 1 key art")').render(image_html=spy)
    assert calls == [("lighthouse", "The lit lantern", "Part 1 key art", True)]


def test_unknown_image_key_shows_a_visible_note():
    html = render("Intro.\n\n![Gone](image:nope)\n\nInline ![gone](image:ghost) too.")
    assert '<p class="missing-reference">Missing image “nope”</p>' in html
    assert "Missing image “ghost”" in html
    assert "image:nope" not in html  # no broken <img src="image:...">


def test_image_keys_render_as_missing_without_a_callback():
    html = render_markdown("![Alt](image:lighthouse)")
    assert "Missing image “lighthouse”" in html


def test_external_image_on_its_own_line_is_a_figure_too():
    html = render_markdown('![A still](https://cdn.example.org/still.png "Caption here")')
    assert '<figure class="figure figure-external">' in html
    assert 'src="https://cdn.example.org/still.png"' in html
    assert "<figcaption>Caption here</figcaption>" in html


# --- citations ------------------------------------------------------------------------


def test_cite_with_quoted_content_renders_quote_then_card():
    html = render("::: cite part-1\nIt *was* great.\n:::")
    assert html.startswith('<aside class="citation"><blockquote><p>It <em>was</em> great.</p>')
    assert '</blockquote><article class="citation-card">' in html
    assert html.rstrip().endswith("</article></aside>")


def test_cite_without_content_shows_only_the_card():
    html = render("::: cite part-1\n:::")
    assert "<blockquote>" not in html
    assert '<aside class="citation"><article class="citation-card">' in html
    assert 'href="/reviews/part-1/"' in html


def test_unknown_citation_says_it_is_not_available_and_keeps_the_quote():
    html = render("::: cite no-such-review\nStill quoted.\n:::")
    assert "Cited review “no-such-review” is not available." in html
    assert "<blockquote><p>Still quoted.</p>" in html


def test_cite_without_a_slug_is_not_a_citation():
    document = parse_markdown("::: cite\ntext\n:::")
    assert document.citation_slugs == set()
    assert '<aside class="citation">' not in document.render()


def test_parse_collects_image_keys_and_citation_slugs():
    document = parse_markdown(
        "![a](image:first)\n\nText ![b](image:second) and ![c](https://x.org/c.png).\n\n"
        "> quoted ![d](image:in-quote)\n\n"
        "::: cite part-1\n![e](image:in-cite)\n:::\n\n::: cite other-review\n:::\n\n"
        "::: spoiler Part 2\n::: cite nested-review\n:::\n:::"
    )
    assert document.image_keys == {"first", "second", "in-quote", "in-cite"}
    assert document.citation_slugs == {"part-1", "other-review", "nested-review"}


def test_parse_of_plain_text_collects_nothing():
    document = parse_markdown("Just *words*, and a [link](https://example.org).")
    assert document.image_keys == set() and document.citation_slugs == set()
    assert parse_markdown("").render() == ""


# --- spoilers -------------------------------------------------------------------------


def test_spoiler_folds_the_passage_with_its_scope_as_summary():
    html = render_markdown("::: spoiler Part 2, episode 7\nMio is *alive*.\n:::")
    assert (
        '<details class="spoiler" data-spoiler-season="2" data-spoiler-episode="7" '
        'data-spoiler-label="Part 2, ep 7"><summary>Spoils Part 2, ep 7</summary>'
        '<div class="spoiler-body"><p>Mio is <em>alive</em>.</p>'
    ) in html
    assert html.rstrip().endswith("</div></details>")
    assert "open" not in html  # folded until the reader asks


def test_spoiler_label_is_escaped():
    html = render_markdown('::: spoiler <img src=x onerror="alert(1)"> & more\nText\n:::')
    assert "<summary>Spoiler (scope “&lt;img src=x onerror=" in html
    assert "&amp; more” not understood)</summary>" in html
    assert "<img" not in html
    assert executable_markup(html) == []


def test_spoiler_without_scope_says_spoiler():
    html = render_markdown("::: spoiler\nThe twist.\n:::")
    assert "<summary>Spoiler</summary>" in html


@pytest.mark.parametrize(
    "source", [">:::spoiler\n>", "> ::: spoiler S1E2\n>", ">::: cite x\n>", "- :::spoiler\n  -"]
)
def test_a_container_opened_in_a_quote_that_ends_the_text_renders(source):
    # The container plugin read one past the end of the text here (IndexError: a 500).
    assert "<blockquote>" in render_markdown(source) or "<ul>" in render_markdown(source)
    assert render_comment_markdown(source)
    assert render_markdown(source) == render_markdown(source + "\n")
