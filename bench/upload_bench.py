"""Memory and time for one image upload through the admin, per kind of file.

    .venv/bin/python bench/upload_bench.py

Each upload runs in a fresh process (a throw-away site in a temporary folder, SQLite),
logged in as staff, posting the admin's add-image form like a browser. The process's
peak resident memory is reset (Linux: /proc/self/clear_refs) just before the request,
so "peak" is the request's own high-water mark. Numbers, not pass/fail: the unit tests
check that a bomb is refused before decoding; this shows what that saves.

Files: the finding's 20 KB PNG announcing 13,000 x 13,000 pixels, the truncated PNG
that passes verify(), and a smooth 6144 x 6144 JPEG, the largest still the default
limit accepts (what an honest upload at the limit costs).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
KINDS = ("png-13000-square", "png-truncated", "jpeg-6144-square")


def make_file(kind: str) -> tuple[str, bytes]:
    from PIL import Image as PILImage

    from tests.images import crafted

    if kind == "png-13000-square":
        return "poster.png", crafted.huge_png(13_000, 13_000)
    if kind == "png-truncated":
        return "cut-short.png", crafted.truncated_png(1600, 900)
    gradient = PILImage.linear_gradient("L").resize((6144, 6144))
    picture = PILImage.merge("RGB", (gradient, gradient.transpose(0), gradient))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=85)
    return "at-the-limit.jpg", buffer.getvalue()


def rss_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(field)


def measure(kind: str, path: str) -> dict[str, object]:
    """In the child process: set up a site, upload ``path``, report."""
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    from watchworthy.accounts.models import User
    from watchworthy.images.models import Image

    setup_test_environment()
    call_command("migrate", verbosity=0)
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.create(username="bench", is_staff=True, is_superuser=True))
    name = Path(path).name
    data = Path(path).read_bytes()
    form = {"file": SimpleUploadedFile(name, data), "alt_text": "Bench", "key": ""}
    client.get("/admin/images/image/add/")  # warm up templates and imports

    Path("/proc/self/clear_refs").write_text("5")  # reset the peak (VmHWM)
    before = rss_kb("VmRSS")
    started = time.perf_counter()
    response = client.post("/admin/images/image/add/", form)
    seconds = time.perf_counter() - started
    peak = rss_kb("VmHWM")
    media = Path(os.environ["WATCHWORTHY_DATA_DIR"]) / "media"
    errors = []
    if response.status_code == 200 and response.context:
        errors = response.context["adminform"].form.errors.get("file", [])
    return {
        "kind": kind,
        "bytes": len(data),
        "status": response.status_code,
        "stored": Image.objects.count(),
        "files_left": sum(1 for p in media.rglob("*") if p.is_file()) if media.exists() else 0,
        "rss_before_mb": before / 1024,
        "peak_mb": peak / 1024,
        "seconds": seconds,
        "message": " ".join(errors),
    }


def main() -> None:
    sys.path.insert(0, str(REPO))
    results = []
    with tempfile.TemporaryDirectory(prefix="watchworthy-upload-bench-") as folder:
        for kind in KINDS:
            name, data = make_file(kind)
            path = Path(folder) / name
            path.write_bytes(data)
            env = {
                **os.environ,
                "WATCHWORTHY_DATA_DIR": str(Path(folder) / kind),
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "PYTHONPATH": str(REPO),
            }
            env.pop("DATABASE_URL", None)
            child = subprocess.run(  # noqa: S603 - our own interpreter and script
                [sys.executable, __file__, "--child", kind, str(path)],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            results.append(json.loads(child.stdout.strip().splitlines()[-1]))
    print(
        f"{'file':<20}{'size':>10}{'status':>8}{'stored':>8}{'files left':>12}"
        f"{'RSS before':>12}{'peak':>10}{'growth':>10}{'seconds':>9}"
    )
    for row in results:
        print(
            f"{row['kind']:<20}{row['bytes'] / 1000:>8.0f}kB{row['status']:>8}"
            f"{row['stored']:>8}{row['files_left']:>12}{row['rss_before_mb']:>10.0f}MB"
            f"{row['peak_mb']:>8.0f}MB{row['peak_mb'] - row['rss_before_mb']:>8.0f}MB"
            f"{row['seconds']:>9.2f}"
        )
        if row["message"]:
            print(f"{'':<20}“{row['message']}”")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        print(json.dumps(measure(sys.argv[2], sys.argv[3])))
    else:
        main()
