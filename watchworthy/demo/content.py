"""Demo content: a small, complete critic's site to look at before writing anything.

``manage.py load_demo`` fills an empty Watchworthy with one critic (Mara Ellison of
*Second Cour*), a fictional streaming anime in two parts, *Ferrylight*, and her reviews
of each part: Part 1 she recommends, Part 2 she tells readers to avoid, quoting and
citing her earlier review, with captioned figures, a spoiler fold, a character list
spoiler-scoped by first appearance and season recaps. A short review of a fictional
film adds a "Skip" so the Watch and Avoid lists have some variety.

Everything here is invented for the demo: the shows, the people and the text. The
images are drawn by code (Pillow), so the demo ships no binary files and needs no
network. Tests use the same data, through the slug constants below.

Loading is idempotent: rows are keyed on slugs, keys and usernames and updated in
place, images are drawn only when their key does not exist yet, and the whole load
runs in one transaction, so running it twice leaves the same data as running it once.
"""

from __future__ import annotations

import io
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from io import TextIOBase
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import models, transaction
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFilter

from watchworthy.catalog.models import Character, Genre, Platform, Season, Work
from watchworthy.core.models import SiteSettings, SupportLink
from watchworthy.discussion.models import Comment
from watchworthy.discussion.moderation import Decision, ModerationPolicy
from watchworthy.discussion.services import comment_post
from watchworthy.fediverse import identity, replies
from watchworthy.fediverse.models import RemoteComment
from watchworthy.images.models import Image
from watchworthy.reviews.audience import audience_recount
from watchworthy.reviews.models import AudienceVote, Review, Tag, Verdict
from watchworthy.spoilers.shield import Position

DEMO_USERNAME = "mara"
DEMO_WORK_SLUG = "ferrylight"
DEMO_PART1_REVIEW_SLUG = "ferrylight-part-1-review"
DEMO_PART2_REVIEW_SLUG = "ferrylight-part-2-review"
DEMO_FILM_SLUG = "quiet-orbit"
DEMO_FILM_REVIEW_SLUG = "quiet-orbit-review"

IMAGE_KEY_ART = "demo-part1-key-art"
IMAGE_ROOFTOP = "demo-rooftop"
IMAGE_COUNCIL = "demo-part2-council"
IMAGE_FINALE = "demo-part2-finale"
DEMO_IMAGE_KEYS = (IMAGE_KEY_ART, IMAGE_ROOFTOP, IMAGE_COUNCIL, IMAGE_FINALE)

# The passage of the Part 1 review that the Part 2 review quotes. One constant, so
# the quotation is word for word what the cited review says.
PART1_QUOTED_PASSAGE = (
    "Episodes often cover a single crossing, and the show never apologises for it. "
    "This is a series that makes a drowned city feel like somewhere you could live, "
    "one lantern at a time."
)

RGB = tuple[int, int, int]
M = TypeVar("M", bound=models.Model)


# --- counting ---------------------------------------------------------------------------


COUNTED = (
    "platforms",
    "genres",
    "works",
    "seasons",
    "characters",
    "users",
    "images",
    "tags",
    "reviews",
    "site_settings",
    "support_links",
    "comments",
)


@dataclass
class _Tally:
    stdout: TextIOBase | None

    def __post_init__(self) -> None:
        self.created: dict[str, int] = dict.fromkeys(COUNTED, 0)
        self.updated: dict[str, int] = dict.fromkeys(COUNTED, 0)

    def record(self, kind: str, label: str, created: bool) -> None:
        (self.created if created else self.updated)[kind] += 1
        if self.stdout is not None:
            self.stdout.write(f"  {'created' if created else 'updated'} {kind[:-1]}: {label}\n")

    def result(self) -> dict[str, dict[str, int]]:
        return {"created": dict(self.created), "updated": dict(self.updated)}


def _upsert(
    tally: _Tally, kind: str, model: type[M], lookup: dict[str, Any], defaults: dict[str, Any]
) -> M:
    obj, created = model._default_manager.update_or_create(**lookup, defaults=defaults)
    tally.record(kind, str(obj), created)
    return obj


# --- images drawn by code ---------------------------------------------------------------


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    t = min(max(t, 0.0), 1.0)
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def _gradient(size: tuple[int, int], stops: Sequence[tuple[float, RGB]]) -> PILImage.Image:
    """A vertical gradient through colour stops given as (position 0..1, colour)."""
    width, height = size
    column = PILImage.new("RGB", (1, height))
    for y in range(height):
        t = y / max(height - 1, 1)
        for (t0, c0), (t1, c1) in itertools.pairwise(stops):
            if t0 <= t <= t1:
                column.putpixel((0, y), _mix(c0, c1, (t - t0) / max(t1 - t0, 1e-9)))
                break
        else:
            column.putpixel((0, y), stops[-1][1] if t > stops[-1][0] else stops[0][1])
    return column.resize((width, height), PILImage.Resampling.NEAREST)


def _glow(
    canvas: PILImage.Image,
    center: tuple[float, float],
    radius: float,
    colour: RGB,
    blur: float,
    strength: int = 255,
) -> None:
    """Paint a soft disc of light onto ``canvas``."""
    mask = PILImage.new("L", canvas.size, 0)
    x, y = center
    ImageDraw.Draw(mask).ellipse((x - radius, y - radius, x + radius, y + radius), fill=strength)
    if blur:
        mask = mask.filter(ImageFilter.GaussianBlur(blur))
    canvas.paste(PILImage.new("RGB", canvas.size, colour), mask=mask)


def _lantern(canvas: PILImage.Image, x: float, y: float, size: float, colour: RGB) -> None:
    _glow(canvas, (x, y), size * 3.2, colour, blur=size * 2.2, strength=140)
    draw = ImageDraw.Draw(canvas)
    draw.ellipse((x - size, y - size * 1.25, x + size, y + size * 1.25), fill=colour)
    draw.ellipse(
        (x - size * 0.45, y - size * 0.6, x + size * 0.45, y + size * 0.6),
        fill=_mix(colour, (255, 255, 235), 0.7),
    )


def _ferry(draw: ImageDraw.ImageDraw, x: float, y: float, scale: float, colour: RGB) -> None:
    """A small flat boat with a mast and a rower, seen from the side."""
    hull = [
        (x - 120 * scale, y - 18 * scale),
        (x + 130 * scale, y - 18 * scale),
        (x + 95 * scale, y + 14 * scale),
        (x - 95 * scale, y + 14 * scale),
    ]
    draw.polygon(hull, fill=colour)
    draw.line(
        (x + 90 * scale, y - 18 * scale, x + 90 * scale, y - 120 * scale),
        fill=colour,
        width=max(2, round(6 * scale)),
    )
    draw.line(
        (x + 90 * scale, y - 115 * scale, x + 125 * scale, y - 100 * scale),
        fill=colour,
        width=max(2, round(4 * scale)),
    )
    # The rower: head, body and an oar into the water.
    draw.ellipse((x - 52 * scale, y - 92 * scale, x - 28 * scale, y - 68 * scale), fill=colour)
    draw.polygon(
        [
            (x - 58 * scale, y - 18 * scale),
            (x - 22 * scale, y - 18 * scale),
            (x - 30 * scale, y - 70 * scale),
            (x - 50 * scale, y - 70 * scale),
        ],
        fill=colour,
    )
    draw.line(
        (x - 30 * scale, y - 55 * scale, x - 120 * scale, y + 35 * scale),
        fill=colour,
        width=max(2, round(5 * scale)),
    )


def _figure(draw: ImageDraw.ImageDraw, x: float, ground: float, height: float, colour: RGB) -> None:
    """A standing person in silhouette."""
    head = height * 0.14
    draw.ellipse((x - head / 2, ground - height, x + head / 2, ground - height + head), fill=colour)
    draw.polygon(
        [
            (x - height * 0.13, ground),
            (x + height * 0.13, ground),
            (x + height * 0.09, ground - height + head * 1.1),
            (x - height * 0.09, ground - height + head * 1.1),
        ],
        fill=colour,
    )


def _draw_key_art() -> PILImage.Image:
    """Night over a drowned city: towers, a moon, their reflections and the ferry."""
    w, h = 2000, 1125
    horizon = round(h * 0.62)
    sky = _gradient((w, h), [(0.0, (9, 12, 40)), (0.62, (30, 78, 104)), (1.0, (30, 78, 104))])
    _glow(sky, (1460, 250), 230, (120, 160, 190), blur=120, strength=110)
    _glow(sky, (1460, 250), 105, (236, 238, 220), blur=3)
    draw = ImageDraw.Draw(sky)
    for i in range(16):
        left = 20 + i * 128 + (i * 53) % 41
        width = 70 + (i * 37) % 64
        tall = 160 + (i * 71) % 300
        top = horizon - tall
        draw.rectangle((left, top, left + width, horizon), fill=(10, 15, 32))
        for row in range(top + 24, horizon - 20, 34):
            for col in range(left + 12, left + width - 14, 24):
                if (row * 7 + col * 3 + i) % 11 == 0:
                    draw.rectangle((col, row, col + 10, row + 14), fill=(246, 196, 110))
    # The water: the scene above the horizon, flipped, darkened and broken by ripples.
    # Only the towers are mirrored: the moon's reflection would fall off the picture.
    depth = 330
    above = sky.crop((0, horizon - depth, w, horizon)).transpose(PILImage.Transpose.FLIP_TOP_BOTTOM)
    water = _gradient((w, h - horizon), [(0.0, (14, 34, 52)), (1.0, (4, 10, 20))])
    water.paste(PILImage.blend(water.crop((0, 0, w, depth)), above, 0.32), (0, 0))
    sky.paste(water, (0, horizon))
    for n, y in enumerate(range(horizon + 6, h, 14)):
        shade = _mix((40, 80, 105), (10, 20, 34), (y - horizon) / (h - horizon))
        offset = (n * 97) % 180
        for x in range(-offset, w, 260 + n % 5 * 20):
            draw.line((x, y, x + 90 + n % 7 * 12, y), fill=shade, width=2)
    draw.line((0, horizon, w, horizon), fill=(52, 96, 120), width=2)
    _ferry(draw, 760, horizon + 230, 1.5, (6, 8, 16))
    _lantern(sky, 760 + 125 * 1.5, horizon + 230 - 88 * 1.5, 13, (255, 190, 90))
    return sky


def _draw_rooftop() -> PILImage.Image:
    """Dusk on a rooftop market: a string of paper lanterns and two people."""
    w, h = 1800, 1013
    canvas = _gradient(
        (w, h),
        [
            (0.0, (52, 36, 86)),
            (0.45, (212, 112, 92)),
            (0.72, (252, 196, 124)),
            (1.0, (252, 196, 124)),
        ],
    )
    _glow(canvas, (1290, 700), 140, (255, 226, 170), blur=40, strength=200)
    draw = ImageDraw.Draw(canvas)
    roof = round(h * 0.74)
    skyline: list[tuple[float, float]] = [(0, roof)]
    for i in range(12):
        x: float = i * 160  # pixel coordinates are floats below
        skyline += [(x, roof - 40 - (i * 29) % 90), (x + 160, roof - 40 - (i * 29) % 90)]
    skyline += [(w, roof), (w, h), (0, h)]
    draw.polygon(skyline, fill=(70, 40, 60))
    draw.rectangle((0, roof, w, h), fill=(32, 20, 34))
    draw.rectangle((1480, roof - 190, 1600, roof), fill=(32, 20, 34))
    draw.ellipse((1470, roof - 230, 1610, roof - 160), fill=(32, 20, 34))
    # Two poles and a sagging string of lanterns between them.
    left, right, top = 170, 1640, 210
    draw.line((left, top, left, roof), fill=(32, 20, 34), width=12)
    draw.line((right, top - 30, right, roof), fill=(32, 20, 34), width=12)
    points = []
    for step in range(41):
        t = step / 40
        x = left + (right - left) * t
        y = top + (-30 * t) + 120 * math.sin(math.pi * t)
        points.append((x, y))
    draw.line(points, fill=(40, 24, 40), width=4)
    for index, (x, y) in enumerate(points[2:-1:3]):
        colour = (255, 112, 74) if index % 2 else (255, 180, 92)
        draw.line((x, y, x, y + 30), fill=(40, 24, 40), width=3)
        _lantern(canvas, x, y + 58, 20, colour)
    draw = ImageDraw.Draw(canvas)
    _figure(draw, 720, roof + 4, 250, (22, 14, 26))
    _figure(draw, 870, roof + 4, 225, (22, 14, 26))
    draw.rectangle((765, roof - 60, 825, roof), fill=(22, 14, 26))
    return canvas


def _draw_council() -> PILImage.Image:
    """A council chamber in perspective: a long table, green lamps, rows of sitters."""
    w, h = 1800, 1013
    canvas = _gradient((w, h), [(0.0, (8, 20, 18)), (0.55, (22, 44, 38)), (1.0, (12, 24, 20))])
    vx, vy = w / 2, h * 0.36
    draw = ImageDraw.Draw(canvas)
    draw.polygon(
        [(vx - 40, vy + 40), (vx + 40, vy + 40), (w * 0.78, h), (w * 0.22, h)], fill=(54, 38, 26)
    )
    draw.polygon(
        [(vx - 40, vy + 40), (vx + 40, vy + 40), (vx + 44, vy + 48), (vx - 44, vy + 48)],
        fill=(30, 22, 16),
    )
    for i in range(7):
        t = (i + 1) / 8
        t2 = t * t
        y = vy + 40 + (h - vy - 40) * t2
        half = 40 + (w * 0.28 - 40) * t2
        size = 18 + 150 * t2
        for side in (-1, 1):
            x = vx + side * (half + size * 0.55)
            _figure(draw, x, y + size * 0.3, size * 1.6, (6, 12, 10))
        if i % 2 == 0:
            lamp_y = y - size * 1.9
            _glow(canvas, (vx, lamp_y), size * 1.2, (120, 220, 150), blur=size * 0.9, strength=120)
            draw = ImageDraw.Draw(canvas)
            draw.line(
                (vx, 0, vx, lamp_y - size * 0.25), fill=(10, 22, 18), width=max(2, round(size / 30))
            )
            draw.pieslice(
                (vx - size * 0.5, lamp_y - size * 0.3, vx + size * 0.5, lamp_y + size * 0.3),
                180,
                360,
                fill=(40, 120, 80),
            )
    return canvas


def _draw_finale() -> PILImage.Image:
    """A sea wall splitting under a red storm, and a tiny boat at its foot."""
    w, h = 2000, 1125
    canvas = _gradient((w, h), [(0.0, (46, 12, 22)), (0.5, (150, 56, 46)), (1.0, (40, 30, 38))])
    for i in range(9):
        x: float = (i * 263) % w  # pixel coordinates are floats below
        y: float = 80 + (i * 97) % 260
        _glow(canvas, (x, y), 170 + (i * 31) % 90, (60, 20, 30), blur=60, strength=170)
    draw = ImageDraw.Draw(canvas)
    wall_top, wall_bottom = round(h * 0.28), round(h * 0.8)
    draw.polygon(
        [(0, wall_top + 60), (w, wall_top), (w, wall_bottom), (0, wall_bottom)], fill=(64, 64, 74)
    )
    for row in range(wall_top + 60, wall_bottom, 70):
        draw.line((0, row, w, row - 60 * (1 - row / wall_bottom)), fill=(54, 54, 64), width=3)
    crack: list[tuple[float, float]] = [(1080, wall_top + 10)]
    jags = (38, -22, 61, 4, -47, 29, 83, 12, -18, 55, 21)
    for step, jag in enumerate(jags, 1):
        y = wall_top + 10 + step * (wall_bottom - wall_top) / len(jags) + (jag % 5) * 6
        crack.append((1080 + jag + step * 9, y))
    draw.line(crack, fill=(250, 210, 170), width=9)
    for x, y in crack[2::3]:
        draw.line((x, y, x + 110, y + 40), fill=(240, 190, 150), width=4)
    water = _gradient((w, h - wall_bottom), [(0.0, (70, 46, 52)), (1.0, (22, 16, 24))])
    canvas.paste(water, (0, wall_bottom))
    for i in range(12):
        _glow(
            canvas,
            (880 + i * 40, wall_bottom - 10 - (i % 4) * 25),
            60,
            (236, 230, 232),
            blur=25,
            strength=150,
        )
    draw = ImageDraw.Draw(canvas)
    _ferry(draw, 560, wall_bottom + 130, 0.55, (12, 8, 14))
    _lantern(canvas, 560 + 125 * 0.55, wall_bottom + 130 - 88 * 0.55, 6, (255, 190, 90))
    return canvas


@dataclass(frozen=True)
class DemoImage:
    key: str
    draw: Callable[[], PILImage.Image]
    alt_text: str
    caption: str
    credit: str = "Demo illustration, drawn by code"


DEMO_IMAGES = (
    DemoImage(
        IMAGE_KEY_ART,
        _draw_key_art,
        "A small ferry with one lit lantern crossing dark water between half-drowned "
        "towers under a pale moon.",
        "Ferrylight, Part 1 key art.",
    ),
    DemoImage(
        IMAGE_ROOFTOP,
        _draw_rooftop,
        "Two silhouetted figures on a rooftop at dusk, under a sagging string of glowing "
        "paper lanterns.",
        "Suzu and Haru at the rooftop market, Part 1 episode 4.",
    ),
    DemoImage(
        IMAGE_COUNCIL,
        _draw_council,
        "A long council table in perspective, lit by green hanging lamps, with rows of "
        "identical seated silhouettes on both sides.",
        "Part 2 spends a lot of its nine episodes in rooms like this.",
    ),
    DemoImage(
        IMAGE_FINALE,
        _draw_finale,
        "A towering grey sea wall splitting under a red storm sky, with a tiny lantern-lit "
        "boat at its foot.",
        "The levee in the Part 2 finale: enormous, loud and somehow weightless.",
    ),
)


def _jpeg_bytes(picture: PILImage.Image) -> bytes:
    buffer = io.BytesIO()
    picture.convert("RGB").save(buffer, "JPEG", quality=88, optimize=True, progressive=True)
    return buffer.getvalue()


def _load_images(tally: _Tally) -> dict[str, Image]:
    images: dict[str, Image] = {}
    for spec in DEMO_IMAGES:
        image = Image.objects.filter(key=spec.key).first()
        created = image is None
        if image is None:
            image = Image(
                key=spec.key, file=ContentFile(_jpeg_bytes(spec.draw()), name=f"{spec.key}.jpg")
            )
        image.alt_text = spec.alt_text
        image.caption = spec.caption
        image.credit = spec.credit
        image.save()  # A new file gets its responsive renditions here.
        tally.record("images", spec.key, created)
        images[spec.key] = image
    return images


# --- the texts --------------------------------------------------------------------------

CRITIC_BIO = (
    "Mara Ellison has been writing about television for longer than she has owned one. "
    "She reviews series, films and anime a season (or a part) at a time, and answers "
    "every comment eventually."
)

SITE_ABOUT = """\
I'm Mara. **Second Cour** is where I write about what I watch: series, films and a lot
of anime, reviewed one season, or one part, at a time. Streaming services like to split
a story in two and release the halves months apart, so I review each half on its own
and tell you plainly whether it is worth your evening.

Every review ends with a verdict: **Watch**, **Skip** or **Avoid**. The score beside it
is a mood, not a measurement. Spoilers are always folded away and labelled with how far
they reach, so you can read a review of Part 2 while you are still halfway through Part 1.

Disagree with me? Good. The comments are open, and I read all of them.

*This site is showing Watchworthy's demo content: the critic, the shows and the reviews
are all invented.*
"""

FERRYLIGHT_SYNOPSIS = """\
Years after the sea rose over the harbour district of Minato-Shita, only the rooftops
are still inhabited. Every night nineteen-year-old Suzu Amagane rows the last ferry
between them, carrying medicine, letters and the odd runaway, while the Levee Authority
counts down to the day everyone must move inland.
"""

PART1_RECAP = """\
Suzu keeps the night ferry running across drowned Minato-Shita with help from Old
Okiya and Haru, a courier who trades messages between the roofs. Director Ibuki
Sazanami of the Levee Authority pushes for evacuation before the next storm season.
Suzu takes in Kanade, a silent child found in a crate of lamp oil. The vote on the new
levee is postponed, Suzu learns her missing sister may have been seen inland, and the
part ends with the ferry drifting into fog.
"""

PART2_RECAP = """\
The story moves from the water to the council chamber. Tide broker Renji Kuroshio buys
up flooded buildings ahead of the levee vote; Suzu finds out who has been working for
him; the levee is finally built, and fails, in a storm-lashed finale that leaves the
district's future open.
"""


def _figure_markdown(key: str, alt: str, caption: str) -> str:
    """An image on a line of its own: rendered as a captioned, responsive figure."""
    return f'![{alt}](image:{key} "{caption}")'


FIGURE_KEY_ART = _figure_markdown(
    IMAGE_KEY_ART,
    "A small ferry with one lantern crossing dark water between half-drowned towers",
    "Part 1 key art: the ferry, the towers and a moon that does a lot of work.",
)

FIGURE_ROOFTOP = _figure_markdown(
    IMAGE_ROOFTOP,
    "Two silhouetted figures on a rooftop under a string of paper lanterns at dusk",
    "Suzu and Haru at the rooftop market, Part 1 episode 4.",
)

FIGURE_COUNCIL = _figure_markdown(
    IMAGE_COUNCIL,
    "A long council table lit by green lamps, with rows of identical seated silhouettes",
    "Part 2 spends a lot of its nine episodes in rooms like this.",
)

FIGURE_FINALE = _figure_markdown(
    IMAGE_FINALE,
    "A towering grey sea wall splitting under a red storm sky, a tiny boat at its foot",
    "The levee in the finale: enormous, loud and somehow weightless.",
)


PART1_BODY = f"""\
*Ferrylight* opens on a sound before an image: oars, slow and even, and somewhere a bell
that nobody rings on purpose. Then we see the city, or the top third of it, poking out of
black water, and a single lantern moving between the towers. Within five minutes I knew I
would finish it that night.

{FIGURE_KEY_ART}

## The city under the water

The premise is simple and the show trusts it. Years after the sea rose over Minato-Shita,
Suzu Amagane runs the last night ferry across the district, carrying medicine, letters and
the occasional runaway to families who refused to leave their rooftops. The Levee
Authority wants everyone moved inland. Suzu wants to keep rowing. Neither side is entirely
wrong, and the writing is generous enough to let that tension breathe for thirteen
episodes without forcing a villain onto it.

What makes Part 1 work is patience. {PART1_QUOTED_PASSAGE} The fourth episode, set on a
rooftop market strung with paper lanterns, does almost nothing plot-wise and is the best
half hour of the run: Suzu and Haru haggling over a crate of oranges while the tide turns
beneath them.

{FIGURE_ROOFTOP}

## Faces worth remembering

The cast is small and everyone gets room. Old Okiya, the retired lock-keeper, teaches Suzu
to read the water by the colour of its foam. Director Ibuki Sazanami arrives in episode
five as a bureaucrat and leaves Part 1 as someone you half agree with. Kanade, the silent
child who turns up in a crate of lamp oil in episode nine, could have been a gimmick and
is instead the heart of the back half.

The animation is modest, and clever about it. Water is mostly flat colour with a few
bright lines for reflections, which saves the budget for faces and for light: every
lantern, window and moon in this show glows as if it matters.[^oars]

If there is a flaw, it is that the finale leaves more open than it closes. The levee vote
is postponed, Suzu's missing sister is mentioned twice and then dropped, and the last shot
is the ferry drifting into fog. As the end of a first part I found that brave rather than
frustrating. Ask me again when Part 2 arrives.

Verdict: watch it, slowly, one crossing a night.

[^oars]: Watch the oars. Someone on the staff counted the strokes, and the rhythm changes
    with Suzu's mood.
"""

PART2_BODY = f"""\
Nine months ago I told you to watch *Ferrylight* slowly, one crossing a night. Here is
what I wrote then:

::: cite {DEMO_PART1_REVIEW_SLUG}
{PART1_QUOTED_PASSAGE}
:::

I stand by every word, and that is exactly the problem. Part 2 is a different show
wearing the first one's coat.

## Right where we left off

There are only nine episodes this time, down from thirteen, and it feels like fewer. We
return right where we left off, on the ferry in the fog, with no recap, no "previously
on", not even a line of dialogue reminding us why the levee vote mattered. After most of
a year away, a small recap would have been welcome. I spent the first episode pausing to
work out who was angry with whom, and why.

{FIGURE_COUNCIL}

The crossings are gone. In their place come council chambers, corridors and a new
antagonist, introduced in episode three: a smooth-talking broker who buys flooded
buildings for reasons the show keeps promising to explain. By the finale I honestly could
not recall his name and had to look it up for this review. (||Part 2 ep 3: Renji
Kuroshio||. It did not stick the second time either.)

Suzu, who carried Part 1 by rowing and listening, now mostly argues. Haru is reduced to
delivering exposition between scenes. Kanade, the heart of the first part, has perhaps
ten lines across nine episodes.

## The reveal

The one thread Part 1 left dangling, Suzu's missing sister, is finally picked up in
episode seven. I'll keep the details behind a fold:

::: spoiler Part 2, episode 7
Mio Amagane is alive, and has been working for Kuroshio all along: she is the one buying
the buildings. The show reveals it in a single scene over a crackling radio call, Suzu
cries for about forty seconds, and the next episode opens with the sisters cooperating as
if nothing had happened. No crossing, no confrontation on the water, no reckoning.
:::

It is the most important moment in the series, and it is handled like a scheduling note.

{FIGURE_FINALE}

The finale finally goes big: a storm, the levee cracking, a full orchestra where Part 1
made do with a single bell. It looks expensive. It means very little, because the people
on the rooftops, the reason we cared about the water at all, barely appear.

I wanted to love this. I rewatched Part 1 before writing, and it holds up; Part 2 only
makes it smaller in hindsight, tying its open questions into tidy, careless knots.

If Part 1 moved you, keep it that way. My advice, as plainly as I can put it: avoid
Part 2.
"""

FILM_SYNOPSIS = """\
The two-person crew of a survey station orbiting a dead moon receive a message from
home that arrived eleven years late.
"""

FILM_BODY = """\
*Quiet Orbit* is a film made almost entirely of beautiful shots of a window. Through it,
a grey moon turns; in front of it, two astronauts decide whether to answer a message that
reached them eleven years late.

The performances are careful and the sound design is lovely: every hum of the station
has a texture. But the script mistakes stillness for depth, and after the first hour the
question at its centre, reply or stay silent, has been asked so many times that the
answer no longer matters.

Skip it, unless you need something calm and gorgeous on in the background.
"""


# --- the load ---------------------------------------------------------------------------


def _at(year: int, month: int, day: int, hour: int = 9) -> datetime:
    return datetime(year, month, day, hour, 0, tzinfo=UTC)


def _load_catalog(tally: _Tally, images: dict[str, Image]) -> dict[str, Any]:
    netflix = _upsert(
        tally,
        "platforms",
        Platform,
        {"slug": "netflix"},
        {"name": "Netflix", "url": "https://www.netflix.com/"},
    )
    genres = {
        slug: _upsert(tally, "genres", Genre, {"slug": slug}, {"name": name})
        for slug, name in [
            ("drama", "Drama"),
            ("fantasy", "Fantasy"),
            ("mystery", "Mystery"),
            ("science-fiction", "Science fiction"),
        ]
    }

    work = _upsert(
        tally,
        "works",
        Work,
        {"slug": DEMO_WORK_SLUG},
        {
            "title": "Ferrylight",
            "original_title": "Watashibune no Akari",
            "original_language": "ja-Latn",
            "kind": Work.Kind.ANIME,
            "year": 2024,
            "synopsis": FERRYLIGHT_SYNOPSIS,
            "poster": images[IMAGE_KEY_ART],
            "imdb_id": "",
            "tmdb_id": "",
            "anilist_id": "",
            "mal_id": "",
        },
    )
    work.platforms.set([netflix])
    work.genres.set([genres["drama"], genres["fantasy"], genres["mystery"]])

    part1 = _upsert(
        tally,
        "seasons",
        Season,
        {"work": work, "number": 1},
        {
            "label": "Part 1",
            "episode_count": 13,
            "release_date": date(2024, 3, 21),
            "recap": PART1_RECAP,
        },
    )
    part2 = _upsert(
        tally,
        "seasons",
        Season,
        {"work": work, "number": 2},
        {
            "label": "Part 2",
            "episode_count": 9,
            "release_date": date(2024, 12, 12),
            "recap": PART2_RECAP,
        },
    )

    characters = [
        (
            "Suzu Amagane",
            "Suzu, the Ferrywoman",
            "Nineteen, stubborn and quiet, she rows the last night ferry across drowned "
            "Minato-Shita.",
            part1,
            1,
        ),
        (
            "Okiya",
            "Old Okiya, the Lock-keeper",
            "A retired lock-keeper who taught Suzu to read the tides and still fixes "
            "anything that floats.",
            part1,
            1,
        ),
        (
            "Haru Tsukimori",
            "Haru, the Courier",
            "A fast-talking courier who carries messages between the rooftops and owes "
            "everyone a favour.",
            part1,
            2,
        ),
        (
            "Ibuki Sazanami",
            "the Director",
            "Director of the Levee Authority, determined to move every family inland "
            "before the storm season.",
            part1,
            5,
        ),
        (
            "Kanade",
            "the Lantern Child",
            "A silent child Suzu finds hidden in a crate of lamp oil; she draws what she "
            "cannot say.",
            part1,
            9,
        ),
        (
            "Renji Kuroshio",
            "the Tide Broker, Mr. Kuroshio",
            "A smooth-talking broker buying up flooded buildings ahead of the levee vote.",
            part2,
            3,
        ),
        (
            "Mio Amagane",
            "Suzu's sister",
            "Suzu's elder sister, believed lost in the flood, who turns out to be working "
            "for Kuroshio.",
            part2,
            7,
        ),
    ]
    for position, (name, aliases, description, season, episode) in enumerate(characters, 1):
        _upsert(
            tally,
            "characters",
            Character,
            {"work": work, "name": name},
            {
                "aliases": aliases,
                "description": description,
                "first_season": season,
                "first_episode": episode,
                "position": position,
            },
        )

    film = _upsert(
        tally,
        "works",
        Work,
        {"slug": DEMO_FILM_SLUG},
        {
            "title": "Quiet Orbit",
            "original_title": "",
            "original_language": "",
            "kind": Work.Kind.FILM,
            "year": 2023,
            "synopsis": FILM_SYNOPSIS,
            "poster": None,
        },
    )
    film.platforms.set([netflix])
    film.genres.set([genres["drama"], genres["science-fiction"]])
    return {"work": work, "part1": part1, "part2": part2, "film": film}


def _load_reviews(
    tally: _Tally, author: models.Model, catalog: dict[str, Any], images: dict[str, Image]
) -> None:
    tags = {
        slug: _upsert(tally, "tags", Tag, {"slug": slug}, {"name": name})
        for slug, name in [
            ("anime", "anime"),
            ("netflix", "Netflix"),
            ("ferrylight", "Ferrylight"),
            ("disappointments", "disappointments"),
            ("film", "film"),
            ("science-fiction", "science fiction"),
        ]
    }
    common = {"author": author, "status": Review.Status.PUBLISHED}
    # Part 1 first: the Part 2 body cites it, and its card is rendered from the database.
    part1 = _upsert(
        tally,
        "reviews",
        Review,
        {"slug": DEMO_PART1_REVIEW_SLUG},
        {
            **common,
            "title": "Ferrylight Part 1 review: a lantern worth following",
            "subtitle": "Thirteen quiet episodes about a ferry, a drowned city and the "
            "people still living on its roofs.",
            "work": catalog["work"],
            "season": catalog["part1"],
            "verdict": Verdict.WATCH,
            "score": Decimal("8.0"),
            "body": PART1_BODY,
            "excerpt": "A ferry, a drowned city and thirteen patient episodes: Part 1 of "
            "Ferrylight is the quietest, warmest anime of the season.",
            "cover": images[IMAGE_KEY_ART],
            "published_at": _at(2024, 3, 30),
        },
    )
    part1.tags.set([tags["anime"], tags["netflix"], tags["ferrylight"]])

    part2 = _upsert(
        tally,
        "reviews",
        Review,
        {"slug": DEMO_PART2_REVIEW_SLUG},
        {
            **common,
            "title": "Ferrylight Part 2 review: the tide goes out",
            "subtitle": "Everything I loved about Part 1 is gone. If you haven't yet, "
            "read my review of Part 1 first.",
            "work": catalog["work"],
            "season": catalog["part2"],
            "verdict": Verdict.AVOID,
            "score": Decimal("3.5"),
            "body": PART2_BODY,
            "excerpt": "Only nine episodes this time, no recap, and a story that leaves the "
            "water for the council chamber. Part 2 undoes what made Part 1 special.",
            "cover": images[IMAGE_FINALE],
            "published_at": _at(2024, 12, 21),
        },
    )
    part2.tags.set([tags["anime"], tags["netflix"], tags["ferrylight"], tags["disappointments"]])

    film = _upsert(
        tally,
        "reviews",
        Review,
        {"slug": DEMO_FILM_REVIEW_SLUG},
        {
            **common,
            "title": "Quiet Orbit review: a lovely window with nothing behind it",
            "subtitle": "Gorgeous, patient and, in the end, about very little.",
            "work": catalog["film"],
            "season": None,
            "verdict": Verdict.SKIP,
            "score": Decimal("5.5"),
            "body": FILM_BODY,
            "excerpt": "Beautiful shots of a window, careful performances and a question "
            "asked so often the answer stops mattering.",
            "cover": None,
            "published_at": _at(2024, 8, 17),
        },
    )
    film.tags.set([tags["film"], tags["science-fiction"], tags["netflix"]])


# --- the discussion under the reviews ---------------------------------------------------

# (key, parent key, name, e-mail or None for the critic, day, hour, body) per review.
# Keys only tie replies to parents here; rows are found again by review + time.
PART2_DISCUSSION = [
    ("rin", None, "Rin Okada", "rin@example.org", 22, 10,
     "I half agree. The council episodes dragged badly, but the storm in the finale is "
     "the best thing the studio has animated. Nine episodes was never going to be enough."),
    ("mara-rin", "rin", "Mara Ellison", None, 22, 14,
     "The storm *looks* wonderful, no argument there. My problem is that nothing before it "
     "made me care who was standing on that levee."),
    ("rin-2", "mara-rin", "Rin Okada", "rin@example.org", 22, 18,
     "Fair. I cared because of Part 1, not because of anything Part 2 did."),
    ("theo", None, "Theo Brandt", "theo@example.org", 23, 9,
     "I think you are being unfair. Part 1 was about living on the water; Part 2 is about "
     "who decides when you have to leave it. Of course it moves indoors."),
    ("ana", "theo", "Ana Ferreira", "ana@example.org", 23, 12,
     "This is how I read it too. The council scenes are *meant* to feel airless."),
    ("mara-theo", "theo", "Mara Ellison", None, 23, 20,
     "That is a generous reading, and maybe the right one. Meaning to be airless and "
     "being tedious to sit through are still two different things, though."),
    ("kaz", None, "Kaz", "kaz@example.org", 24, 8,
     "Same here with the broker: I had to look up his name halfway through. A two-minute "
     "recap at the start would have fixed so much.\n\n"
     "::: spoiler Part 2, episode 7\nAnd Mio being alive was obvious from episode 3.\n:::"),
    ("june", None, "June Park", "june@example.org", 26, 19,
     "Dropped it after episode four. Glad to read I did not miss much."),
    # In the episode threads (see DEMO_COMMENT_EPISODES).
    ("ep1-sol", None, "Sol Adeyemi", "sol@example.org", 22, 20,
     "That cold open on the flooded market is the best five minutes of the whole part. "
     "Everything after it is people in rooms talking about that flood."),
    ("ep1-rin", "ep1-sol", "Rin Okada", "rin@example.org", 23, 8,
     "And the music drops out completely for the first minute. I had to check my volume."),
    ("ep3-ana", None, "Ana Ferreira", "ana@example.org", 23, 15,
     "This is the episode where the broker's deal with the council first shows. I went "
     "back to the handshake twice."),
    ("ep3-mara", "ep3-ana", "Mara Ellison", None, 23, 21,
     "That handshake is the one moment the council story felt alive to me."),
    ("ep3-kaz", None, "Kaz", "kaz@example.org", 24, 9,
     "Was the lighthouse keeper's name already on the council roll in Part 1, or is that new?"),
    ("ep4-june", None, "June Park", "june@example.org", 24, 11,
     "Where I stopped. The vote scene goes on for most of the episode."),
    ("ep5-theo", None, "Theo Brandt", "theo@example.org", 25, 10,
     "Watch the wall behind the council table: the engineer's levee sketches are there "
     "from this episode on."),
    ("ep7-rin", None, "Rin Okada", "rin@example.org", 25, 18,
     "So Mio was alive all along. I could not tell whether the show wanted me surprised."),
    ("ep7-theo", "ep7-rin", "Theo Brandt", "theo@example.org", 26, 9,
     "I think it wanted us to know before the council did. The dread is the point."),
    ("ep9-ana", None, "Ana Ferreira", "ana@example.org", 27, 20,
     "The storm. Whatever else this part got wrong, the finale earned its levee."),
]  # fmt: skip

# Comments in the thread of an episode of the reviewed part (key: episode number);
# replies follow their parent's thread by themselves.
DEMO_COMMENT_EPISODES = {"ep1-sol": 1, "ep3-ana": 3, "ep3-kaz": 3, "ep4-june": 4, "ep5-theo": 5,
                         "ep7-rin": 7, "ep9-ana": 9}  # fmt: skip

PART1_DISCUSSION = [
    ("sol", None, "Sol Adeyemi", "sol@example.org", 31, 11,
     "Watched the first three episodes on your recommendation. The lantern scene in the "
     "market is going to stay with me."),
    ("mara-sol", "sol", "Mara Ellison", None, 31, 16,
     "Wait until episode nine. And thank you for reading!"),
]  # fmt: skip


# Comments whose writers said "my comment spoils up to …" (season, episode).
DEMO_COMMENT_SPOILS = {"kaz": (2, 3)}


class _DemoPolicy(ModerationPolicy):
    """The demo's readers are made up: their comments go straight up."""

    def decide(self, **kwargs: Any) -> Decision:
        return Decision(Comment.Status.APPROVED, "demo content")


def _load_discussion(tally: _Tally, critic: models.Model) -> None:
    """Post the demo conversations through the same service a reader's post uses
    (numbers, paths and counts are the real ones). A comment already there (same
    review and time) is left as it is."""
    threads = [
        (DEMO_PART2_REVIEW_SLUG, 2024, 12, PART2_DISCUSSION),
        (DEMO_PART1_REVIEW_SLUG, 2024, 3, PART1_DISCUSSION),
    ]
    for slug, year, month, rows in threads:
        review = Review.objects.select_related("season").get(slug=slug)
        part = review.season.number if review.season else 1
        existing = {c.created_at: c for c in Comment.objects.filter(review=review)}
        by_key: dict[str, Comment] = {}
        for key, parent_key, name, email, day, hour, body in rows:
            posted = _at(year, month, day, hour)
            comment = existing.get(posted)
            created = comment is None
            if comment is None:
                spoils = DEMO_COMMENT_SPOILS.get(key)
                episode = DEMO_COMMENT_EPISODES.get(key)
                comment = comment_post(
                    review=review,
                    body=body,
                    author_name=name,
                    author_email=email or "",
                    user=critic if email is None else None,
                    parent=by_key.get(parent_key) if parent_key else None,
                    spoils=Position(*spoils) if spoils else None,
                    episode=Position(part, episode) if episode else None,
                    policy=_DemoPolicy(),
                    posted_at=posted,
                    send_notifications=False,
                )
            tally.record("comments", f"{name} on {slug}", created)
            by_key[key] = comment


# A reply from the fediverse: a reader on another server answered the Part 2 review
# from Mastodon, with a content warning naming a late episode. It is taken through
# the replies-in service (as the inbox would, once its server had served the Note),
# so readers before Part 2 ep 8 see it folded.
DEMO_REMOTE_ACTOR = {
    "id": "https://tidewater.example/users/noor",
    "type": "Person",
    "preferredUsername": "noor",
    "name": "Noor Haddad",
    "url": "https://tidewater.example/@noor",
    "inbox": "https://tidewater.example/users/noor/inbox",
    "endpoints": {"sharedInbox": "https://tidewater.example/inbox"},
}
DEMO_REMOTE_NOTE_ID = "https://tidewater.example/users/noor/statuses/113562004117"
DEMO_REMOTE_WARNING = "Spoilers: Part 2, ep 8"
DEMO_REMOTE_SPOILER = "the engineer burns her own levee sketches"
DEMO_REMOTE_BODY = (
    '<p><span class="h-card"><a href="{critic}" class="u-url mention">@<span>mara</span></a>'
    "</span> Came here from Mastodon. You are right about the council, but episode 8 "
    f"earns something: {DEMO_REMOTE_SPOILER}, and the whole crossing watches.</p>"
)


def _load_fediverse_reply(tally: _Tally, critic: models.Model) -> None:
    review = Review.objects.select_related("work").get(slug=DEMO_PART2_REVIEW_SLUG)
    critic_id = identity.actor_id(critic)  # type: ignore[arg-type]
    note = {
        "id": DEMO_REMOTE_NOTE_ID,
        "type": "Note",
        "attributedTo": DEMO_REMOTE_ACTOR["id"],
        "inReplyTo": identity.review_object_id(review.pk),
        "summary": DEMO_REMOTE_WARNING,
        "sensitive": True,
        "content": DEMO_REMOTE_BODY.format(critic=critic_id),
        "tag": [{"type": "Mention", "href": critic_id, "name": f"@{identity.handle(critic)}"}],  # type: ignore[arg-type]
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
    }
    created = not RemoteComment.objects.filter(object_id=DEMO_REMOTE_NOTE_ID).exists()
    replies.take(
        review=review,
        parent=None,
        note=note,
        actor=str(DEMO_REMOTE_ACTOR["id"]),
        author=replies.author_from(DEMO_REMOTE_ACTOR),
        policy=_DemoPolicy(),
        posted_at=_at(2024, 12, 28, 21),
        send_notifications=False,
    )
    tally.record("comments", "Noor Haddad (fediverse) on " + DEMO_PART2_REVIEW_SLUG, created)


# (review slug, agree, disagree, of which readers who had finished the part: agree, disagree)
DEMO_AUDIENCE = [
    (DEMO_PART1_REVIEW_SLUG, 31, 4, 20, 2),
    (DEMO_PART2_REVIEW_SLUG, 24, 17, 19, 6),
]


def _load_audience() -> None:
    """Made-up guest votes, so the meters have something to show."""

    for slug, agree, disagree, finished_agree, finished_disagree in DEMO_AUDIENCE:
        review = Review.objects.get(slug=slug)
        AudienceVote.objects.filter(review=review, voter_key__startswith="demo-").delete()
        votes = []
        for n in range(agree + disagree):
            agrees = n < agree
            finished = n < finished_agree if agrees else n - agree < finished_disagree
            votes.append(
                AudienceVote(review=review, voter_key=f"demo-{n}", agrees=agrees, finished=finished)
            )
        AudienceVote.objects.bulk_create(votes)
        audience_recount([review.pk])


def _load_critic(tally: _Tally) -> models.Model:
    user_model = get_user_model()
    critic, created = user_model.objects.get_or_create(username=DEMO_USERNAME)
    if created:
        # Nobody can log in as the demo critic until an operator sets a password.
        critic.set_unusable_password()
    critic.display_name = "Mara Ellison"
    critic.email = "mara@example.org"  # new comments are announced to her (console mail)
    critic.bio = CRITIC_BIO
    critic.save()
    tally.record("users", DEMO_USERNAME, created)
    return critic


def _load_site(tally: _Tally) -> None:
    created = not SiteSettings.objects.filter(pk=1).exists()
    site = SiteSettings.objects.filter(pk=1).first() or SiteSettings(pk=1)
    site.site_name = "Second Cour"
    site.tagline = "One critic, one season (or one part) at a time."
    site.about = SITE_ABOUT
    site.support_heading = "If this review saved you an evening, consider buying me a coffee."
    site.save()
    tally.record("site_settings", "Second Cour", created)

    links = [
        (SupportLink.Kind.KOFI, "Buy me a coffee on Ko-fi", "https://ko-fi.com/secondcour_demo"),
        (
            SupportLink.Kind.LIBERAPAY,
            "Support me on Liberapay",
            "https://liberapay.com/secondcour-demo",
        ),
    ]
    for position, (kind, label, url) in enumerate(links, 1):
        _upsert(
            tally,
            "support_links",
            SupportLink,
            {"url": url},
            {"kind": kind, "label": label, "position": position, "is_active": True},
        )


def load_demo(*, stdout: TextIOBase | None = None) -> dict[str, dict[str, int]]:
    """Create or refresh the demo content; return what was created and what updated.

    The result is ``{"created": {kind: n}, "updated": {kind: n}}`` with every kind in
    :data:`COUNTED`. A second run creates nothing: every row is updated in place and
    no image is drawn again. ``stdout``, if given, receives one line per row.
    """
    tally = _Tally(stdout)
    with transaction.atomic():
        images = _load_images(tally)
        catalog = _load_catalog(tally, images)
        critic = _load_critic(tally)
        _load_reviews(tally, critic, catalog, images)
        _load_site(tally)
        _load_discussion(tally, critic)
        _load_fediverse_reply(tally, critic)
        _load_audience()
    return tally.result()
