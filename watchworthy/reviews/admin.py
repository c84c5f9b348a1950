"""Authoring: the critic writes reviews here. Verdict first, Markdown with a preview."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest, JsonResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST

from watchworthy.images.models import Image

from .audience import audience_recount
from .models import AudienceVote, Review, Tag

# Shown under the body field; the admin renders help text as HTML.
BODY_HELP = (
    "Markdown: <code>**bold**</code>, <code>*italic*</code>, <code>## Heading</code>, "
    "<code>&gt; quote</code>, tables, footnotes <code>[^1]</code>.<br>"
    "Image (upload under Images first), on a line of its own: "
    '<code>![Alt text](image:KEY "Caption")</code><br>'
    "Quote and cite another review: <code>::: cite SLUG-OF-THAT-REVIEW</code> ⏎ the quoted "
    "passage ⏎ <code>:::</code><br>"
    "Hide a spoiler, scoped to how far it spoils: <code>::: spoiler Part 2, episode 7</code> "
    "⏎ what happens ⏎ <code>:::</code>, or inline <code>||Part 2 ep 7: words||</code> "
    "(<code>||words||</code> without a scope). Scopes: <code>Part 2 ep 7</code>, "
    "<code>S2E7</code>, <code>Part 2 finale</code>, <code>Part 2</code>. Readers who have "
    "watched that far see it open; everyone else sees it closed."
)


class ReviewAdminForm(forms.ModelForm):
    class Meta:
        model = Review
        fields = [
            "verdict", "score", "work", "season", "title", "slug", "subtitle", "body_format",
            "body", "status", "published_at", "author", "tags", "cover", "excerpt", "comments_open",
            "episode_threads", "federate",
            "spoils_up_to",
        ]  # fmt: skip
        widgets = {
            "body": forms.Textarea(attrs={"rows": 24, "class": "vLargeTextField markdown-source"}),
            "excerpt": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"body": BODY_HELP}


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    form = ReviewAdminForm
    list_display = ("title", "work", "season", "verdict", "score", "state", "published_at")
    list_filter = ("status", "verdict", "work")
    list_select_related = ("work", "season")
    search_fields = ("title", "subtitle", "body", "work__title")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("work", "cover", "tags")
    readonly_fields = ("preview", "recent_images", "audience_tally")
    actions = ["reset_audience_votes"]
    date_hierarchy = "published_at"
    save_on_top = True
    fieldsets = (
        ("Verdict", {"fields": (("verdict", "score"), "audience_tally")}),
        (
            "Review",
            {
                "fields": (
                    "work",
                    "season",
                    "title",
                    "slug",
                    "subtitle",
                    "body_format",
                    "body",
                    "preview",
                    "spoils_up_to",
                )
            },
        ),
        (
            "Publishing",
            {
                "fields": (
                    ("status", "published_at"),
                    "author",
                    "tags",
                    ("comments_open", "episode_threads"),
                    "federate",
                )
            },
        ),
        ("Card and images", {"fields": ("cover", "excerpt", "recent_images")}),
    )

    class Media:
        js = ("reviews/admin-preview.js",)
        css = {"all": ("reviews/admin-preview.css",)}

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial: dict[str, Any] = super().get_changeform_initial_data(request)
        initial.setdefault("author", request.user.pk)
        return initial

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "season":
            kwargs["queryset"] = db_field.related_model.objects.select_related("work")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="State")
    def state(self, review: Review) -> str:
        if review.status == Review.Status.DRAFT:
            return "Draft"
        if review.published_at and review.published_at > timezone.now():
            return f"Scheduled for {timezone.localtime(review.published_at):%Y-%m-%d %H:%M}"
        return "Published"

    @admin.display(description="Preview")
    def preview(self, review: Review) -> str:
        """The saved rendering; with JavaScript it follows the text as you type."""
        return format_html(
            '<div class="markdown-preview prose" data-preview-url="{}">{}</div>',
            reverse("admin:reviews_review_preview"),
            review.body_markup if review.pk else "Save, or type with JavaScript on, to preview.",
        )

    @admin.display(description="Recently uploaded images")
    def recent_images(self, review: Review) -> str:
        images = Image.objects.all()[:8]
        if not images:
            return "None yet: upload one under Images."
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "", "<li><code>![{}](image:{})</code></li>", ((i.alt_text, i.key) for i in images)
            ),
        )

    @admin.display(description="Raw tally")
    def audience_tally(self, review: Review) -> str:
        if not review.pk or not review.audience_votes:
            return "No votes yet."
        return format_html(
            "{} agree, {} disagree ({} votes); among readers who had finished: {} of {} agree. "
            '<a href="{}?review__id__exact={}">See and remove single votes</a>',
            review.audience_agree,
            review.audience_votes - review.audience_agree,
            review.audience_votes,
            review.audience_finished_agree,
            review.audience_finished_votes,
            reverse("admin:reviews_audiencevote_changelist"),
            review.pk,
        )

    @admin.action(description="Reset the audience votes of the selected reviews")
    def reset_audience_votes(self, request: HttpRequest, queryset) -> None:
        ids = list(queryset.values_list("pk", flat=True))
        removed, _ = AudienceVote.objects.filter(review_id__in=ids).delete()
        audience_recount(ids)
        self.message_user(request, f"Removed {removed} votes from {len(ids)} reviews.")

    def get_urls(self):
        preview = self.admin_site.admin_view(require_POST(self.preview_view))
        return [path("preview/", preview, name="reviews_review_preview"), *super().get_urls()]

    def preview_view(self, request: HttpRequest) -> JsonResponse:
        """Render posted Markdown exactly as saving would, without saving."""
        body_format = request.POST.get("body_format", Review.BodyFormat.MARKDOWN)
        if body_format not in Review.BodyFormat.values:
            body_format = Review.BodyFormat.MARKDOWN
        draft = Review(
            body=request.POST.get("body", ""),
            slug=request.POST.get("slug", ""),
            body_format=body_format,
        )
        draft.render()
        return JsonResponse({"html": draft.body_html})


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


@admin.register(AudienceVote)
class AudienceVoteAdmin(admin.ModelAdmin):
    """Staff can read the raw votes and remove abusive ones (the tallies follow)."""

    list_display = ("review", "agrees", "finished", "user", "voter_key", "ip_address", "updated_at")
    list_filter = ("agrees", "finished", "review")
    list_select_related = ("review", "user")
    search_fields = ("ip_address", "voter_key", "user__username", "review__title")
    readonly_fields = ("review", "user", "voter_key", "agrees", "finished", "ip_address")
    actions = ["remove_and_recount"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # it would leave the tallies stale
        return actions

    @admin.action(description="Remove the selected votes and recount")
    def remove_and_recount(self, request: HttpRequest, queryset) -> None:
        review_ids = set(queryset.values_list("review_id", flat=True))
        removed, _ = queryset.delete()
        audience_recount(review_ids)
        self.message_user(request, f"Removed {removed} votes; tallies recounted.")

    def delete_model(self, request: HttpRequest, obj: AudienceVote) -> None:
        review_id = obj.review_id
        super().delete_model(request, obj)
        audience_recount([review_id])
