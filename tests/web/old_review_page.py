"""The review page as it was before its queries were compiled once
(watchworthy.web.queries) and before parts of its template were written in Python:
the same view with Django's querysets, served at the same address by a URLconf that
puts it in front of the site's own, and rendered by a template engine of its own
(:data:`ENGINE`) that reads the templates replaced since from tests/web/reference/
(then the site's own), with the replaced tag libraries from there and Django's own
``{% url %}``. The output comparison is in test_review_page_output.py."""

from pathlib import Path

from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template import Engine, engines
from django.template.context import make_context
from django.urls import path

from config.urls import handler404  # noqa: F401 - the site's 404 page here too
from config.urls import urlpatterns as site_urlpatterns
from watchworthy.core.models import SupportLink
from watchworthy.discussion.context import discussion_context
from watchworthy.discussion.formhtml import GuestForm
from watchworthy.discussion.forms import CommentForm
from watchworthy.discussion.identity import remembered_commenter
from watchworthy.reviews.audience import current_vote
from watchworthy.reviews.models import Review, Tag
from watchworthy.spoilers.progress import reader_shield
from watchworthy.web import views
from watchworthy.web.views import _cacheable_review_page, _catch_up, episode_threads


def old_review_detail(request, slug):
    review = get_object_or_404(
        Review.objects.visible_to(request.user)
        .for_cards()
        .select_related("work__poster")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name"))),
        slug=slug,
    )
    seasons = list(review.work.seasons.all())
    episodes = episode_threads.covered_episodes(review, seasons)
    _cacheable_review_page(request, review, episodes)
    shield = reader_shield(request, review.work, seasons)
    index = episode_threads.index_context(review, episodes, shield)
    scope = review.spoiler_scope
    context = {
        "review": review,
        "body": shield.html(review.body_html),
        "spoiler_banner": shield.label(scope) if scope else "",
        "catch_up": _catch_up(review, shield, seasons),
        "my_vote": current_vote(request, review),
        "covered_label": shield.description_of(review.covered_position(seasons)),
        "more_on_work": Review.objects.published()
        .for_cards()
        .filter(work=review.work_id)
        .exclude(pk=review.pk)
        .newest_first()[:6],
        "support_links": SupportLink.objects.filter(is_active=True),
        **shield.form_context(),
        **index,
        **discussion_context(request, review, shield=shield, count=index["main_thread_count"]),
    }
    if isinstance(context.get("comment_form"), GuestForm):  # the form the page built before
        context["comment_form"] = CommentForm(
            initial=remembered_commenter(request), review=review, user=request.user, seasons=seasons
        )
    page = ENGINE.get_template("web/review_detail.html")
    return HttpResponse(page.render(make_context(context, request)))


_SITE = engines["django"].engine  # type: ignore[attr-defined]
ENGINE = Engine(
    dirs=[Path(__file__).with_name("reference"), *_SITE.dirs],
    app_dirs=True,
    context_processors=_SITE.context_processors,
    libraries={
        **_SITE.libraries,
        "sharing": "tests.web.reference.sharing_tags",
        "static": "django.templatetags.static",
    },
)


assert views.review_detail is not old_review_detail
urlpatterns = [path("reviews/<slug:slug>/", old_review_detail, name="review"), *site_urlpatterns]
# The reference really is the old code: Django's own {% url %}, the old sharing tags.
assert ENGINE.builtins == Engine.default_builtins
assert ENGINE.template_libraries["sharing"].tags["review_meta"].__module__ == (
    "tests.web.reference.sharing_tags"
)
