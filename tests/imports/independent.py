"""An independent reading of a WXR file, for comparing with what the import made.

Written separately from the importer, with ``xml.etree.ElementTree`` (a DOM of the
whole file — fine for test files), following the mapping documented in
docs/imports.md: items by ``wp:post_type`` (none → post), linkbacks skipped,
``comment_approved`` → status (missing → pending), a parent that is not one of the
same item's imported comments → top-level.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

WP_URIS = [f"{s}://wordpress.org/export/1.{n}/" for n in range(3) for s in ("http", "https")]
STATUS = {
    "1": "approved", "approve": "approved", "0": "pending", "hold": "pending",
    "spam": "spam", "trash": "trash", "post-trashed": "trash",
}  # fmt: skip


@dataclass
class Expected:
    items: Counter = field(default_factory=Counter)  # by post type
    comments: Counter = field(default_factory=Counter)  # by status
    # (post title, comment id, parent comment id or None, status)
    threads: Counter = field(default_factory=Counter)


def _wp(element, name: str):
    for uri in WP_URIS:
        found = element.find(f"{{{uri}}}{name}")
        if found is not None:
            return found
    return None


def _wp_all(element, name: str):
    return [child for child in element if child.tag in {f"{{{u}}}{name}" for u in WP_URIS}]


def _text(element) -> str:
    return (element.text or "").strip() if element is not None else ""


def parse(path: Path) -> ET.Element:
    data = path.read_bytes()
    try:
        return ET.fromstring(data)  # noqa: S314 - the project's own test files
    except ET.ParseError as error:
        if "unbound prefix" not in str(error):
            raise
        # Declare the prefix the file forgot (WordPress.com's atom:), in memory only.
        fixed = re.sub(rb"<rss\b", b'<rss xmlns:atom="http://www.w3.org/2005/Atom"', data, count=1)
        return ET.fromstring(fixed)  # noqa: S314


def expected(path: Path) -> Expected:
    result = Expected()
    channel = parse(path).find("channel")
    for item in channel.findall("item"):
        post_type = _text(_wp(item, "post_type")) or "post"
        if _text(_wp(item, "status")) == "auto-draft":
            continue
        result.items[post_type] += 1
        if post_type != "post":
            continue
        title = (_text(item.find("title")) or "(untitled)")[:200]
        comments = [
            c for c in _wp_all(item, "comment") if _text(_wp(c, "comment_type")) in ("", "comment")
        ]
        ids = {_text(_wp(c, "comment_id")) for c in comments}
        for c in comments:
            approved = _wp(c, "comment_approved")
            status = STATUS.get(_text(approved).lower(), "pending")
            result.comments[status] += 1
            parent = _text(_wp(c, "comment_parent"))
            parent = parent if parent not in ("", "0") and parent in ids else None
            result.threads[(title, _text(_wp(c, "comment_id")), parent, status)] += 1
    return result
