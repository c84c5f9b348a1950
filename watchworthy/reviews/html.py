"""A review's small recurring pieces — verdict badge, audience meter, card — written
in Python.

They were the templates ``reviews/verdict_badge.html``, ``reviews/audience.html`` and
``partials/review_card.html``, included once per review on every list and several
times on a review page; each include cost the template engine more than the HTML it
wrote. Each keeps its template's final line break. The templates now call these
through ``{% load review_html %}`` (one source), and the review page
(web.review_page) calls them directly. Each value goes through
:func:`~watchworthy.core.htmltext.printed`, exactly as ``{{ value }}`` printed it;
tests/web/test_review_page_output.py and tests/reviews/test_review_html.py compare
them with the templates they replaced (kept in tests/web/reference/).
"""

from __future__ import annotations

from typing import Any

from django.template.defaultfilters import date
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]

from watchworthy.core.htmltext import iso_time, printed


def verdict_badge(review: Any) -> str:
    score = review.score
    badge = (
        f'<span class="verdict verdict-{printed(review.verdict)}">'
        f"{printed(review.get_verdict_display())}</span>"
    )
    if score is not None:
        badge += f' <span class="score">{printed(score)}/10</span>'
    return badge + "\n"  # the template's last line break, kept where it was included


def audience_meter(review: Any) -> str:
    meter = review.audience
    if not meter:
        return "\n"
    votes = meter["votes"]
    agree = printed(meter["agree_percent"])
    html = (
        f'<p class="audience-meter"><meter min="0" max="100" value="{agree}" '
        f'aria-hidden="true"></meter> Readers agree {agree}% · {printed(votes)} '
        f"vote{'' if votes == 1 else 's'}"
    )
    if meter["finished_percent"] is not None and review.season:
        html += (
            '<br><span class="meter-finished">of readers who finished '
            f"{printed(review.season.display_label)}: {printed(meter['finished_percent'])}%</span>"
        )
    return html + "</p>\n"


def review_card(review: Any, heading: str = "") -> str:
    """A review's card on lists (``heading``: "h3" where the list sits under an h2)."""
    cover = review.cover
    tag = "h3" if heading == "h3" else "h2"
    image = (
        f'<img class="card-cover" src="{printed(cover.file.url)}" '
        f'srcset="{printed(cover.srcset)}" sizes="(max-width: 40rem) 100vw, 20rem" '
        f'width="{printed(cover.width)}" height="{printed(cover.height)}" '
        f'alt="{printed(cover.alt_text)}" loading="lazy" decoding="async">'
        if cover
        else ""
    )
    season = f" · {printed(review.season.display_label)}" if review.season else ""
    teaser = f'<p class="card-teaser">{printed(review.teaser)}</p>' if review.teaser else ""
    published = review.published_at
    if published:
        local = template_localtime(published)
        iso, day = printed(iso_time(local)), printed(date(local, "j M Y"))
        when = f'<time datetime="{iso}">{day}</time>'
    else:
        when = "draft"
    work = review.work
    return (
        f'<article class="card verdict-border-{printed(review.verdict)}">\n  {image}\n'
        f'  <div class="card-body">\n    <p class="card-verdict">{verdict_badge(review)}</p>\n'
        f"    {audience_meter(review)}\n"
        f'    <{tag} class="card-title"><a href="{printed(review.get_absolute_url())}">'
        f"{printed(review.title)}</a></{tag}>\n"
        f'    <p class="card-subject"><a href="{printed(work.get_absolute_url())}">'
        f"{printed(work.title)}</a>{season}</p>\n"
        f"    {teaser}\n"
        f'    <p class="card-meta">{printed(review.author.public_name)} · {when}</p>\n'
        "  </div>\n</article>\n"
    )
