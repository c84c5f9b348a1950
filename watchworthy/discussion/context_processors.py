from django.http import HttpRequest

from .models import Comment


def moderation(request: HttpRequest) -> dict:
    """Staff always see how many comments wait (one query, for staff only)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_staff:
        return {}
    return {"pending_comment_count": Comment.objects.pending().count()}
