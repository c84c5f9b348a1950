"""Small helpers shared by the WordPress and Disqus importers and the exporter."""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import json
import re
from dataclasses import asdict, fields, is_dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from django.db import connection, models
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


def insert_rows(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (field ``attname`` → value; a missing field gets its default)
    in one statement run for every row: what ``bulk_create`` writes, without model
    objects or its query compiler, which cost more than the database itself on a big
    import. No signals, as ``bulk_create``; the ids are not read back."""
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key or f.attname in rows[0]]
    quote = connection.ops.quote_name
    # Table and column names come from the model, quoted; the values are parameters.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        quote(model._meta.db_table),
        ", ".join(quote(str(f.column)) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    # A missing field's default, ready for the database once for all rows.
    defaults = {
        f.attname: f.get_db_prep_save(f.get_default(), connection)
        for f in fields
        if not f.primary_key
    }
    # Column by column: one comprehension per field instead of a branch per value
    # (this loop was a sixth of a large import's time).
    prepare = connection.ops.adapt_datetimefield_value
    columns = []
    for f in fields:
        name, kind = f.attname, _kind(f)
        if name in defaults:
            default = defaults[name]
            raw = [row.get(name, _MISSING) for row in rows]
        else:  # the primary key, given in every row
            default, raw = None, [row[name] for row in rows]
        if kind is _PLAIN:
            column = [
                default if v is _MISSING
                else v if v is None or type(v) in PLAIN_VALUES
                else f.get_db_prep_save(v, connection)
                for v in raw
            ]  # fmt: skip
        elif kind is _MOMENT:
            # An aware datetime: what DateTimeField.get_db_prep_save comes to.
            column = [
                default if v is _MISSING
                else None if v is None
                else prepare(v) if type(v) is datetime and v.tzinfo is not None
                else f.get_db_prep_save(v, connection)
                for v in raw
            ]  # fmt: skip
        else:
            column = [default if v is _MISSING else f.get_db_prep_save(v, connection) for v in raw]
        columns.append(column)
    values = list(zip(*columns, strict=True))
    with connection.cursor() as cursor:
        cursor.executemany(sql, values)


# Fields whose str / int / bool values go to the database as they are (their
# ``get_db_prep_save`` returns them unchanged); any other value takes the long way.
PLAIN_FIELDS = {
    "AutoField", "BigAutoField", "BigIntegerField", "BooleanField", "CharField",
    "ForeignKey", "IntegerField", "PositiveIntegerField", "PositiveSmallIntegerField",
    "SlugField", "SmallIntegerField", "TextField",
}  # fmt: skip
PLAIN_VALUES = {str, int, bool}


_PLAIN, _MOMENT, _OTHER = "plain", "moment", "other"
_MISSING = object()  # a field a row does not give: its default


def _kind(field: models.Field) -> str:
    """How :func:`insert_rows` prepares a field's values: as they are (``_PLAIN``, for
    str / int / bool), as an aware datetime (``_MOMENT``), or the long way."""
    kind = field.get_internal_type()
    if kind == "ForeignKey":
        kind = field.target_field.get_internal_type()  # type: ignore[attr-defined]
        kind = "ForeignKey" if kind in PLAIN_FIELDS else kind
    if kind in PLAIN_FIELDS:
        return _PLAIN
    return _MOMENT if kind == "DateTimeField" else _OTHER


def digest(value: object) -> str:
    """A SHA-256 of ``value`` (a dataclass instance, or anything JSON can write)."""
    data = _as_data(value) if is_dataclass(value) and not isinstance(value, type) else value
    encoded = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8", "surrogatepass")).hexdigest()


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    if cls not in _FIELD_NAMES:
        _FIELD_NAMES[cls] = tuple(f.name for f in fields(cls))
    return _FIELD_NAMES[cls]


def _as_data(value: Any) -> Any:
    """``asdict(value)`` without its deep copy when the fields hold only text, numbers
    and flat lists or dicts of them (a WXR comment): the same JSON, five times faster."""
    data = {name: getattr(value, name) for name in _field_names(type(value))}
    for item in data.values():
        if isinstance(item, list | tuple | dict):
            inner = item.values() if isinstance(item, dict) else item
            if not all(x is None or isinstance(x, str | int | float) for x in inner):
                return asdict(value)
        elif not (item is None or isinstance(item, str | int | float)):
            return asdict(value)
    return data


WP_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2}) ([0-9]{2}):([0-9]{2}):([0-9]{2})")


def parse_wp_date(value: str) -> datetime | None:
    """``2012-05-30 23:37:02`` (UTC when it is a *_gmt field), or None."""
    value = (value or "").strip()
    if not value or value.startswith("0000"):
        return None
    usual = WP_DATE.fullmatch(value)
    if usual is not None:  # what strptime gives for this form, a tenth of its time
        try:
            year, month, day, hour, minute, second = map(int, usual.groups())
            return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
        except ValueError:
            pass  # out of range (month 13…): strptime's verdict below
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
    return _valid_ip((value or "").strip())


@functools.lru_cache(maxsize=4096)  # a blog's commenters write from a few addresses
def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value))
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
    model: type[models.Model],
    base: str,
    *,
    exclude_pk: int | None = None,
    max_length: int = 200,
    claimed: set[str] | frozenset[str] = frozenset(),
) -> str:
    """``base``, or ``base-2``, ``base-3``… whichever no row has and is not in
    ``claimed`` (slugs given to rows not written yet)."""
    slug, n = base[:max_length], 2
    queryset = model._default_manager.all()
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    while slug in claimed or queryset.filter(slug=slug).exists():
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
    """The stored forms a request path may match: as is, and with/without its slash.
    Nothing for a path holding a NUL once unescaped (``/x/%2500/``): no stored path has
    one, and PostgreSQL cannot even compare text with it."""
    path = normalize_path(path)
    if not path or path == "/" or "\x00" in path:
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
    claims = RedirectClaims(source=source, summary=summary)
    claims.item(keys, target=target)
    claims.save()


class RedirectClaims:
    """The old addresses claimed by a run of items, written together: what
    :func:`save_redirects` would do for each claim in turn, in three queries.

    Claims are settled in the order they were made, against the rows already in the
    database and the ones earlier claims of the same run are about to create, so the
    result is the same as saving them one by one. Targets need their ids by
    :meth:`save`."""

    def __init__(self, *, source: str, summary: ImportSummary) -> None:
        self.source = source
        self.summary = summary
        # ({path: priority}, target field, target); priority -1: first owner keeps it
        self.claims: list[tuple[dict[str, int], str, models.Model]] = []

    def item(self, keys: list[tuple[str, int]], *, target: dict[str, models.Model]) -> None:
        wanted: dict[str, int] = {}
        for key, priority in keys:
            if key and len(key) <= MAX_KEY and priority < wanted.get(key, 99):
                wanted[key] = priority
        if wanted:
            ((field_name, obj),) = target.items()
            self.claims.append((wanted, field_name, obj))

    def first_owner(self, path: str, comment: models.Model) -> None:
        """``path`` for ``comment`` unless a row already has it (``?replytocom=``)."""
        self.claims.append(({path: -1}, "comment", comment))

    def save(self) -> None:
        if not self.claims:
            return
        paths = {key for wanted, _f, _o in self.claims for key in wanted}
        columns = ["pk", "old_path", "priority", *(f"{t}_id" for t in REDIRECT_TARGETS)]
        rows = {
            r["old_path"]: r
            for r in LegacyRedirect.objects.filter(old_path__in=paths).values(*columns)
        }
        new: dict[str, dict[str, Any]] = {}
        changed: set[int] = set()
        for wanted, field_name, obj in self.claims:
            for key, priority in wanted.items():
                redirect = new.get(key) or rows.get(key)
                if redirect is None:
                    new[key] = {
                        "old_path": key, "priority": max(priority, 0), "source": self.source,
                        f"{field_name}_id": obj.pk,
                    }  # fmt: skip
                    self.summary.redirects += priority >= 0
                elif priority >= 0:
                    self._settle(redirect, priority, field_name, obj.pk, changed)
            if next(iter(wanted.values())) < 0:
                self.summary.redirects += 1  # counted as the row-by-row insert did
        self.claims = []
        insert_rows(LegacyRedirect, list(new.values()))
        if new:  # their ids, for the change signal
            inserted = LegacyRedirect.objects.filter(old_path__in=new)
            changed.update(inserted.values_list("pk", flat=True))
        mark_changed_ids(LegacyRedirect, changed)

    def _settle(
        self, redirect: dict[str, Any], priority: int, field_name: str, pk: int, changed: set[int]
    ) -> None:
        """A path claimed again: the better (lower) priority takes it; a clash with
        another target is counted. ``redirect``: a row (with its ``pk``) or one about to
        be inserted."""
        same = redirect.get(f"{field_name}_id") == pk
        if priority < redirect["priority"]:
            values: dict[str, Any] = {"priority": priority}
            if not same:
                values["source"] = self.source
                values.update(
                    {f"{t}_id": pk if t == field_name else None for t in REDIRECT_TARGETS}
                )
            redirect.update(values)
            if "pk" in redirect:
                LegacyRedirect.objects.filter(pk=redirect["pk"]).update(**values)
                changed.add(redirect["pk"])
        if not same:
            self.summary.redirect_conflicts += 1
