"""Markdown → safe HTML, shared by reviews, recaps and pages.

Critics write CommonMark plus tables, footnotes, strikethrough and heading anchors
(markdown-it-py with mdit-py-plugins). Raw HTML in the source is shown as text, and
whatever the renderer produces still goes through :func:`clean_html`, so the stored
HTML is safe even if a plugin misbehaves.

Two Watchworthy extensions reference other rows, so rendering happens in two steps:
:func:`parse_markdown` finds the references, the caller loads them in one query, then
:meth:`MarkdownDocument.render` writes the HTML.

* ``![Alt text](image:KEY "Caption")`` — an uploaded image (see ``images.Image``). On a
  line of its own an image becomes a ``<figure>`` with responsive sizes and a caption
  (the title in quotes, else the caption stored with the image).
* A citation card for another review::

      ::: cite part-1-review-slug
      The quoted passage, any Markdown.
      :::

  renders the quote followed by a card with the cited review's title, work, season
  and verdict. With nothing between the fences, only the card is shown.

One more container hides a passage until the reader asks for it::

      ::: spoiler Part 2, episode 7
      What happens.
      :::

It renders as ``<details class="spoiler">`` (works without JavaScript) whose summary
names what it spoils. (The spoiler shield, a later step, will read that scope.)
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape

from django.db import models
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.footnote import footnote_plugin

from .sanitize import clean_html
from .spoiler_markup import Scope, parse_scope, spoiler_attrs, spoiler_summary


class BodyFormat(models.TextChoices):
    """How a stored body is written: Markdown (what critics type) or HTML (what came
    from WordPress; kept as it was and cleaned by the sanitizer on every save)."""

    MARKDOWN = "markdown", "Markdown"
    HTML = "html", "HTML (sanitized)"


IMAGE_SCHEME = "image:"
CITE = "cite"
SPOILER = "spoiler"

# Given (key, alt, caption, as_figure) return HTML, or None when the key is unknown.
ImageRenderer = Callable[[str, str, str, bool], str | None]
# Given a review slug return the citation card's HTML, or None when it is unknown.
CitationRenderer = Callable[[str], str | None]


def _cite_slug(info: str) -> str:
    parts = info.strip().split()
    return parts[1] if len(parts) >= 2 and parts[0] == CITE else ""


def _validate_cite(params: str, *_args) -> bool:
    return bool(_cite_slug(params))


def _mark_figures_and_citations(state: StateCore) -> None:
    """A paragraph holding nothing but one image becomes a figure (a <figure> may not
    sit inside a <p>); each citation's closing token learns its slug."""
    tokens = state.tokens
    open_citations: list[Token] = []
    for index, token in enumerate(tokens):
        if token.type == "paragraph_open" and index + 2 < len(tokens):
            inline, close = tokens[index + 1], tokens[index + 2]
            children = [
                child
                for child in (inline.children or [])
                if not (child.type == "text" and not child.content.strip())
            ]
            if len(children) == 1 and children[0].type == "image":
                token.hidden = close.hidden = True
                children[0].meta["figure"] = True
        elif token.type == "container_cite_open":
            token.meta["slug"] = _cite_slug(token.info)
            token.meta["empty"] = tokens[index + 1].type == "container_cite_close"
            open_citations.append(token)
        elif token.type == "container_cite_close" and open_citations:
            opener = open_citations.pop()
            token.meta.update(opener.meta)


def _render_image(self, tokens: list[Token], idx: int, options, env) -> str:
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    alt = self.renderInlineAsText(token.children or [], options, env)
    caption = str(token.attrGet("title") or "")
    as_figure = bool(token.meta.get("figure"))
    if src.startswith(IMAGE_SCHEME):
        key = src[len(IMAGE_SCHEME) :]
        renderer: ImageRenderer | None = env.get("image_html")
        rendered = renderer(key, alt, caption, as_figure) if renderer else None
        if rendered is None:
            text = f"Missing image “{escape(key)}”"
            return f'<p class="missing-reference">{text}</p>' if as_figure else text
        return rendered
    img = f'<img src="{escape(src)}" alt="{escape(alt)}" loading="lazy">'
    if not as_figure:
        return img
    figcaption = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    return f'<figure class="figure figure-external">{img}{figcaption}</figure>'


def _render_citation(self, tokens: list[Token], idx: int, options, env) -> str:
    token = tokens[idx]
    slug = token.meta.get("slug", "")
    empty = token.meta.get("empty", False)
    if token.nesting == 1:
        return '<aside class="citation">' + ("" if empty else "<blockquote>")
    renderer: CitationRenderer | None = env.get("citation_html")
    card = renderer(slug) if renderer else None
    if card is None:
        card = f'<p class="missing-reference">Cited review “{escape(slug)}” is not available.</p>'
    return ("" if empty else "</blockquote>") + card + "</aside>"


def _validate_spoiler(params: str, *_args) -> bool:
    return params.strip().split(maxsplit=1)[:1] == [SPOILER]


def _render_spoiler(self, tokens: list[Token], idx: int, options, env) -> str:
    token = tokens[idx]
    if token.nesting != 1:
        return "</div></details>\n"
    raw = token.info.strip()[len(SPOILER) :].strip()
    scope = parse_scope(raw)
    return (
        f'<details class="spoiler"{spoiler_attrs(scope)}>'
        f'<summary>{spoiler_summary(scope, raw)}</summary><div class="spoiler-body">'
    )


# Inside tables "|" splits cells, so "||" there is written as this pair first.
TABLE_SPOILER_MARK = "\ue000\ue000"
_MARKERS = ("||", TABLE_SPOILER_MARK)


def _marker_at(src: str, pos: int) -> bool:
    return src.startswith(_MARKERS, pos)


_MARKER = re.compile(r"\|\||\ue000\ue000")


@dataclass(frozen=True)
class _MarkerIndex:
    """Every spoiler marker of one inline text, with where each opener's spoiler ends.

    The inline rule runs at every marker; scanning forward from each for its closer
    made a text like " ||a ||a ||a …" (all openers, none closed) cost quadratic time.
    This index answers the same question for any start in O(log n), after one O(n)
    pass, so parsing stays linear in the text."""

    positions: list[int]
    closer: list[int]  # for the k-th marker: the position of its closer, or -1

    @classmethod
    def build(cls, src: str, stop: int) -> _MarkerIndex:
        positions: list[int] = []
        steps: list[int] = []  # +1 a marker that opens a nested spoiler, -1 one that closes
        # A marker may straddle ``stop`` (its second pipe just past it), as a scan would.
        for match in _MARKER.finditer(src, 0, min(len(src), stop + 1)):
            pos = match.start()
            if pos >= stop:
                break
            before = src[pos - 1] if pos > 0 else " "
            after = src[pos + 2] if pos + 2 < stop else " "
            positions.append(pos)
            steps.append(1 if before.isspace() and not after.isspace() else -1)
        # level[k]: depth before marker k. The spoiler opened just before marker k
        # closes at the first marker j >= k after which the depth is level[k] - 1.
        level = [0] * (len(steps) + 1)
        for k, step in enumerate(steps):
            level[k + 1] = level[k] + step
        closer = [-1] * len(steps)
        first_reaching: dict[int, int] = {}
        for k in range(len(steps) - 1, -1, -1):
            first_reaching[level[k + 1]] = k
            found = first_reaching.get(level[k] - 1)
            closer[k] = positions[found] if found is not None else -1
        return cls(positions, closer)


@lru_cache(maxsize=32)
def _marker_index(src: str, stop: int) -> _MarkerIndex:
    return _MarkerIndex.build(src, stop)


def _find_closer(src: str, pos: int, stop: int) -> int:
    """Where the spoiler opened just before ``pos`` ends, or -1. A marker between a
    space and a word opens a nested spoiler; any other marker closes one."""
    if pos >= stop:
        return -1
    if _marker_at(src, pos):
        return pos  # "||||": it follows the opener's own "|", so it closes at once
    index = _marker_index(src, stop)
    k = bisect_left(index.positions, pos)
    # A marker found from the start of a run of pipes may begin one character before
    # ``pos`` (scanning from ``pos`` pairs the pipes differently); runs end where a
    # pair no longer fits, so the next marker of the index is the next one from pos.
    return index.closer[k] if k < len(index.positions) else -1


def _spoiler_inline(state: StateInline, silent: bool) -> bool:
    """``||hidden words||`` or ``||Part 2 ep 7: hidden words||``.

    A scoped spoiler that is never closed hides the rest of its paragraph (and says so)
    rather than showing what it meant to hide."""
    start = state.pos
    if not _marker_at(state.src, start) or start + 2 >= state.posMax:
        return False
    end = _find_closer(state.src, start + 2, state.posMax)
    unclosed = end == -1
    content = state.src[start + 2 : state.posMax if unclosed else end]
    head, colon, _rest = content.partition(":")
    scope = parse_scope(head) if colon else parse_scope("")
    if unclosed and scope.position is None:
        return False
    if unclosed:
        end = state.posMax
    if silent:
        state.pos = end if unclosed else end + 2
        return True
    text_start = start + 2 + (len(head) + 1 if scope.position is not None else 0)
    if scope.position is None:
        scope = parse_scope("")
    while text_start < end and state.src[text_start] == " ":
        text_start += 1
    opening = state.push("spoiler_inline_open", "span", 1)
    opening.meta["scope"] = scope
    old_max = state.posMax
    state.pos, state.posMax = text_start, end
    state.md.inline.tokenize(state)
    state.posMax = old_max
    closing = state.push("spoiler_inline_close", "span", -1)
    closing.meta["unclosed"] = unclosed
    state.pos = end if unclosed else end + 2
    return True


def _protect_table_spoilers(md: MarkdownIt, source: str) -> str:
    """Write ``||`` pairs inside table rows as :data:`TABLE_SPOILER_MARK`, so the table
    rule does not split a spoiler into cells (which would show its words)."""
    if "||" not in source or "|" not in source.replace("||", ""):
        return source
    lines = source.split("\n")
    changed = False
    for token in md.parse(source, {}):
        if token.type == "table_open" and token.map:
            for number in range(*token.map):
                row = _TABLE_SPOILER.sub(
                    lambda m: f"{TABLE_SPOILER_MARK}{m[1]}{TABLE_SPOILER_MARK}", lines[number]
                )
                changed |= row != lines[number]
                lines[number] = row
    return "\n".join(lines) if changed else source


_TABLE_SPOILER = re.compile(r"\|\|(\S(?:[^|]*?\S)?)\|\|")


def _render_spoiler_inline_open(self, tokens: list[Token], idx: int, options, env) -> str:
    scope: Scope = tokens[idx].meta["scope"]
    what = f"Spoiler for {escape(scope.label)}:" if scope.position else "Spoiler:"
    return (
        f'<span class="spoiler-inline"{spoiler_attrs(scope)} tabindex="0">'
        f'<span class="visually-hidden">{what} </span><span class="spoiler-text">'
    )


def _render_spoiler_inline_close(self, tokens: list[Token], idx: int, options, env) -> str:
    note = ' <span class="spoiler-note">(spoiler not closed with ||)</span>'
    return "</span></span>" + (note if tokens[idx].meta.get("unclosed") else "")


def _use_inline_spoilers(md: MarkdownIt) -> None:
    md.inline.add_terminator_char("|")  # so plain text stops where a spoiler may start
    md.inline.add_terminator_char(TABLE_SPOILER_MARK[0])
    md.inline.ruler.before("emphasis", "spoiler_inline", _spoiler_inline)
    md.add_render_rule("spoiler_inline_open", _render_spoiler_inline_open)
    md.add_render_rule("spoiler_inline_close", _render_spoiler_inline_close)


def _build_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "typographer": True})
    md.enable(["table", "strikethrough", "replacements", "smartquotes"])
    md.use(footnote_plugin)
    md.use(anchors_plugin, min_level=2, max_level=4, permalink=True, permalinkSymbol="#")
    md.use(container_plugin, name=CITE, validate=_validate_cite, render=_render_citation)
    md.use(container_plugin, name=SPOILER, validate=_validate_spoiler, render=_render_spoiler)
    _use_inline_spoilers(md)
    md.core.ruler.push("watchworthy_figures", _mark_figures_and_citations)
    md.add_render_rule("image", _render_image)
    return md


def _build_comment_parser() -> MarkdownIt:
    """Readers get a subset: paragraphs, emphasis, links, quotes, code, lists and
    spoiler folds; no headings or images (a comment should not look like the review)."""
    md = MarkdownIt("commonmark", {"html": False, "typographer": True})
    md.disable(["heading", "lheading", "image", "hr"])
    md.enable(["strikethrough", "replacements", "smartquotes"])
    md.use(container_plugin, name=SPOILER, validate=_validate_spoiler, render=_render_spoiler)
    _use_inline_spoilers(md)
    return md


_parser = _build_parser()
_comment_parser = _build_comment_parser()


@dataclass
class MarkdownDocument:
    tokens: list[Token]
    image_keys: set[str] = field(default_factory=set)
    citation_slugs: set[str] = field(default_factory=set)

    def render(
        self,
        *,
        image_html: ImageRenderer | None = None,
        citation_html: CitationRenderer | None = None,
    ) -> str:
        env = {"image_html": image_html, "citation_html": citation_html}
        return clean_html(_parser.renderer.render(self.tokens, _parser.options, env))


def _line_ended(source: str | None) -> str:
    """``source`` ending with a line break (the output is the same). The container
    plugin (mdit-py-plugins 0.7.0) reads the character at the start of each line after
    an opening ``:::``; in a block quote whose last line is an empty ``>`` with nothing
    after it, that start is one past the end of the text and the read raised
    IndexError (``>:::spoiler\n>``), a 500 on a post."""
    source = source or ""
    return source if source.endswith("\n") else source + "\n"


def parse_markdown(source: str) -> MarkdownDocument:
    tokens = _parser.parse(_protect_table_spoilers(_parser, _line_ended(source)), {})
    document = MarkdownDocument(tokens)
    for token in tokens:
        if token.type == "container_cite_open" and token.meta.get("slug"):
            document.citation_slugs.add(token.meta["slug"])
        for child in token.children or []:
            src = child.attrGet("src") if child.type == "image" else None
            if src and str(src).startswith(IMAGE_SCHEME):
                document.image_keys.add(str(src)[len(IMAGE_SCHEME) :])
    return document


def render_markdown(source: str) -> str:
    """Render Markdown that references no other rows (recaps, about page)."""
    return parse_markdown(source).render()


def render_comment_markdown(source: str) -> str:
    """Render a reader's comment: the comment subset, links marked nofollow/ugc."""
    source = _protect_table_spoilers(_comment_parser, _line_ended(source))
    return clean_html(_comment_parser.render(source), profile="comment")
