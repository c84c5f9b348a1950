"""JSON-LD contexts: the ones we name are bundled (``contexts/``), never fetched.

``CONTEXT`` is the ``@context`` of every document and activity we emit. Its last
entry defines the extension terms (``sensitive`` for content warnings, as Mastodon
reads it). :func:`load_document` is the document loader a JSON-LD processor gets in
later phases: it serves the bundled files and refuses every other address.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
SECURITY_CONTEXT = "https://w3id.org/security/v1"

_FILES = {
    AS_CONTEXT: "activitystreams.jsonld",
    SECURITY_CONTEXT: "security-v1.jsonld",
}
_DIR = Path(__file__).resolve().parent / "contexts"

EXTENSIONS: dict[str, Any] = {
    "sensitive": "as:sensitive",
    "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
}

CONTEXT: list[Any] = [AS_CONTEXT, SECURITY_CONTEXT, EXTENSIONS]


class ContextNotBundled(LookupError):
    """A context address we do not ship: refused rather than fetched."""


@cache
def _bundled(url: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((_DIR / _FILES[url]).read_text(encoding="utf-8"))
    return document


def load_document(url: str) -> dict[str, Any]:
    """The bundled context document for ``url`` (http or https, with or without a
    trailing ``.jsonld``), else :class:`ContextNotBundled`."""
    normal = url.replace("http://", "https://", 1).removesuffix(".jsonld").rstrip("/")
    if normal not in _FILES:
        raise ContextNotBundled(url)
    return {"contextUrl": None, "documentUrl": url, "document": _bundled(normal)}
