from django.urls import path

from . import views

app_name = "fediverse"

urlpatterns = [
    path(".well-known/webfinger", views.webfinger, name="webfinger"),
    path(".well-known/nodeinfo", views.nodeinfo_index, name="nodeinfo_index"),
    path("nodeinfo/2.1", views.nodeinfo, name="nodeinfo"),
    path("actor", views.instance_actor, name="instance_actor"),
    path("actor/outbox", views.instance_outbox, name="instance_outbox"),
    path("inbox", views.shared_inbox, name="shared_inbox"),
    path("actors/<str:username>", views.actor, name="actor"),
    path("actors/<str:username>/inbox", views.actor_inbox, name="inbox"),
    path("actors/<str:username>/outbox", views.outbox, name="outbox"),
    path("actors/<str:username>/followers", views.followers, name="followers"),
    path("objects/reviews/<int:pk>", views.review_object, name="review_object"),
    path("objects/reviews/<int:pk>/<int:generation>", views.review_object),
    path("objects/comments/<int:pk>", views.comment_object, name="comment_object"),
    path("@<str:username>", views.actor, name="actor_alias"),
]
