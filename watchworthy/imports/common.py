"""Small helpers shared by the WordPress and Disqus importers and the exporter."""

from __future__ import annotations

import hashlib
import ipaddress
import json
from dataclasses import asdict, is_dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qs, unquote, urlsplit

from django.db import models
from django.utils.text import slugify

from watchworthy.core.changes import mark_changed_ids

from .models import LegacyRedirect
from .summary import ImportSummary

# Query parameters WordPress answers with a post, page, attachment or comment.
LEGACY_QUERY_KEYS = ("replytocom", "p", "page_id", "attachment_id")
MAX_KEY = 1000
REDIRECT_TARGETS = ("review", "page", "comment", "image")  # LegacyRedirect's links


class ImportFailed(Exception):
    """The import stopped; nothing was written. The message names the item and why."""


def digest(value: object) -> str:
    """A SHA-256 of ``value`` (a dataclass instance, or anything JSON can write)."""
    data = asdict(value) if is_dataclass(value) and not isinstance(value, type) else value
    encoded = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8", "surrogatepass")).hexdigest()


def parse_wp_date(value: str) -> datetime | None:
    """``2012-05-30 23:37:02`` (UTC when it is a *_gmt field), or None."""
    value = (value or "").strip()
    if not value or value.startswith("0000"):
        return None
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def parse_rfc822(value: str) -> datetime | None:
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_iso(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat((value or "").strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def safe_url(value: str, *, max_length: int = 200) -> str:
    """An http(s) URL for a commenter's link, or "" (never ``javascript:``…)."""
    value = (value or "").strip()
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return ""
    return value if len(value) <= max_length else ""


def ascii_slug(*candidates: str, fallback: str, max_length: int = 200) -> str:
    """The first candidate that slugifies to something: ASCII letters, digits, - and _,
    because the site's URL patterns use Django's ``slug`` converter."""
    for candidate in candidates:
        slug = slugify(unquote(candidate or ""))[:max_length].strip("-")
        if slug:
            return slug
    return slugify(fallback)[:max_length]


def unique_slug(
    model: type[models.Model], base: str, *, exclude_pk: int | None = None, max_length: int = 200
) -> str:
    slug, n = base[:max_length], 2
    queryset = model._default_manager.all()
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    while queryset.filter(slug=slug).exists():
        suffix = f"-{n}"
        slug, n = base[: max_length - len(suffix)] + suffix, n + 1
    return slug


def legacy_keys(url: str) -> list[str]:
    """Redirect keys for an old URL: its ``?p=``-style query key if it has one, else
    its path (percent-decoded, lower-cased)."""
    parts = urlsplit((url or "").strip())
    query = parse_qs(parts.query)
    for name in LEGACY_QUERY_KEYS:
        values = query.get(name)
        if values and values[0].strip().isdigit():
            return [f"?{name}={int(values[0])}"]
    path = normalize_path(parts.path)
    return [path] if path and path != "/" else []


def normalize_path(path: str) -> str:
    path = unquote(path or "").strip().lower()
    if not path:
        return ""
    if not path.startswith("/"):
        path = "/" + path
    return path


def path_candidates(path: str) -> list[str]:
    """The stored forms a request path may match: as is, and with/without its slash."""
    path = normalize_path(path)
    if not path or path == "/":
        return []
    other = path[:-1] if path.endswith("/") else path + "/"
    return [path, other]


def save_redirects(
    keys: list[tuple[str, int]],
    *,
    target: dict[str, models.Model],
    source: str,
    summary: ImportSummary,
) -> None:
    """Point each ``(old_path, priority)`` at ``target`` (``{"review": obj}``…).

    An item's own permalink (priority 0) takes a path over a generated variant of
    another item (higher numbers); between equals the first claim is kept. The
    redirects created or changed are marked for :mod:`watchworthy.core.changes`."""
    wanted: dict[str, int] = {}
    for key, priority in keys:
        if key and len(key) <= MAX_KEY and priority < wanted.get(key, 99):
            wanted[key] = priority
    if not wanted:
        return
    ((field_name, obj),) = target.items()
    existing = {r.old_path: r for r in LegacyRedirect.objects.filter(old_path__in=wanted)}
    new = []
    changed: list[int] = []
    for key, priority in wanted.items():
        redirect = existing.get(key)
        if redirect is None:
            new.append(
                LegacyRedirect(old_path=key, priority=priority, source=source, **{field_name: obj})
            )
            continue
        same = getattr(redirect, f"{field_name}_id") == obj.pk
        if same:
            if priority < redirect.priority:
                LegacyRedirect.objects.filter(pk=redirect.pk).update(priority=priority)
                changed.append(redirect.pk)
            continue
        if priority < redirect.priority:
            targets: dict[str, models.Model | None] = dict.fromkeys(REDIRECT_TARGETS)
            targets[field_name] = obj
            LegacyRedirect.objects.filter(pk=redirect.pk).update(
                priority=priority, source=source, **targets
            )
            changed.append(redirect.pk)
        summary.redirect_conflicts += 1
    if new:
        LegacyRedirect.objects.bulk_create(new)
        summary.redirects += len(new)
        changed += [redirect.pk for redirect in new]
    mark_changed_ids(LegacyRedirect, changed)
