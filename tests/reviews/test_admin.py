"""The critic's authoring in the Django admin, through HTTP like a person with a browser:
verdict first, Markdown with a preview, and bad input that gets a clear error and loses
nothing."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from tests.conftest import png_bytes
from tests.factories import (
    ImageFactory,
    ReviewFactory,
    SeasonFactory,
    UserFactory,
    WorkFactory,
)
from tests.html_checks import executable_markup
from watchworthy.core.models import SiteSettings
from watchworthy.images.models import Image
from watchworthy.reviews.models import Review, Verdict

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:reviews_review_add")
PREVIEW_URL = reverse("admin:reviews_review_preview")
FIELDSET_HEADING = re.compile(
    r'<h2 id="fieldset-[\d-]+-heading" class="fieldset-heading">([^<]+)</h2>'
)


@pytest.fixture
def critic():
    return UserFactory(is_staff=True, is_superuser=True, display_name="Mara Ellison")


@pytest.fixture
def admin_client(client, critic):
    client.force_login(critic)
    return client


def review_form(work, author, **overrides) -> dict:
    """What the admin form posts when the critic fills it in (no tags, no cover)."""
    data = {
        "verdict": Verdict.WATCH,
        "score": "8.5",
        "work": work.pk,
        "season": "",
        "title": "A lantern worth following",
        "slug": "a-lantern-worth-following",
        "subtitle": "",
        "body_format": "markdown",
        "body": "The *first* crossing.\n\nThe second paragraph.",
        "status": Review.Status.DRAFT,
        "published_at_0": "",
        "published_at_1": "",
        "author": author.pk,
        "cover": "",
        "excerpt": "",
        "_save": "Save",
    }
    data.update(overrides)
    return data


def local_split(moment) -> dict:
    local = timezone.localtime(moment)
    return {"published_at_0": f"{local:%Y-%m-%d}", "published_at_1": f"{local:%H:%M:%S}"}


def snapshot(review: Review) -> dict:
    review.refresh_from_db()
    return {
        field: getattr(review, field)
        for field in (
            "title", "slug", "verdict", "score", "work_id", "season_id", "body", "body_html",
            "status", "published_at", "author_id",
        )
    }  # fmt: skip


# --- the add and change pages ---------------------------------------------------------


def test_add_page_puts_the_verdict_first_and_explains_markdown(admin_client, critic):
    response = admin_client.get(ADD_URL)

    assert response.status_code == 200
    html = response.content.decode()
    headings = FIELDSET_HEADING.findall(html)
    assert headings[0] == "Verdict"
    assert headings == ["Verdict", "Review", "Publishing", "Card and images"]
    assert html.index('name="verdict"') < html.index('name="score"') < html.index('name="body"')
    help_text = response.context["adminform"].form.fields["body"].help_text
    assert "image:" in help_text and "::: cite" in help_text and "::: spoiler" in help_text
    assert "image:KEY" in html and "::: cite SLUG-OF-THAT-REVIEW" in html
    assert f'data-preview-url="{PREVIEW_URL}"' in html


def test_add_form_defaults_the_author_to_the_signed_in_critic(admin_client, critic):
    UserFactory(display_name="Someone Else")
    response = admin_client.get(ADD_URL)

    form = response.context["adminform"].form
    assert form.initial["author"] == critic.pk
    assert (
        f'<option value="{critic.pk}" selected>Mara Ellison</option>' in response.content.decode()
    )


def test_change_page_shows_the_saved_rendering_in_the_preview(admin_client):
    review = ReviewFactory(body="It *drags* in the middle.")

    response = admin_client.get(reverse("admin:reviews_review_change", args=[review.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert FIELDSET_HEADING.findall(html)[0] == "Verdict"
    assert "It *drags* in the middle." in html  # the source in the textarea
    assert '<div class="markdown-preview prose"' in html
    assert "<p>It <em>drags</em> in the middle.</p>" in html
    assert "image:" in response.context["adminform"].form.fields["body"].help_text


def test_add_page_lists_recent_images_with_their_markdown(admin_client):
    ImageFactory(key="harbour-night", alt_text="The harbour at night")
    html = admin_client.get(ADD_URL).content.decode()
    assert "<code>![The harbour at night](image:harbour-night)</code>" in html


# --- saving ---------------------------------------------------------------------------


def test_a_valid_review_is_created_with_its_body_rendered(admin_client, critic):
    work = WorkFactory(title="Ferrylight")
    season = SeasonFactory(work=work, label="Part 1")
    ImageFactory(key="key-art", caption="Part 1 key art")
    ReviewFactory(slug="earlier-review", title="An earlier review")
    body = (
        "## Opening\n\nThe *first* crossing.\n\n![The ferry](image:key-art)\n\n"
        "::: cite earlier-review\nQuoted.\n:::"
    )

    response = admin_client.post(
        ADD_URL,
        review_form(
            work,
            critic,
            season=season.pk,
            body=body,
            status=Review.Status.PUBLISHED,
            score="7.5",
            **local_split(timezone.now() - timedelta(minutes=5)),
        ),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert response["Location"] == reverse("admin:reviews_review_changelist")
    review = Review.objects.get(slug="a-lantern-worth-following")
    assert review.title == "A lantern worth following"
    assert review.author == critic and review.season == season
    assert str(review.score) == "7.5" and review.verdict == Verdict.WATCH
    assert '<h2 id="opening">' in review.body_html
    assert "<em>first</em>" in review.body_html
    assert '<figure class="figure">' in review.body_html and "Part 1 key art" in review.body_html
    assert "An earlier review" in review.body_html
    assert review.is_public and review.published_at <= timezone.now()


def test_publishing_with_an_empty_time_in_the_admin_means_now(admin_client, critic):
    before = timezone.now()
    response = admin_client.post(
        ADD_URL, review_form(WorkFactory(), critic, status=Review.Status.PUBLISHED)
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    review = Review.objects.get()
    assert review.is_public and before <= review.published_at <= timezone.now()


def test_a_future_time_with_scheduled_status_schedules_the_review(admin_client, critic):
    when = timezone.now().replace(microsecond=0) + timedelta(days=3)
    response = admin_client.post(
        ADD_URL,
        review_form(WorkFactory(), critic, status=Review.Status.SCHEDULED, **local_split(when)),
    )
    assert response.status_code == 302
    review = Review.objects.get()
    assert review.status == Review.Status.SCHEDULED and review.published_at == when
    assert review.is_public is False


# --- bad input: a clear error, and nothing lost ----------------------------------------

BAD_INPUTS = {
    "score above 10": (
        "score",
        lambda work: {"score": "11"},
        "Ensure this value is less than or equal to 10.",
    ),
    "season of another work": (
        "season",
        lambda work: {"season": SeasonFactory(work=WorkFactory(title="Other Show")).pk},
        "That season belongs to “Other Show”, not this work.",
    ),
    "unknown image key": (
        "body",
        lambda work: {"body": "Typed paragraph.\n\n![A still](image:nope)"},
        "No uploaded image has the key nope; upload it under Images first.",
    ),
    "cite of an unknown slug": (
        "body",
        lambda work: {"body": "Typed paragraph.\n\n::: cite ghost-review\nQuoted.\n:::"},
        "No review has the slug ghost-review to cite.",
    ),
    "published with a future time": (
        "status",
        lambda work: {
            "status": Review.Status.PUBLISHED,
            **local_split(timezone.now() + timedelta(days=2)),
        },
        "The time is in the future: choose Scheduled to publish it then.",
    ),
}


def assert_rejected_with(response, field: str, message: str, typed: dict) -> None:
    assert response.status_code == 200
    html = response.content.decode()
    form = response.context["adminform"].form
    assert any(message in error for error in form.errors.get(field, [])), form.errors
    assert escape(message) in html or message in html
    assert 'class="errorlist' in html
    assert f'id="id_{field}_error"' in html  # the error sits at its field
    assert "Please correct the error" in html
    for name in ("title", "body"):
        assert escape(typed[name]) in html, f"the typed {name} was lost"


@pytest.mark.parametrize("case", list(BAD_INPUTS), ids=list(BAD_INPUTS))
def test_bad_input_on_the_add_form_is_refused_and_nothing_is_saved(admin_client, critic, case):
    field, make, message = BAD_INPUTS[case]
    work = WorkFactory()
    data = review_form(
        work,
        critic,
        title="My typed title, kept",
        body="Typed paragraph that must survive.",
    )
    data.update(make(work))

    response = admin_client.post(ADD_URL, data)

    assert_rejected_with(response, field, message, data)
    assert not Review.objects.filter(slug=data["slug"]).exists()
    assert Review.objects.count() == 0


def test_all_bad_inputs_at_once_are_all_reported(admin_client, critic):
    work = WorkFactory()
    data = review_form(work, critic, title="Everything wrong, title kept")
    for _field, make, _message in BAD_INPUTS.values():
        data.update(make(work))
    data["body"] = "Kept text.\n\n![A still](image:nope)\n\n::: cite ghost-review\nQuoted.\n:::"

    response = admin_client.post(ADD_URL, data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    for field, _make, message in BAD_INPUTS.values():
        assert any(message in error for error in errors[field]), (field, errors)
    assert set(errors) >= {"score", "season", "body", "status"}
    assert_rejected_with(response, "body", BAD_INPUTS["unknown image key"][2], data)
    assert Review.objects.count() == 0


@pytest.mark.parametrize("case", list(BAD_INPUTS), ids=list(BAD_INPUTS))
def test_bad_input_on_the_change_form_leaves_the_review_unchanged(admin_client, critic, case):
    work = WorkFactory()
    review = ReviewFactory(
        work=work,
        author=critic,
        slug="kept-review",
        title="Original title",
        body="Original *body*.",
        status=Review.Status.DRAFT,
        published_at=None,
        score="6.0",
    )
    before = snapshot(review)
    field, make, message = BAD_INPUTS[case]
    data = review_form(
        work, critic, slug="kept-review", title="Edited title", body="Edited body text."
    )
    data.update(make(work))

    response = admin_client.post(reverse("admin:reviews_review_change", args=[review.pk]), data)

    assert_rejected_with(response, field, message, data)
    assert snapshot(review) == before
    assert Review.objects.count() == 1


def test_scheduling_without_a_time_asks_for_one(admin_client, critic):
    data = review_form(WorkFactory(), critic, status=Review.Status.SCHEDULED)
    response = admin_client.post(ADD_URL, data)
    assert_rejected_with(
        response, "published_at", "A scheduled review needs the time it goes public.", data
    )
    assert Review.objects.count() == 0


def test_a_schedule_that_has_passed_can_still_be_edited(admin_client, critic):
    """A scheduled review went public by itself; fixing a typo must not demand a new time."""
    went_public = timezone.now().replace(microsecond=0) - timedelta(hours=2)
    review = ReviewFactory(
        author=critic, status=Review.Status.SCHEDULED, published_at=went_public, title="Tpyo"
    )
    data = review_form(
        review.work,
        critic,
        slug=review.slug,
        title="Typo fixed",
        status=Review.Status.SCHEDULED,
        **local_split(went_public),
    )

    response = admin_client.post(reverse("admin:reviews_review_change", args=[review.pk]), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    review.refresh_from_db()
    assert review.title == "Typo fixed" and review.published_at == went_public


# --- the live preview endpoint --------------------------------------------------------


def test_preview_renders_markdown_to_sanitized_html(admin_client):
    ImageFactory(key="roof", caption="The roof")
    body = (
        "Some *emphasis* and **strong** words.\n\n<script>alert('x')</script>\n\n"
        '<img src=x onerror="alert(1)">\n\n[bad](javascript:alert(1))\n\n![Roof](image:roof)'
    )

    response = admin_client.post(PREVIEW_URL, {"body": body})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    html = response.json()["html"]
    assert "<em>emphasis</em>" in html and "<strong>strong</strong>" in html
    assert "<script" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html  # shown as text, as on the saved page
    assert executable_markup(html) == []
    assert '<figure class="figure">' in html and "The roof" in html


def test_preview_shows_missing_references_without_saving_anything(admin_client):
    response = admin_client.post(
        PREVIEW_URL, {"body": "![x](image:nope)\n\n::: cite ghost\nq\n:::", "slug": "draft-slug"}
    )
    html = response.json()["html"]
    assert "Missing image “nope”" in html
    assert "Cited review “ghost” is not available." in html
    assert Review.objects.count() == 0


def test_preview_matches_what_saving_stores(admin_client):
    cited = ReviewFactory(slug="part-1", title="Part one review")
    body = "## Heading\n\nText.[^1]\n\n::: cite part-1\n:::\n\n[^1]: A note."
    html = admin_client.post(PREVIEW_URL, {"body": body}).json()["html"]
    saved = ReviewFactory(body=body)
    assert html == saved.body_html
    assert cited.title in html


def test_preview_needs_staff(client):
    response = client.post(PREVIEW_URL, {"body": "*hello*"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert b"<em>hello</em>" not in response.content

    client.force_login(UserFactory(is_staff=False))
    response = client.post(PREVIEW_URL, {"body": "*hello*"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_preview_refuses_get(admin_client):
    response = admin_client.get(PREVIEW_URL, {"body": "*hello*"})
    assert response.status_code == 405
    assert b"<em>hello</em>" not in response.content


def test_preview_is_csrf_protected(critic):
    client = Client(enforce_csrf_checks=True)
    client.force_login(critic)
    response = client.post(PREVIEW_URL, {"body": "*hello*"})
    assert response.status_code == 403


# --- images ---------------------------------------------------------------------------


def upload(name: str = "Harbour Night.png", **size) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(**size).read(), content_type="image/png")


def files_under(root) -> list[Path]:
    root = Path(root)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_uploading_an_image_without_alt_text_is_refused(admin_client, settings):
    response = admin_client.post(
        reverse("admin:images_image_add"),
        {
            "file": upload(),
            "alt_text": "",
            "caption": "Typed caption, kept",
            "credit": "",
            "key": "",
        },
    )

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["alt_text"] == ["This field is required."]
    html = response.content.decode()
    assert 'id="id_alt_text_error"' in html and 'class="errorlist' in html
    assert "Typed caption, kept" in html
    assert Image.objects.count() == 0
    assert files_under(settings.MEDIA_ROOT) == []


def test_uploading_an_image_with_alt_text_stores_it_with_a_key_and_renditions(
    admin_client, settings
):
    response = admin_client.post(
        reverse("admin:images_image_add"),
        {
            "file": upload(width=1600, height=900),
            "alt_text": "The harbour at night",
            "caption": "Episode 3",
            "credit": "Studio",
            "key": "",
        },
    )

    assert response.status_code == 302
    image = Image.objects.get()
    assert image.key == "harbour-night"
    assert image.alt_text == "The harbour at night"
    assert (image.width, image.height) == (1600, 900)
    assert set(image.renditions) == {"480", "960", "1440"}
    for name in image.renditions.values():
        assert name.endswith(".webp") and image.file.storage.exists(name)
    assert image.file.storage.exists(image.file.name)
    assert "480w" in image.srcset and "1600w" in image.srcset
    change = admin_client.get(reverse("admin:images_image_change", args=[image.pk]))
    assert "<code>![The harbour at night](image:harbour-night)</code>" in change.content.decode()


def test_a_second_upload_with_the_same_file_name_gets_its_own_key(admin_client):
    ImageFactory(key="harbour-night")
    response = admin_client.post(
        reverse("admin:images_image_add"),
        {"file": upload(), "alt_text": "Again", "caption": "", "credit": "", "key": ""},
    )
    assert response.status_code == 302
    assert set(Image.objects.values_list("key", flat=True)) == {"harbour-night", "harbour-night-2"}


# --- the review list ------------------------------------------------------------------


def test_changelist_shows_draft_scheduled_and_published_states(admin_client):
    when = timezone.now() + timedelta(days=5)
    ReviewFactory(title="A draft", status=Review.Status.DRAFT, published_at=None)
    ReviewFactory(title="Coming soon", status=Review.Status.SCHEDULED, published_at=when)
    ReviewFactory(title="Out already")

    response = admin_client.get(reverse("admin:reviews_review_changelist"))

    assert response.status_code == 200
    html = response.content.decode()
    rows = {
        title: re.search(rf"{title}</a>.*?</tr>", html, re.DOTALL).group(0)
        for title in ("A draft", "Coming soon", "Out already")
    }
    expected = f"Scheduled for {timezone.localtime(when):%Y-%m-%d %H:%M}"
    assert expected in rows["Coming soon"]
    assert '<td class="field-state">Draft</td>' in rows["A draft"]
    assert '<td class="field-state">Published</td>' in rows["Out already"]


# --- site settings --------------------------------------------------------------------


def test_site_settings_list_goes_straight_to_the_single_row(admin_client):
    url = reverse("admin:core_sitesettings_changelist")

    response = admin_client.get(url)

    change_url = reverse("admin:core_sitesettings_change", args=[1])
    assert response.status_code == 302 and response["Location"] == change_url
    assert admin_client.get(change_url).status_code == 200
    admin_client.get(url)
    assert SiteSettings.objects.count() == 1
