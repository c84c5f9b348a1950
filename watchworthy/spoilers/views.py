"""The "how far have you watched" form's target."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from watchworthy.catalog.models import Work
from watchworthy.core.csrf import shareable_form_view

from . import progress
from .shield import Position, choices, describe, normalise


@shareable_form_view
@require_POST
def progress_update(request: HttpRequest, slug: str) -> HttpResponse:
    work = get_object_or_404(Work, slug=slug)
    seasons = list(work.seasons.all())
    value = request.POST.get("position", "")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = work.get_absolute_url()
    if value not in dict(choices(seasons)):
        messages.error(request, "That is not a point in this work; nothing was changed.")
        return redirect(target)
    position = normalise(Position.decode(value) if value else None, seasons)
    response = redirect(target)
    if request.user.is_authenticated:
        progress.progress_save(user=request.user, work=work, position=position)
    else:
        positions = progress.guest_positions_with(
            progress.guest_positions(request), work=work, position=position
        )
        progress.remember_guest_positions(response, positions)
    if position is None:
        messages.success(request, f"Progress for {work.title} cleared: every spoiler stays closed.")
    else:
        messages.success(
            request,
            f"Saved: {describe(position, seasons)} of {work.title}. "
            "Spoilers up to there now open by themselves.",
        )
    return response
