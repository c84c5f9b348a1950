"""A small DOM over html.parser, so the spoiler tests can ask structural questions
("is this spoiler open?", "is this word inside a closed spoiler?") instead of
searching substrings of the page."""

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
        return f"<{self.tag}{attrs}>{self.text[:80]}"

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    @property
    def text(self) -> str:
        """The text content, whitespace collapsed."""
        return " ".join(self.raw_text.split())

    @property
    def raw_text(self) -> str:
        return "".join(
            c if isinstance(c, str) else "\n" if c.tag == "br" else c.raw_text
            for c in self.children
        )

    @property
    def is_open(self) -> bool:
        """A <details> shown unfolded, or an inline spoiler marked open."""
        if self.tag == "details":
            return "open" in self.attrs
        return "spoiler-open" in self.classes

    def iter(self) -> Iterator[Element]:
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, *, cls: str | None = None) -> list[Element]:
        return [
            el
            for el in self.iter()
            if (tag is None or el.tag == tag) and (cls is None or cls in el.classes)
        ]

    def find(self, tag: str | None = None, *, cls: str | None = None) -> Element | None:
        found = self.find_all(tag, cls=cls)
        return found[0] if found else None

    def by_id(self, element_id: str) -> Element | None:
        return next((el for el in self.iter() if el.attrs.get("id") == element_id), None)

    def ancestors(self) -> Iterator[Element]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

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
        self.stack[-1].children.append(
            Element(tag, {k: v or "" for k, v in attrs}, parent=self.stack[-1])
        )

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


def page(response) -> Element:
    assert response.status_code == 200, response.status_code
    return parse(response.content)


def messages(root: Element) -> list[str]:
    return [li.text for ul in root.find_all("ul", cls="messages") for li in ul.find_all("li")]
