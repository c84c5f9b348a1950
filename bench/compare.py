"""`make bench-compare`: Watchworthy against WordPress and nginx, side by side.

The anchor — WordPress 6.1 from Debian (nginx -> php-fpm -> MariaDB, classic theme,
no page cache) and nginx serving static files — is set up, served and measured by the
shared harness in ``../shared/bench/wordpress`` (relative to the project root; read
its README). We run its scripts from there and never copy them. Our side:

1. ``setup.sh`` (idempotent) brings WordPress and the static server up and writes the
   generated content to ``$WPB_HOME/content.json``.
2. For each database (SQLite, then PostgreSQL when reachable): a fresh database,
   ``migrate``, and ``bench/content.py`` loads the same content through the app's own
   services (same slugs, authors, dates, comment tree; the whole thread on one page).
3. For each mode — *uncached* (``WATCHWORTHY_PAGE_CACHE=0``) and *cached* (the page
   cache in production's shared cache folder; with PostgreSQL, the scale-out set-up
   with Redis; and *cached (nginx)*: the nginx front of docs/deploy.md, its
   configuration printed by ``manage.py nginx_front``, on a free loopback port before
   the app server, serving the page files of ``WATCHWORTHY_PAGE_FILES``) — the
   production server (granian; ``BENCH_SERVER=gunicorn`` for gunicorn) serves the app
   in production mode on a loopback port, our big and small pages are saved
   into the harness's static root (``ww-big.html``, ``ww-small.html``), and ONE
   ``measure.sh`` run measures the WordPress big and small pages, ours, and nginx
   serving our HTML as static files.
4. The results go to ``bench/results/compare.md`` (table), ``compare.json`` (rows for
   other tools) and ``compare.log`` (measure.sh's own progress lines, raw numbers).

Skips with one line (exit 0) when the harness is absent, when not run as root, or
when there is no apt-get. Settings (environment): BENCH_PG_URL (a dedicated database:
it is dropped and re-created; by default watchworthy_bench on this machine, through
its socket when there is one, bench.server.postgres_url), BENCH_REDIS_URL (a Redis
database it may flush; empty skips the Redis row), BENCH_DATABASES
(``sqlite,postgresql``), BENCH_CACHES (which configurations:
``none,folder,redis,nginx``, all by default; ``none`` is uncached), WEB_WORKERS
(one per core, as scripts/serve.sh), and everything measure.sh reads (DURATION,
REPEATS, IDLE_MAX, ...).
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.server import (
    HOST,
    ROOT,
    Server,
    free_port,
    get,
    manage,
    postgres_reachable,
    postgres_url,
    production_env,
    reset_postgres,
    run_python,
    server_kind,
    stop_on_sigterm,
)

HARNESS = ROOT.parent / "shared" / "bench" / "wordpress"
WPB_HOME = Path(os.environ.get("WPB_HOME", "/var/lib/wpbench"))
RESULTS = ROOT / "bench" / "results"
PG_URL = postgres_url("watchworthy_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6")
PAGES = {"big": "/reviews/aperture-x9-mirrorless-camera-review/",
         "small": "/reviews/nimbus-14-ultralight-laptop-review/"}  # fmt: skip
EXPECTED_COMMENTS = {"big": 1000, "small": 20}


def say(*parts: object) -> None:
    print(*parts, file=sys.stderr, flush=True)


def skip_reason() -> str | None:
    if not (HARNESS / "setup.sh").exists():
        return f"the WordPress harness is not at {HARNESS} (../shared/bench/wordpress)"
    if os.geteuid() != 0:
        return "the WordPress harness installs Debian packages and must run as root"
    if not shutil.which("apt-get") and not shutil.which("wrk"):
        return "no apt-get (not a Debian machine) to install WordPress, nginx and wrk"
    return None


@dataclass
class Measured:
    url: str
    rps: float
    p50: float
    p99: float
    single: float
    bytes: int
    reqs: float
    errors: int


def parse_measure(text: str) -> dict[str, Measured]:
    rows = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        url, rps, p50, p99, single, size, reqs, errors = line.split("\t")
        rows[url] = Measured(
            url, float(rps), float(p50), float(p99), float(single), int(size), float(reqs),
            int(errors),
        )  # fmt: skip
    return rows


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def urls_env() -> dict[str, str]:
    values = {}
    for line in (WPB_HOME / "urls.env").read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def check_page(base: str, key: str) -> bytes:
    status, body, _headers = get(base + PAGES[key])
    if status != 200:
        raise SystemExit(f"bench-compare: {base + PAGES[key]} answered {status}")
    shown = body.count(b"data-comment-id=")
    if shown != EXPECTED_COMMENTS[key]:
        raise SystemExit(
            f"bench-compare: {PAGES[key]} shows {shown} comments, not {EXPECTED_COMMENTS[key]}"
        )
    return body


def measure(config: str, wp: dict[str, str], base: str, log) -> dict[str, Measured]:
    """One measure.sh run: WordPress big/small, ours big/small, static copies of ours."""
    static = "http://127.0.0.1:{}/".format(os.environ.get("WPB_STATIC_PORT", "8082"))
    urls = [
        wp["WPB_URL_BIG"], base + PAGES["big"], static + "ww-big.html",
        wp["WPB_URL_SMALL"], base + PAGES["small"], static + "ww-small.html",
    ]  # fmt: skip
    say(f"[bench-compare] {config}: measure.sh (load {loadavg()})")
    log.write(f"\n## {config} — {datetime.now(UTC):%Y-%m-%d %H:%M:%SZ}, load {loadavg()}\n")
    log.flush()
    run = subprocess.run(  # noqa: S603 - the harness's own script, run from its folder
        ["./measure.sh", *urls], cwd=HARNESS, capture_output=True, text=True, check=True
    )
    log.write(run.stderr + run.stdout)
    log.flush()
    rows = parse_measure(run.stdout)
    return {
        "wp_big": rows[urls[0]], "ww_big": rows[urls[1]], "static_big": rows[urls[2]],
        "wp_small": rows[urls[3]], "ww_small": rows[urls[4]], "static_small": rows[urls[5]],
    }  # fmt: skip


def configurations(databases: list[str]) -> list[tuple[str, str, str]]:
    """(database, mode, cache) in the order they are measured."""
    wanted = {
        c.strip() for c in os.environ.get("BENCH_CACHES", "none,folder,redis,nginx").split(",")
    }
    out = []
    for database in databases:
        out += [(database, "uncached", "none"), (database, "cached", "folder")]
        if database == "postgresql" and REDIS_URL:
            out.append((database, "cached", "redis"))
        out.append((database, "cached", "nginx"))
    return [row for row in out if row[2] in wanted]


@contextmanager
def nginx_front(env: dict[str, str], app: str, folder: Path) -> Iterator[str]:
    """The nginx front of docs/deploy.md before the app at ``app`` (host:port), its
    configuration printed by ``manage.py nginx_front`` with the server's settings."""
    from watchworthy.pagecache.nginx import NGINX, PrivateNginx

    if not NGINX.exists():
        raise SystemExit(f"bench-compare: {NGINX} is missing (make browser installs it)")
    port = free_port()
    printed = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, str(ROOT / "manage.py"), "nginx_front", "--app", app,
         "--listen", f"listen {HOST}:{port};"],
        env=env, cwd=ROOT, check=True, capture_output=True, text=True,
    )  # fmt: skip
    nginx = PrivateNginx(printed.stdout, folder)
    nginx.start(port)
    try:
        yield f"http://{HOST}:{port}"
    finally:
        nginx.stop()


def flush_redis(url: str) -> str | None:
    try:
        import redis

        redis.Redis.from_url(url).flushdb()
        return None
    except Exception as error:  # unreachable: skip the row
        return str(error).splitlines()[0]


def main() -> None:
    stop_on_sigterm()
    reason = skip_reason()
    if reason:
        print(f"SKIPPED: bench-compare — {reason}")
        return
    say("[bench-compare] setup.sh (WordPress + static server; idempotent)")
    subprocess.run(["./setup.sh"], cwd=HARNESS, check=True, stdout=sys.stderr)
    wp = urls_env()
    content = WPB_HOME / "content.json"
    static_dir = WPB_HOME / "static"

    databases = [
        d.strip() for d in os.environ.get("BENCH_DATABASES", "sqlite,postgresql").split(",")
    ]
    notes = []
    if "postgresql" in databases and (why := postgres_reachable(PG_URL)):
        notes.append(f"PostgreSQL skipped: {why}")
        databases.remove("postgresql")

    work = Path(tempfile.mkdtemp(prefix="watchworthy-compare-"))
    static_root = work / "static"
    RESULTS.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, object]] = []
    started = time.monotonic()
    with open(RESULTS / "compare.log", "w") as log:
        log.write("# measure.sh output per configuration (stderr progress, then the TSV)\n")
        loaded: set[str] = set()
        for database, mode, cache in configurations(databases):
            config = f"{database}, {mode}" + (f" ({cache})" if mode == "cached" else "")
            data_dir = work / database
            database_url = PG_URL if database == "postgresql" else ""
            redis_url = REDIS_URL if cache == "redis" else ""
            if redis_url and (why := flush_redis(redis_url)):
                notes.append(f"{config} skipped: Redis {why}")
                continue
            pages = work / f"pages-{database}"
            env = production_env(
                data_dir=data_dir,
                static_root=static_root,
                database_url=database_url,
                page_cache=mode == "cached",
                redis_url=redis_url,
                extra={"WATCHWORTHY_PAGE_FILES": str(pages)} if cache == "nginx" else None,
            )
            if database not in loaded:
                say(f"[bench-compare] {database}: fresh database, migrate, load {content}")
                if database_url:
                    reset_postgres(database_url)
                manage(env, "migrate", "--noinput")
                if not (static_root / "staticfiles.json").exists():
                    manage(env, "collectstatic", "--noinput")
                run_python(env, "bench/content.py", str(content))
                loaded.add(database)
            server = Server(env, log=work / f"server-{database}-{mode}-{cache}.log")
            with ExitStack() as running:
                running.enter_context(server)
                base = server.base
                if cache == "nginx":
                    shutil.rmtree(pages, ignore_errors=True)
                    app = server.base.removeprefix("http://")
                    base = running.enter_context(nginx_front(env, app, work / "nginx"))
                for key in PAGES:
                    body = check_page(base, key)
                    (static_dir / f"ww-{key}.html").write_bytes(body)
                    (static_dir / f"ww-{key}.html").chmod(0o644)
                if mode == "cached":  # the copies are filled and served from the cache
                    expected = "front" if cache == "nginx" else "hit"
                    for key in PAGES:
                        _, body, headers = get(base + PAGES[key])
                        if headers.get("x-page-cache") != expected:
                            notes.append(f"{config}: {PAGES[key]} was not a cache {expected}")
                        if body != (static_dir / f"ww-{key}.html").read_bytes():
                            notes.append(f"{config}: {PAGES[key]} differs from its static copy")
                load_before = loadavg()
                measured = measure(config, wp, base, log)
            for page in PAGES:
                ww, wordpress, static = (
                    measured[f"ww_{page}"], measured[f"wp_{page}"], measured[f"static_{page}"]
                )  # fmt: skip
                rows.append(
                    {
                        "page": page,
                        "database": database,
                        "mode": mode,
                        "cache": cache,
                        "ww_rps": ww.rps,
                        "wordpress_rps": wordpress.rps,
                        "static_rps": static.rps,
                        "ratio_wordpress": ratio(ww.rps, wordpress.rps, 2),
                        "ratio_static": ratio(ww.rps, static.rps, 4),
                        "ww_p50_ms": ww.p50,
                        "ww_p99_ms": ww.p99,
                        "ww_single_ms": ww.single,
                        "ww_bytes": ww.bytes,
                        "ww_requests_per_run": ww.reqs,
                        "ww_errors": ww.errors,
                        "wordpress_p50_ms": wordpress.p50,
                        "wordpress_single_ms": wordpress.single,
                        "wordpress_bytes": wordpress.bytes,
                        "wordpress_errors": wordpress.errors,
                        "static_p50_ms": static.p50,
                        "load_before": load_before,
                    }
                )
            # After every configuration, so that a run stopped half-way keeps its rows.
            write_results(rows, notes, (time.monotonic() - started) / 60)
    minutes = (time.monotonic() - started) / 60
    write_results(rows, notes, minutes)
    print((RESULTS / "compare.md").read_text())
    shutil.rmtree(work, ignore_errors=True)


def ratio(ours: float, theirs: float, digits: int) -> float | None:
    return round(ours / theirs, digits) if theirs else None


def machine() -> str:
    memory = re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())
    gib = int(memory.group(1)) / 1024 / 1024 if memory else 0
    cpu = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
    return (
        f"{os.cpu_count()} CPUs ({cpu.group(1).strip() if cpu else 'unknown'}), "
        f"{gib:.1f} GiB RAM, Linux {platform.release()}, Python {platform.python_version()}"
    )


def write_results(rows: list[dict[str, object]], notes: list[str], minutes: float) -> None:
    (RESULTS / "compare.json").write_text(json.dumps(rows, indent=1) + "\n")
    settings = " ".join(
        f"{name}={os.environ[name]}"
        for name in ("DURATION", "REPEATS", "CONNS", "THREADS", "IDLE_MAX", "IDLE_PCT")
        if os.environ.get(name)
    )
    lines = [
        "# Watchworthy against WordPress 6.1 and nginx (static), one run per configuration",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `make bench-compare` "
        f"({minutes:.0f} min). Machine: {machine()}. "
        f"{server_kind()} with {workers()} workers, production settings; measure.sh "
        f"(wrk -t{env('THREADS', '2')} -c{env('CONNS', '16')} -d{env('DURATION', '15s')}, "
        f"{env('REPEATS', '3')} runs, medians; settings: {settings or 'its defaults'}). "
        "WordPress: Debian's 6.1, classic theme, php-fpm 4 workers, MariaDB, no page cache. "
        "Static: nginx serving our own HTML for that page. "
        "*load* is the 1/5/15-minute load average just before the run: the machine is "
        "shared, see bench/README.md.",
        "",
        "| page | database | mode | WW req/s | p50 ms | p99 ms | single ms | bytes "
        "| WordPress req/s | static req/s | ÷WordPress | ÷static | load |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        mode = row["mode"] if row["mode"] == "uncached" else f"cached ({row['cache']})"
        lines.append(
            f"| {row['page']} | {row['database']} | {mode} | {row['ww_rps']:,.1f} "
            f"| {row['ww_p50_ms']} | {row['ww_p99_ms']} | {row['ww_single_ms']} "
            f"| {row['ww_bytes']:,} | {row['wordpress_rps']:,.1f} | {row['static_rps']:,.0f} "
            f"| {times(row['ratio_wordpress'])} | {percent(row['ratio_static'])} "
            f"| {row['load_before']} |"
        )
    if notes:
        lines += ["", *[f"- {note}" for note in notes]]
    lines += ["", "Raw measure.sh output: compare.log. Rows for tools: compare.json."]
    (RESULTS / "compare.md").write_text("\n".join(lines) + "\n")


def env(name: str, default: str) -> str:
    return os.environ.get(name) or default


def times(value: object) -> str:
    return f"{value:.2f}x" if isinstance(value, float) else "n/a"


def percent(value: object) -> str:
    return f"{value:.1%}" if isinstance(value, float) else "n/a"


def workers() -> int:
    from bench.server import default_workers

    return default_workers()


if __name__ == "__main__":
    main()
