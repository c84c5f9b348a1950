"""WordPress post and comment HTML → the HTML Watchworthy stores.

WordPress stores post content *before* its display filters run, so an export holds
what the editor saved, not what readers saw. This module applies the parts of the
display pipeline that matter, then the project's one sanitizer:

1. Gutenberg block comments (``<!-- wp:paragraph {...} -->``) are removed; the block
   HTML between them stays.
2. ``[caption …]<img …> Text[/caption]`` becomes ``<figure><img …><figcaption>``.
3. Other shortcodes (``[gallery]``, ``[embed]…``, plugin ones) cannot be run here:
   they stay as text, are counted, and the summary lists them by name.
   ``[[name]]`` (WordPress's escape) becomes a literal ``[name]``.
4. Classic-editor content gets paragraphs the way WordPress's ``wpautop`` makes them:
   blank lines separate paragraphs, single newlines become ``<br>``. Block-editor
   content already has its ``<p>`` tags and is left alone, as WordPress does.
5. :func:`watchworthy.core.sanitize.clean_html` — scripts, iframes, event handlers,
   ``javascript:`` URLs and foreign classes go.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from watchworthy.core.sanitize import clean_html

BLOCK_COMMENT = re.compile(r"<!--\s*/?wp:.*?-->", re.DOTALL)
CAPTION = re.compile(r"\[caption\b([^\]]*)\](.*?)\[/caption\]", re.DOTALL | re.IGNORECASE)
CAPTION_IMAGE = re.compile(
    r"^\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)$", re.DOTALL | re.IGNORECASE
)
ATTRIBUTE = re.compile(r'(\w+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\'|(\S+))')
SHORTCODE = re.compile(r"\[(\[?)(/?)([A-Za-z][\w-]*)((?:\s[^\[\]]*)?)(/?)\](\]?)")
# Shortcodes WordPress core and the most common plugins register; other bracketed
# words count only when they carry attributes or have a closing tag.
KNOWN_SHORTCODES = {
    "audio", "video", "playlist", "gallery", "embed", "wp_caption", "youtube", "vimeo",
    "soundcloud", "tweet", "twitter", "instagram", "googlemaps", "code", "sourcecode",
    "contact-form", "contact-form-7", "spoiler", "more", "slideshow", "recipe", "archives",
}  # fmt: skip
BLOCK_TAGS = (
    "table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|"
    "map|area|blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|article|"
    "aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary|iframe|script|"
    "video|audio|object|embed|noscript"
)
BLOCK_OPEN = re.compile(rf"(<(?:{BLOCK_TAGS})\b[^>]*>)", re.IGNORECASE)
BLOCK_CLOSE = re.compile(rf"(</(?:{BLOCK_TAGS})>)", re.IGNORECASE)
STARTS_WITH_BLOCK = re.compile(rf"^(?:</?(?:{BLOCK_TAGS})\b|\x00)", re.IGNORECASE)
PRE = re.compile(r"<pre\b.*?</pre>", re.DOTALL | re.IGNORECASE)
NEWLINE_OUTSIDE_TAG = re.compile(r"\n(?![^<]*>)")
PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
EMBEDS = re.compile(r"<(script|iframe|object|embed)\b", re.IGNORECASE)


@dataclass
class Cleaned:
    html: str
    shortcodes: Counter = field(default_factory=Counter)
    embeds_removed: Counter = field(default_factory=Counter)
    had_blocks: bool = False
    captions: int = 0


def _attributes(text: str) -> dict[str, str]:
    return {
        m.group(1).lower(): next(g for g in m.groups()[1:] if g is not None)
        for m in ATTRIBUTE.finditer(text)
    }


def _caption(match: re.Match) -> str:
    attributes = _attributes(match.group(1))
    inner = match.group(2)
    parts = CAPTION_IMAGE.match(inner)
    if parts is None:  # no image inside: keep the text, drop the wrapper
        return inner
    image, text = parts.group(1), parts.group(2).strip() or attributes.get("caption", "")
    figcaption = f"<figcaption>{text}</figcaption>" if text else ""
    return f'<figure class="figure figure-external">{image}{figcaption}</figure>'


def _shortcodes(html: str, counter: Counter) -> str:
    closing = {m.group(3).lower() for m in SHORTCODE.finditer(html) if m.group(2)}

    def visit(match: re.Match) -> str:
        escaped_open, slash, name, attrs, _self_close, escaped_close = match.groups()
        if escaped_open and escaped_close:  # [[name]] is WordPress's literal [name]
            return match.group(0)[1:-1]
        lowered = name.lower()
        if not slash and (lowered in KNOWN_SHORTCODES or lowered in closing or "=" in attrs):
            counter[lowered] += 1
        return match.group(0)

    return SHORTCODE.sub(visit, html)


def autop(text: str) -> str:
    """Paragraphs from blank lines, ``<br>`` from single newlines (like wpautop)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return ""
    if "<" not in text and ">" not in text and "\x00" not in text:
        # Plain text (most comments): no tag to keep or stand apart, so the general
        # way comes to paragraphs with every newline a <br> (tests/imports/test_fast_paths.py).
        return "\n".join(
            "<p>" + chunk.replace("\n", "<br>\n") + "</p>"
            for chunk in (piece.strip() for piece in PARAGRAPH_BREAK.split(text))
            if chunk
        )
    return _autop_html(text)


def _autop_html(text: str) -> str:
    """:func:`autop` of text with tags (newlines already ``\\n``, not blank)."""
    kept: list[str] = []

    def keep(match: re.Match) -> str:
        kept.append(match.group(0))
        return f"\n\n\x00{len(kept) - 1}\x00\n\n"

    text = PRE.sub(keep, text)
    text = BLOCK_OPEN.sub(r"\n\n\1", text)
    text = BLOCK_CLOSE.sub(r"\1\n\n", text)
    chunks = []
    for chunk in PARAGRAPH_BREAK.split(text):
        chunk = chunk.strip()
        if not chunk:
            continue
        if STARTS_WITH_BLOCK.match(chunk):
            chunks.append(chunk)
        else:
            chunks.append("<p>" + NEWLINE_OUTSIDE_TAG.sub("<br>\n", chunk) + "</p>")
    html = "\n".join(chunks)
    return re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m.group(1))], html)


def clean_post_html(raw: str) -> Cleaned:
    """A post's or page's stored content → sanitized HTML, with what was left over."""
    result = Cleaned(html="")
    result.embeds_removed.update(tag.lower() for tag in EMBEDS.findall(raw))
    html, blocks = BLOCK_COMMENT.subn("", raw)
    result.had_blocks = blocks > 0
    html, result.captions = CAPTION.subn(_caption, html)
    html = _shortcodes(html, result.shortcodes)
    if not result.had_blocks:
        html = autop(html)
    result.html = clean_html(html).strip()
    return result


def clean_comment_html(raw: str) -> str:
    return clean_html(autop(raw), profile="comment").strip()
