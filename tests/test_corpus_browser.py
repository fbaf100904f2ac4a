"""Chromium: the Corpus page on a batch dataset, as a person uses it.

Opens a dataset from the server's list, moves the time slider and sees the count
of drawn places change, clicks a place on the map, opens an article from the
list on the Article page; uploads a .jsonl corpus and a zipped dataset; and no
request leaves localhost. Its own ``streamlit run`` server (the dataset folder,
``NEWSMAP_DATASETS``, is read by the server: ``corpus_url`` in ``conftest.py``).
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from geodata.corpus import iter_jsonl
from layers.app.corpus import corpus_from_records

from .browser import (
    MAP_IFRAME,
    act,
    browser_page,
    map_frame,
    wait_for,
    wait_idle,
)
from .corpus_data import write_corpus

DHAKA = (23.7104, 90.40744)


@pytest.fixture
def corpus_page(browser, corpus_url, request):
    failed_before = request.session.testsfailed
    with browser_page(
        browser, corpus_url, request.node.name, lambda: request.session.testsfailed > failed_before
    ) as state:
        state.page.goto(f"{corpus_url}/corpus", wait_until="domcontentloaded")
        state.page.get_by_text("newsmap: corpus").wait_for()
        wait_idle(state.page)
        yield state


def drawn_places(page) -> int | None:
    """The count the map's canvas layer drew (``data-nm-places``), None before it is drawn."""
    frame = map_frame(page)
    if frame is None:
        return None
    value = frame.evaluate(
        "(() => { const el = document.querySelector('[data-nm-places]');"
        " return el ? el.dataset.nmPlaces : null; })()"
    )
    return None if value is None else int(value)


def click_place(page, lat: float, lon: float, zoom: int) -> None:
    """Centre the map on (lat, lon) at ``zoom`` and click there, as the mouse does."""
    iframe = page.locator(MAP_IFRAME).first
    iframe.scroll_into_view_if_needed()
    frame = map_frame(page)
    assert frame is not None
    x, y = frame.evaluate(
        "([lat, lon, zoom]) => { window.map.setView([lat, lon], zoom, {animate: false});"
        " const p = window.map.latLngToContainerPoint([lat, lon]);"
        " const r = window.map.getContainer().getBoundingClientRect();"
        " return [r.x + p.x, r.y + p.y]; }",
        [lat, lon, zoom],
    )
    box = iframe.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + x, box["y"] + y)


def matching_places(page) -> int:
    text = page.get_by_text(re.compile(r"places match")).first.inner_text()
    found = re.search(r"([\d,]+) places match", text)
    assert found, text
    return int(found[1].replace(",", ""))


def wait_for_places(page, expected: int) -> None:
    wait_for(page, lambda: drawn_places(page) == expected, f"{expected} places drawn")


def open_news(page) -> None:
    def choose() -> None:
        page.get_by_label("Datasets on this server").click()
        page.get_by_role("option", name="news", exact=True).click()

    act(page, choose)
    wait_for_places(page, 15)


def test_time_slider_changes_the_drawn_places_and_a_place_opens_an_article(corpus_page):
    page = corpus_page.page
    open_news(page)
    assert matching_places(page) == 15
    # the range's upper end three weeks back: 18 March -> 26 February
    time = page.locator('[data-testid="stSlider"]').filter(has_text="Time")
    upper = time.get_by_role("slider").nth(1)
    for _ in range(3):
        # a rerun may take the focus away: the thumb is focused for each key
        upper.focus()
        page.keyboard.press("ArrowLeft")
        wait_idle(page)
    wait_for(
        page, lambda: upper.get_attribute("aria-valuetext") == "2024-02-26", "the range's new end"
    )
    wait_for(page, lambda: drawn_places(page) == matching_places(page) < 15, "fewer places")
    assert drawn_places(page) == 11  # the places of articles up to 3 March
    # a click on Dhaka's circle lists its articles, newest first (zoomed in, so
    # that the circle of Bangladesh, drawn over it at world scale, is apart)
    act(page, lambda: click_place(page, *DHAKA, zoom=8))
    wait_for(page, lambda: page.get_by_text("3 articles name it.").count() == 1, "Dhaka's list")
    assert page.get_by_text("Dhaka traffic").count() == 1  # a7, 21 February
    assert page.get_by_text("Dhaka vote").count() == 0  # a10 is after the range
    act(page, lambda: page.get_by_role("button", name="Open on the Article page").first.click())
    wait_for(
        page,
        lambda: (
            page.get_by_role("textbox").first.input_value()
            == "Traffic stopped in Dhaka for the march."
        ),
        "the article in the Article page's box",
    )
    page.get_by_text("Opened from the corpus (a7)").wait_for()
    assert corpus_page.page_errors == []
    corpus_page.assert_offline()


def _upload(page, name: str, data: bytes) -> None:
    chooser = page.locator('[data-testid="stSidebar"] input[type="file"]')
    act(page, lambda: chooser.set_input_files({"name": name, "mimeType": "", "buffer": data}))


def test_an_uploaded_jsonl_corpus_and_a_zipped_dataset_open(
    corpus_page, corpus_datasets, tmp_path, geoparser
):
    page = corpus_page.page
    path = write_corpus(tmp_path / "mine.jsonl")
    # what the server's geoparser (NER on) finds in it, computed here the same way
    lines = path.read_text("utf-8").splitlines()
    expected = corpus_from_records("mine.jsonl", iter_jsonl(lines, source="mine"), geoparser)
    places = expected.items["feature_id"].nunique()
    _upload(page, "mine.jsonl", path.read_bytes())
    wait_for_places(page, places)
    page.get_by_text(f"mine: 12 articles naming {places} places").wait_for()
    # a dataset chosen afterwards is not replaced by the upload still in the box
    open_news(page)
    page.get_by_text("news: 14 articles naming 15 places").wait_for()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted((corpus_datasets / "news").rglob("*")):
            if path.is_file():
                archive.write(path, "news/" + str(path.relative_to(corpus_datasets / "news")))
    _upload(page, "zipped.zip", buffer.getvalue())
    wait_for_places(page, 15)
    page.get_by_text("zipped: 14 articles naming 15 places").wait_for()
    _upload(page, "bad.zip", b"not a zip")
    page.get_by_text("bad.zip is not a zip file.").wait_for()
    assert corpus_page.page_errors == []
    corpus_page.assert_offline()


def test_a_row_of_the_places_table_lists_its_articles(corpus_page):
    page = corpus_page.page
    open_news(page)
    page.get_by_text("Places table (15)").click()
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    assert box is not None
    # the grid is drawn on a canvas: the first row's selection cell, under the header
    act(page, lambda: page.mouse.click(box["x"] + 18, box["y"] + 35 + 17))
    page.get_by_text("4 articles name it.").wait_for()
    assert page.get_by_text("Dhaka vote").count() == 1
    corpus_page.assert_offline()
