from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("works/", views.work_list, name="list"),
    path("works/<slug:slug>/", views.work_detail, name="work"),
    path("works/<slug:slug>/progress/", views.progress_update, name="progress"),
]
