"""Screenshots of the demo's Part 2 review: a 390 x 844 phone and a 1280 x 800 desktop,
light and dark, the first screen and the whole page (`make screenshots`).

By default it builds a throw-away site (SQLite in a temporary folder, the demo loaded),
serves it with Django's development server on a free port and stops it afterwards;
``--url`` photographs a site that is already running instead. Needs Debian's
chromium (``make browser``). The pictures go to ``--out`` (default /tmp/ww-shots),
outside the repository.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("WATCHWORTHY_CHROMIUM", "/usr/bin/chromium")
REVIEW = "/reviews/ferrylight-part-2-review/"
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
SCHEMES = ("light", "dark")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def demo_site(data_dir: Path) -> tuple[subprocess.Popen, str]:
    """Migrate, load the demo and start the development server; its process and URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "WATCHWORTHY_")) and key != "DATABASE_URL"
    }
    env.update(WATCHWORTHY_DATA_DIR=str(data_dir), WATCHWORTHY_SITE_URL=url)
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (["migrate", "--noinput", "-v", "0"], ["load_demo"]):
        subprocess.run(  # noqa: S603 - our own manage.py
            [*manage, *command], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL
        )
    server = subprocess.Popen(  # noqa: S603 - our own manage.py
        [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(120):
        try:
            with urllib.request.urlopen(url + REVIEW, timeout=2):  # noqa: S310 - our server
                return server, url
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit(f"the demo site did not answer at {url}")


def photograph(url: str, out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    saved = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for size, viewport in SIZES.items():
            for scheme in SCHEMES:
                context = browser.new_context(viewport=viewport, color_scheme=scheme)
                page = context.new_page()
                page.goto(url + REVIEW, wait_until="networkidle")
                for part, full_page in (("first-screen", False), ("full", True)):
                    path = out / f"review-part2-{size}-{scheme}-{part}.png"
                    page.screenshot(path=str(path), full_page=full_page)
                    saved.append(path)
                context.close()
        browser.close()
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/ww-shots"))  # noqa: S108
    parser.add_argument("--url", help="a running site with the demo (default: start one)")
    args = parser.parse_args()
    if args.url:
        saved = photograph(args.url.rstrip("/"), args.out)
    else:
        with tempfile.TemporaryDirectory(prefix="ww-shots-site-") as data_dir:
            server, url = demo_site(Path(data_dir))
            try:
                saved = photograph(url, args.out)
            finally:
                server.terminate()
                server.wait(timeout=30)
    for path in saved:
        print(path)


if __name__ == "__main__":
    main()
