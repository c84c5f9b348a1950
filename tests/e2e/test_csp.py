"""The Content-Security-Policy allows no inline script or style; a real browser must
report no violation on the pages readers use most (each would be a broken script,
style or image)."""

import pytest

from watchworthy.demo.content import DEMO_PART2_REVIEW_SLUG, load_demo

pytestmark = pytest.mark.django_db(transaction=True)

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} ` +
    `(${event.sourceFile}:${event.lineNumber})`
  );
});
"""


def test_no_csp_violations_on_the_review_home_and_sign_in_pages(live_server, page):
    load_demo()
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.add_init_script(RECORD_VIOLATIONS)

    for path in [f"/reviews/{DEMO_PART2_REVIEW_SLUG}/", "/", "/accounts/login/"]:
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None
        assert "unsafe-inline" not in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        if path.startswith("/reviews/"):
            # The inline reply form is scripted (discussion/reply.js): open one.
            page.locator("a.reply-link").first.click()
            assert page.locator("li.comment textarea").count() == 1
        violations = page.evaluate("window.__cspViolations")
        assert violations == [], f"{path}: {violations}"

    assert console == []
