"""GDAL in this process opens only GeoPackages and Shapefiles, reads no other file, fetches nothing.

Each hostile file is tried twice: through our loader (which refuses it by its signature) and
straight through pyogrio, past our checks, to show that the process-level lock holds on its
own. A loopback HTTP server counts connections; a canary file's access time shows reads.
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyogrio
import pytest

import geo.reading  # noqa: F401  (importing the readers locks GDAL down)
from geo.gdal_guard import ALLOWED_DRIVERS, CONFIG, registered_drivers
from geo.validation import DatasetError, load_events_from_bytes
from tests.hostile_corpus import vrt, zipped

ROOT = Path(__file__).resolve().parent.parent


class Listener:
    """A TCP server on loopback that counts the connections it accepts."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.port = int(self.sock.getsockname()[1])
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 20\r\n\r\nid,lat,lon\r\n1,33,44\r\n")
            conn.close()

    def close(self) -> None:
        self.running = False
        self.thread.join(timeout=2)
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


@pytest.fixture
def canary(tmp_path: Path) -> Path:
    """A CSV file outside any upload; its access time is set back so that a read shows."""
    path = tmp_path / "canary.csv"
    path.write_text("secret,lat,lon\nflashpoint-canary-7731,33,44\n")
    stat = path.stat()
    os.utime(path, ns=(stat.st_mtime_ns - 10**10, stat.st_mtime_ns))
    return path


def was_read(path: Path) -> bool:
    stat = path.stat()
    return stat.st_atime_ns >= stat.st_mtime_ns


def test_only_the_two_drivers_are_left() -> None:
    assert registered_drivers() == set(ALLOWED_DRIVERS)


@pytest.mark.parametrize(("key", "value"), sorted(CONFIG.items()))
def test_config_is_set_for_the_process(key: str, value: str) -> None:
    got = pyogrio.get_gdal_config_option(key)
    # pyogrio hands back "NO"/"OFF" as False and numbers as numbers.
    assert (got is False and value in ("NO", "OFF")) or str(got) == value


def test_the_listener_and_the_canary_do_notice(listener: Listener, canary: Path) -> None:
    """The two detectors work: without this, the tests below could not fail."""
    with urllib.request.urlopen(f"http://127.0.0.1:{listener.port}/x.csv", timeout=5):
        pass
    canary.read_bytes()
    assert (listener.connections, was_read(canary)) == (1, True)


def test_an_unlocked_gdal_does_read_the_canary(canary: Path) -> None:
    """The hostile VRT is real: in a process without Flashpoint's lock, GDAL follows it."""
    script = (
        "import io, sys, pyogrio; "
        "print(pyogrio.read_dataframe(io.BytesIO(sys.stdin.buffer.read()))['secret'][0])"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        input=vrt(f"CSV:{canary}"),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert b"flashpoint-canary-7731" in done.stdout, done.stderr


def hostile_uploads(target: str) -> list[tuple[bytes, str]]:
    """The same VRT, uploaded under each name that reaches GDAL."""
    return [
        (vrt(target), "events.gpkg"),
        (zipped({"events.vrt": vrt(target)}), "events.zip"),
        (zipped({"events.shp": vrt(target), "events.dbf": b"\x03"}), "events.zip"),
    ]


def test_a_vrt_upload_reads_no_other_file(canary: Path) -> None:
    for data, name in hostile_uploads(f"CSV:{canary}"):
        with pytest.raises(DatasetError) as info:
            load_events_from_bytes(data, name)
        assert str(canary.parent) not in str(info.value)
    assert not was_read(canary)


def test_a_vrt_past_our_checks_reads_no_other_file(canary: Path) -> None:
    for source in (f"CSV:{canary}", str(canary)):
        with pytest.raises(pyogrio.errors.DataSourceError):
            pyogrio.read_dataframe(io.BytesIO(vrt(source)))
    assert not was_read(canary)


def test_a_vrt_upload_fetches_nothing(listener: Listener) -> None:
    url = f"http://127.0.0.1:{listener.port}/x.csv"
    for data, name in hostile_uploads(f"CSV:/vsicurl/{url}"):
        with pytest.raises(DatasetError):
            load_events_from_bytes(data, name)
    time.sleep(0.3)  # a connection GDAL opened would have been accepted by now
    assert listener.connections == 0


@pytest.mark.parametrize(
    "address",
    [
        "/vsicurl/http://127.0.0.1:{port}/x.csv",
        "/vsicurl/http://127.0.0.1:{port}/x.gpkg",
        "/vsicurl_streaming/http://127.0.0.1:{port}/x.gpkg",
        "http://127.0.0.1:{port}/x.gpkg",
        "CSV:/vsicurl/http://127.0.0.1:{port}/x.csv",
    ],
)
def test_gdal_fetches_no_address_even_when_asked_directly(listener: Listener, address: str) -> None:
    target = address.format(port=listener.port)
    with pytest.raises(Exception):  # noqa: B017 - any refusal will do, a fetch will not
        pyogrio.read_dataframe(target)
    with pytest.raises(pyogrio.errors.DataSourceError):
        pyogrio.read_dataframe(io.BytesIO(vrt(target)))
    time.sleep(0.3)
    assert listener.connections == 0


def test_the_lock_holds_in_a_fresh_process(listener: Listener, canary: Path) -> None:
    """The dashboard and the CLI import geo first: nothing else can open a driver before."""
    script = (
        "import io, sys, pyogrio, geo.reading\n"
        "for source in sys.argv[1:]:\n"
        "    try:\n"
        "        pyogrio.read_dataframe(io.BytesIO(source.encode()))\n"
        "        print('OPENED', source)\n"
        "    except Exception:\n"
        "        pass\n"
        "print(sorted(pyogrio.list_drivers()))\n"
    )
    url = f"http://127.0.0.1:{listener.port}/x.csv"
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            script,
            vrt(f"CSV:{canary}").decode(),
            vrt(f"CSV:/vsicurl/{url}").decode(),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.stdout.strip() == "['ESRI Shapefile', 'GPKG']", done.stderr
    assert (listener.connections, was_read(canary)) == (0, False)


def test_no_reader_hands_a_name_to_geopandas() -> None:
    """geopandas' read_file fetches http(s) addresses itself, outside GDAL: we never call it."""
    for module in (ROOT / "geo").glob("*.py"):
        assert "read_file(" not in module.read_text(), module.name
