"""Reading a page the way a reader sees it: a small DOM over html.parser.

Tests assert on structure (which comment sits inside which list of replies, what
number a comment shows, whether a spoiler is open, whether a word is inside a closed
spoiler) rather than on substrings of the HTML, so markup changes that keep the
meaning do not break them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
             "source", "track", "wbr"}  # fmt: skip


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Element | str] = field(default_factory=list)
    parent: Element | None = None

    def __repr__(self) -> str:
        attrs = "".join(f' {k}="{v}"' for k, v in self.attrs.items())
        text = self.text
        return f"<{self.tag}{attrs}>{text[:80]}{'…' if len(text) > 80 else ''}"

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    @property
    def text(self) -> str:
        """The text content, whitespace collapsed."""
        return " ".join(self.raw_text.split())

    @property
    def raw_text(self) -> str:
        """The text content as written; a <br> counts as a newline."""
        return "".join(
            c if isinstance(c, str) else "\n" if c.tag == "br" else c.raw_text
            for c in self.children
        )

    def iter(self) -> Iterator[Element]:
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(
        self, tag: str | None = None, *, cls: str | None = None, **attrs: str
    ) -> list[Element]:
        """Descendants by tag, class and attributes (``data_comment_id=`` matches
        ``data-comment-id``; a trailing underscore, as in ``for_=``, is dropped)."""
        return [
            el
            for el in self.iter()
            if (tag is None or el.tag == tag)
            and (cls is None or cls in el.classes)
            and all(
                el.attrs.get(name.rstrip("_").replace("_", "-")) == value
                for name, value in attrs.items()
            )
        ]

    def find(
        self, tag: str | None = None, *, cls: str | None = None, **attrs: str
    ) -> Element | None:
        found = self.find_all(tag, cls=cls, **attrs)
        return found[0] if found else None

    def by_id(self, element_id: str) -> Element | None:
        return next((el for el in self.iter() if el.attrs.get("id") == element_id), None)

    def ancestors(self) -> Iterator[Element]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def direct(self, tag: str, *, cls: str | None = None) -> list[Element]:
        """Children (not deeper descendants) by tag and class."""
        return [
            child
            for child in self.children
            if isinstance(child, Element)
            and child.tag == tag
            and (cls is None or cls in child.classes)
        ]

    def reply_lists(self) -> list[Element]:
        """A comment's list of replies: the <ol> inside its foldable <details>."""
        return [
            ol
            for details in self.direct("details", cls="replies")
            for ol in details.direct("ol", cls="comment-replies")
        ]

    # --- spoilers -------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        """A <details> shown unfolded, or an inline spoiler marked open."""
        if self.tag == "details":
            return "open" in self.attrs
        return "spoiler-open" in self.classes

    def visible_text(self) -> str:
        """The text a reader sees without unfolding anything: the content of closed
        spoilers (except a <details>' own summary) is left out."""
        parts: list[str] = []

        def walk(node: Element) -> None:
            closed = node.tag in ("details", "span") and _is_spoiler(node) and not node.is_open
            for child in node.children:
                if isinstance(child, str):
                    if not closed:
                        parts.append(child)
                elif "hidden" in child.attrs:  # not rendered, not in the accessibility tree
                    continue
                elif closed and not (node.tag == "details" and child.tag == "summary"):
                    if "visually-hidden" in child.classes:
                        parts.append(child.raw_text)  # "Spoiler for Part 2, ep 7:"
                    continue
                else:
                    walk(child)

        walk(self)
        return " ".join("".join(parts).split())


def _is_spoiler(element: Element) -> bool:
    return bool({"spoiler", "spoiler-inline"} & element.classes)


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document")
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {k: v or "" for k, v in attrs}, parent=self.stack[-1])
        self.stack[-1].children.append(element)
        if tag not in VOID_TAGS:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        element = Element(tag, {k: v or "" for k, v in attrs}, parent=self.stack[-1])
        self.stack[-1].children.append(element)

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(html: str | bytes) -> Element:
    if isinstance(html, bytes):
        html = html.decode()
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root


def page(response, status: int | None = 200) -> Element:
    """The response's HTML, once its status is ``status`` (None: a refusal whose
    status the test has checked already)."""
    if status is not None:
        assert response.status_code == status, response.status_code
    return parse(response.content)


# --- what a page tells the visitor ----------------------------------------------------


def messages(root: Element) -> list[str]:
    return [li.text for ul in root.find_all("ul", cls="messages") for li in ul.find_all("li")]


def told(root: Element) -> str:
    """Everything the page tells the visitor about what just happened: flash messages
    and the comment form's own errors, as one string."""
    return " ".join([*messages(root), form_errors(root)])


def textarea_value(root: Element, name: str = "body") -> str:
    """What the reader finds already typed in a textarea (exact, not collapsed).
    The browser drops one newline right after <textarea>, as Django writes one."""
    area = root.find("textarea", name=name)
    assert area is not None, f"no <textarea name={name}>"
    return area.raw_text.removeprefix("\r\n").removeprefix("\n")


def input_value(root: Element, name: str) -> str | None:
    field_ = root.find("input", name=name)
    return None if field_ is None else field_.attrs.get("value", "")


def field_errors(root: Element, field_id: str) -> str:
    error = root.by_id(f"{field_id}_error")
    return error.text if error is not None else ""


def form_errors(root: Element) -> str:
    box = root.find("div", cls="form-errors")
    return box.text if box is not None else ""


# --- the discussion on a review page --------------------------------------------------


@dataclass
class Shown:
    """One comment as the page shows it."""

    pk: int
    level: int  # how many lists of replies it sits in
    parent_pk: int | None  # the comment it is nested under on the page
    number: int | None
    author: str
    body: str
    in_reply_to: str
    held: bool
    removed: bool
    badge: str
    edited: bool
    element: Element


def comment_items(root: Element) -> list[Element]:
    return [li for li in root.find_all("li", cls="comment") if li.attrs.get("id", "")]


def shown_comments(root: Element) -> list[Shown]:
    """Every comment on the page, in document order."""
    result = []
    for li in comment_items(root):
        pk = int(li.attrs["data-comment-id"])
        assert li.attrs["id"] == f"comment-{pk}", li.attrs
        lists = [a for a in li.ancestors() if a.tag == "ol" and "comment-replies" in a.classes]
        nesting_parent = next(
            (a for a in li.ancestors() if a.tag == "li" and "comment" in a.classes), None
        )
        article = li.direct("article")[0]
        number_link = article.find("a", cls="comment-number")
        author = article.find("span", cls="comment-author")
        body = article.find("div", cls="comment-body")
        note = article.find("p", cls="in-reply-to")
        badge = article.find("span", cls="badge")
        result.append(
            Shown(
                pk=pk,
                level=len(lists),
                parent_pk=int(nesting_parent.attrs["data-comment-id"]) if nesting_parent else None,
                number=int(number_link.text.lstrip("#")) if number_link else None,
                author=author.text if author else "",
                body=body.text if body else "",
                in_reply_to=note.text.removeprefix("In reply to ").strip() if note else "",
                held="comment-held" in li.classes,
                removed="comment-removed" in li.classes,
                badge=badge.text if badge else "",
                edited=article.find("span", cls="edited") is not None,
                element=li,
            )
        )
    return result


def shown_by_pk(root: Element) -> dict[int, Shown]:
    return {shown.pk: shown for shown in shown_comments(root)}


def heading(root: Element) -> str:
    return root.by_id("comments-heading").text


def comment_form(root: Element) -> Element | None:
    return root.by_id("respond")
