"""JSON-LD contexts: the ones we name are bundled (``contexts/``), never fetched.

``CONTEXT`` is the ``@context`` of every document and activity we emit. Its last
entry defines the extension terms (``sensitive`` for content warnings, as Mastodon
reads it, and our review terms under :data:`NAMESPACE`). :func:`load_document` is
the document loader a JSON-LD processor gets in later phases: it serves the bundled
files and refuses every other address.
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

#: Our own terms: what a review is about, as typed properties of its ``Article``.
#: A name, not an address to fetch (the project has no domain of its own to put a
#: vocabulary document on).
NAMESPACE = "urn:watchworthy:ns#"
_XSD = "http://www.w3.org/2001/XMLSchema#"

EXTENSIONS: dict[str, Any] = {
    "sensitive": "as:sensitive",
    "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
    "ww": NAMESPACE,
    "Series": "ww:Series",
    "Film": "ww:Film",
    "Part": "ww:Part",
    "SpoilerScope": "ww:SpoilerScope",
    "work": {"@id": "ww:work", "@type": "@id"},
    "part": {"@id": "ww:part", "@type": "@id"},
    "spoilerScope": "ww:spoilerScope",
    "partNumber": {"@id": "ww:partNumber", "@type": f"{_XSD}integer"},
    "episode": {"@id": "ww:episode", "@type": f"{_XSD}integer"},
    "episodes": {"@id": "ww:episodeCount", "@type": f"{_XSD}integer"},
    "verdict": "ww:verdict",
    "score": {"@id": "ww:score", "@type": f"{_XSD}decimal"},
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
