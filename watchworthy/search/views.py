"""``/search/?q=…``: one page of results, with filters and pages in the address."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from watchworthy.core.text import parse_id

from .forms import SearchForm
from .index import comments_searchable
from .services import search_run


@require_safe
def search_page(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None, comments=comments_searchable())
    results = None
    if form.is_bound and form.is_valid():
        page = parse_id(request.GET.get("page", "")) or 1
        results = search_run(text=form.cleaned_data["q"], filters=form.filters(), page=page)
    return render(
        request,
        "search/results.html",
        {"form": form, "results": results, "query": request.GET.get("q", "")},
    )
