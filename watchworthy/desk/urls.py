from django.urls import path

from . import views

app_name = "desk"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("new/", views.new_review, name="new"),
    path("new/<slug:slug>/", views.start_review, name="start"),
    path("reviews/<int:pk>/", views.edit, name="edit"),
    path("reviews/<int:pk>/autosave/", views.autosave, name="autosave"),
    path("reviews/<int:pk>/preview/", views.preview, name="preview"),
    path("reviews/<int:pk>/copy/", views.copy, name="copy"),
    path("reviews/<int:pk>/revisions/", views.revisions, name="revisions"),
    path("reviews/<int:pk>/publish/", views.publish, name="publish"),
    path("reviews/<int:pk>/card.png", views.card, name="card"),
    path("images/", views.upload, name="upload"),
    path("cite/", views.cite, name="cite"),
]
