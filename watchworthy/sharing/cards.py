"""The picture a shared link shows when a review has no cover: a 1200x630 card with
the site's name, the review's title, what it reviews, and the verdict and score.

Cards are made lazily, the first time a crawler (or anyone) asks for one, and stored
in the media storage under a name that carries a digest of everything drawn on them
(``cards/SLUG-DIGEST.png``). The page links to that digest, so a changed title or
verdict gives a new address and link previews never show a stale card; nothing has
to be deleted or re-made when a review is saved. A card is drawn only for a
published review and only when its digest is the current one.

The site ships no fonts of its own (it uses the reader's system fonts), so cards use
Pillow's built-in font, or the TrueType/OpenType file named by
``WATCHWORTHY_CARD_FONT`` (for scripts the built-in font lacks, such as Japanese).
"""

from __future__ import annotations

import hashlib
import io
import json
from functools import cache

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont

from watchworthy.core.models import SiteSettings
from watchworthy.reviews.feeds import verdict_words
from watchworthy.reviews.models import Review, Verdict

WIDTH, HEIGHT = 1200, 630
CARD_VERSION = 1  # bump when the drawing changes: every card gets a new address
MARGIN = 72
BAND = 24  # the verdict's colour down the left edge
RGB = tuple[int, int, int]

BACKGROUND: RGB = (18, 19, 22)
TEXT: RGB = (236, 235, 231)
MUTED: RGB = (170, 168, 160)
# The verdict colours of the dark theme (static/css/site.css), readable on BACKGROUND.
VERDICT_COLOURS: dict[str, RGB] = {
    Verdict.WATCH: (127, 220, 155),
    Verdict.SKIP: (244, 200, 106),
    Verdict.AVOID: (255, 154, 160),
    Verdict.UNRATED: (190, 190, 200),
}
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


def card_text(review: Review, site_name: str) -> dict[str, str]:
    """Everything a card shows (and so its digest depends on)."""
    return {
        "site": site_name,
        "title": review.title,
        # "Work · Part 2": the built-in font has no dashes beyond the hyphen.
        "subject": review.subject.replace(" — ", " · "),
        "verdict": review.verdict,
        "verdict_words": verdict_words(review) or "Not rated yet",
    }


def card_digest(review: Review, site_name: str | None = None) -> str:
    text = card_text(review, site_name or SiteSettings.current().site_name)
    encoded = json.dumps([CARD_VERSION, text], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()[:16]


def card_name(review: Review, digest: str) -> str:
    return f"cards/{review.slug}-{digest}.png"


@cache
def _font(size: int) -> Font:
    path = getattr(settings, "WATCHWORTHY_CARD_FONT", "")
    if path:
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: Font, width: int, lines: int) -> list[str]:
    """``text`` in at most ``lines`` lines of at most ``width`` pixels; an ellipsis
    ends a text that does not fit."""
    result: list[str] = []
    current = ""
    for word in text.split():
        while len(word) > 1 and draw.textlength(word, font=font) > width:
            word = word[:-1]  # one very long word: cut it
        trial = f"{current} {word}".strip()
        if draw.textlength(trial, font=font) <= width:
            current = trial
        else:
            result.append(current)
            current = word
    if current:
        result.append(current)
    if len(result) > lines:
        last = result[lines - 1]
        while last and draw.textlength(last + "…", font=font) > width:
            last = last.rsplit(" ", 1)[0] if " " in last else last[:-1]  # whole words
        result = [*result[: lines - 1], last.rstrip() + "…"]
    return result


def render_card(text: dict[str, str]) -> bytes:
    """The PNG of a card showing ``text`` (see :func:`card_text`)."""
    canvas = PILImage.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(canvas)
    colour = VERDICT_COLOURS.get(text["verdict"], VERDICT_COLOURS[Verdict.UNRATED])
    draw.rectangle((0, 0, BAND, HEIGHT), fill=colour)
    left, usable = MARGIN + BAND, WIDTH - 2 * MARGIN - BAND

    draw.text((left, MARGIN), text["site"][:80], font=_font(34), fill=MUTED)
    subject_font = _font(40)
    for line in _wrap(draw, text["subject"], subject_font, usable, 1):
        draw.text((left, MARGIN + 52), line, font=subject_font, fill=MUTED)
    title_font = _font(66)
    for number, line in enumerate(_wrap(draw, text["title"], title_font, usable, 3)):
        draw.text((left, MARGIN + 124 + number * 80), line, font=title_font, fill=TEXT)

    verdict_font = _font(60)
    words = _wrap(draw, text["verdict_words"], verdict_font, usable - 48, 1)[0]
    box_height = 96
    top = HEIGHT - MARGIN - box_height
    box_width = int(draw.textlength(words, font=verdict_font)) + 48
    draw.rounded_rectangle((left, top, left + box_width, top + box_height), 14, fill=colour)
    draw.text(
        (left + 24, top + box_height / 2), words, font=verdict_font, fill=BACKGROUND, anchor="lm"
    )

    buffer = io.BytesIO()
    canvas.save(buffer, "PNG")
    return buffer.getvalue()


def stored_card(review: Review, digest: str) -> str:
    """The storage name of the review's card, drawing and storing it the first time."""
    name = card_name(review, digest)
    if default_storage.exists(name):
        return name
    text = card_text(review, SiteSettings.current().site_name)
    # Two first requests at once may both draw it; the storage keeps both, harmlessly.
    return default_storage.save(name, ContentFile(render_card(text)))
