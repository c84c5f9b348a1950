"""Atom feeds of approved comments: per review, and site-wide."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed

from watchworthy.core.models import SiteSettings
from watchworthy.reviews.models import Review

from .models import Comment

FEED_SIZE = 50


class _CommentFeed(Feed):
    feed_type = Atom1Feed

    def item_title(self, comment: Comment) -> str:
        return f"{comment.author_name} on “{comment.review.title}”"

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
            .filter(review=review)
            .select_related("review__work")
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
            .select_related("review__work")
            .prefetch_related("review__work__seasons")
            .order_by("-approved_at", "-pk")[:FEED_SIZE]
        )
