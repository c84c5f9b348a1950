from django.urls import path

from . import feeds, views
from .models import Verdict

app_name = "reviews"

urlpatterns = [
    path("reviews/", views.review_list, name="list"),
    path("reviews/<slug:slug>/vote/", views.review_vote, name="vote"),
    path("watch/", views.verdict_list, {"verdict": Verdict.WATCH}, name="watch_list"),
    path("avoid/", views.verdict_list, {"verdict": Verdict.AVOID}, name="avoid_list"),
    path("tags/<slug:slug>/", views.tag_detail, name="tag"),
    path("browse/", views.browse_index, name="browse"),
    path("genres/<slug:slug>/", views.genre_detail, name="genre"),
    path("platforms/<slug:slug>/", views.platform_detail, name="platform"),
    path("authors/<str:username>/", views.author_detail, name="author"),
    # Feeds of published reviews: RSS 2.0 and Atom, the site, a work, a tag, an author.
    path("reviews.rss", feeds.SiteReviewsFeed(), name="feed_rss"),
    path("reviews.atom", feeds.atom(feeds.SiteReviewsFeed), name="feed_atom"),
    path("works/<slug:slug>/reviews.rss", feeds.WorkReviewsFeed(), name="work_feed_rss"),
    path(
        "works/<slug:slug>/reviews.atom", feeds.atom(feeds.WorkReviewsFeed), name="work_feed_atom"
    ),
    path("tags/<slug:slug>/reviews.rss", feeds.TagReviewsFeed(), name="tag_feed_rss"),
    path("tags/<slug:slug>/reviews.atom", feeds.atom(feeds.TagReviewsFeed), name="tag_feed_atom"),
    path("authors/<str:username>/reviews.rss", feeds.AuthorReviewsFeed(), name="author_feed_rss"),
    path(
        "authors/<str:username>/reviews.atom",
        feeds.atom(feeds.AuthorReviewsFeed),
        name="author_feed_atom",
    ),
]
