"""The site's own pages; names without a namespace (``home``, ``review``, ``work``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("reviews/<slug:slug>/", views.review_detail, name="review"),
    path("reviews/<slug:slug>/ep/<int:episode>/", views.episode_thread, name="episode_thread"),
    path(
        "reviews/<slug:slug>/part/<int:part>/ep/<int:episode>/",
        views.episode_thread,
        name="part_episode_thread",
    ),
    path("works/", views.work_list, name="works"),
    path("works/<slug:slug>/", views.work_detail, name="work"),
]
