"""The fediverse's addresses: discovery (WebFinger, NodeInfo), actors, collections
and inboxes. Thin: documents come from ``documents``, inbox rules from ``inbox``.

All of them answer 404 while federation is off (FederationSettings).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.paginator import InvalidPage
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from watchworthy.accounts.models import User
from watchworthy.core.siteurl import absolute

from . import documents, identity, inbox
from .models import FederatedReview, FederationSettings
from .network import ACTIVITY_JSON, LD_JSON

JRD = "application/jrd+json"
NODEINFO = f'application/json; profile="{documents.NODEINFO_SCHEMA}#"'
HTML = "text/html"

View = Callable[..., HttpResponse]


def federating(view: View) -> View:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not FederationSettings.current().enabled:
            raise Http404("This site does not federate.")
        return view(request, *args, **kwargs)

    return wrapped


def _json(document: dict[str, Any], content_type: str, status: int = 200) -> HttpResponse:
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return HttpResponse(body, content_type=content_type, status=status)


def _accepted(request: HttpRequest) -> dict[str, float]:
    """Media types the client named, with their quality (parameters other than q
    ignored: ``application/ld+json; profile="…"`` is ld+json)."""
    qualities: dict[str, float] = {}
    for part in request.headers.get("Accept", "").split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = max(0.0, min(1.0, float(value)))
                except ValueError:
                    quality = 0.0
        if media:
            qualities[media.lower()] = max(quality, qualities.get(media.lower(), 0.0))
    return qualities


def _activity(request: HttpRequest, document: dict[str, Any]) -> HttpResponse:
    """``document`` in the JSON type the client asked for (activity+json by default)."""
    asked = _accepted(request)
    ld = asked.get("application/ld+json", 0.0) > asked.get(ACTIVITY_JSON, 0.0)
    response = _json(document, LD_JSON if ld else ACTIVITY_JSON)
    response["Vary"] = "Accept"
    return response


def _wants_html(request: HttpRequest) -> bool:
    """A browser (or anything not naming an ActivityStreams type) gets the page."""
    asked = _accepted(request)
    json_quality = max(asked.get(ACTIVITY_JSON, 0.0), asked.get("application/ld+json", 0.0))
    html_quality = max(asked.get(HTML, 0.0), asked.get("application/xhtml+xml", 0.0))
    return json_quality == 0.0 or html_quality > json_quality


def _author(username: str) -> User:
    user = identity.author_named(username)
    if user is None:
        raise Http404("No such actor.")
    return user


def _collection(
    request: HttpRequest, collection_id: str, items: QuerySet[Any, Any] | list[Any]
) -> HttpResponse:
    try:
        document = documents.collection(collection_id, items, _page(request))
    except InvalidPage as error:
        raise Http404("No such page.") from error
    return _activity(request, document)


def _page(request: HttpRequest) -> int | None:
    raw = request.GET.get("page")
    if raw is None:
        return None
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= 100_000:
        raise Http404("No such page.")
    return int(raw)


# --- discovery -------------------------------------------------------------------


@require_safe
@federating
def webfinger(request: HttpRequest) -> HttpResponse:
    resource = request.GET.get("resource", "").strip()
    user: User | None
    if resource.startswith("acct:"):
        name, at, host = resource.removeprefix("acct:").rpartition("@")
        if not (at and name and host):
            return _json({"error": "resource must be acct:name@host"}, "application/json", 400)
        if host.lower() != identity.host():
            raise Http404("Not a user of this site.")
        user = None if name.lower() == identity.host() else _author(name)
    elif resource.startswith(("https://", "http://")):
        if resource == identity.instance_id():
            user = None
        else:
            prefix = identity.absolute_root().rstrip("/") + "/actors/"
            user = _author(resource.removeprefix(prefix)) if resource.startswith(prefix) else None
            if user is None or identity.actor_id(user) != resource:
                raise Http404("Not an actor of this site.")
    else:
        return _json({"error": "resource must be acct:name@host"}, "application/json", 400)
    response = _json(documents.webfinger(user), JRD)
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
@federating
def nodeinfo_index(request: HttpRequest) -> HttpResponse:
    return _json(
        documents.nodeinfo_index(absolute(reverse("fediverse:nodeinfo"))), "application/json"
    )


@require_safe
@federating
def nodeinfo(request: HttpRequest) -> HttpResponse:
    response = _json(documents.nodeinfo(), NODEINFO)
    response["Access-Control-Allow-Origin"] = "*"
    return response


# --- actors and collections ---------------------------------------------------------


@require_safe
@federating
def actor(request: HttpRequest, username: str) -> HttpResponse:
    user = _author(username)
    if _wants_html(request):
        response: HttpResponse = HttpResponseRedirect(user.get_absolute_url())
        response["Vary"] = "Accept"
        return response
    return _activity(request, documents.actor(user))


@require_safe
@federating
def instance_actor(request: HttpRequest) -> HttpResponse:
    if _wants_html(request):
        return HttpResponseRedirect("/")
    return _activity(request, documents.instance_actor())


@require_safe
@federating
def instance_outbox(request: HttpRequest) -> HttpResponse:
    return _collection(request, identity.instance_id() + "/outbox", [])


@require_safe
@federating
def outbox(request: HttpRequest, username: str) -> HttpResponse:
    user = _author(username)
    return _collection(request, identity.actor_path(user, "outbox"), documents.outbox_items(user))


@require_safe
@federating
def review_object(request: HttpRequest, pk: int, generation: int = 1) -> HttpResponse:
    """A review's Article (a browser goes to the review), or its Tombstone (410)."""
    record = FederatedReview.objects.filter(review_pk=pk).first()
    return _object(request, documents.review_object(record, generation))


@require_safe
@federating
def comment_object(request: HttpRequest, pk: int) -> HttpResponse:
    """A critic's comment under a federated review, as a ``Note`` (a browser goes to
    the comment). Guests' comments are not federated: 404 (replies to them by id are
    still placed under them), as are comments that came from the fediverse (their id
    is on their own server). One whose ``Delete`` was sent: its Tombstone (410)."""
    return _object(request, documents.comment_note(pk))


def _object(request: HttpRequest, document: dict[str, Any] | None) -> HttpResponse:
    """An object we published: 404 when unknown, its Tombstone with 410 once deleted,
    a browser sent on to the page, a server given the document."""
    if document is None:
        raise Http404("No such object.")
    if document["type"] == "Tombstone":
        response = _activity(request, document)
        response.status_code = 410
        return response
    if _wants_html(request):
        return HttpResponseRedirect(document["url"])
    return _activity(request, document)


@require_safe
@federating
def followers(request: HttpRequest, username: str) -> HttpResponse:
    user = _author(username)
    return _collection(
        request, identity.actor_path(user, "followers"), documents.follower_ids(user)
    )


# --- inboxes ---------------------------------------------------------------------------


def _receive(request: HttpRequest, user: User | None) -> HttpResponse:
    outcome = inbox.receive(
        method=request.method or "POST",
        url=absolute(request.get_full_path()),
        headers=request.headers,
        body=request.body,
        user=user,
    )
    response = _json({"status": outcome.reason}, "application/json", outcome.status)
    if outcome.status == 401:
        response["WWW-Authenticate"] = 'Signature realm="watchworthy"'
    return response


@csrf_exempt
@require_POST
@federating
def shared_inbox(request: HttpRequest) -> HttpResponse:
    return _receive(request, None)


@csrf_exempt
@require_POST
@federating
def actor_inbox(request: HttpRequest, username: str) -> HttpResponse:
    return _receive(request, _author(username))
