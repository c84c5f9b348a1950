"""WordPress content → stored HTML: blocks, captions, shortcodes, paragraphs."""

from watchworthy.imports.content import autop, clean_comment_html, clean_post_html


def test_gutenberg_block_comments_are_removed_and_block_html_kept():
    raw = (
        '<!-- wp:paragraph {"align":"center"} -->\n<p>One</p>\n<!-- /wp:paragraph -->\n\n'
        '<!-- wp:image {"id":5} --><figure class="wp-block-image"><img src="/a.jpg" alt="A">'
        "</figure><!-- /wp:image -->"
    )
    cleaned = clean_post_html(raw)
    assert "wp:" not in cleaned.html
    assert "<p>One</p>" in cleaned.html and '<img src="/a.jpg" alt="A">' in cleaned.html
    assert cleaned.had_blocks


def test_caption_shortcode_becomes_a_figure():
    raw = (
        '[caption id="attachment_6" align="alignright" width="300"]<a href="/big.jpg">'
        '<img class="size-medium" src="/s.jpg" alt="Still" width="300" height="200"></a>'
        " The market run[/caption]"
    )
    html = clean_post_html(raw).html
    assert html.startswith('<figure class="figure figure-external">')
    assert '<img src="/s.jpg" alt="Still" width="300" height="200">' in html
    assert "<figcaption>The market run</figcaption>" in html
    old_style = clean_post_html('[caption caption="Old style"]<img src="/o.jpg" alt="">[/caption]')
    assert "<figcaption>Old style</figcaption>" in old_style.html


def test_other_shortcodes_stay_as_text_and_are_counted():
    cleaned = clean_post_html(
        '[gallery ids="1,2"]\n\n[embed]https://youtu.be/x[/embed] [sic] [[gallery]] [x y="1"]'
    )
    assert cleaned.shortcodes == {"gallery": 1, "embed": 1, "x": 1}
    assert "[gallery ids=" in cleaned.html and "[sic]" in cleaned.html
    assert "[gallery]" in cleaned.html and "[[gallery]]" not in cleaned.html


def test_wpautop_paragraphs_and_line_breaks():
    assert autop("first paragraph\n\nsecond paragraph") == (
        "<p>first paragraph</p>\n<p>second paragraph</p>"
    )
    assert autop("line one\nline two") == "<p>line one<br>\nline two</p>"
    html = autop("<ul>\n<li>a</li>\n</ul>\n\nafter\n\n<pre>keep\n\nthis</pre>")
    assert "<p><ul>" not in html and "<p>after</p>" in html and "<pre>keep\n\nthis</pre>" in html
    assert autop('<a\nhref="/x">link</a>') == '<p><a\nhref="/x">link</a></p>'


def test_embeds_are_removed_and_counted():
    cleaned = clean_post_html(
        '<p>x</p><script src="//t.co/w.js"></script><iframe src="//v"></iframe>'
    )
    assert "<script" not in cleaned.html and "<iframe" not in cleaned.html
    assert cleaned.embeds_removed == {"script": 1, "iframe": 1}


def test_comment_html_uses_the_comment_profile():
    html = clean_comment_html('Hi <a href="http://x.example">me</a>\n\n<img src="/a.png">')
    assert 'rel="nofollow ugc noopener"' in html
    assert "<img" not in html
    assert html.startswith("<p>Hi")
