from django.urls import path

from . import views
from .models import Verdict

app_name = "reviews"

urlpatterns = [
    path("reviews/", views.review_list, name="list"),
    path("reviews/<slug:slug>/vote/", views.review_vote, name="vote"),
    path("watch/", views.verdict_list, {"verdict": Verdict.WATCH}, name="watch_list"),
    path("avoid/", views.verdict_list, {"verdict": Verdict.AVOID}, name="avoid_list"),
    path("tags/<slug:slug>/", views.tag_detail, name="tag"),
    path("authors/<str:username>/", views.author_detail, name="author"),
]
