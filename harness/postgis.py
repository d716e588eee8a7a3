"""A throwaway PostgreSQL + PostGIS cluster in a temporary directory, for tests and load runs.

Debian's server binaries (/usr/lib/postgresql/<version>/bin) run it on a free loopback port with
its socket inside the directory, as an unprivileged user: `initdb` refuses to run as root, so a
root process runs the cluster as `postgres` (the Debian package's user) through `runuser`.
Local (socket) connections are trusted; TCP asks for a password, so the URLs the tests use carry
one, as a deployment's would. Stopping removes the directory: nothing is left behind.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Final, Self

from harness.server import LOOPBACK, free_port

PG_ROOT: Final = Path("/usr/lib/postgresql")
RUN_AS: Final = "postgres"
DATABASE: Final = "flashpoint"
READER: Final = "reader"


class PostgisMissingError(RuntimeError):
    """PostgreSQL or PostGIS is not installed (`make test` installs them)."""


def server_bin() -> Path:
    """The newest installed PostgreSQL's server binaries, or a loud error."""
    versions = sorted(
        (p for p in PG_ROOT.glob("*/bin") if (p / "initdb").exists()),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    if not versions:
        raise PostgisMissingError(
            "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): "
            "run `make test`, which installs postgresql-15-postgis-3"
        )
    return versions[-1]


@dataclass
class ThrowawayPostgis:
    """A running cluster with database `flashpoint` (PostGIS enabled) and a read-only role."""

    directory: Path = field(init=False)
    port: int = field(init=False)
    password: str = field(default_factory=lambda: secrets.token_hex(8))
    reader_password: str = field(default_factory=lambda: secrets.token_hex(8))
    _bin: Path = field(init=False)

    def url(self, *, reader: bool = False, database: str = DATABASE) -> str:
        """A connection URL over TCP with a password (the owner's, or the read-only role's)."""
        user, password = (READER, self.reader_password) if reader else (RUN_AS, self.password)
        return f"postgresql://{user}:{password}@{LOOPBACK}:{self.port}/{database}"

    def start(self) -> Self:
        """initdb, start, create the database, PostGIS and the read-only role."""
        self._bin = server_bin()
        self.directory = Path(tempfile.mkdtemp(prefix="flashpoint-pg-"))
        self.port = free_port()
        data = self.directory / "data"
        pwfile = self.directory / "pw"
        pwfile.write_text(self.password + "\n", encoding="utf-8")
        self._own(self.directory)
        self._run(
            "initdb", "-D", str(data), "-U", RUN_AS, f"--pwfile={pwfile}",
            "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-sync",
        )  # fmt: skip
        pwfile.unlink()
        self.resume()
        self.psql("postgres", f"CREATE DATABASE {DATABASE}")
        try:
            self.psql(DATABASE, "CREATE EXTENSION postgis")
        except subprocess.CalledProcessError as exc:
            self.stop()
            raise PostgisMissingError(
                "PostGIS is not installed: run `make test`, which installs postgresql-15-postgis-3"
            ) from exc
        self.psql(
            DATABASE,
            f"CREATE ROLE {READER} LOGIN PASSWORD '{self.reader_password}';"
            f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {READER};"
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO {READER}",
        )
        return self

    def psql(self, database: str, sql: str) -> str:
        """Run SQL through the socket as the owner; its output (tuples only, unaligned)."""
        return self._run(
            "psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-h", str(self.directory),
            "-p", str(self.port), "-U", RUN_AS, "-d", database, "-c", sql,
        )  # fmt: skip

    def pause(self) -> None:
        """Stop the server but keep its data: clients find the database unreachable."""
        self._run("pg_ctl", "-D", str(self.directory / "data"), "-m", "fast", "-w", "stop")

    def resume(self) -> None:
        """Start the server (again) on the same port with the same data."""
        options = f"-p {self.port} -k {self.directory} -c listen_addresses={LOOPBACK} -c fsync=off"
        self._run(
            "pg_ctl", "-D", str(self.directory / "data"), "-o", options,
            "-l", str(self.directory / "log"), "-w", "-t", "60", "start",
        )  # fmt: skip

    def stop(self) -> None:
        """Stop the server (fast) and remove its directory."""
        if not hasattr(self, "directory"):
            return
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run("pg_ctl", "-D", str(self.directory / "data"), "-m", "fast", "-w", "stop")
        shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _own(self, path: Path) -> None:
        """Give the directory to the user the cluster runs as (when that is not us)."""
        if os.geteuid() == 0:
            entry = pwd.getpwnam(RUN_AS)
            os.chown(path, entry.pw_uid, entry.pw_gid)
            path.chmod(0o700)

    def _run(self, program: str, *args: str) -> str:
        """Run one of the server's programs, as `postgres` when we are root."""
        command = [str(self._bin / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", RUN_AS, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, check=False, cwd="/")
        if done.returncode != 0:
            raise subprocess.CalledProcessError(done.returncode, program, done.stdout, done.stderr)
        return done.stdout
