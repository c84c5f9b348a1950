"""Delivering activities: one :class:`~.models.Delivery` row per inbox, sent by a
django-tasks task, retried with back-off.

``deliver(actor=…, activity=…, inboxes=…)`` stores the rows and, after the transaction
commits, enqueues one task per row. The task signs the POST with the actor's key
(draft-cavage by default, RFC 9421 with ``WATCHWORTHY_FEDIVERSE_SIGNATURE=rfc9421``;
a server that refuses one format with 401 is tried at once in the other) and sends it
through the transport. A failure schedules the next attempt (``BACKOFF``); the
periodic job ``fediverse-deliveries`` enqueues rows whose time has come, so retries
happen with the immediate backend as with a worker. After the last attempt a row is
marked failed with the last error, for the admin to see.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from . import httpsig, identity, keys
from .models import Delivery, FederationSettings, LocalActor
from .network import ACTIVITY_JSON, NetworkError, transport

#: Seconds to wait before attempt 2, 3, … ; after the last, the delivery fails.
BACKOFF = [60, 300, 1800, 3 * 3600, 12 * 3600, 24 * 3600]
BATCH = 100
#: A queued attempt owns its row this long; if its task is lost (a worker stopped),
#: the periodic job sends the row again after it.
LEASE = timedelta(minutes=10)


def deliver(*, actor: LocalActor, activity: dict[str, Any], inboxes: Iterable[str]) -> list[int]:
    """Queue ``activity`` for each inbox (each once); returns the delivery ids."""
    if not FederationSettings.current().enabled:
        return []
    rows = [
        Delivery(
            actor=actor, inbox=inbox, activity=activity, next_attempt_at=timezone.now() + LEASE
        )
        for inbox in dict.fromkeys(inboxes)
    ]
    created = Delivery.objects.bulk_create(rows)
    ids = [row.pk for row in created]
    transaction.on_commit(lambda: [send_delivery.enqueue(pk) for pk in ids])
    return ids


def _owner_id(actor: LocalActor) -> str:
    return identity.instance_id() if actor.user is None else identity.actor_id(actor.user)


def _post(row: Delivery) -> str:
    """Send once; returns '' when delivered, else why not."""
    body = json.dumps(row.activity, separators=(",", ":")).encode()
    key = keys.private_key(row.actor)
    key_id = identity.key_id(_owner_id(row.actor))
    why = ""
    for format in httpsig.formats_to_try():
        headers = httpsig.sign(
            method="POST", url=row.inbox, body=body, key_id=key_id, private_key=key, format=format
        )
        headers["Content-Type"] = ACTIVITY_JSON
        try:
            answer = transport().post(row.inbox, headers, body)
        except NetworkError as error:
            return str(error)
        if 200 <= answer.status < 300:
            return ""
        why = f"{row.inbox[:200]} answered {answer.status}"
        if answer.status != 401:
            break
    return why


@task()
def send_delivery(delivery_id: int) -> None:
    row = (
        Delivery.objects.select_related("actor__user")
        .filter(pk=delivery_id, status=Delivery.Status.PENDING)
        .first()
    )
    if row is None or not FederationSettings.current().enabled:
        return
    why = _post(row)
    row.attempts += 1
    if not why:
        row.status, row.delivered_at, row.next_attempt_at = (
            Delivery.Status.DELIVERED,
            timezone.now(),
            None,
        )
    elif row.attempts > len(BACKOFF):
        row.status, row.next_attempt_at = Delivery.Status.FAILED, None
    else:
        row.next_attempt_at = timezone.now() + timedelta(seconds=BACKOFF[row.attempts - 1])
    row.last_error = why[:300]
    row.save(update_fields=["status", "attempts", "next_attempt_at", "last_error", "delivered_at"])


def enqueue_due() -> int:
    """Enqueue the pending deliveries whose next attempt is due (periodic job)."""
    if not FederationSettings.current().enabled:
        return 0
    now = timezone.now()
    due = list(
        Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:BATCH]
    )
    Delivery.objects.filter(pk__in=due).update(next_attempt_at=now + LEASE)
    for pk in due:
        send_delivery.enqueue(pk)
    return len(due)
