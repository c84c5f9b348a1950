"""Episode threads: which episodes a review's discussion is split into, and who may
read and write in each.

A review of a part (or of a whole series) covers episodes; with
``Review.episode_threads`` on, each of them has a thread of its own besides the main
one. The rules, in one place:

- **Which episodes**: those of the reviewed part (every part's, for a review of the
  whole work) that the catalog knows the count of. Films have none.
- **Who reads**: a reader whose progress has reached the episode (the spoiler
  shield's ``covers``). Everyone else — guests who have not said how far they are
  included — sees the thread's label and count only, never a word of it.
- **When it opens**: at the start of the episode's air date in the site's time zone
  (``Season.air_dates``); before that it takes no comments. Episodes without a date
  are open.
- **Threads are made on demand**: the :class:`~.models.EpisodeThread` row comes with
  the first comment; an episode without one simply has no comments yet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from watchworthy.core.links import reverse
from watchworthy.spoilers.shield import Position, Shield, scope_label

from .models import EpisodeThread


@dataclass(frozen=True)
class Episode:
    """One episode a review's discussion has a thread for."""

    part: int  # the part's number (Season.number)
    number: int  # the episode's, within the part
    label: str  # "Part 2, ep 3"
    air_date: dt.date | None
    url: str  # the thread's page

    @property
    def position(self) -> Position:
        return Position(self.part, self.number)

    @property
    def opens_at(self) -> dt.datetime | None:
        """The moment the thread takes comments (None: it always has)."""
        if self.air_date is None:
            return None
        moment = dt.datetime.combine(self.air_date, dt.time.min)
        return timezone.make_aware(moment, timezone.get_default_timezone())

    def is_open(self, now: dt.datetime | None = None) -> bool:
        opens = self.opens_at
        return opens is None or opens <= (now or timezone.now())


# Numbers no address holds, reversed once and then replaced: a review page lists every
# episode, and one reverse() per episode cost more than the rest of the index.
_PART, _EPISODE = 987654321, 987654322


def thread_urls(review: Any) -> Callable[[int, int], str]:
    """``(part, episode) -> address`` of the review's episode threads:
    ``/reviews/SLUG/ep/N/`` for a review of one part; a review of a whole work names
    the part too: ``/reviews/SLUG/part/P/ep/N/``."""
    if review.season_id is not None:
        pattern = reverse("episode_thread", kwargs={"slug": review.slug, "episode": _EPISODE})
    else:
        pattern = reverse(
            "part_episode_thread",
            kwargs={"slug": review.slug, "part": _PART, "episode": _EPISODE},
        )
    return lambda part, episode: _fill(_fill(pattern, _EPISODE, episode), _PART, part)


def _fill(pattern: str, placeholder: int, value: int) -> str:
    """Replace the last path segment that is ``placeholder`` (a slug before it may
    hold any digits)."""
    head, found, tail = pattern.rpartition(f"/{placeholder}/")
    return f"{head}/{value}/{tail}" if found else pattern


def thread_url(review: Any, position: Position) -> str:
    return thread_urls(review)(position.season, position.episode or 0)


def covered_episodes(review: Any, seasons: Sequence[Any]) -> list[Episode]:
    """The episodes ``review`` has threads for, in watching order (none when the
    critic turned episode threads off, or for a film). ``seasons``: the work's."""
    if not review.episode_threads or not review.work.is_episodic:
        return []
    parts = [s for s in seasons if review.season_id is None or s.pk == review.season_id]
    episodes = []
    url = thread_urls(review)
    for season in parts:
        for number in range(1, (season.episode_count or 0) + 1):
            position = Position(season.number, number)
            episodes.append(
                Episode(
                    part=season.number,
                    number=number,
                    label=scope_label(position, seasons),
                    air_date=season.air_date(number),
                    url=url(season.number, number),
                )
            )
    return episodes


def find_episode(episodes: Sequence[Episode], part: int, episode: int) -> Episode | None:
    return next((e for e in episodes if (e.part, e.number) == (part, episode)), None)


def episode_at(
    review: Any, episodes: Sequence[Episode], seasons: Sequence[Any], part: int | None, episode: int
) -> Episode | None:
    """The episode an address names. The part may be left out where it is implied (a
    review of one part, or a whole-work review of a one-part work); naming another part
    than the reviewed one finds nothing. The caller redirects to ``Episode.url`` when
    the address it was given is not that one."""
    if review.season_id is not None:
        part = review.season.number if part in (None, review.season.number) else 0
    elif part is None and len(seasons) == 1:
        part = seasons[0].number
    return find_episode(episodes, part or 0, episode)


@dataclass(frozen=True)
class ThreadEntry:
    """A line of the episode index under a review, as one reader sees it."""

    episode: Episode
    count: int
    last_comment_at: dt.datetime | None
    reached: bool  # the reader's progress covers the episode: the thread is theirs to read
    is_open: bool  # it takes comments (its air date has come)


def thread_index(
    review: Any, episodes: Sequence[Episode], shield: Shield, *, now: dt.datetime | None = None
) -> list[ThreadEntry]:
    """Every covered episode with its stored count and newest activity: one query."""
    if not episodes:
        return []
    now = now or timezone.now()
    stored = {
        (season, episode): (count, last)
        for season, episode, count, last in EpisodeThread.objects.filter(
            review_id=review.pk
        ).values_list("season", "episode", "approved_comment_count", "last_comment_at")
    }
    entries = []
    for item in episodes:
        count, last = stored.get((item.part, item.number), (0, None))
        entries.append(
            ThreadEntry(
                episode=item,
                count=count,
                last_comment_at=last,
                reached=shield.covers(item.position),
                is_open=item.is_open(now),
            )
        )
    return entries


def opening_later(episodes: Sequence[Episode], now: dt.datetime | None = None) -> bool:
    """Some thread opens at a later moment (the part is airing): pages that say so
    change by the clock alone, so they are not kept in the page cache."""
    return any(not e.is_open(now) for e in episodes)


def thread_for(review: Any, episode: Episode) -> EpisodeThread:
    """The episode's thread, made now if this is its first comment (a unique
    constraint settles two first comments at once)."""
    thread, _created = EpisodeThread.objects.get_or_create(
        review_id=review.pk, season=episode.part, episode=episode.number
    )
    return thread


def index_context(review: Any, episodes: Sequence[Episode], shield: Shield) -> dict[str, Any]:
    """What a page shows of a review's episode threads: the episodes the reader has
    reached (links), the later ones (labels and counts only), and the count of the
    main thread (the review's count less the episodes')."""
    entries = thread_index(review, episodes, shield)
    later = [entry for entry in entries if not entry.reached]
    return {
        "episode_index": entries,
        "episodes_reached": [entry for entry in entries if entry.reached],
        "episodes_later": later,
        "episodes_later_count": sum(entry.count for entry in later),
        "main_thread_count": review.approved_comment_count - sum(e.count for e in entries),
    }
