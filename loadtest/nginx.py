"""The nginx front for several dashboard replicas: render its config, run it unprivileged.

`python -m loadtest.nginx --listen 127.0.0.1:8080 --replica 127.0.0.1:8501 --replica ...`
prints the site config (http context) rendered from deploy/nginx/flashpoint.conf.template.
`NginxProxy` wraps that site in a complete, non-root configuration (pid, logs and temp files
under one directory, `daemon off;`) for tests and `python -m loadtest --replicas N`.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Final

from harness.server import ROOT, stop_process, wait_healthy

TEMPLATE: Final = ROOT / "deploy" / "nginx" / "flashpoint.conf.template"
RENDERED: Final = ROOT / "deploy" / "nginx" / "flashpoint.conf"
NGINX_ENV: Final = "FLASHPOINT_NGINX"
DEFAULT_NGINX: Final = "/usr/sbin/nginx"
DEFAULT_LISTEN: Final = "127.0.0.1:8080"
DEFAULT_REPLICAS: Final = ("127.0.0.1:8501", "127.0.0.1:8502")
DEFAULT_ACCESS_LOG: Final = "/var/log/nginx/flashpoint.access.log"
SERVER_OPTIONS: Final = "max_fails=3 fail_timeout=10s"
_LOG_LINE = re.compile(
    r'"(?P<request>[^"]*)" (?P<status>\d+) .* route=(?P<route>\S+) upstream=(?P<upstream>.+?) time='
)

MAIN_CONFIG: Final = """\
# Unprivileged nginx for tests: everything it writes stays under its prefix directory.
daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log notice;
events {{
    worker_connections 1024;
}}
http {{
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {site};
}}
"""


def render_site(
    listen: str = DEFAULT_LISTEN,
    replicas: Sequence[str] = DEFAULT_REPLICAS,
    access_log: str = DEFAULT_ACCESS_LOG,
) -> str:
    """The site config for `replicas` (host:port each), listening on `listen`."""
    if not replicas:
        raise ValueError("at least one replica is needed")
    servers = "\n".join(f"    server {r} {SERVER_OPTIONS};" for r in replicas)
    text = TEMPLATE.read_text(encoding="utf-8")
    for name, value in (("@SERVERS@", servers), ("@LISTEN@", listen), ("@ACCESS_LOG@", access_log)):
        text = text.replace(name, value)
    return text


def nginx_path() -> Path:
    """Debian's nginx, or the one named by FLASHPOINT_NGINX."""
    return Path(os.environ.get(NGINX_ENV, DEFAULT_NGINX))


@dataclass(frozen=True, slots=True)
class LogLine:
    """One proxied request as the access log saw it."""

    request: str
    status: int
    route: str
    upstream: str

    @property
    def served_by(self) -> str:
        """The replica that answered (nginx lists every one it tried, the last answered)."""
        return self.upstream.split(", ")[-1]


def read_access_log(path: Path) -> list[LogLine]:
    """The requests nginx proxied, with the routing key and the replica that served each."""
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        match = _LOG_LINE.search(raw)
        if match:
            lines.append(
                LogLine(match["request"], int(match["status"]), match["route"], match["upstream"])
            )
    return lines


@dataclass
class NginxProxy:
    """nginx in the foreground, with its config, pid, logs and temp files under `prefix`."""

    prefix: Path
    port: int
    replicas: Sequence[str]
    proc: subprocess.Popen[bytes] | None = None
    _output: IO[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        """The address viewers use."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def access_log(self) -> Path:
        """Where each proxied request is logged with its route and upstream."""
        return self.prefix / "access.log"

    def write_config(self) -> Path:
        """Write the site and the main config; return the main config's path."""
        self.prefix.mkdir(parents=True, exist_ok=True)
        site = self.prefix / "flashpoint.conf"
        site.write_text(
            render_site(f"127.0.0.1:{self.port}", self.replicas, str(self.access_log)),
            encoding="utf-8",
        )
        main = self.prefix / "nginx.conf"
        main.write_text(MAIN_CONFIG.format(prefix=self.prefix, site=site), encoding="utf-8")
        return main

    def command(self, config: Path) -> list[str]:
        """The nginx command line; `-e` keeps even start-up errors out of /var/log."""
        binary = nginx_path()
        if not binary.exists():
            raise FileNotFoundError(f"nginx is missing at {binary}: install it or set {NGINX_ENV}")
        return [
            str(binary),
            "-p",
            str(self.prefix),
            "-c",
            str(config),
            "-e",
            str(self.prefix / "error.log"),
        ]

    def start(self) -> None:
        """Check the config (`nginx -t`), start nginx and wait until it proxies health checks."""
        config = self.write_config()
        cmd = self.command(config)
        check = subprocess.run([*cmd, "-t"], capture_output=True, text=True, check=False)
        if check.returncode != 0:
            raise RuntimeError(f"nginx rejects its config:\n{check.stderr}")
        self._output = (self.prefix / "nginx.out").open("ab")
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=self._output, stderr=subprocess.STDOUT
        )
        try:
            wait_healthy(self.url, self.proc, timeout=20)
        except RuntimeError:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop nginx (fast shutdown) and close its output."""
        if self.proc is not None:
            stop_process(self.proc)
        if self._output is not None:
            self._output.close()
            self._output = None

    def __enter__(self) -> NginxProxy:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def wait_for_log(path: Path, count: int, timeout: float = 5.0) -> list[LogLine]:
    """The access log once it holds at least `count` lines (nginx writes it as requests end)."""
    deadline = time.monotonic() + timeout
    lines = read_access_log(path) if path.exists() else []
    while len(lines) < count and time.monotonic() < deadline:
        time.sleep(0.1)
        lines = read_access_log(path) if path.exists() else []
    return lines


def main(argv: list[str] | None = None) -> int:
    """Print the site config for the given listen address and replicas."""
    parser = argparse.ArgumentParser(
        prog="python -m loadtest.nginx",
        description="Render the nginx site config for Flashpoint replicas.",
    )
    parser.add_argument("--listen", default=DEFAULT_LISTEN, help="address:port nginx listens on")
    parser.add_argument(
        "--replica", action="append", help="address:port of a replica (repeat; default 8501, 8502)"
    )
    parser.add_argument("--access-log", default=DEFAULT_ACCESS_LOG, help="access log path")
    args = parser.parse_args(argv)
    print(render_site(args.listen, args.replica or DEFAULT_REPLICAS, args.access_log), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
