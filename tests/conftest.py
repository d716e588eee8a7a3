"""Shared fixtures: paths, the bundled dataset, and an AppTest factory."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.dataset import Dataset
from geo.validation import load_events
from harness.postgis import ThrowawayPostgis

ROOT = Path(__file__).resolve().parent.parent
DASHBOARD = ROOT / "dashboard.py"
BUNDLED = ROOT / "data" / "locations.geojson"


@pytest.fixture(scope="session")
def bundled() -> Dataset:
    """The bundled dataset, loaded the way the dashboard loads it."""
    return Dataset.from_result(load_events(BUNDLED), BUNDLED.name)


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    """Build an AppTest of the dashboard, optionally with query parameters or another dataset."""
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("FLASHPOINT_COLUMNS", raising=False)

    def make(data_file: Path | None = None, **params: str | list[str]) -> AppTest:
        if data_file is not None:
            monkeypatch.setenv("FLASHPOINT_DATA", str(data_file))
        else:
            monkeypatch.delenv("FLASHPOINT_DATA", raising=False)
        at = AppTest.from_file(str(DASHBOARD), default_timeout=60)
        for key, value in params.items():
            at.query_params[key] = value
        return at

    return make


@pytest.fixture(scope="session")
def postgis() -> Iterator[ThrowawayPostgis]:
    """A throwaway PostgreSQL + PostGIS cluster for the session (never skipped: it must exist)."""
    with ThrowawayPostgis() as cluster:
        yield cluster
