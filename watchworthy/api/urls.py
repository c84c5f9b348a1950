from django.urls import URLPattern, URLResolver, path

from .endpoints import api

urlpatterns: list[URLPattern | URLResolver] = [path("", api.urls)]
