"""The dashboard as the viewers reach it: one server, replicas behind nginx, or a given URL.

Only a fleet we started can be watched (memory, CPU, open files); sessions are counted by each
server's `/_stcore/metrics`, so behind nginx the count is the sum over the replicas.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from harness.server import DashboardServer, free_port
from loadtest.metrics import active_sessions, cpu_seconds, files_open_for_writing, rss_bytes
from loadtest.nginx import NginxProxy

TTL_OPTION: Final = "--server.disconnectedSessionTTL"


@dataclass
class Fleet:
    """`replicas` dashboard servers (behind nginx when more than one), or `external_url`."""

    name: str
    workdir: Path
    data: Path | str | None = None  # a file, or a database address (postgresql://...)
    replicas: int = 1
    session_ttl: int | None = None
    external_url: str | None = None
    servers: list[DashboardServer] = field(default_factory=list)
    proxy: NginxProxy | None = None

    @property
    def url(self) -> str:
        """Where viewers go."""
        if self.external_url is not None:
            return self.external_url
        if self.proxy is not None:
            return self.proxy.url
        return self.servers[0].url

    @property
    def watched(self) -> bool:
        """Whether we run the servers and can read their memory and CPU."""
        return bool(self.servers)

    def start(self) -> None:
        """Start the replicas side by side, then nginx in front when there are several."""
        if self.external_url is not None:
            return
        ttl = () if self.session_ttl is None else (TTL_OPTION, str(self.session_ttl))
        self.servers = [
            DashboardServer(self.data, options=ttl, log_path=self.workdir / f"{self.name}-{i}.log")
            for i in range(self.replicas)
        ]
        try:
            with ThreadPoolExecutor(len(self.servers)) as pool:
                list(pool.map(DashboardServer.start, self.servers))
            if self.replicas > 1:
                self.proxy = NginxProxy(
                    self.workdir / f"{self.name}-nginx",
                    free_port(),
                    [f"127.0.0.1:{s.port}" for s in self.servers],
                )
                self.proxy.start()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop nginx and every replica."""
        if self.proxy is not None:
            self.proxy.stop()
        for server in self.servers:
            server.stop()

    def restart(self) -> None:
        """Restart the replicas one after another, as a rolling deploy does."""
        for server in self.servers:
            server.restart()

    def live_sessions(self) -> int | None:
        """Sessions with an open websocket, summed over the replicas (None: one did not say)."""
        if not self.servers:
            return active_sessions(self.url)
        counts = [active_sessions(s.url) for s in self.servers]
        return None if None in counts else sum(c for c in counts if c is not None)

    def rss(self) -> int:
        """Resident memory of all replicas together."""
        return sum(rss_bytes(s.pid) for s in self.servers)

    def cpu(self) -> float:
        """CPU seconds all replicas have used so far."""
        return sum(cpu_seconds(s.pid) for s in self.servers)

    def last_traceback(self) -> str:
        """The last traceback any replica logged, for a report that shows errors."""
        return next((t for t in (s.last_traceback() for s in self.servers) if t), "")

    def files_written(self) -> list[str]:
        """Regular files any replica holds open for writing."""
        return [f for s in self.servers for f in files_open_for_writing(s.pid)]
