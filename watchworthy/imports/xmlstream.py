"""Read a large, untrusted XML export as a stream of small element trees.

Built on the standard library's expat parser, driven directly so that:

* **Entities are refused.** Any ``<!ENTITY`` declaration (the "billion laughs"
  expansion bomb, external entities such as ``file:///etc/passwd``) and any DOCTYPE
  that points at an external DTD stops the parse with :class:`XMLImportError` before
  anything is read from it. Parameter entities are never parsed and nothing is
  fetched from a network or a file. (The same guards ``defusedxml`` installs.)
* **Memory stays bounded.** Only the subtrees at ``capture_depth`` (a WXR ``<item>``,
  a Disqus ``<post>``) are built, handed to the caller, and dropped; the file is fed
  in 64 KiB chunks. One text node larger than ``max_text``, or one subtree of more
  than ``max_elements`` elements, is refused.
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

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO
from xml.parsers import expat

CHUNK = 64 * 1024
MAX_TEXT = 32 * 1024 * 1024  # one text node (a post's HTML): 32 MiB
MAX_ELEMENTS = 2_000_000  # in one captured subtree (an item with all its comments)
XML_NS = "http://www.w3.org/XML/1998/namespace"
UNDECLARED = "undeclared:"


class XMLImportError(Exception):
    """The file cannot be read; ``line`` says where, when known."""

    def __init__(self, message: str, line: int | None = None):
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

    def is_(self, namespaces: frozenset[str] | set[str] | str, name: str) -> bool:
        if isinstance(namespaces, str):
            return self.ns == namespaces and self.name == name
        return self.name == name and self.ns in namespaces

    def first(self, namespaces, name: str) -> Element | None:
        for child in self.children:
            if child.is_(namespaces, name):
                return child
        return None

    def all(self, namespaces, name: str) -> list[Element]:
        return [child for child in self.children if child.is_(namespaces, name)]

    def child_text(self, namespaces, name: str, *, strip: bool = True) -> str:
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


def _refuse_entity(line: Callable[[], int]):
    def handler(name, is_parameter_entity, value, base, system_id, public_id, notation):
        kind = "an external entity" if system_id or public_id else "an entity"
        raise XMLImportError(
            f"the file declares {kind} ({name!r}). Entity declarations are refused: "
            "they are how 'billion laughs' and external-entity (XXE) attacks work, and "
            "no WordPress or Disqus export uses them",
            line(),
        )

    return handler


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
    """Yield each complete element found at ``capture_depth`` (the root is depth 0).

    ``check_root(ns, name, line)`` may raise to refuse a document by its root;
    ``wanted_path(ancestors)`` says whether an element at ``capture_depth`` under
    these ``(ns, name)`` ancestors should be captured (default: all of them).
    ``progress(bytes_read)`` is called after each chunk.
    """
    info = info if info is not None else StreamInfo()
    max_text = max_text or MAX_TEXT
    max_elements = max_elements or MAX_ELEMENTS
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.buffer_size = CHUNK
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def line() -> int:
        return parser.CurrentLineNumber

    parser.EntityDeclHandler = _refuse_entity(line)

    def refuse_unparsed(name, base, system_id, public_id, notation):
        raise XMLImportError(f"the file declares an unparsed entity ({name!r}); refused", line())

    def refuse_external(context, base, system_id, public_id):
        raise XMLImportError(f"the file refers to an external entity ({system_id!r}); refused")

    def doctype(name, system_id, public_id, has_internal_subset):
        if system_id or public_id:
            raise XMLImportError(
                f"the DOCTYPE refers to an external DTD ({system_id or public_id!r}); "
                "external DTDs are refused",
                line(),
            )

    def xml_decl(version, encoding, standalone):
        info.encoding = encoding or "UTF-8"

    parser.UnparsedEntityDeclHandler = refuse_unparsed
    parser.ExternalEntityRefHandler = refuse_external
    parser.StartDoctypeDeclHandler = doctype
    parser.XmlDeclHandler = xml_decl

    # One entry per open element: (its namespace scope, its (ns, name), the element
    # being built or None when it is not captured).
    scopes: list[dict[str, str]] = [{"xml": XML_NS}]
    path: list[tuple[str, str]] = []
    building: list[Element | None] = []
    text_sizes: list[int] = []
    done: list[Element] = []
    counted = [0]  # elements in the subtree being built

    def resolve(qname: str, scope: dict[str, str], *, is_attribute: bool) -> tuple[str, str]:
        prefix, sep, local = qname.rpartition(":")
        if not sep:
            return ("" if is_attribute else scope.get("", "")), qname
        uri = scope.get(prefix)
        if uri is None:
            info.undeclared_prefixes.setdefault(prefix, line())
            uri = UNDECLARED + prefix
        return uri, local

    def start(qname: str, attrs: dict[str, str]) -> None:
        scope = scopes[-1]
        if attrs:
            declared = None
            for key, value in attrs.items():
                if key == "xmlns" or key.startswith("xmlns:"):
                    if declared is None:
                        declared = dict(scope)
                    declared[key[6:]] = value
            if declared is not None:
                scope = declared
        ns, local = resolve(qname, scope, is_attribute=False)
        if not path:
            info.root = (ns, local)
            if check_root is not None:
                check_root(ns, local, line())
        depth = len(path)
        parent = building[-1] if building else None
        element = None
        if parent is not None or (
            depth == capture_depth and (wanted_path is None or wanted_path(path))
        ):
            plain: dict[str, str] = {}
            for key, value in attrs.items():
                if key == "xmlns" or key.startswith("xmlns:"):
                    continue
                a_ns, a_local = resolve(key, scope, is_attribute=True)
                plain[f"{{{a_ns}}}{a_local}" if a_ns else a_local] = value
            element = Element(ns, local, plain, line())
            if parent is not None:
                parent.children.append(element)
                counted[0] += 1
                if counted[0] > max_elements:
                    raise XMLImportError(
                        f"one <{path[capture_depth][1]}> holds more than {max_elements:,} "
                        "elements; refused to keep memory bounded",
                        line(),
                    )
            else:
                counted[0] = 0
        scopes.append(scope)
        path.append((ns, local))
        building.append(element)
        text_sizes.append(0)

    def end(qname: str) -> None:
        scopes.pop()
        path.pop()
        element = building.pop()
        text_sizes.pop()
        if element is not None and len(path) == capture_depth:
            done.append(element)

    def characters(data: str) -> None:
        element = building[-1] if building else None
        if element is None:
            return
        text_sizes[-1] += len(data)
        if text_sizes[-1] > max_text:
            raise XMLImportError(
                f"<{element.name}> holds more than {max_text:,} characters of text; "
                "refused to keep memory bounded",
                element.line,
            )
        element._text.append(data)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters

    read = 0
    try:
        while True:
            chunk = stream.read(CHUNK)
            read += len(chunk)
            try:
                parser.Parse(chunk, not chunk)
            except expat.ExpatError as error:
                raise XMLImportError(
                    f"the file is not well-formed XML ({expat.ErrorString(error.code)}, "
                    f"column {error.offset + 1})",
                    error.lineno,
                ) from None
            except LookupError as error:  # an encoding Python does not know
                raise XMLImportError(f"unsupported encoding: {error}") from None
            if progress is not None:
                progress(read)
            while done:
                yield done.pop(0)
            if not chunk:
                break
    finally:
        # Break the handler closures' reference cycle promptly.
        parser.StartElementHandler = parser.EndElementHandler = None
        parser.CharacterDataHandler = None
    if info.root is None:
        raise XMLImportError("the file is empty or has no root element")
