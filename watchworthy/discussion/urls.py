from django.urls import path

from . import feeds, views

app_name = "discussion"

urlpatterns = [
    path("reviews/<slug:slug>/comments/", views.comment_create, name="post"),
    path("reviews/<slug:slug>/comments/newest/", views.comment_newest, name="newest"),
    path("reviews/<slug:slug>/comments.atom", feeds.ReviewCommentsFeed(), name="review_feed"),
    path(
        "reviews/<slug:slug>/ep/<int:episode>/comments.atom",
        feeds.EpisodeCommentsFeed(),
        name="episode_feed",
    ),
    path(
        "reviews/<slug:slug>/part/<int:part>/ep/<int:episode>/comments.atom",
        feeds.EpisodeCommentsFeed(),
        name="part_episode_feed",
    ),
    path("comments.atom", feeds.RecentCommentsFeed(), name="recent_feed"),
    path("comments/<int:pk>/", views.comment_permalink, name="permalink"),
    path("comments/<int:pk>/edit/", views.comment_change, name="edit"),
    path("comments/<int:pk>/delete/", views.comment_delete, name="delete"),
    path("comments/notify/confirm/<str:token>/", views.notify_confirm, name="notify_confirm"),
    path("comments/notify/stop/<str:token>/", views.notify_unsubscribe, name="notify_unsubscribe"),
    path("moderation/", views.moderation_queue, name="queue"),
]
