"""The one HTML sanitizer. Every piece of HTML that a person wrote or that came from an
import passes through :func:`clean_html` before it is stored or shown.

It is an allow-list (nh3, a binding of the Rust crate *ammonia*): tags and attributes
not listed are dropped, ``<script>``/``<style>`` lose their content too, URLs must be
relative or use http(s)/mailto, so ``javascript:`` and ``data:`` never survive. The
class names that our own renderer emits are allowed per tag, so imported HTML cannot
dress itself up as our interface (a fake verdict badge, say) with arbitrary classes.
"""

from __future__ import annotations

import html
import re
from collections import Counter

import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "details",
    "div", "dl", "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "section", "small", "span",
    "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr",
    "u", "ul", "aside", "footer", "header", "article",
}  # fmt: skip

ALLOWED_ATTRIBUTES = {
    "*": {"lang", "dir", "title"},
    "a": {"href", "id", "aria-label", "aria-describedby", "data-footnote-ref"},
    "abbr": {"title"},
    "blockquote": {"cite"},
    "img": {"src", "srcset", "sizes", "alt", "width", "height", "loading", "decoding"},
    "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
    "li": {"id"},
    "sup": {"id"},
    "section": {"aria-label"},
    "aside": {"aria-label"},
    "td": {"colspan", "rowspan", "style"},
    "th": {"colspan", "rowspan", "scope", "style"},
    "ol": {"start", "reversed"},
    "details": {"open", "data-spoiler-season", "data-spoiler-episode", "data-spoiler-label"},
    "span": {"aria-hidden", "tabindex", "data-spoiler-season", "data-spoiler-episode",
             "data-spoiler-label"},
}  # fmt: skip

# The classes our Markdown renderer and templates put into stored HTML.
ALLOWED_CLASSES = {
    "a": {"header-anchor", "footnote-ref", "footnote-backref", "citation-title"},
    "article": {"citation-card"},
    "aside": {"citation"},
    "details": {"spoiler"},
    "div": {"citation-meta", "table-scroll", "spoiler-body"},
    "figure": {"figure", "figure-external"},
    "hr": {"footnotes-sep"},
    "li": {"footnote-item"},
    "ol": {"footnotes-list"},
    "p": {"missing-reference", "spoiler-placeholder"},
    "section": {"footnotes"},
    "span": {"spoiler-inline", "spoiler-text", "spoiler-note", "visually-hidden",
             "spoiler-placeholder", "verdict", "verdict-watch", "verdict-skip",
             "verdict-avoid", "verdict-unrated", "score", "citation-work"},
    "sup": {"footnote-ref"},
}  # fmt: skip

URL_SCHEMES = {"http", "https", "mailto"}

# Comments are conversation: no images, big headings, tables or page structure.
COMMENT_EXCLUDED_TAGS = {
    "img", "figure", "figcaption", "h2", "h3", "h4", "h5", "h6", "section", "article", "aside",
    "header", "footer", "table", "caption", "thead", "tbody", "tfoot", "tr", "td", "th",
}  # fmt: skip

_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags={"script", "style"},
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=URL_SCHEMES,
    allowed_classes=ALLOWED_CLASSES,
    filter_style_properties={"text-align"},
    link_rel="noopener noreferrer",
)

_comment_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS - COMMENT_EXCLUDED_TAGS,
    clean_content_tags={"script", "style"},
    attributes={k: v for k, v in ALLOWED_ATTRIBUTES.items() if k != "img"},
    url_schemes=URL_SCHEMES,
    allowed_classes=ALLOWED_CLASSES,
    filter_style_properties={"text-align"},
    link_rel="nofollow ugc noopener",
)

_text_only = nh3.Cleaner(tags=set(), clean_content_tags={"script", "style"})


# Deeper than this, element tags are dropped (their text kept) before parsing: the
# HTML parser's cost grows with the square of the nesting of block elements (20,000
# nested <div> took 1.5 s; an imported post of them 79 s), and no real text nests
# anywhere near this deep.
MAX_NESTING = 100
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)[^>]*>")
VOID_TAGS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr",
}  # fmt: skip


def limit_nesting(fragment: str, max_depth: int = MAX_NESTING) -> str:
    """``fragment`` with element tags nested deeper than ``max_depth`` removed (and
    their end tags), in one linear pass. The text stays; the sanitizer still runs."""
    if fragment.count("<") <= max_depth:
        return fragment
    stack: list[str] = []
    open_names: Counter[str] = Counter()
    dropped: Counter[str] = Counter()
    pieces: list[str] = []
    last = 0
    for match in _TAG.finditer(fragment):
        closing, name = match[1], match[2].lower()
        if name in VOID_TAGS or match[0].endswith("/>"):
            continue
        keep = True
        if not closing:
            if len(stack) >= max_depth:
                keep = False
                dropped[name] += 1
            else:
                stack.append(name)
                open_names[name] += 1
        elif open_names[name]:
            while stack:  # close up to the matching start tag (each pops once)
                top = stack.pop()
                open_names[top] -= 1
                if top == name:
                    break
        elif dropped[name]:
            keep = False
            dropped[name] -= 1
        if not keep:
            pieces.append(fragment[last : match.start()])
            last = match.end()
    if not pieces:
        return fragment
    pieces.append(fragment[last:])
    return "".join(pieces)


def clean_html(fragment: str, *, profile: str = "article") -> str:
    """Sanitize an HTML fragment. ``profile`` is ``"article"`` (reviews, pages) or
    ``"comment"`` (reader comments: no images or big headings, links get
    ``rel="nofollow ugc noopener"``). Linear in the input (see :data:`MAX_NESTING`)."""
    cleaner = _comment_cleaner if profile == "comment" else _cleaner
    return style_to_class(cleaner.clean(limit_nesting(fragment)))


# The Content-Security-Policy allows no inline styles, so the one style the cleaner
# keeps (a table cell's alignment, written by Markdown tables) becomes a class that
# site.css styles, and any other style attribute goes. Runs on the cleaner's output,
# where a "<" is always a real tag and attribute values are double-quoted.
_CELL_STYLE = re.compile(r'(<t[dh]\b[^<>]*?) style="([^"]*)"')
_ALIGN = re.compile(r"text-align:\s*(left|center|right)\b", re.IGNORECASE)


def style_to_class(cleaned: str) -> str:
    """``<td style="text-align:right">`` → ``<td class="align-right">``; other
    ``style`` attributes on cells are dropped."""
    if " style=" not in cleaned:
        return cleaned

    def replace(match: re.Match[str]) -> str:
        align = _ALIGN.search(match[2])
        return match[1] + (f' class="align-{align[1].lower()}"' if align else "")

    return _CELL_STYLE.sub(replace, cleaned)


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment: tags dropped, entities decoded, whitespace
    collapsed. Used for excerpts and descriptions."""
    text = html.unescape(_text_only.clean(limit_nesting(fragment)))
    return " ".join(text.split())


def stored_html(fragment: str) -> SafeString:
    """Mark HTML that :func:`clean_html` produced when it was stored as safe to show.

    Templates never use ``|safe``; models expose their rendered fields through this,
    so the one place that vouches for stored HTML is here.
    """
    return mark_safe(fragment)  # noqa: S308 - sanitized before it was stored
