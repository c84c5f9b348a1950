from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path

from watchworthy.web import views as web_views

admin.site.site_header = "Watchworthy"
admin.site.site_title = "Watchworthy admin"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("watchworthy.web.urls")),
    path("admin/", admin.site.urls),
    path("desk/", include("watchworthy.desk.urls")),
    path("accounts/", include("watchworthy.accounts.urls")),
    path("", include("watchworthy.spoilers.urls")),
    path("", include("watchworthy.reviews.urls")),
    path("", include("watchworthy.discussion.urls")),
    path("", include("watchworthy.pages.urls")),
    path("", include("watchworthy.sharing.urls")),
    path("", include("watchworthy.search.urls")),
    path("api/", include("watchworthy.api.urls")),
    path("", include("watchworthy.fediverse.urls")),
]

if settings.WATCHWORTHY_SERVE_MEDIA:
    # The embedded set-up has no separate web server: Django serves the uploads.
    prefix = settings.MEDIA_URL.lstrip("/")
    urlpatterns += [re_path(rf"^{prefix}(?P<path>.*)$", web_views.media, name="media")]

handler404 = "watchworthy.web.views.page_not_found"
