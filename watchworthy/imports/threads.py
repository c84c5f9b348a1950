"""Arrange imported comments into threads: parents first, paths, numbers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from watchworthy.discussion.models import Comment
from watchworthy.discussion.numbering import number_comments

from .summary import ImportSummary

# Comment.path holds 2,200 characters: 11 per level.
MAX_DEPTH = 150


@dataclass(eq=False)
class Node:
    key: str  # the comment's id in the source
    parent_key: str  # "" for top-level
    comment: Comment


def arrange(
    nodes: list[Node],
    *,
    summary: ImportSummary,
    where: Callable[[Node], str] = lambda node: f"comment {node.key}",
) -> list[Comment]:
    """Link each comment to its parent (by source id) and set its path and depth.

    A parent missing from ``nodes`` makes the reply top-level; a loop of parents is
    broken at one comment; threads deeper than ``MAX_DEPTH`` are flattened at that
    depth. Each case is reported on ``summary``. Returns the comments whose parent,
    path or depth changed, in tree order (parents first)."""
    by_key = {node.key: node for node in nodes}
    depth: dict[int, int] = {}

    def resolve(start: Node) -> int:
        chain: list[Node] = []
        node = start
        while True:
            if id(node) in depth:
                base = depth[id(node)]
                break
            if node.parent_key and node.parent_key not in by_key:
                summary.oddity(
                    "reply whose parent is not in the file (imported as top-level)",
                    f"{where(node)} → parent {node.parent_key}",
                )
                node.parent_key = ""
            if node in chain:
                summary.oddity(
                    "comment parents forming a loop (broken at one comment)", where(node)
                )
                node.parent_key = ""
                chain = chain[: chain.index(node)]
                chain.append(node)
                base = -1
                break
            chain.append(node)
            if not node.parent_key:
                base = -1
                break
            node = by_key[node.parent_key]
        for level, member in enumerate(reversed(chain), start=base + 1):
            depth[id(member)] = level
        return depth[id(start)]

    ordered = sorted(
        nodes, key=lambda n: (resolve(n), n.comment.created_at, n.comment.pk or 0, n.key)
    )
    changed = []
    for node in ordered:
        comment = node.comment
        parent = by_key[node.parent_key].comment if node.parent_key else None
        if parent is not None and parent.depth + 1 > MAX_DEPTH:
            summary.oddity(f"thread deeper than {MAX_DEPTH} levels (flattened)", where(node))
            while parent is not None and parent.depth + 1 > MAX_DEPTH:
                parent = parent.parent
        before = (comment.parent_id, comment.path, comment.depth)
        comment.parent = parent
        comment.set_path()
        if (comment.parent_id, comment.path, comment.depth) != before:
            changed.append(comment)
        summary.deepest_thread = max(summary.deepest_thread, comment.depth + 1)
    return changed


def number(comments: list[Comment]) -> list[Comment]:
    """Number a review's imported comments in date order, after the numbers the
    review already uses (see :mod:`watchworthy.discussion.numbering`), so a reader's
    "comment 12" stays comment 12. Returns the comments changed."""
    return number_comments(sorted(comments, key=lambda c: (c.created_at, c.pk or 0)))
