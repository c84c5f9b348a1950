from django.urls import path

from . import views

app_name = "spoilers"

urlpatterns = [
    path("works/<slug:slug>/progress/", views.progress_update, name="progress"),
]
