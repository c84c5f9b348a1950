"""The thread under a review: numbers, nesting, order, anchors, and what happens when
part of a thread disappears. Readers refer to "comment 12" and link to #comment-N, so
those must not shift."""

import pytest
from django.test import Client

from tests import dom
from watchworthy.core.models import SiteSettings
from watchworthy.discussion.models import PATH_DIGITS, Comment
from watchworthy.discussion.services import comment_moderate
from watchworthy.discussion.thread import build_thread

pytestmark = pytest.mark.django_db


def read(review, **query) -> dom.Element:
    """The review page as a reader with no cookies sees it."""
    response = Client().get(review.get_absolute_url(), query)
    assert response.status_code == 200
    return dom.page(response)


def by_body(root) -> dict[str, dom.Shown]:
    return {shown.body: shown for shown in dom.shown_comments(root)}


# --- numbers ------------------------------------------------------------------------


def test_top_level_comments_are_numbered_in_the_order_they_are_approved(
    client, post_comment, approved_email, review
):
    # A newcomer posts first and is held; a known reader posts twice, published at once.
    post_comment(
        client,
        review,
        author_name="Noa",
        author_email="noa@example.org",
        body="Posted first, held.",
    )
    post_comment(client, review, body="Posted second.")
    post_comment(client, review, body="Posted third.")
    second = Comment.objects.get(body="Posted second.")
    post_comment(client, review, body="A reply.", parent=second.pk)

    shown = by_body(read(review))
    assert "Posted first, held." not in shown
    assert shown["Posted second."].number == 1
    assert shown["Posted third."].number == 2
    assert shown["A reply."].number is None  # replies are not numbered

    # The held comment is approved later: it gets the next number, the others keep theirs.
    comment_moderate(
        comments=Comment.objects.filter(body="Posted first, held."), status=Comment.Status.APPROVED
    )
    root = read(review)
    shown = by_body(root)
    assert shown["Posted first, held."].number == 3
    assert shown["Posted second."].number == 1
    assert shown["Posted third."].number == 2
    # It still sits where it was posted: first (oldest first), showing #3.
    assert [s.number for s in dom.shown_comments(root) if s.level == 0] == [3, 1, 2]

    # Trashing #1 does not renumber; a new comment gets #4, never a reused number.
    comment_moderate(
        comments=Comment.objects.filter(body="Posted second."), status=Comment.Status.TRASH
    )
    post_comment(client, review, body="Posted last.")
    shown = by_body(read(review))
    assert {body: s.number for body, s in shown.items()} == {
        "Posted first, held.": 3,
        "Posted third.": 2,
        "A reply.": None,  # its comment is gone: it moved up, still without a number
        "Posted last.": 4,
    }


def test_number_links_point_at_the_comment_anchor(review, make_comment):
    first = make_comment(review, "First.")
    root = read(review)
    link = root.by_id(first.anchor).find("a", cls="comment-number")
    assert link.text == "#1"
    assert link.attrs["href"] == f"#comment-{first.pk}"


# --- anchors ------------------------------------------------------------------------


def test_every_comment_has_a_comment_anchor_and_posting_lands_on_it(
    client, post_comment, approved_email, review, make_comment
):
    top = make_comment(review, "Top.")
    reply = make_comment(review, "Reply.", parent=top)
    response = post_comment(client, review, body="Mine.", parent=reply.pk)
    mine = Comment.objects.get(body="Mine.")
    assert response.status_code == 302
    assert response["Location"] == f"{review.get_absolute_url()}#comment-{mine.pk}"
    assert mine.get_absolute_url() == f"/comments/{mine.pk}/"  # lands there: test_paging.py

    root = read(review)
    items = dom.comment_items(root)
    assert [li.attrs["id"] for li in items] == [
        f"comment-{top.pk}",
        f"comment-{reply.pk}",
        f"comment-{mine.pk}",
    ]
    ids = [el.attrs["id"] for el in root.iter() if "id" in el.attrs]
    assert len(ids) == len(set(ids)), "duplicate ids on the page"


# --- nesting ------------------------------------------------------------------------


def test_replies_are_nested_in_a_list_of_replies(review, make_comment):
    top = make_comment(review, "Top.")
    reply = make_comment(review, "Reply.", parent=top)
    reply_to_reply = make_comment(review, "Reply to the reply.", parent=reply)
    sibling = make_comment(review, "Second reply.", parent=top)
    other = make_comment(review, "Another thread.")

    root = read(review)
    top_li = root.by_id(top.anchor)
    (replies,) = top_li.reply_lists()
    assert [li.attrs["id"] for li in replies.direct("li")] == [reply.anchor, sibling.anchor]
    (deeper,) = root.by_id(reply.anchor).reply_lists()
    assert [li.attrs["id"] for li in deeper.direct("li")] == [reply_to_reply.anchor]
    (comment_list,) = root.find_all("ol", cls="comment-list")
    assert [li.attrs["id"] for li in comment_list.direct("li")] == [top.anchor, other.anchor]
    assert root.by_id(other.anchor).reply_lists() == []


def test_a_reader_replies_through_the_form_and_deep_replies_stop_indenting_at_five(
    client, post_comment, approved_email, review, make_comment
):
    """A chain eight deep, posted through the reply form by readers."""
    parent = make_comment(review, "Depth 0.", name="Name 0")
    chain = [parent]
    for depth in range(1, 8):
        response = post_comment(
            client, review, body=f"Depth {depth}.", author_name=f"Name {depth}", parent=parent.pk
        )
        assert response.status_code == 302
        parent = Comment.objects.get(body=f"Depth {depth}.")
        assert parent.depth == depth and parent.status == Comment.Status.APPROVED
        chain.append(parent)

    shown = dom.shown_by_pk(read(review))
    assert [shown[c.pk].level for c in chain] == [0, 1, 2, 3, 4, 4, 4, 4]
    # Up to the cap each reply is nested in its parent, and needs no note.
    for child, parent in zip(chain[1:5], chain[:4], strict=True):
        assert shown[child.pk].parent_pk == parent.pk
        assert shown[child.pk].in_reply_to == ""
    # Deeper replies stay at the fifth level, after their parent, saying whom they answer.
    for child, parent in zip(chain[5:], chain[4:-1], strict=True):
        assert shown[child.pk].parent_pk == chain[3].pk
        assert shown[child.pk].in_reply_to == parent.author_name
    order = [s.pk for s in dom.shown_comments(read(review))]
    assert order == [c.pk for c in chain]


@pytest.mark.parametrize(("depth", "levels"), [(2, [0, 1, 1, 1, 1]), (1, [0, 0, 0, 0, 0])])
def test_nesting_depth_setting_caps_the_indentation(settings, review, make_comment, depth, levels):
    settings.WATCHWORTHY_COMMENTS = {**settings.WATCHWORTHY_COMMENTS, "NESTING_DEPTH": depth}
    chain = [make_comment(review, "Depth 0.", name="Name 0")]
    for n in range(1, 5):
        chain.append(make_comment(review, f"Depth {n}.", name=f"Name {n}", parent=chain[-1]))

    root = read(review)
    shown = dom.shown_by_pk(root)
    assert [shown[c.pk].level for c in chain] == levels
    assert [s.pk for s in dom.shown_comments(root)] == [c.pk for c in chain]
    for n, comment in enumerate(chain):
        nested_directly = n > 0 and levels[n] > levels[n - 1]
        expected = "" if n == 0 or nested_directly else f"Name {n - 1}"
        assert shown[comment.pk].in_reply_to == expected


# --- order --------------------------------------------------------------------------


@pytest.fixture
def three_threads(review, make_comment):
    threads = []
    for name in ("A", "B", "C"):
        top = make_comment(review, f"Thread {name}.")
        first = make_comment(review, f"Reply {name}1.", parent=top)
        second = make_comment(review, f"Reply {name}2.", parent=top)
        threads.append((top, first, second))
    return threads


def top_level_bodies(root) -> list[str]:
    return [s.body for s in dom.shown_comments(root) if s.level == 0]


def test_oldest_first_by_default_and_newest_first_on_request(review, three_threads):
    assert top_level_bodies(read(review)) == ["Thread A.", "Thread B.", "Thread C."]

    root = read(review, order="newest")
    assert top_level_bodies(root) == ["Thread C.", "Thread B.", "Thread A."]
    # Replies stay under their comment, in the order they came.
    for top, first, second in three_threads:
        (replies,) = root.by_id(top.anchor).reply_lists()
        assert [li.attrs["id"] for li in replies.direct("li")] == [first.anchor, second.anchor]
    tools = root.find("p", cls="discussion-tools")
    assert "Newest first" in tools.find("strong").text


def test_site_setting_makes_newest_first_the_default(review, three_threads):
    SiteSettings.objects.create(comments_newest_first=True)
    assert top_level_bodies(read(review)) == ["Thread C.", "Thread B.", "Thread A."]
    assert top_level_bodies(read(review, order="oldest")) == ["Thread A.", "Thread B.", "Thread C."]


# --- parts of a thread removed --------------------------------------------------------


def test_reply_whose_parent_was_trashed_moves_up_to_the_nearest_shown_comment(review, make_comment):
    grandparent = make_comment(review, "Grandparent.")
    parent = make_comment(review, "Parent, trashed later.", parent=grandparent)
    child = make_comment(review, "Child.", parent=parent)
    root_trashed = make_comment(review, "A thread starter, trashed later.")
    orphan = make_comment(review, "Orphan.", parent=root_trashed)
    comment_moderate(comments=[parent, root_trashed], status=Comment.Status.TRASH)

    root = read(review)
    shown = dom.shown_by_pk(root)
    assert parent.pk not in shown and root_trashed.pk not in shown
    assert "trashed later" not in root.by_id("comments").text
    assert shown[child.pk].parent_pk == grandparent.pk
    assert shown[child.pk].level == 1
    assert shown[child.pk].in_reply_to == "an earlier comment"
    assert shown[orphan.pk].level == 0 and shown[orphan.pk].parent_pk is None
    assert shown[orphan.pk].in_reply_to == "an earlier comment"


# --- build_thread, directly -----------------------------------------------------------


def tree(*spec) -> list[Comment]:
    """Unsaved comments from (pk, parent_pk) or (pk, parent_pk, {field: value}) tuples,
    sorted by path as the thread query returns them."""
    comments: dict[int, Comment] = {}
    for pk, parent_pk, *rest in spec:
        fields = {"author_name": f"N{pk}", **(rest[0] if rest else {})}
        comment = Comment(pk=pk, parent_id=parent_pk, **fields)
        prefix = comments[parent_pk].path if parent_pk in comments else ""
        if parent_pk is not None and parent_pk not in comments:
            prefix = f"{parent_pk:0{PATH_DIGITS}d}/"  # the parent exists but is not shown
        comment.path = f"{prefix}{pk:0{PATH_DIGITS}d}/"
        comment.depth = comment.path.count("/") - 1
        comments[pk] = comment
    return sorted(comments.values(), key=lambda c: c.path)


def outline(nodes) -> list:
    """(pk, level, in_reply_to, [replies…]) for each node, recursively."""
    return [(n.comment.pk, n.level, n.in_reply_to, outline(n.replies)) for n in nodes]


def test_build_thread_nests_replies_under_their_parents():
    comments = tree((1, None), (2, 1), (3, 2), (4, 1), (5, None))
    assert outline(build_thread(comments)) == [
        (1, 0, "", [(2, 1, "", [(3, 2, "", [])]), (4, 1, "", [])]),
        (5, 0, "", []),
    ]


def test_build_thread_caps_levels_and_says_whom_deep_replies_answer():
    chain = tree(*[(n, n - 1 if n > 1 else None) for n in range(1, 9)])  # depth 0..7
    thread = build_thread(chain, max_level=5)
    level_4 = thread[0].replies[0].replies[0].replies[0].replies  # the fifth level's list
    assert [(n.comment.pk, n.level, n.in_reply_to) for n in level_4] == [
        (5, 4, ""),
        (6, 4, "N5"),
        (7, 4, "N6"),
        (8, 4, "N7"),
    ]
    assert all(n.replies == [] for n in level_4)


def test_build_thread_flattened_replies_follow_their_parent_not_the_end_of_the_list():
    # 3 and 5 sit at the capped level; 4 answers 3 and must come right after it, before 5.
    comments = tree((1, None), (2, 1), (3, 2), (4, 3), (5, 2))
    thread = build_thread(comments, max_level=3)
    (reply,) = thread[0].replies
    assert [(n.comment.pk, n.in_reply_to) for n in reply.replies] == [
        (3, ""),
        (4, "N3"),
        (5, ""),
    ]


def test_build_thread_with_one_level_is_flat_in_tree_order():
    comments = tree((1, None), (2, 1), (3, 2), (4, None), (5, 4))
    thread = build_thread(comments, max_level=1)
    assert [(n.comment.pk, n.level, n.in_reply_to) for n in thread] == [
        (1, 0, ""),
        (2, 0, "N1"),
        (3, 0, "N2"),
        (4, 0, ""),
        (5, 0, "N4"),
    ]


def test_build_thread_attaches_replies_of_missing_comments_to_the_nearest_shown_ancestor():
    # 2 (a reply to 1) and 10 (a top-level comment) are held or trashed: not in the list.
    shown = [
        c for c in tree((1, None), (2, 1), (3, 2), (10, None), (11, 10)) if c.pk not in {2, 10}
    ]
    thread = build_thread(shown)
    assert outline(thread) == [
        (1, 0, "", [(3, 1, "an earlier comment", [])]),
        (11, 0, "an earlier comment", []),
    ]


def test_build_thread_keeps_deleted_comments_only_as_placeholders_for_replies():
    comments = tree(
        (1, None, {"is_removed": True}),
        (2, 1),
        (3, None, {"is_removed": True}),  # a deleted leaf: gone
        (4, None),
        (5, 4, {"is_removed": True}),  # a deleted chain with nothing alive under it
        (6, 5, {"is_removed": True}),
    )
    assert outline(build_thread(comments)) == [(1, 0, "", [(2, 1, "", [])]), (4, 0, "", [])]


def test_build_thread_reply_to_a_deleted_comment_at_the_capped_level_says_so():
    comments = tree((1, None), (2, 1, {"is_removed": True}), (3, 2))
    thread = build_thread(comments, max_level=2)
    assert [(n.comment.pk, n.in_reply_to) for n in thread[0].replies] == [(3, "a deleted comment")]


def test_build_thread_newest_first_reverses_threads_not_replies():
    comments = tree((1, None), (2, 1), (3, 1), (4, None), (5, None))
    thread = build_thread(comments, newest_first=True)
    assert [n.comment.pk for n in thread] == [5, 4, 1]
    assert [n.comment.pk for n in thread[2].replies] == [2, 3]


def test_build_thread_marks_the_viewers_held_comments():
    comments = tree((1, None), (2, 1), (3, None))
    thread = build_thread(comments, held_ids=[2])
    assert [n.is_held for n in (thread[0], thread[0].replies[0], thread[1])] == [
        False,
        True,
        False,
    ]


# --- replying ---------------------------------------------------------------------------


def test_reply_link_sets_the_form_up_as_a_reply(review, make_comment):
    top = make_comment(review, "Top.", name="Ann Reader")
    root = read(review)
    link = root.by_id(top.anchor).find("a", cls="reply-link")
    assert link.attrs["href"] == f"?replyto={top.pk}#respond"

    root = read(review, replyto=top.pk)
    form = dom.comment_form(root)
    assert form.find("h3").text == "Reply to Ann Reader"
    assert dom.input_value(root, "parent") == str(top.pk)


def test_reply_to_a_comment_that_is_gone_is_refused_with_the_text_kept(
    client, post_comment, approved_email, review, make_comment
):
    top = make_comment(review, "Soon trashed.")
    comment_moderate(comments=[top], status=Comment.Status.TRASH)
    response = post_comment(client, review, body="My reply.", parent=top.pk)
    assert response.status_code == 400
    root = dom.page(response, status=None)
    assert "The comment you are replying to is no longer there." in dom.told(root)
    assert dom.textarea_value(root) == "My reply."
    assert not Comment.objects.filter(body="My reply.").exists()


def test_a_refused_reply_stays_a_reply(client, post_comment, review, make_comment):
    top = make_comment(review, "Top.", name="Ann Reader")
    response = post_comment(client, review, body="", parent=top.pk)
    assert response.status_code == 400
    root = dom.page(response, status=None)
    assert dom.input_value(root, "parent") == str(top.pk)
    assert dom.comment_form(root).by_id("respond-heading").text == "Reply to Ann Reader"
