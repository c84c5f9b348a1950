"""WordPress import benchmark: items per second and peak memory at two file sizes.

    .venv/bin/python bench/import_bench.py             # 20,000 posts + 200,000 comments, then 4x
    .venv/bin/python bench/import_bench.py --scale 0.1 # 2,000 + 20,000, then 4x

For each size the script writes a WXR file into a temporary folder, then imports it
into a fresh SQLite database in a child process (so each peak is that import's own)
and prints the rate (items = posts + comments, and comments alone, per second of
wall time), the import's CPU time and its rate per CPU second (what to compare on a
shared, loaded machine: the load average is printed before and after), and the
child's peak resident memory (``ru_maxrss``). The import streams the file and writes
it in batches of posts, so the peak should stay about the same when the file is four
times larger. Not part of ``make bench`` (bench/run.py).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
POSTS = 20_000
COMMENTS_PER_POST = 10
PARAGRAPH = (
    "The second part picks up right where the first left off, and the nine episodes "
    "spend their time well: the market run, the lighthouse, the long night on the ferry. "
)


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def write_wxr(path: Path, posts: int, comments_per_post: int, seed: int = 7) -> None:
    rnd = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            'xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n'
            "<title>Bench blog</title><link>http://bench.example</link>\n"
            "<wp:wxr_version>1.2</wp:wxr_version>\n"
            "<wp:base_site_url>http://bench.example</wp:base_site_url>\n"
            "<wp:base_blog_url>http://bench.example</wp:base_blog_url>\n"
            "<wp:author><wp:author_id>1</wp:author_id><wp:author_login>critic</wp:author_login>"
            "<wp:author_email>critic@bench.example</wp:author_email></wp:author>\n"
        )
        comment_id = 0
        for post in range(1, posts + 1):
            day = 1 + post % 28
            date = f"2015-{1 + post % 12:02d}-{day:02d} 10:00:00"
            content = "\n\n".join(PARAGRAPH * rnd.randint(1, 3) for _ in range(4))
            out.write(
                f"<item><title>Review {post}</title>"
                f"<link>http://bench.example/{date[:4]}/{date[5:7]}/{day:02d}/review-{post}/</link>"
                f"<dc:creator>critic</dc:creator>"
                f'<guid isPermaLink="false">http://bench.example/?p={post}</guid>'
                f"<content:encoded>{cdata(content)}</content:encoded>"
                f"<excerpt:encoded>{cdata('')}</excerpt:encoded>"
                f"<wp:post_id>{post}</wp:post_id><wp:post_date>{date}</wp:post_date>"
                f"<wp:post_date_gmt>{date}</wp:post_date_gmt>"
                f"<wp:comment_status>open</wp:comment_status>"
                f"<wp:post_name>review-{post}</wp:post_name><wp:status>publish</wp:status>"
                f"<wp:post_type>post</wp:post_type>"
                f'<category domain="post_tag" nicename="tag-{post % 50}">'
                f"{cdata(f'Tag {post % 50}')}</category>\n"
            )
            first = comment_id + 1
            for n in range(comments_per_post):
                comment_id += 1
                parent = comment_id - 1 if n % 3 == 2 else (first if n % 5 == 4 else 0)
                status = "1" if n % 7 else "0"
                out.write(
                    "<wp:comment>"
                    f"<wp:comment_id>{comment_id}</wp:comment_id>"
                    f"<wp:comment_author>{cdata(f'Reader {n}')}</wp:comment_author>"
                    f"<wp:comment_author_email>reader{n}@bench.example</wp:comment_author_email>"
                    "<wp:comment_author_url></wp:comment_author_url>"
                    "<wp:comment_author_IP>192.0.2.1</wp:comment_author_IP>"
                    f"<wp:comment_date_gmt>{date[:11]}{10 + n % 10}:{n:02d}:00"
                    "</wp:comment_date_gmt>"
                    f"<wp:comment_content>{cdata(PARAGRAPH)}</wp:comment_content>"
                    f"<wp:comment_approved>{status}</wp:comment_approved>"
                    "<wp:comment_type></wp:comment_type>"
                    f"<wp:comment_parent>{parent}</wp:comment_parent>"
                    "</wp:comment>\n"
                )
            out.write("</item>\n")
        out.write("</channel>\n</rss>\n")


def run_one(path: Path) -> None:
    """In the child: a fresh database, then the import; print JSON with the numbers."""
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from watchworthy.imports.wordpress import wordpress_import

    call_command("migrate", verbosity=0)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    cpu_started = time.process_time()
    with path.open("rb") as stream:
        summary = wordpress_import(stream=stream)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    items = summary.total("post") + summary.total("comment")
    print(
        json.dumps(
            {
                "items": items,
                "comments": summary.total("comment"),
                "seconds": elapsed,
                "cpu_seconds": cpu,
                "rate": items / elapsed,
                "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                "before_import_kib": before,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 20,000 posts")
    parser.add_argument("--factor", type=int, default=4, help="how much larger the 2nd file is")
    parser.add_argument("--run-one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_one:
        run_one(args.run_one)
        return
    base = max(1, round(POSTS * args.scale))
    print(f"WordPress import: {base:,} posts x {COMMENTS_PER_POST} comments, then x{args.factor}")
    print(f"load average before: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")
    columns = (
        ("posts", 8), ("comments", 9), ("file MB", 8), ("seconds", 8), ("items/s", 8),
        ("comments/s", 10), ("CPU s", 7), ("items/CPU-s", 11), ("peak RSS MB", 12),
    )  # fmt: skip
    print(" ".join(f"{name:>{width}}" for name, width in columns))
    for posts in (base, base * args.factor):
        with tempfile.TemporaryDirectory(prefix="ww-import-bench-") as folder:
            export = Path(folder) / "export.xml"
            write_wxr(export, posts, COMMENTS_PER_POST)
            env = {
                **os.environ,
                "WATCHWORTHY_DATA_DIR": folder,
                "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
            }
            child = subprocess.run(  # noqa: S603 - this script, this interpreter
                [sys.executable, __file__, "--run-one", str(export)],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            result = json.loads(child.stdout.strip().splitlines()[-1])
            print(
                f"{posts:>8,} {posts * COMMENTS_PER_POST:>9,} "
                f"{export.stat().st_size / 1e6:>8.1f} {result['seconds']:>8.1f} "
                f"{result['rate']:>8,.0f} {result['comments'] / result['seconds']:>10,.0f} "
                f"{result['cpu_seconds']:>7.1f} {result['items'] / result['cpu_seconds']:>11,.0f} "
                f"{result['peak_kib'] / 1024:>12.1f}",
                flush=True,
            )
    print(f"load average after: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")


if __name__ == "__main__":
    main()
