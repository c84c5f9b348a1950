"""The review page, composed in Python.

The page the product grows from is read far more than anything else, and on a review
with twenty comments the template engine was half of its time: thousands of variable
look-ups, ``{% if %}`` nodes and includes, each dearer than the HTML it wrote. This
module writes what ``web/review_detail.html`` on ``base.html`` wrote — the same
bytes, line for line — from the context the view builds, printing each value as
``{{ value }}`` printed it (core.htmltext.printed). The pieces other pages share come
from one place: the site's header (web.chrome), the verdict badge, meter and cards
(reviews.html), the discussion section and episode index (discussion.section), the
sharing tags and the progress form (their template tags' functions).

tests/web/test_review_page_output.py serves the page as it was — the old view and
the old templates, kept in tests/web/reference/ — beside this one and compares the
bytes for every kind of reader, reading position, nesting cap and review state.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import date
from django.template.loader import render_to_string
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]

from watchworthy.core.htmltext import (
    HTMLParts,
    csrf_input,
    iso_time,
    long_date,
    printed,
    utf8,
)
from watchworthy.core.links import reverse
from watchworthy.core.models import SiteSettings
from watchworthy.discussion.context_processors import moderation
from watchworthy.discussion.section import episode_index, thread_section_parts
from watchworthy.reviews.html import audience_meter, review_card, verdict_badge
from watchworthy.sharing import head
from watchworthy.spoilers.templatetags.progress_form import progress_form

from . import chrome

PRESSED = ' aria-pressed="true"'


def review_page(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    """The response ``render(request, "web/review_detail.html", context)`` gave."""
    site = SiteSettings.current()
    context = {**context, "request": request, "site": site}
    review = context["review"]
    title = f"{printed(review.title)} · {printed(site.site_name)}"
    page = chrome.document_parts(
        request,
        site,
        title=title,
        description=printed(review.teaser),
        canonical=head.canonical_link(request),
        feeds=head.feed_links(request, context),
        sharing=head.review_meta(request, review),
        content=_content(request, site, context),
        revealed=context["spoilers_revealed"],
        pending_comment_count=moderation(request).get("pending_comment_count"),
    )
    return HttpResponse(utf8(page))


def _content(request: HttpRequest, site: Any, context: dict[str, Any]) -> list[str | HTMLParts]:
    """The content block, in pieces (the page joins them once, see
    discussion.section.thread_section_parts)."""
    review = context["review"]
    work = review.work
    season = review.season
    out: list[str | HTMLParts] = ['\n<article class="review" aria-labelledby="review-title">\n  ']
    if not review.is_public:
        if review.status == "draft":
            notice = "Draft — only staff can see this page."
        else:
            when = printed(date(template_localtime(review.published_at), "j M Y, H:i"))
            notice = f"Scheduled for {when} — only staff can see it until then."
        out.append(f'<p class="notice" role="status">{notice}</p>')
    subject = f'<a href="{printed(work.get_absolute_url())}">{printed(work.title)}</a>'
    if season:
        subject += f" · <span>{printed(season.display_label)}</span>"
        episodes = season.episode_count
        if episodes:
            subject += f" · {printed(episodes)} episode{'' if episodes == 1 else 's'}"
    subtitle = (
        f'<p class="review-subtitle">{printed(review.subtitle)}</p>' if review.subtitle else ""
    )
    byline = (
        f'By <a href="{printed(review.author.get_absolute_url())}">'
        f"{printed(review.author.public_name)}</a>"
    )
    if review.published_at:
        local = template_localtime(review.published_at)
        byline += (
            f' · <time datetime="{printed(iso_time(local))}">{printed(long_date(local))}</time>'
        )
    cover = review.cover
    cover_html = (
        f'<div class="review-cover"><img src="{printed(cover.file.url)}" '
        f'srcset="{printed(cover.srcset)}" sizes="(max-width: 46rem) 100vw, 46rem" '
        f'width="{printed(cover.width)}" height="{printed(cover.height)}" '
        f'alt="{printed(cover.alt_text)}" decoding="async" fetchpriority="high"></div>'
        if cover
        else ""
    )
    out.append(
        '\n  <header class="review-header">\n'
        f'    <p class="review-subject">{subject}</p>\n'
        f'    <h1 id="review-title" class="review-title">{printed(review.title)}</h1>\n'
        f"    {subtitle}\n"
        f'    <p class="review-byline">{byline}</p>\n'
        "  </header>\n"
        f"  {cover_html}\n"
        f'  <section class="verdict-panel verdict-border-{printed(review.verdict)}" '
        'aria-label="Verdict">\n'
        '    <p class="verdict-label">Verdict</p>\n'
        f'    <p class="verdict-value">{verdict_badge(review)}</p>\n'
        f"    {audience_meter(review)}\n"
        "  </section>\n  \n  "
    )
    out.append(_reader_strip(context))
    out.append(f'\n  <div class="prose review-body">\n    {context["body"]}\n  </div>\n  ')
    tags = review.tag_list
    if tags:
        links = ", ".join(
            f'<a href="{printed(tag.get_absolute_url())}" rel="tag">{printed(tag.name)}</a>'
            for tag in tags
        )
        out.append(f'\n  <p class="review-tags">Tags: {links}</p>\n  ')
    out.append("\n  ")
    if review.verdict != "unrated" and review.is_public:
        out.append(_vote(request, review, context))
    out.append("\n  ")
    support = context.get("support_links")
    if support:
        heading = printed(site.support_heading or "Support this site")
        items = "".join(
            f'<li><a class="button support-{printed(link.kind)}" href="{printed(link.url)}" '
            f'rel="noopener">{printed(link.label)}</a></li>'
            for link in support
        )
        out.append(
            '\n  <section class="support" aria-labelledby="support-heading">\n'
            f'    <h2 id="support-heading">{heading}</h2>\n'
            f'    <ul class="support-links">\n      {items}\n    </ul>\n  </section>\n  '
        )
    out.append("\n</article>\n")
    out.append(episode_index(context))
    out.append("\n")
    out += thread_section_parts(context)
    out.append("\n")
    more = context.get("more_on_work")
    if more:
        cards = "".join(review_card(other, "h3") for other in more)
        out.append(
            '\n<section class="more-on-work" aria-labelledby="more-heading">\n'
            f'  <h2 id="more-heading">More on {printed(work.title)}</h2>\n'
            f'  <div class="cards">{cards}</div>\n</section>\n'
        )
    out.append("\n")
    return out


def _reader_strip(context: dict[str, Any]) -> str:
    """One calm strip: what the review spoils, where the reader is, and (closed) the
    progress control and the catch-up. Decided on the server, per reader."""
    banner = context.get("spoiler_banner")
    where = printed(context.get("progress_label"))
    if banner:
        what = f'<span class="strip-what">Spoils up to <strong>{printed(banner)}</strong></span>'
        if context.get("progress"):
            said = f" You are at {where}: spoilers you have reached are open."
        else:
            said = " Tell us how far you have watched and the spoilers you have reached will open."
        banner_html = (
            '<p class="spoiler-banner">This review spoils up to '
            f"<strong>{printed(banner)}</strong>.{said}</p>"
        )
    else:
        what = '<span class="strip-what">Spoiler-safe</span>'
        banner_html = ""
    catch_up = context.get("catch_up")
    catch_up_html = (
        render_to_string("spoilers/catch_up.html", {"catch_up": catch_up}) if catch_up else ""
    )
    return (
        '<details class="reader-strip">\n'
        f'    <summary>{what} <span class="strip-where">· You: {where}</span></summary>\n'
        '    <div class="reader-strip-body">\n'
        f"      {banner_html}\n"
        f"      {progress_form(context, context['review'].work)}\n"
        f"      {catch_up_html}\n"
        "    </div>\n"
        "  </details>"
    )


def _vote(request: HttpRequest, review: Any, context: dict[str, Any]) -> str:
    vote = context.get("my_vote")
    csrf = csrf_input(request) if request.user.is_authenticated else ""  # guests: core/csrf.py
    agree = " button-chosen" if vote is True else ""
    disagree = " button-chosen" if vote is False else ""
    agree_pressed = PRESSED if vote is True else ""
    disagree_pressed = PRESSED if vote is False else ""
    if vote is not None:
        help_text = f"You {'agree' if vote else 'disagree'}; you can change your mind."
    else:
        covered = printed(str(context.get("covered_label")).replace("finished ", ""))
        help_text = (
            f"One voice per reader. If you have finished {covered}, say so above first: "
            "those votes are counted apart."
        )
    return (
        '\n  <section id="audience" class="audience-vote" aria-labelledby="audience-heading">\n'
        '    <h2 id="audience-heading">Do you agree with the verdict?</h2>\n'
        '    <form method="post" '
        f'action="{printed(reverse("reviews:vote", args=[review.slug]))}" class="vote-form">\n'
        f"      {csrf}\n"
        f'      <button class="button{agree}" name="agrees" value="yes"{agree_pressed}>'
        f"Agree: {printed(review.get_verdict_display())}</button>\n"
        f'      <button class="button{disagree}" name="agrees" value="no"{disagree_pressed}>'
        "Disagree</button>\n"
        "    </form>\n"
        f'    <p class="help">{help_text}</p>\n'
        "  </section>\n  "
    )
