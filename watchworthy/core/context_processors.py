from django.http import HttpRequest

from .models import SiteSettings


def site(request: HttpRequest) -> dict:
    """The site settings on every page (cached, so usually no query)."""
    return {"site": SiteSettings.current()}
