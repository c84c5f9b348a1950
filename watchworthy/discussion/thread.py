"""Arrange a review's comments (already in tree order) into what the page shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from .models import PATH_DIGITS

SEGMENT = PATH_DIGITS + 1  # "0000000042/"


class Threaded(Protocol):
    """What arranging needs of a comment: a ``Comment`` or a page's lean row."""

    @property
    def pk(self) -> Any: ...
    @property
    def path(self) -> str: ...
    @property
    def parent_id(self) -> int | None: ...
    @property
    def is_removed(self) -> bool: ...
    @property
    def author_name(self) -> str: ...


@dataclass(slots=True)
class Node:
    comment: Any  # Threaded; Any so that templates and callers keep their own type
    replies: list[Node] = field(default_factory=list)
    level: int = 0  # nesting shown on the page, capped
    in_reply_to: str = ""  # set when the nesting is flattened or the parent is gone
    is_held: bool = False  # the viewer's own comment, awaiting moderation

    @property
    def visible(self) -> bool:
        return not self.comment.is_removed or bool(self.replies)


def _ancestor_ids(comment: Threaded) -> list[int]:
    """Ids of the comment's ancestors, root first, read from its path."""
    return [int(segment) for segment in comment.path.split("/")[:-2]]


def build_thread(
    comments: list[Any], *, max_level: int = 5, newest_first: bool = False, held_ids=()
) -> list[Node]:
    """Nest ``comments`` (sorted by path) up to ``max_level`` levels.

    Deeper replies are shown at the deepest level, after their parent, marked "in
    reply to NAME". A reply whose parent is not shown (held, trashed) is attached to
    its nearest shown ancestor, or becomes top-level. A removed comment is kept as a
    placeholder only while replies hang under it.
    """
    held = set(held_ids)
    nodes: dict[int, Node] = {}
    home: dict[int, list[Node]] = {}  # the list each node is shown in
    top: list[Node] = []
    for comment in comments:
        node = Node(comment, is_held=comment.pk in held)
        nodes[comment.pk] = node
        # Mostly the parent is shown and is the path's last ancestor: the nearest one.
        path = comment.path
        parent = nodes.get(comment.parent_id) if comment.parent_id is not None else None
        if len(path) > SEGMENT and (  # (a top-level path has no ancestors to look for)
            parent is None
            or not (
                len(parent.comment.path) == len(path) - SEGMENT
                and path.startswith(parent.comment.path)
            )
        ):
            ancestors = reversed(_ancestor_ids(comment))
            parent = next((nodes[a] for a in ancestors if a in nodes), None)
        if parent is None:
            if comment.parent_id:
                node.in_reply_to = "an earlier comment"
            siblings = top
        elif parent.level + 1 < max_level:
            node.level = parent.level + 1
            siblings = parent.replies
        else:  # too deep to indent further: after the parent, at its level
            node.level = parent.level
            siblings = home[parent.comment.pk]
        if parent is not None and (
            comment.parent_id != parent.comment.pk or siblings is not parent.replies
        ):
            if comment.parent_id != parent.comment.pk:
                node.in_reply_to = "an earlier comment"
            elif parent.comment.is_removed:
                node.in_reply_to = "a deleted comment"
            else:
                node.in_reply_to = parent.comment.author_name
        siblings.append(node)
        home[comment.pk] = siblings
    if any(comment.is_removed for comment in comments):
        _prune(top)
    if newest_first:
        top.reverse()
    return top


def _prune(nodes: list[Node]) -> None:
    for node in nodes:
        _prune(node.replies)
    nodes[:] = [node for node in nodes if node.visible]


@dataclass(slots=True)
class Row:
    """One comment of a flattened thread, with the list markup around it."""

    node: Node
    opens_replies: bool  # leave the <li> open and start an <ol> of replies
    closes: range  # how many "</ol></li>" follow this row
    replies: int = 0  # the comments shown under this one, at any depth


def flatten(thread: list[Node]) -> list[Row]:
    """Depth-first rows, so a template renders any thread with one loop (a recursive
    include per comment made a 1,000-comment page several times slower)."""
    rows: list[Row] = []

    add = rows.append
    none = range(0)

    def walk(nodes: list[Node]) -> None:
        for node in nodes:
            replies = node.replies
            row = Row(node, bool(replies), none)
            add(row)
            if replies:
                start = len(rows)
                walk(replies)
                row.replies = len(rows) - start
        if nodes is not thread and rows:  # the last row closes this list of replies
            last = rows[-1]
            last.closes = range(len(last.closes) + 1)

    walk(thread)
    return rows
