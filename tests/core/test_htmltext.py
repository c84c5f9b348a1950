"""core.htmltext writes what the template engine would print."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.template.defaultfilters import date
from django.utils import timezone

from watchworthy.core.htmltext import iso_time


@pytest.mark.parametrize("zone", ["UTC", "Europe/Paris", "Asia/Kathmandu", "America/St_Johns"])
@pytest.mark.parametrize(
    "value",
    [
        dt.datetime(2024, 3, 31, 1, 30, tzinfo=dt.UTC),  # a clock change in Paris
        dt.datetime(2024, 7, 1, 23, 59, 59, 123456, tzinfo=dt.UTC),
        dt.datetime(2025, 1, 1, 12, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Tokyo")),
        dt.date(2024, 2, 29),
    ],
)
def test_iso_time_is_the_date_filter_c(value, zone):
    """``{{ value|date:"c" }}`` of the value in the reader's time zone, byte for byte."""
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        local = timezone.template_localtime(value)
        assert iso_time(value) == date(local, "c")


def test_pieces_are_encoded_apart_but_read_as_their_join():
    """A thread's pieces with one wide character among them: joined when nothing is
    beyond ASCII, else kept in runs; printed, made a str or encoded, the same text."""
    from django.template import Context, Template
    from django.utils.safestring import SafeString

    from watchworthy.core.htmltext import HTMLParts, joined_html, utf8

    plain = ["<li>one</li>", "<li>two &amp; three</li>"]
    joined = joined_html(plain)
    assert joined.parts == ["".join(plain)]
    assert isinstance(str(joined), SafeString)
    assert str(joined) == "".join(plain)

    wide = ["<li>a</li>", "<li>b</li>", "<li>it\u2019s 🎬</li>", "<li>c</li>", "<li>café</li>"]
    parts = joined_html(wide)
    assert isinstance(parts, HTMLParts)
    assert parts.parts == [
        "<li>a</li><li>b</li>",
        "<li>it\u2019s 🎬</li>",
        "<li>c</li>",
        "<li>café</li>",
    ]
    assert str(parts) == "".join(wide)
    page = ["<ol>", parts, "</ol>", "—"]
    assert utf8(page) == ("<ol>" + "".join(wide) + "</ol>—").encode()
    printed = Template("<ol>{{ thread }}</ol>").render(Context({"thread": parts}))
    assert printed == "<ol>" + "".join(wide) + "</ol>"
    assert not HTMLParts([]) and not HTMLParts([""])


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Kiritimati", "America/Adak"])
@pytest.mark.parametrize("month", range(1, 13))
def test_long_date_is_the_date_filter_j_f_y(month, zone):
    """``{{ value|date:"j F Y" }}`` in the reader's time zone, every month, near
    midnight (the local day differs from UTC's), and a date."""
    from watchworthy.core.htmltext import long_date

    moment = dt.datetime(2026, month, 1, 0, 30, tzinfo=dt.UTC)
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        for value in (moment, moment.date(), dt.date(987, month, 9)):
            assert long_date(value) == date(timezone.template_localtime(value), "j F Y")


@pytest.mark.parametrize("value", [0, 7, -3, 12345678, True, False, 2.5, None, "a < b"])
def test_printed_is_what_the_template_prints(value, settings):
    """Numbers, flags and text as ``{{ value }}`` prints them, with and without the
    thousands separator."""
    from django.template import Context, Template

    from watchworthy.core.htmltext import printed

    for grouping in (False, True):
        settings.USE_THOUSAND_SEPARATOR = grouping
        expected = Template("{{ value }}").render(Context({"value": value}))
        assert printed(value) == expected
