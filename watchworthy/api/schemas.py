"""What the API answers, as pydantic models (django-ninja writes the OpenAPI document
from them). Nothing here can carry an e-mail address, an IP address, a guest token,
a draft or a held comment: the fields are listed one by one, never a model's all."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

VerdictName = Literal["watch", "skip", "avoid", "unrated"]
KindName = Literal["series", "film", "anime", "special"]


class Error(Schema):
    detail: str = Field(description="What was wrong, in words.")


class PageLinks(Schema):
    page: int = Field(description="This page's number, from 1.")
    next: str | None = Field(description="The next page's address; null on the last page.")
    previous: str | None = Field(description="The previous page's address; null on the first.")


# --- the catalog -----------------------------------------------------------------------


class PlatformOut(Schema):
    name: str
    slug: str
    url: str


class GenreOut(Schema):
    name: str
    slug: str


class SeasonOut(Schema):
    number: int = Field(description="Watching order within the work, from 1.")
    label: str = Field(description='What readers call it: "Part 2", or "Season N".')
    episode_count: int | None
    release_date: date | None


class SeasonDetailOut(SeasonOut):
    recap_hidden: bool = Field(
        description="The recap spoils this season: given only when `progress` says the "
        "reader has finished it."
    )
    recap_html: str | None = Field(
        description="The recap (sanitized HTML, inner spoilers as labels), or null."
    )


class SeasonPage(PageLinks):
    items: list[SeasonDetailOut]


class WorkRef(Schema):
    slug: str
    title: str
    api_url: str


class WorkOut(Schema):
    slug: str
    title: str
    original_title: str
    original_language: str
    kind: KindName
    year: int | None
    url: str = Field(description="The work's page on the site.")
    api_url: str
    platforms: list[PlatformOut]
    genres: list[GenreOut]


class WorkDetailOut(WorkOut):
    synopsis_html: str = Field(description="Sanitized HTML; spoilers (if any) as labels.")
    seasons: list[SeasonOut]
    reviews_api_url: str
    characters_api_url: str
    seasons_api_url: str


class WorkPage(PageLinks):
    items: list[WorkOut]


class CharacterOut(Schema):
    hidden: bool = Field(
        description="The reader has not met them yet: only where they first appear is given."
    )
    first_appearance: str = Field(description='"Part 2, ep 3"; empty when unknown.')
    name: str | None
    aliases: list[str] | None
    description: str | None


class CharacterPage(PageLinks):
    progress: str | None = Field(description="The position the answer was shielded for.")
    items: list[CharacterOut]


# --- reviews and their discussion ------------------------------------------------------


class SeasonRef(Schema):
    number: int
    label: str


class AuthorOut(Schema):
    username: str
    name: str = Field(description="The name the critic shows.")


class TagOut(Schema):
    name: str
    slug: str


class ImageOut(Schema):
    url: str
    alt: str


class AudienceOut(Schema):
    votes: int
    agree_percent: int | None
    finished_votes: int
    finished_agree_percent: int | None


class ReviewOut(Schema):
    slug: str
    title: str
    subtitle: str
    url: str = Field(description="The review's page on the site.")
    api_url: str
    work: WorkRef
    season: SeasonRef | None
    verdict: VerdictName
    score: float | None = Field(description="0 to 10, one decimal; null when unscored.")
    author: AuthorOut
    tags: list[TagOut]
    teaser: str = Field(description="Plain text, without spoilers.")
    spoils_up_to: str = Field(description='How far it spoils: "Part 2, ep 7"; empty: nothing.')
    cover: ImageOut | None
    published_at: datetime
    updated_at: datetime
    audience: AudienceOut
    comment_count: int
    comments_api_url: str


class ReviewDetailOut(ReviewOut):
    body_html: str = Field(
        description="The whole review as sanitized HTML, every spoiler replaced by its "
        "label (as in the feeds); addresses are absolute."
    )


class ReviewPage(PageLinks):
    items: list[ReviewOut]


class CommentOut(Schema):
    id: int
    number: int | None = Field(description="Top-level comments are numbered from 1.")
    parent_id: int | None
    depth: int
    author_name: str
    created_at: datetime
    edited_at: datetime | None
    spoils_up_to: str = Field(
        description='"Part 2, ep 7" when the writer said the comment spoils that far; its '
        "body is then only a note saying so."
    )
    thread: str | None = Field(
        description='The episode thread the comment is in ("Part 2, ep 3"); null for the '
        "review's main thread. A comment in an episode thread spoils that episode."
    )
    body_html: str = Field(description="Sanitized HTML, every spoiler replaced by its label.")
    url: str = Field(description="The comment's lasting address on the site.")


class CommentPage(PageLinks):
    items: list[CommentOut]
