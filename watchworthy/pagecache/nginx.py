"""A private nginx running the front's configuration (the tests, make bench-compare).

No Django here: ``bench/compare.py`` runs it from outside the app, with the
configuration ``manage.py nginx_front`` printed.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

NGINX = Path("/usr/sbin/nginx")


class PrivateNginx:
    """nginx with only ``server_config`` (what :func:`render` or ``manage.py
    nginx_front`` prints) in a folder of its own, in the foreground of a process we
    own, stopped by its pid. The http block is the shared harness's static server's
    (worker_processes auto, sendfile, long keep-alive), so the two compare fairly."""

    def __init__(self, server_config: str, folder: Path) -> None:
        self.server_config = server_config
        self.folder = folder
        self.process: subprocess.Popen[bytes] | None = None

    def main_config(self) -> str:
        user = "user root root;\n" if os.geteuid() == 0 else ""
        temp = "\n".join(
            f"    {name}_temp_path {self.folder / name};"
            for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        return (
            f"{user}worker_processes auto;\n"
            f"pid {self.folder / 'nginx.pid'};\n"
            f"error_log {self.folder / 'error.log'} warn;\n"
            "events { worker_connections 1024; }\n"
            "http {\n"
            "    access_log off;\n"
            "    sendfile on;\n"
            "    tcp_nopush on;\n"
            "    keepalive_timeout 65;\n"
            "    keepalive_requests 10000;\n"
            f"{temp}\n"
            f"    include {self.folder / 'watchworthy.conf'};\n"
            "}\n"
        )

    def start(self, port: int) -> PrivateNginx:
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "watchworthy.conf").write_text(self.server_config)
        (self.folder / "nginx.conf").write_text(self.main_config())
        with open(self.folder / "stderr.log", "ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - Debian's nginx, our own config
                [str(NGINX), "-c", str(self.folder / "nginx.conf"), "-p", str(self.folder),
                 "-g", "daemon off;"],
                stdout=subprocess.DEVNULL,
                stderr=log,
                start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                said = (self.folder / "stderr.log").read_text()
                raise RuntimeError(f"nginx exited with {self.process.returncode}: {said}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"nginx did not listen on 127.0.0.1:{port} within 20 s")

    def stop(self) -> None:
        """SIGQUIT to our master (it stops its workers), by its pid."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGQUIT)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # its own session: only ours
            self.process.wait()
