"""WordPress eXtended RSS (WXR): the export format of WordPress's Tools > Export.

A WXR file is an RSS 2.0 ``<rss><channel>`` whose children are, in this order in
practice (but no order is relied on here): channel fields (``wp:wxr_version``,
``wp:base_site_url``…), ``wp:author``, ``wp:category`` / ``wp:tag`` / ``wp:term``,
then one ``<item>`` per post, page, attachment, menu item…, each carrying its
``wp:comment`` elements.

Elements are matched on namespace URIs. WordPress has used three for ``wp:``
(``http://wordpress.org/export/1.0/``, ``1.1/``, ``1.2/``, also seen with ``https:``)
and the matching ``…/excerpt/`` ones; all are accepted, anywhere, even mixed in one
file. An element
whose ``wp:`` prefix is bound to another URI is *not* WordPress's and is ignored.

This module only reads: :func:`read_wxr` turns a file into a stream of
:class:`Author`, :class:`Term`, :class:`Item` and channel fields
(:class:`ChannelField`), with no database access.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from .xmlstream import Element, StreamInfo, XMLImportError, iter_elements

# http: is what WordPress writes; https: turns up in WordPress.com exports.
WP = frozenset(
    f"{scheme}://wordpress.org/export/1.{n}/" for n in range(3) for scheme in ("http", "https")
)
EXCERPT = frozenset(f"{uri}excerpt/" for uri in WP)
CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"
NONE = frozenset({""})
KNOWN_VERSIONS = {"1.0", "1.1", "1.2"}
WXR_1_2 = "http://wordpress.org/export/1.2/"


@dataclass
class ChannelField:
    name: str  # "wxr_version", "base_site_url", "base_blog_url", "title", "link"
    value: str
    line: int


@dataclass
class Author:
    author_id: str
    login: str
    email: str
    display_name: str
    first_name: str
    last_name: str
    line: int


@dataclass
class Term:
    taxonomy: str  # "category", "post_tag", or a custom taxonomy
    term_id: str
    slug: str
    name: str
    line: int


@dataclass
class Comment:
    comment_id: str
    author: str
    author_email: str
    author_url: str
    author_ip: str
    date: str
    date_gmt: str
    content: str
    approved: str | None  # None when the element is missing
    type: str
    parent: str
    user_id: str
    meta: dict[str, str]
    line: int


@dataclass
class Item:
    title: str
    link: str
    guid: str
    pub_date: str
    creator: str  # dc:creator, or a bare <wp:author> inside the item
    content: str
    excerpt: str
    post_id: str
    post_date: str
    post_date_gmt: str
    comment_status: str
    post_name: str
    status: str
    post_parent: str
    menu_order: str
    post_type: str  # "" when the item has none
    password: str
    is_sticky: bool
    attachment_url: str
    categories: list[tuple[str, str, str]]  # (domain, nicename, name)
    meta: dict[str, str]
    comments: list[Comment]
    line: int
    has_wxr: bool = True  # whether it has any WordPress-namespace element

    def describe(self) -> str:
        name = f"“{self.title}”" if self.title else "(untitled)"
        ident = f"id {self.post_id}" if self.post_id else "no id"
        return f"item {name} ({self.post_type or 'no post type'}, {ident}, line {self.line})"


Record = ChannelField | Author | Term | Item


def _text(element: Element | None) -> str:
    return element.text.strip() if element is not None else ""


def _meta(element: Element, name: str) -> dict[str, str]:
    """``wp:postmeta`` / ``wp:commentmeta`` as a dict; the first value of a key wins."""
    meta: dict[str, str] = {}
    for entry in element.all(WP, name):
        key = entry.child_text(WP, "meta_key")
        if key and key not in meta:
            meta[key] = entry.child_text(WP, "meta_value", strip=False)
    return meta


def parse_author(element: Element) -> Author:
    return Author(
        author_id=element.child_text(WP, "author_id"),
        login=element.child_text(WP, "author_login"),
        email=element.child_text(WP, "author_email"),
        display_name=element.child_text(WP, "author_display_name"),
        first_name=element.child_text(WP, "author_first_name"),
        last_name=element.child_text(WP, "author_last_name"),
        line=element.line,
    )


def parse_term(element: Element) -> Term:
    if element.name == "category":
        return Term(
            "category",
            element.child_text(WP, "term_id"),
            element.child_text(WP, "category_nicename"),
            element.child_text(WP, "cat_name"),
            element.line,
        )
    if element.name == "tag":
        return Term(
            "post_tag",
            element.child_text(WP, "term_id"),
            element.child_text(WP, "tag_slug"),
            element.child_text(WP, "tag_name"),
            element.line,
        )
    return Term(
        element.child_text(WP, "term_taxonomy"),
        element.child_text(WP, "term_id"),
        element.child_text(WP, "term_slug"),
        element.child_text(WP, "term_name"),
        element.line,
    )


def _first_wp(element: Element) -> dict[str, Element]:
    """The first child of each name in a ``wp:`` namespace: what ``first(WP, name)``
    finds, for all names in one pass over the children (a comment has about a dozen,
    read fourteen times over otherwise)."""
    found: dict[str, Element] = {}
    for child in element.children:
        if child.ns in WP and child.name not in found:
            found[child.name] = child
    return found


def parse_comment(element: Element) -> Comment:
    wp = _first_wp(element)

    def text(name: str) -> str:
        child = wp.get(name)
        return child.text.strip() if child is not None else ""

    approved = wp.get("comment_approved")
    return Comment(
        comment_id=text("comment_id"),
        author=text("comment_author"),
        author_email=text("comment_author_email"),
        author_url=text("comment_author_url"),
        author_ip=text("comment_author_IP"),
        date=text("comment_date"),
        date_gmt=text("comment_date_gmt"),
        content=text("comment_content"),
        approved=_text(approved) if approved is not None else None,
        type=text("comment_type"),
        parent=text("comment_parent"),
        user_id=text("comment_user_id"),
        meta=_meta(element, "commentmeta") if "commentmeta" in wp else {},
        line=element.line,
    )


# In _first_children's keys: any of the ``wp:`` URIs, any of the excerpt ones (not
# strings, so that no namespace URI in a file can be mistaken for them).
_WP, _EXCERPT = 1, 2


def _first_children(element: Element) -> dict[tuple[str | int, str], Element]:
    """The first child of each (namespace, name), every ``wp:`` URI counted as
    :data:`_WP` and every excerpt URI as :data:`_EXCERPT`: what ``first()`` finds, for
    all names in one pass over the children."""
    found: dict[tuple[str | int, str], Element] = {}
    for child in element.children:
        ns: str | int = child.ns
        if ns in WP:
            ns = _WP
        elif ns in EXCERPT:
            ns = _EXCERPT
        found.setdefault((ns, child.name), child)
    return found


def parse_item(element: Element) -> Item:
    first = _first_children(element)

    def text(ns: str | int, name: str) -> str:
        child = first.get((ns, name))
        return child.text.strip() if child is not None else ""

    creator = first.get((DC, "creator"))
    if creator is None:
        # Some exporters write the author's login as a bare <wp:author> in the item.
        creator = next((c for c in element.all(WP, "author") if not c.children), None)
    categories = [
        (child.attr("domain"), child.attr("nicename"), child.text.strip())
        for child in element.all(NONE, "category")
    ]
    return Item(
        title=text("", "title"),
        link=text("", "link"),
        guid=text("", "guid"),
        pub_date=text("", "pubDate"),
        creator=_text(creator),
        content=text(CONTENT, "encoded"),
        excerpt=text(_EXCERPT, "encoded"),
        post_id=text(_WP, "post_id"),
        post_date=text(_WP, "post_date"),
        post_date_gmt=text(_WP, "post_date_gmt"),
        comment_status=text(_WP, "comment_status"),
        post_name=text(_WP, "post_name"),
        status=text(_WP, "status"),
        post_parent=text(_WP, "post_parent"),
        menu_order=text(_WP, "menu_order"),
        post_type=text(_WP, "post_type"),
        password=text(_WP, "post_password"),
        is_sticky=text(_WP, "is_sticky") == "1",
        attachment_url=text(_WP, "attachment_url"),
        categories=categories,
        meta=_meta(element, "postmeta") if (_WP, "postmeta") in first else {},
        comments=[parse_comment(c) for c in element.all(WP, "comment")],
        line=element.line,
        has_wxr=any(child.ns in WP for child in element.children),
    )


CHANNEL_FIELDS = {
    ("wp", "wxr_version"),
    ("wp", "base_site_url"),
    ("wp", "base_blog_url"),
    ("", "title"),
    ("", "link"),
}


def _check_root(ns: str, name: str, line: int) -> None:
    if (ns, name) != ("", "rss"):
        shown = f"{{{ns}}}{name}" if ns else name
        raise XMLImportError(
            f"this is not a WordPress export: the root element is <{shown}>, "
            "a WXR file starts with <rss>",
            line,
        )


def read_wxr(
    stream: BinaryIO,
    *,
    progress: Callable[[int], None] | None = None,
    info: StreamInfo | None = None,
) -> Iterator[Record]:
    """Yield the channel's fields, authors, terms and items, in file order."""
    info = info if info is not None else StreamInfo()
    channel_seen = False
    for element in iter_elements(
        stream,
        capture_depth=2,
        check_root=_check_root,
        wanted_path=lambda path: path[1] == ("", "channel"),
        progress=progress,
        info=info,
    ):
        channel_seen = True
        if element.ns == "" and element.name == "item":
            yield parse_item(element)
        elif element.ns in WP:
            if element.name == "author":
                yield parse_author(element)
            elif element.name in ("category", "tag", "term"):
                yield parse_term(element)
            elif ("wp", element.name) in CHANNEL_FIELDS:
                yield ChannelField(element.name, element.text.strip(), element.line)
        elif element.ns == "" and ("", element.name) in CHANNEL_FIELDS:
            yield ChannelField(element.name, element.text.strip(), element.line)
    if not channel_seen:
        raise XMLImportError("this is not a WordPress export: <rss> has no <channel> items")
