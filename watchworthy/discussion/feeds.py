"""Atom feeds of approved comments: per review (its main thread), per episode
thread, and site-wide. A feed cannot know how far its reader has watched, so every
comment that spoils a point — which includes every comment of an episode thread —
travels as a note naming that point."""

from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed

from watchworthy.core.models import SiteSettings
from watchworthy.reviews.models import Review
from watchworthy.spoilers.shield import scope_label

from .episodes import Episode, covered_episodes, episode_at
from .models import Comment

FEED_SIZE = 50


class _CommentFeed(Feed):
    feed_type = Atom1Feed

    def item_title(self, comment: Comment) -> str:
        where = ""
        if comment.episode_thread is not None:
            seasons = list(comment.review.work.seasons.all())
            where = f" ({scope_label(comment.episode_thread.position, seasons)})"
        return f"{comment.author_name} on “{comment.review.title}”{where}"

    def item_description(self, comment: Comment) -> str:
        # Sanitized when stored; spoilers hidden.
        return comment.travelling_html(list(comment.review.work.seasons.all()))

    def item_link(self, comment: Comment) -> str:
        return comment.get_absolute_url()

    def item_author_name(self, comment: Comment) -> str:
        return comment.author_name

    def item_pubdate(self, comment: Comment):
        return comment.approved_at or comment.created_at

    def item_updateddate(self, comment: Comment):
        return comment.edited_at or comment.approved_at or comment.created_at


class ReviewCommentsFeed(_CommentFeed):
    def get_object(self, request, slug: str) -> Review:
        return get_object_or_404(Review.objects.published(), slug=slug)

    def title(self, review: Review) -> str:
        return f"Comments on “{review.title}”"

    def link(self, review: Review) -> str:
        return f"{review.get_absolute_url()}#comments"

    def subtitle(self, review: Review) -> str:
        return f"{SiteSettings.current().site_name}: the discussion of {review.subject}"

    def items(self, review: Review):
        return (
            Comment.objects.approved()
            .filter(review=review, episode_thread=None)
            .select_related("review__work")
            .prefetch_related("review__work__seasons")
            .order_by("-approved_at", "-pk")[:FEED_SIZE]
        )


@dataclass(frozen=True)
class EpisodeFeedTarget:
    review: Review
    episode: Episode


class EpisodeCommentsFeed(_CommentFeed):
    """``/reviews/SLUG/ep/N/comments.atom``: one episode thread's comments. (One feed
    object serves every request, so what a request found travels in its target, never
    on ``self``.)"""

    def get_object(
        self, request, slug: str, episode: int, part: int | None = None
    ) -> EpisodeFeedTarget:
        review = get_object_or_404(Review.objects.published().for_cards(), slug=slug)
        seasons = list(review.work.seasons.all())
        found = episode_at(review, covered_episodes(review, seasons), seasons, part, episode)
        if found is None:
            raise Http404("This review has no thread for that episode.")
        return EpisodeFeedTarget(review, found)

    def title(self, target: EpisodeFeedTarget) -> str:
        return f"Comments on {target.episode.label} · “{target.review.title}”"

    def link(self, target: EpisodeFeedTarget) -> str:
        return target.episode.url

    def subtitle(self, target: EpisodeFeedTarget) -> str:
        site = SiteSettings.current().site_name
        return f"{site}: the discussion of {target.episode.label}; each comment links to the site"

    def items(self, target: EpisodeFeedTarget):
        return (
            Comment.objects.approved()
            .filter(
                review=target.review,
                episode_thread__season=target.episode.part,
                episode_thread__episode=target.episode.number,
            )
            .select_related("review__work", "episode_thread")
            .prefetch_related("review__work__seasons")
            .order_by("-approved_at", "-pk")[:FEED_SIZE]
        )


class RecentCommentsFeed(_CommentFeed):
    link = "/"

    def title(self) -> str:
        return f"Recent comments on {SiteSettings.current().site_name}"

    def items(self):
        return (
            Comment.objects.approved()
            .filter(review__in=Review.objects.published())
            .select_related("review__work", "episode_thread")
            .prefetch_related("review__work__seasons")
            .order_by("-approved_at", "-pk")[:FEED_SIZE]
        )
