"""Arrange imported comments into threads: parents first, paths, numbers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from watchworthy.discussion.models import Comment
from watchworthy.discussion.numbering import ThreadKey, number_comments

from .summary import ImportSummary

# Comment.path holds 2,200 characters: 11 per level.
MAX_DEPTH = 150


@dataclass(eq=False)
class Node:
    key: str  # the comment's id in the source
    parent_key: str  # "" for top-level
    comment: Comment


Where = Callable[[Node], str]


def arrange(
    nodes: list[Node],
    *,
    summary: ImportSummary,
    where: Where = lambda node: f"comment {node.key}",
) -> list[Comment]:
    """Link each comment to its parent (by source id) and set its path and depth.

    A parent missing from ``nodes`` makes the reply top-level; a loop of parents is
    broken at one comment; threads deeper than ``MAX_DEPTH`` are flattened at that
    depth. Each case is reported on ``summary``. Returns the comments whose parent,
    path or depth changed, in tree order (parents first)."""
    by_key = {node.key: node for node in nodes}
    levels = _Levels(by_key, summary, where)
    ordered = sorted(
        nodes, key=lambda n: (levels.of(n), n.comment.created_at, n.comment.pk or 0, n.key)
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


class _Levels:
    """How deep each node sits once missing parents and loops are dealt with, so that
    sorting by it puts every parent before its replies."""

    def __init__(self, by_key: dict[str, Node], summary: ImportSummary, where: Where) -> None:
        self.by_key = by_key
        self.summary = summary
        self.where = where
        self.level: dict[int, int] = {}  # id(node) → level, 0 for top-level

    def of(self, start: Node) -> int:
        """Walk up from ``start`` to a node whose level is known (or to a root), fixing
        what is broken on the way, then give every node walked its level."""
        chain: list[Node] = []
        node = start
        while True:
            if id(node) in self.level:
                base = self.level[id(node)]
                break
            self._drop_missing_parent(node)
            if node in chain:
                self.summary.oddity(
                    "comment parents forming a loop (broken at one comment)", self.where(node)
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
            node = self.by_key[node.parent_key]
        for level, member in enumerate(reversed(chain), start=base + 1):
            self.level[id(member)] = level
        return self.level[id(start)]

    def _drop_missing_parent(self, node: Node) -> None:
        if node.parent_key and node.parent_key not in self.by_key:
            self.summary.oddity(
                "reply whose parent is not in the file (imported as top-level)",
                f"{self.where(node)} → parent {node.parent_key}",
            )
            node.parent_key = ""


def number(comments: list[Comment], *, last: dict[ThreadKey, int] | None = None) -> list[Comment]:
    """Number a review's imported comments in date order, after the numbers the
    review already uses (see :mod:`watchworthy.discussion.numbering`), so a reader's
    "comment 12" stays comment 12. ``last``: the highest number of a review's main
    thread when the caller knows it (see ``number_comments``). Returns the comments changed."""
    return number_comments(sorted(comments, key=lambda c: (c.created_at, c.pk or 0)), last=last)
