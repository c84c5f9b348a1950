"""Read a large, untrusted XML export as a stream of small element trees.

Built on the standard library's expat parser, driven directly by one small class,
:class:`ElementReader` (:func:`iter_elements` is its shorthand), so that:

* **Entities are refused.** Any ``<!ENTITY`` declaration (the "billion laughs"
  expansion bomb, external entities such as ``file:///etc/passwd``) and any DOCTYPE
  that points at an external DTD stops the parse with :class:`XMLImportError` before
  anything is read from it. Parameter entities are never parsed and nothing is
  fetched from a network or a file. (The same guards ``defusedxml`` installs.)
* **Memory and time stay bounded.** Only the subtrees at ``capture_depth`` (a WXR
  ``<item>``, a Disqus ``<post>``) are built, handed to the caller, and dropped; the
  file is fed in 64 KiB chunks. Refused, naming where: one text node larger than
  ``max_text``, one subtree with more than ``max_elements`` elements or more than
  ``max_subtree_text`` characters of text, elements nested deeper than
  ``max_depth``, and any run of more than ``MAX_RUN`` bytes without a ``>`` (a giant
  attribute or tag: expat re-reads an unfinished tag with every chunk, so one of
  200 MB took minutes).
* **Namespaces are resolved here, leniently.** expat runs without namespace
  processing and this module tracks ``xmlns`` declarations itself, so elements are
  matched on namespace *URIs* (a ``wp:`` prefix bound to another URI is not
  WordPress's), yet an undeclared prefix — real WordPress.com exports use ``atom:``
  without declaring it — is reported as an oddity instead of failing the whole file.
* **Errors name the line.** Malformed or truncated input raises
  :class:`XMLImportError` with expat's message and the line number.

Encodings: whatever the XML declaration says and expat or Python's single-byte
codecs can decode (UTF-8, UTF-16, ISO-8859-1, windows-1252, …).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO
from xml.parsers import expat
from xml.parsers.expat import XMLParserType

CHUNK = 64 * 1024
MAX_TEXT = 16 * 1024 * 1024  # one text node (a post's HTML): 16 MiB
MAX_SUBTREE_TEXT = 64 * 1024 * 1024  # all the text of one item with its comments
MAX_ELEMENTS = 2_000_000  # in one captured subtree (an item with all its comments)
MAX_DEPTH = 100  # elements inside elements; a WXR file needs about six
MAX_RUN = 4 * 1024 * 1024  # bytes without a ">": no real tag or attribute is this long
XML_NS = "http://www.w3.org/XML/1998/namespace"
NAMES_KEPT = 512  # resolved element names remembered (a file may invent millions)
UNDECLARED = "undeclared:"

# One namespace URI, or any of a set of them (WordPress has used six for ``wp:``).
Namespaces = frozenset[str] | set[str] | str


class XMLImportError(Exception):
    """The file cannot be read; ``line`` says where, when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        super().__init__(f"line {line}: {message}" if line else message)


@dataclass(slots=True)
class Element:
    ns: str  # namespace URI, "" for none
    name: str  # local name
    attrs: dict[str, str]  # "{uri}local" for prefixed attributes, "local" otherwise
    line: int
    children: list[Element] = field(default_factory=list)
    _text: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self._text)

    def is_(self, namespaces: Namespaces, name: str) -> bool:
        if isinstance(namespaces, str):
            return self.ns == namespaces and self.name == name
        return self.name == name and self.ns in namespaces

    def first(self, namespaces: Namespaces, name: str) -> Element | None:
        for child in self.children:
            if child.is_(namespaces, name):
                return child
        return None

    def all(self, namespaces: Namespaces, name: str) -> list[Element]:
        return [child for child in self.children if child.is_(namespaces, name)]

    def child_text(self, namespaces: Namespaces, name: str, *, strip: bool = True) -> str:
        child = self.first(namespaces, name)
        if child is None:
            return ""
        return child.text.strip() if strip else child.text

    def attr(self, name: str, namespace: str = "") -> str:
        return self.attrs.get(f"{{{namespace}}}{name}" if namespace else name, "")


@dataclass
class StreamInfo:
    """What the reader noticed about the file as a whole."""

    root: tuple[str, str] | None = None  # (namespace, local name)
    encoding: str = ""
    undeclared_prefixes: dict[str, int] = field(default_factory=dict)  # prefix → first line


class ElementReader:
    """One pass over one file: expat's handlers are this object's methods, and its
    state is the stack of open elements.

    Iterating yields each complete element found at ``capture_depth`` (the root is
    depth 0). ``check_root(ns, name, line)`` may raise to refuse a document by its
    root; ``wanted_path(ancestors)`` says whether an element at ``capture_depth`` under
    these ``(ns, name)`` ancestors should be captured (default: all of them).
    ``progress(bytes_read)`` is called after each chunk. A reader is iterated once.
    """

    def __init__(
        self,
        stream: BinaryIO,
        *,
        capture_depth: int,
        check_root: Callable[[str, str, int], None] | None = None,
        wanted_path: Callable[[list[tuple[str, str]]], bool] | None = None,
        progress: Callable[[int], None] | None = None,
        info: StreamInfo | None = None,
        max_text: int | None = None,
        max_elements: int | None = None,
        max_subtree_text: int | None = None,
        max_depth: int | None = None,
        max_run: int | None = None,
    ) -> None:
        self.stream = stream
        self.capture_depth = capture_depth
        self.check_root = check_root
        self.wanted_path = wanted_path
        self.progress = progress
        self.info = info if info is not None else StreamInfo()
        # Read the limits now, not at import time, so a test can lower them.
        self.max_text = max_text or MAX_TEXT
        self.max_elements = max_elements or MAX_ELEMENTS
        self.max_subtree_text = max_subtree_text or MAX_SUBTREE_TEXT
        self.max_depth = max_depth or MAX_DEPTH
        self.max_run = max_run or MAX_RUN
        self.unclosed = 0  # bytes fed since the last ">"
        self.subtree_text = 0  # characters of text in the subtree being built
        # One entry per open element: its namespace scope, its (ns, name), the element
        # being built (None when it is not captured) and the size of its text so far.
        self.scopes: list[dict[str, str]] = [{"xml": XML_NS}]
        self.path: list[tuple[str, str]] = []
        self.building: list[Element | None] = []
        self.text_sizes: list[int] = []
        self.done: deque[Element] = deque()
        self.counted = 0  # elements in the subtree being built
        # Element names resolved in one scope (the one nearly every element shares):
        # qname → (namespace, local name), at most NAMES_KEPT of them.
        self.named_scope: dict[str, str] | None = None
        self.named: dict[str, tuple[str, str]] = {}
        self.parser = self._make_parser()

    def _make_parser(self) -> XMLParserType:
        parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.buffer_size = CHUNK
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.EntityDeclHandler = self._refuse_entity
        parser.UnparsedEntityDeclHandler = self._refuse_unparsed
        parser.ExternalEntityRefHandler = self._refuse_external
        parser.StartDoctypeDeclHandler = self._doctype
        parser.XmlDeclHandler = self._xml_decl
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._characters
        return parser

    # --- reading ----------------------------------------------------------------------

    def __iter__(self) -> Iterator[Element]:
        read = 0
        try:
            while True:
                chunk = self.stream.read(CHUNK)
                read += len(chunk)
                self._feed(chunk)
                if self.progress is not None:
                    self.progress(read)
                while self.done:
                    yield self.done.popleft()
                if not chunk:
                    break
        finally:
            # Break the reference cycle between the parser and this reader's handlers.
            self.parser.StartElementHandler = self.parser.EndElementHandler = None
            self.parser.CharacterDataHandler = None
        if self.info.root is None:
            raise XMLImportError("the file is empty or has no root element")

    def _feed(self, chunk: bytes) -> None:
        self._check_run(chunk)
        try:
            self.parser.Parse(chunk, not chunk)
        except expat.ExpatError as error:
            raise XMLImportError(
                f"the file is not well-formed XML ({expat.ErrorString(error.code)}, "
                f"column {error.offset + 1})",
                error.lineno,
            ) from None
        except LookupError as error:  # an encoding Python does not know
            raise XMLImportError(f"unsupported encoding: {error}") from None

    def _line(self) -> int:
        return self.parser.CurrentLineNumber

    def _where(self) -> str:
        """The captured element being read, for messages: "in the <item> of line 40"."""
        element = next((e for e in self.building if e is not None), None)
        return f" (in the <{element.name}> that starts at line {element.line})" if element else ""

    def _check_run(self, chunk: bytes) -> None:
        first = chunk.find(b">")
        run = self.unclosed + (len(chunk) if first == -1 else first)
        if first != -1:
            self.unclosed = len(chunk) - chunk.rfind(b">") - 1
        else:
            self.unclosed = run
        if run > self.max_run:
            raise XMLImportError(
                f"more than {self.max_run:,} bytes without a closing '>' (a giant tag or "
                f"attribute){self._where()}; refused to keep the import fast",
                self._line(),
            )

    # --- the defences -----------------------------------------------------------------

    def _refuse_entity(
        self,
        name: str,
        is_parameter_entity: bool,
        value: str | None,
        base: str | None,
        system_id: str | None,
        public_id: str | None,
        notation: str | None,
    ) -> None:
        kind = "an external entity" if system_id or public_id else "an entity"
        raise XMLImportError(
            f"the file declares {kind} ({name!r}). Entity declarations are refused: "
            "they are how 'billion laughs' and external-entity (XXE) attacks work, and "
            "no WordPress or Disqus export uses them",
            self._line(),
        )

    def _refuse_unparsed(
        self,
        name: str,
        base: str | None,
        system_id: str | None,
        public_id: str | None,
        notation: str | None,
    ) -> None:
        raise XMLImportError(
            f"the file declares an unparsed entity ({name!r}); refused", self._line()
        )

    def _refuse_external(
        self, context: str | None, base: str | None, system_id: str | None, public_id: str | None
    ) -> int:
        raise XMLImportError(f"the file refers to an external entity ({system_id!r}); refused")

    def _doctype(
        self,
        name: str,
        system_id: str | None,
        public_id: str | None,
        has_internal_subset: bool,
    ) -> None:
        if system_id or public_id:
            raise XMLImportError(
                f"the DOCTYPE refers to an external DTD ({system_id or public_id!r}); "
                "external DTDs are refused",
                self._line(),
            )

    def _xml_decl(self, version: str, encoding: str | None, standalone: int) -> None:
        self.info.encoding = encoding or "UTF-8"

    # --- namespaces -------------------------------------------------------------------

    @staticmethod
    def _declare(attrs: dict[str, str], scope: dict[str, str]) -> dict[str, str]:
        """The scope inside an element: its parent's, plus its own ``xmlns`` bindings."""
        declared = None
        for key, value in attrs.items():
            if key == "xmlns" or key.startswith("xmlns:"):
                if declared is None:
                    declared = dict(scope)
                declared[key[6:]] = value
        return scope if declared is None else declared

    def _resolve(self, qname: str, scope: dict[str, str], *, is_attribute: bool) -> tuple[str, str]:
        """``(namespace URI, local name)``; an undeclared prefix is noted, not fatal."""
        prefix, sep, local = qname.rpartition(":")
        if not sep:
            return ("" if is_attribute else scope.get("", "")), qname
        uri = scope.get(prefix)
        if uri is None:
            self.info.undeclared_prefixes.setdefault(prefix, self._line())
            uri = UNDECLARED + prefix
        return uri, local

    def _attributes(self, attrs: dict[str, str], scope: dict[str, str]) -> dict[str, str]:
        plain: dict[str, str] = {}
        for key, value in attrs.items():
            if key == "xmlns" or key.startswith("xmlns:"):
                continue
            a_ns, a_local = self._resolve(key, scope, is_attribute=True)
            plain[f"{{{a_ns}}}{a_local}" if a_ns else a_local] = value
        return plain

    # --- elements ---------------------------------------------------------------------

    def _start(self, qname: str, attrs: dict[str, str]) -> None:
        if len(self.path) >= self.max_depth:
            raise XMLImportError(
                f"elements nested more than {self.max_depth} deep{self._where()}",
                self._line(),
            )
        scope = self._declare(attrs, self.scopes[-1]) if attrs else self.scopes[-1]
        if scope is not self.named_scope:
            self.named_scope, self.named = scope, {}
        resolved = self.named.get(qname)
        if resolved is None:
            # An undeclared prefix is noted on its first use, so a name found here
            # again has nothing more to note.
            resolved = self._resolve(qname, scope, is_attribute=False)
            if len(self.named) < NAMES_KEPT:
                self.named[qname] = resolved
        ns, local = resolved
        if not self.path:
            self.info.root = (ns, local)
            if self.check_root is not None:
                self.check_root(ns, local, self._line())
        building = self.building
        parent = building[-1] if building else None
        element = None
        if parent is not None:  # inside a captured subtree: most elements
            plain = self._attributes(attrs, scope) if attrs else {}
            element = Element(ns, local, plain, self.parser.CurrentLineNumber)
            self._adopt(parent, element)
        elif self._wanted():
            plain = self._attributes(attrs, scope) if attrs else {}
            element = Element(ns, local, plain, self.parser.CurrentLineNumber)
            self.counted = 0
            self.subtree_text = 0
        self.scopes.append(scope)
        self.path.append((ns, local))
        building.append(element)
        self.text_sizes.append(0)

    def _wanted(self) -> bool:
        """Whether an element opening now starts a subtree to capture."""
        return len(self.path) == self.capture_depth and (
            self.wanted_path is None or self.wanted_path(self.path)
        )

    def _adopt(self, parent: Element, element: Element) -> None:
        parent.children.append(element)
        self.counted += 1
        if self.counted > self.max_elements:
            raise XMLImportError(
                f"one <{self.path[self.capture_depth][1]}> holds more than "
                f"{self.max_elements:,} elements; refused to keep memory bounded",
                self._line(),
            )

    def _end(self, qname: str) -> None:
        self.scopes.pop()
        self.path.pop()
        element = self.building.pop()
        self.text_sizes.pop()
        if element is not None and len(self.path) == self.capture_depth:
            self.done.append(element)

    def _characters(self, data: str) -> None:
        element = self.building[-1] if self.building else None
        if element is None:
            return
        self.text_sizes[-1] += len(data)
        self.subtree_text += len(data)
        if self.subtree_text > self.max_subtree_text:
            raise XMLImportError(
                f"one <{self.path[self.capture_depth][1]}> holds more than "
                f"{self.max_subtree_text:,} characters of text{self._where()}; "
                "refused to keep memory bounded",
                self._line(),
            )
        if self.text_sizes[-1] > self.max_text:
            raise XMLImportError(
                f"<{element.name}> holds more than {self.max_text:,} characters of text; "
                "refused to keep memory bounded",
                element.line,
            )
        element._text.append(data)


def iter_elements(
    stream: BinaryIO,
    *,
    capture_depth: int,
    check_root: Callable[[str, str, int], None] | None = None,
    wanted_path: Callable[[list[tuple[str, str]]], bool] | None = None,
    progress: Callable[[int], None] | None = None,
    info: StreamInfo | None = None,
    max_text: int | None = None,
    max_elements: int | None = None,
) -> Iterator[Element]:
    """Yield each complete element found at ``capture_depth``: see :class:`ElementReader`."""
    yield from ElementReader(
        stream,
        capture_depth=capture_depth,
        check_root=check_root,
        wanted_path=wanted_path,
        progress=progress,
        info=info,
        max_text=max_text,
        max_elements=max_elements,
    )
