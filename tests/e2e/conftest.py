"""Real-browser tests: Playwright for Python driving Debian's /usr/bin/chromium.

Without that browser these tests skip with the reason, unless
WATCHWORTHY_REQUIRE_BROWSER=1 (CI), where a missing browser is a failure.
"""

import os
import re
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("WATCHWORTHY_CHROMIUM", "/usr/bin/chromium"))
ROOT = Path(__file__).resolve().parents[2]
# axe-core is pinned in scripts/services.sh and unpacked by `make browser` (npm).
AXE_VERSION = re.search(
    r"^AXE_VERSION=(\S+)$", (ROOT / "scripts/services.sh").read_text(), re.MULTILINE
)[1]  # type: ignore[index]
AXE_SCRIPT = ROOT / ".cache" / "axe-core" / AXE_VERSION / "axe.min.js"


def _missing(reason: str):
    if os.environ.get("WATCHWORTHY_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests are required but {reason}")
    pytest.skip(reason)


# Playwright's sync API runs an event loop in this thread; the Django test database
# calls made by the test itself are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_SCRIPT.exists():
        _missing(f"axe-core {AXE_VERSION} is missing at {AXE_SCRIPT} (make browser; needs npm)")
    return AXE_SCRIPT.read_text()


@pytest.fixture
def axe(axe_source):
    """``axe(page)``: the violations axe-core finds on the page with its default rules,
    as "rule: target (summary)" lines."""

    def run(page) -> list[str]:
        # Evaluated through the DevTools protocol, not as a <script>: a Content-Security-
        # Policy without 'unsafe-inline' cannot block it.
        if not page.evaluate("typeof window.axe === 'object'"):
            page.evaluate(axe_source + "\n;void 0")
        # Every rule axe runs by default: WCAG 2.0/2.1/2.2 A and AA, and its best
        # practices (heading order, landmarks).
        result = page.evaluate('axe.run(document, {resultTypes: ["violations"]})')
        return [
            f"{violation['id']}: {node['target']} ({node.get('failureSummary', '').strip()})"
            for violation in result["violations"]
            for node in violation["nodes"]
        ]

    return run
