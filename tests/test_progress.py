"""A load reports its stages in order, each fraction of the whole never going back."""

from __future__ import annotations

import pytest

from geo.dataset import Dataset
from geo.progress import STAGES, tell
from geo.validation import DatasetError, load_events_from_bytes

CSV = "date,lat,lon,type\n" + "".join(
    f"2021-03-{1 + i % 28:02d},{30 + i % 5},{44 + i % 3},Protests\n" for i in range(200)
)


def test_a_load_reports_reading_validating_indexing_in_order() -> None:
    heard: list[tuple[str, float]] = []

    def progress(stage: str, fraction: float) -> None:
        heard.append((stage, fraction))

    result = load_events_from_bytes(CSV.encode(), "p.csv", progress=progress)
    dataset = Dataset.from_result(result, "p.csv", progress=progress)

    assert len(dataset) == 200
    stages = [stage for stage, _ in heard]
    assert list(dict.fromkeys(stages)) == ["reading", "validating", "indexing"]
    assert stages == sorted(stages, key=list(STAGES).index)
    fractions = [fraction for _, fraction in heard]
    assert fractions == sorted(fractions)
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert len(heard) >= 8  # the bar moves within validating and indexing too


def test_a_file_that_cannot_be_read_stops_at_reading() -> None:
    heard: list[str] = []
    with pytest.raises(DatasetError):
        load_events_from_bytes(b"a,b\n1,2\n", "bad.csv", progress=lambda s, f: heard.append(s))
    assert heard == ["reading"]


def test_a_part_of_a_stage_is_a_share_of_the_whole_load_and_stays_in_its_stage() -> None:
    heard: list[float] = []
    for part in (-1.0, 0.0, 0.5, 1.0, 2.0):
        tell(lambda stage, fraction: heard.append(fraction), "validating", part)
    start, end = STAGES["validating"]
    assert heard == [start, start, (start + end) / 2, end, end]
    tell(None, "reading")  # no listener: nothing to do
