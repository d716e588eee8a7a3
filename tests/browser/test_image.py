"""Download image in Chromium: a PNG of the map as shown, made in the browser, named by date."""

from __future__ import annotations

from datetime import date
from io import BytesIO
from pathlib import Path

from PIL import Image
from playwright.sync_api import FloatRect, Locator, Page, ViewportSize, expect

from geo.dataset import Dataset
from geo.model import CATEGORY_BY_NAME
from tests.browser.helpers import map_container, marker_point, wait_for_map, wait_idle

DAY = date(2019, 12, 27)
EVENT = "k1-rocket-attack"


def rgb(hex_color: str) -> tuple[int, int, int]:
    """A #rrggbb colour as numbers."""
    return int(hex_color[1:3], 16), int(hex_color[3:5], 16), int(hex_color[5:7], 16)


def near(a: tuple[int, ...], b: tuple[int, ...], slack: int = 40) -> bool:
    """Two colours differ by at most `slack` in every channel."""
    return all(abs(x - y) <= slack for x, y in zip(a[:3], b[:3], strict=True))


def region(image: Image.Image, part: FloatRect, origin: FloatRect, scale: float) -> Image.Image:
    """The image's pixels under a part of the map."""
    left = (part["x"] - origin["x"]) * scale
    top = (part["y"] - origin["y"]) * scale
    return image.crop(
        (int(left), int(top), int(left + part["width"] * scale), int(top + part["height"] * scale))
    )


def pixels(image: Image.Image) -> list[tuple[int, int, int]]:
    """An image's pixels as RGB triples."""
    raw = image.convert("RGB").tobytes()
    return [(raw[i], raw[i + 1], raw[i + 2]) for i in range(0, len(raw), 3)]


def bright_pixels(image: Image.Image) -> int:
    """Pixels light enough to be text on the map's dark panels."""
    return sum(1 for p in pixels(image) if min(p) >= 190)


def box_of(locator: Locator) -> FloatRect:
    """Where a part is laid out."""
    box = locator.bounding_box()
    assert box is not None, f"{locator} is not laid out"
    return box


def test_download_image_saves_the_map_as_shown(
    page: Page, server: str, bundled: Dataset, tmp_path: Path
) -> None:
    page.set_viewport_size(ViewportSize(width=1400, height=950))
    page.goto(f"{server}/?date={DAY.isoformat()}&event={EVENT}")
    container = wait_for_map(page, DAY)
    wait_idle(page)
    expect(container).to_have_attribute("data-idle", "1")
    row = bundled.row_of_id[EVENT]
    marker = marker_point(page, row)
    with page.expect_download() as info:
        map_container(page).locator(".fp-image").click()
    download = info.value
    assert download.suggested_filename == f"flashpoint-{DAY.isoformat()}.png"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    expect(container).to_have_attribute("data-image", "saved")

    image = Image.open(BytesIO(saved.read_bytes()))
    image.load()
    assert image.format == "PNG"
    origin = box_of(container)
    scale = image.width / origin["width"]
    assert scale >= 1 and abs(image.height / scale - origin["height"]) <= 2, image.size

    event = bundled.event(EVENT)
    assert event is not None
    color = rgb(CATEGORY_BY_NAME[event.event_type].color)
    x, y = marker[0] * scale, marker[1] * scale
    around = image.crop((int(x) - 6, int(y) - 6, int(x) + 7, int(y) + 7))
    assert any(near(p, color) for p in pixels(around)), "the selected marker is not in the image"
    assert len(set(pixels(image))) > 200, "the image looks blank"

    heading = region(image, box_of(container.locator(".fp-heading")), origin, scale)
    legend = region(image, box_of(container.locator(".fp-legend")), origin, scale)
    attribution = box_of(container.locator(".leaflet-control-attribution"))
    credit = region(image, attribution, origin, scale)
    assert bright_pixels(heading) > 100, "the date heading is missing from the image"
    assert bright_pixels(legend) > 100, "the legend is missing from the image"
    assert bright_pixels(credit) > 100, "the attribution is missing from the image"
    legend_colors = set(pixels(legend))
    for name in ("Battles", "Protests"):
        wanted = rgb(CATEGORY_BY_NAME[name].color)
        assert any(near(p, wanted, 12) for p in legend_colors), f"{name} swatch is missing"
