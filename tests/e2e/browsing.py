"""What the browser tests share: viewports and colour schemes, signing in, setting
reading progress, and running axe-core on a page in every view."""

from __future__ import annotations

from collections.abc import Callable

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
SCHEMES = ("light", "dark")
PASSWORD = "a long enough password"
# Colours change with a transition: axe must see the scheme's colours, not a blend.
SETTLED = """() => Promise.race([
    Promise.all(document.getAnimations().map(a => a.finished.catch(() => null))),
    new Promise(done => setTimeout(done, 3000)),
])"""


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def set_progress(page, label: str) -> None:
    page.locator(".reader-strip > summary").click()
    page.get_by_label("How far have you watched").select_option(label=label)
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()


def axe_in_every_view(
    page, axe: Callable[..., list[str]], name: str, found: dict[str, list[str]], *, end: str
) -> None:
    """Run axe on ``page`` light and dark, on a phone and a desktop; record what it
    finds under "NAME, WIDTH, SCHEME" in ``found``; leave the page light, at ``end``."""
    for scheme in SCHEMES:
        page.emulate_media(color_scheme=scheme)
        for width, viewport in VIEWPORTS.items():
            page.set_viewport_size(viewport)
            page.evaluate(SETTLED)
            found[f"{name}, {width}, {scheme}"] = axe(page)
    page.emulate_media(color_scheme="light")
    page.set_viewport_size(VIEWPORTS[end])
