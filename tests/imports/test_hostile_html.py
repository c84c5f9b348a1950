"""Hostile HTML in imported posts and comments never reaches a page unsanitized.

Every line of the two public XSS lists (when ../shared is present; a few classics
otherwise) goes into imported post bodies, excerpts, titles, comment bodies, commenter
names and websites; each review page is rendered through the test client and parsed.
"""

import re

import pytest

from tests.conftest import SHARED_TESTDATA
from tests.html_checks import executable_markup
from tests.imports.builders import comment, item, wxr
from tests.imports.conftest import import_path
from watchworthy.discussion.models import Comment
from watchworthy.reviews.models import Review

pytestmark = pytest.mark.django_db

CLASSICS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    "<iframe src=//evil.example></iframe>",
    '<svg onload=alert(1)><form action="javascript:alert(1)"><input type=submit>',
    '[caption id="x"]<img src="javascript:alert(1)" onerror=alert(1)> <b onclick=x>c</b>[/caption]',
    '<!-- wp:html --><div style="background:url(javascript:alert(1))">x</div><!-- /wp:html -->',
]
POSTS = 8


def payloads() -> list[str]:
    lines = list(CLASSICS)
    for name in ("payloadbox-xss-payload-list.txt", "payloadsallthethings-RSNAKE_XSS.txt"):
        path = SHARED_TESTDATA / "xss" / name
        if path.exists():
            lines += [line for line in path.read_text("utf-8", "replace").splitlines() if line]
    return lines


def own_markup(html: str) -> tuple[int, ...]:
    return tuple(
        len(re.findall(rf"<{tag}\b", html, re.I)) for tag in ("script", "form", "meta", "link")
    )


def test_no_payload_runs_on_imported_review_pages(write_file, client):
    lines = payloads()
    posts = min(POSTS, len(lines))  # without ../shared only the few classics are there
    per_post = -(-len(lines) // posts)
    items = []
    for n in range(posts):
        chunk = lines[n * per_post : (n + 1) * per_post]
        items.append(
            item(
                n + 1,
                chunk[0][:150],
                name=f"hostile-{n}",
                content="\n\n".join(chunk),
                excerpt=chunk[-1],
                comments=[
                    comment(10_000 * (n + 1) + i, content=line, author=line[:200], url=line)
                    for i, line in enumerate(chunk)
                ],
            )
        )
    items.append(item(99, "Plain", name="plain", comments=[comment(1)]))
    import_path(write_file(wxr(*items)))
    assert Comment.objects.count() == len(lines) + 1
    baseline = own_markup(client.get("/reviews/plain/").content.decode())
    for review in Review.objects.exclude(slug="plain"):
        response = client.get(review.get_absolute_url())
        assert response.status_code == 200
        html = response.content.decode()
        # Only our own script tag and forms, as on a page without hostile content …
        assert own_markup(html) == baseline, review.slug
        # … and nothing else that could run.
        body = html.partition("</head>")[2]
        rest = re.sub(r"<script\b[^>]*>\s*</script>|<form\b[^>]*>|</form>", "", body)
        assert executable_markup(rest) == [], review.slug
    assert (
        not Comment.objects.exclude(author_url="").exclude(author_url__startswith="http").exists()
    )
