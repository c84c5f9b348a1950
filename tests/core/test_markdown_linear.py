"""The inline spoiler scan is linear in the text, and finds the same closers as the
straightforward scan it replaced (kept here as the reference)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from watchworthy.core.markdown import _find_closer, render_comment_markdown
from watchworthy.core.sanitize import html_to_text
from watchworthy.core.spoiler_markup import redact_spoilers


def reference_closer(src: str, pos: int, stop: int) -> int:
    """The forward scan, one call at a time (quadratic over a whole text)."""
    depth = 1
    while pos < stop:
        if src.startswith(("||", "\ue000\ue000"), pos):
            before = src[pos - 1] if pos > 0 else " "
            after = src[pos + 2] if pos + 2 < stop else " "
            if before.isspace() and not after.isspace():
                depth += 1
            else:
                depth -= 1
                if depth == 0:
                    return pos
            pos += 2
        else:
            pos += 1
    return -1


spoilerish = st.text(st.sampled_from(["|", " ", "a", ":", "\ue000", "\n"]), max_size=60)


@settings(max_examples=3000, deadline=None)
@given(src=spoilerish, data=st.data())
def test_same_closers_as_the_forward_scan(src, data):
    stop = data.draw(st.integers(0, len(src)))
    for start in range(len(src)):
        if src.startswith(("||", "\ue000\ue000"), start):
            assert _find_closer(src, start + 2, stop) == reference_closer(src, start + 2, stop)


def test_unclosed_scoped_openers_hide_the_rest_of_the_paragraph():
    html = render_comment_markdown("Before" + " ||Part 1 ep 2: secret" * 50)
    travelling = html_to_text(redact_spoilers(html))
    assert travelling.startswith("Before") and "secret" not in travelling


def test_html_nested_deeper_than_the_limit_keeps_its_text_but_not_its_depth():
    from watchworthy.core.sanitize import MAX_NESTING, clean_html, limit_nesting

    shallow = "<div><p>Hi <b>there</b></p></div>" * 40
    assert limit_nesting(shallow) == shallow
    deep = "<div>" * 5000 + "words" + "</div>" * 5000
    cleaned = clean_html(deep)
    assert "words" in cleaned
    assert cleaned.count("<div>") == MAX_NESTING == cleaned.count("</div>")
