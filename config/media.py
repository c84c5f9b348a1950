"""Where uploads are kept, chosen by environment variables alone (docs/storage.md).

* Nothing set: a local folder (``WATCHWORTHY_MEDIA_ROOT``), served by Django itself on
  the embedded set-up.
* ``AWS_STORAGE_BUCKET_NAME`` set (or ``WATCHWORTHY_MEDIA_STORAGE=s3``): an
  S3-compatible bucket through django-storages, so that several app servers see the
  same files. ``AWS_S3_ENDPOINT_URL`` points at a server that is not Amazon's
  (SeaweedFS, MinIO, Garage, R2...).

A value that cannot work stops start-up with one line naming the variable; the
bucket itself is not contacted at start-up (a site must start while its storage is
briefly away), the first upload says when it is unreachable.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, NoReturn
from urllib.parse import urlsplit

LOCAL_BACKEND = "django.core.files.storage.FileSystemStorage"
S3_BACKEND = "storages.backends.s3.S3Storage"

# Amazon's rules for bucket names, which every S3-compatible server accepts.
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_REGION = re.compile(r"^[a-z0-9-]{1,40}$")
# A file name is written once (a new upload gets a new name), so a day of caching is
# safe; a CDN may keep it longer.
CACHE_CONTROL = "public, max-age=86400"


def media_storage(
    environ: Mapping[str, str], refuse: Callable[[str], NoReturn]
) -> tuple[str, dict[str, Any]]:
    """The storage kind ("local" or "s3") and the ``STORAGES["default"]`` entry."""
    bucket = (environ.get("AWS_STORAGE_BUCKET_NAME") or "").strip()
    kind = (environ.get("WATCHWORTHY_MEDIA_STORAGE") or "").strip().lower()
    if not kind:
        kind = "s3" if bucket else "local"
    if kind not in {"local", "s3"}:
        refuse(f"WATCHWORTHY_MEDIA_STORAGE={kind!r}: use local or s3.")
    if kind == "local":
        return "local", {"BACKEND": LOCAL_BACKEND}
    return "s3", {"BACKEND": S3_BACKEND, "OPTIONS": s3_options(environ, refuse)}


def s3_options(environ: Mapping[str, str], refuse: Callable[[str], NoReturn]) -> dict[str, Any]:
    """django-storages' S3Storage options from the environment, checked."""

    def get(name: str) -> str:
        return (environ.get(name) or "").strip()

    bucket = get("AWS_STORAGE_BUCKET_NAME")
    if not bucket:
        refuse("WATCHWORTHY_MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME (the bucket's name).")
    if not _BUCKET.match(bucket) or ".." in bucket:
        refuse(
            f"AWS_STORAGE_BUCKET_NAME={bucket!r} is not a bucket name "
            "(3-63 lower-case letters, digits, dots and hyphens)."
        )
    options: dict[str, Any] = {
        "bucket_name": bucket,
        # Django's own naming: a second "still.png" becomes "still_a1b2c3d.png"
        # instead of replacing the first one's bytes.
        "file_overwrite": False,
        # Readers fetch images straight from the bucket (or the CDN in front of it),
        # so the addresses are plain ones a page can cache, not signed ones that
        # expire; AWS_QUERYSTRING_AUTH=1 signs them for a private bucket.
        "querystring_auth": _yes_no(environ, "AWS_QUERYSTRING_AUTH", False, refuse),
        "object_parameters": {"CacheControl": CACHE_CONTROL},
        # Reading a file back (to make WebP sizes, or for a backup) spills to a
        # temporary file past 5 MB instead of holding it in memory.
        "max_memory_size": 5 * 1024 * 1024,
        "signature_version": "s3v4",
    }
    key_id, secret = get("AWS_ACCESS_KEY_ID"), get("AWS_SECRET_ACCESS_KEY")
    if bool(key_id) != bool(secret):
        missing = "AWS_SECRET_ACCESS_KEY" if key_id else "AWS_ACCESS_KEY_ID"
        refuse(f"{missing} is missing: set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.")
    if key_id:
        options["access_key"], options["secret_key"] = key_id, secret
    # Without keys, boto3 looks for credentials as it always does (an instance role,
    # ~/.aws/credentials).

    if endpoint := get("AWS_S3_ENDPOINT_URL"):
        parts = urlsplit(endpoint)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            refuse(
                f"AWS_S3_ENDPOINT_URL={endpoint!r} is not an http(s) address, "
                "e.g. http://127.0.0.1:8333."
            )
        options["endpoint_url"] = endpoint.rstrip("/")
        # Other servers than Amazon's rarely have a DNS name per bucket.
        options["addressing_style"] = "path"
    if region := get("AWS_S3_REGION_NAME"):
        if not _REGION.match(region):
            refuse(f"AWS_S3_REGION_NAME={region!r} is not a region name, e.g. eu-west-1.")
        options["region_name"] = region
    if style := get("AWS_S3_ADDRESSING_STYLE"):
        if style not in {"path", "virtual", "auto"}:
            refuse(f"AWS_S3_ADDRESSING_STYLE={style!r}: use path, virtual or auto.")
        options["addressing_style"] = style
    if domain := get("AWS_S3_CUSTOM_DOMAIN"):
        if "://" in domain or domain.startswith("/") or " " in domain:
            refuse(
                f"AWS_S3_CUSTOM_DOMAIN={domain!r}: give the host (and path) without "
                "http://, e.g. media.example.org."
            )
        options["custom_domain"] = domain.rstrip("/")
        protocol = get("AWS_S3_URL_PROTOCOL") or "https:"
        if protocol not in {"http:", "https:"}:
            refuse(f"AWS_S3_URL_PROTOCOL={protocol!r}: use https: or http:.")
        options["url_protocol"] = protocol
    if location := get("AWS_LOCATION"):
        if location.startswith("/") or ".." in location.split("/"):
            refuse(f"AWS_LOCATION={location!r}: a folder inside the bucket, e.g. media.")
        options["location"] = location.strip("/")
    return options


def _yes_no(
    environ: Mapping[str, str], name: str, default: bool, refuse: Callable[[str], NoReturn]
) -> bool:
    value = (environ.get(name) or "").strip().lower()
    if not value:
        return default
    if value not in {"1", "true", "yes", "on", "0", "false", "no", "off"}:
        refuse(f"{name}={environ[name]!r} is not a yes/no value (use 1 or 0).")
    return value in {"1", "true", "yes", "on"}
