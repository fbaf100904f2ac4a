"""Every hostile payload in Chromium: the standalone HTML export and the app.

A payload is live if it opens a dialog, sets a ``__nm_pwned_<id>`` global in any
frame, or makes a request off localhost (``evil.example/<id>``); the corpus and
the markers are described in tests/data/hostile/README.md. Every popup and
tooltip of the map is opened (so Leaflet inserts its HTML), and the map must
still draw every feature.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Frame, Page

from layers.catalog import build_layers
from layers.files.export import to_html
from layers.map.render import render_map

from .browser import (
    DRAWN,
    BrowserPage,
    act,
    click_at,
    map_frame,
    open_dashboard,
    wait_for_drawn,
    wait_idle,
)
from .hostile import MARKERS_JS, PAYLOADS, TEXTS, saved_map, spot

pytestmark = pytest.mark.browser

#: Opens every popup and tooltip of every Leaflet map in a window; returns their counts.
OPEN_ALL = """
() => {
  const maps = [];
  for (const key of Object.keys(window)) {
    let value = null;
    try { value = window[key]; } catch (e) { continue; }
    if (value instanceof window.L.Map && !maps.includes(value)) maps.push(value);
  }
  let popups = 0, tooltips = 0;
  for (const map of maps) {
    map.eachLayer((layer) => {
      if (layer.getTooltip && layer.getTooltip()) { layer.openTooltip(); tooltips += 1; }
      if (layer.getPopup && layer.getPopup()) {
        layer.openPopup(); popups += 1;
        // the popup's HTML is in the page now; keep a copy so it stays
        const box = document.createElement('div');
        box.className = 'nm-popup-copy';
        box.innerHTML = layer.getPopup().getContent();
        document.body.appendChild(box);
      }
    });
  }
  return [maps.length, popups, tooltips];
}
"""

#: Centres a window's map on (lat, lon) at zoom 6; returns that point in page pixels.
SHOW_POINT = """
([lat, lon]) => {
  const map = Object.keys(window).map((k) => window[k]).find((v) => v instanceof L.Map);
  map.setView([lat, lon], 6, {animate: false});
  const box = map.getContainer().getBoundingClientRect();
  const p = map.latLngToContainerPoint([lat, lon]);
  return [box.left + p.x, box.top + p.y];
}
"""


def _markers(frames: list[Frame]) -> list[str]:
    found: list[str] = []
    for frame in frames:
        try:
            found += frame.evaluate(MARKERS_JS)
        except Exception:  # a frame swapped by a rerun: the next read sees its successor
            continue
    return found


def _assert_inert(page: Page, dialogs: list[str], external: list[str]) -> None:
    page.wait_for_timeout(1500)  # image errors and timers fire after insertion
    assert dialogs == [], f"dialogs opened: {dialogs[:10]}"
    assert _markers(page.frames) == []
    assert external == [], f"requests left localhost: {external[:10]}"


def _watch(page: Page) -> tuple[list[str], list[str]]:
    dialogs: list[str] = []
    external: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    def on_request(request) -> None:
        url = request.url
        if not url.startswith(("data:", "blob:", "about:", "file:", "http://127.0.0.1")):
            external.append(url)

    page.context.on("request", on_request)
    return dialogs, external


def test_the_standalone_html_map_of_every_payload_is_inert(browser, tmp_path: Path) -> None:
    from geodata.schema import as_sites
    from layers.files.export import read_geojson

    sites = as_sites(read_geojson(json.dumps(saved_map(values=True, keys=True))))
    path = tmp_path / "hostile.html"
    path.write_text(to_html(render_map(build_layers(sites)), title=TEXTS[0]), encoding="utf-8")
    context = browser.new_context()
    page = context.new_page()
    try:
        dialogs, external = _watch(page)
        page.goto(path.as_uri())
        page.wait_for_selector(DRAWN)
        assert page.locator(DRAWN).count() == len(PAYLOADS)
        maps, popups, tooltips = page.evaluate(OPEN_ALL)
        assert (maps, popups, tooltips) == (1, len(PAYLOADS), len(PAYLOADS))
        # the popups show the payloads as text (the name in bold, first of each)
        # (as an HTML parser reads text: CR LF and CR become LF, NUL is dropped)
        names = page.locator(".nm-popup-copy b").all_text_contents()
        assert sorted(names) == sorted(
            t.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "") for t in TEXTS
        )
        for index in range(0, len(PAYLOADS), 25):  # a real hover and click on a sample
            x, y = page.evaluate(SHOW_POINT, [spot(index).y, spot(index).x])
            page.mouse.move(x, y)
            page.mouse.click(x, y)
        _assert_inert(page, dialogs, external)
        foreign = (
            "img[src='x'], iframe, object, embed, base, meta[http-equiv='refresh' i],"
            " a[href*='script:' i]"
        )
        assert page.locator(foreign).count() == 0
    finally:
        context.close()


# --------------------------------------------------------------------------- the app

SHORT = [p for p in PAYLOADS if len(p.text) <= 1000]
LONG = [p for p in PAYLOADS if len(p.text) > 1000]
PLACES = ["Baghdad", "Basra", "Karbala", "Najaf", "Erbil", "Mosul", "Kirkuk", "Tehran", "Paris"]
#: File names of uploads: a file name cannot hold "/" (the path separator) or NUL,
#: so those become U+2215 (division slash) and U+FFFD.
FILE_PAYLOADS = [
    p for p in SHORT if p.kind in {"script", "event", "markdown", "latex", "bidi", "template"}
][::9]


def _file_name(text: str, suffix: str) -> str:
    return text.replace("/", "\u2215").replace("\x00", "\ufffd").replace("\n", " ") + suffix


def _map_text(page: Page, text: str) -> None:
    box = page.get_by_label("Article text")
    box.fill(text)
    act(page, lambda: box.press("Control+Enter"))


def _open_everything(page: Page) -> int:
    """Open every popup and tooltip in the map; return how many features are drawn."""
    drawn = wait_for_drawn(page, minimum=1)
    frame = map_frame(page)
    assert frame is not None
    maps, popups, tooltips = frame.evaluate(OPEN_ALL)
    assert maps == 1 and popups >= 1 and tooltips >= drawn
    return drawn


def _no_exception(page: Page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0


def test_the_app_with_every_payload_in_every_surface_is_inert(browser_page: BrowserPage) -> None:
    page = browser_page.page
    dialogs, external = _watch(page)
    open_dashboard(browser_page)

    # 1. article text: every payload in a sentence that names a place (long ones apart)
    sentences = [
        f"Rockets hit {PLACES[i % len(PLACES)]} near {p.text} on Monday."
        for i, p in enumerate(SHORT)
    ]
    for text in ("\n\n".join(sentences), "\n\n".join(p.text + " Blast in Basra." for p in LONG)):
        _map_text(page, text)
        _open_everything(page)
        page.get_by_text("Article text with highlighted mentions").click()
        page.locator("mark[data-feature-id]").first.wait_for()
        wait_idle(page)
        _no_exception(page)
        _assert_inert(page, dialogs, external)
        page.get_by_text("Article text with highlighted mentions").click()

    # 2. a saved map whose every property value and key is a payload
    data = json.dumps(saved_map(values=True, keys=True)).encode("utf-8")
    uploader = page.locator('[data-testid="stFileUploader"] input[type="file"]')
    act(
        page,
        lambda: uploader.set_input_files(
            files=[{"name": "map.geojson", "mimeType": "application/geo+json", "buffer": data}]
        ),
    )
    assert wait_for_drawn(page, expected=len(PAYLOADS)) == len(PAYLOADS)
    _open_everything(page)
    frame = map_frame(page)
    assert frame is not None
    # select the first feature (details panel: name, source, note, evidence, edit form)
    first = spot(0)
    frame.evaluate(f"void window.map.setView([{first.y}, {first.x}], 9, {{animate: false}})")
    act(page, lambda: click_at(frame, first.y, first.x))
    page.get_by_role("button", name="Apply edit").wait_for()
    _no_exception(page)
    _assert_inert(page, dialogs, external)

    # 3. a name typed by hand: every short payload in one name, then edited to the rest
    name_box = page.get_by_label("Name", exact=True)
    name_box.fill(" ".join(p.text.replace("\n", " ") for p in SHORT[: len(SHORT) // 2]))
    act(page, page.get_by_role("button", name="Apply edit").click)
    _open_everything(page)
    _no_exception(page)
    _assert_inert(page, dialogs, external)
    # the details show the name as text: no link at all, not even a plain http one
    # (a word joiner after "http" stops GFM's autolinks), and the words read the same
    assert page.locator("a[href*='script:' i], a[href^='data:' i]").count() == 0
    assert page.locator("main a[href*='evil.example' i]").count() == 0
    shown = page.locator("main").inner_text().replace("\u2060", "")
    assert "Image().src='http://evil.example/24'" in shown
    frame = map_frame(page)
    assert frame is not None
    spare = spot(len(PAYLOADS) + 3)  # a bare spot of the map: "Add at the click"
    frame.evaluate(f"void window.map.setView([{spare.y}, {spare.x}], 9, {{animate: false}})")
    act(page, lambda: click_at(frame, spare.y, spare.x))
    page.get_by_text("Add a missing place").click()
    click_name = page.get_by_label("Name of a place here")
    click_name.fill(" ".join(p.text.replace("\n", " ") for p in SHORT[len(SHORT) // 2 :]))
    act(page, page.get_by_role("button", name="Add at the click").click)
    _open_everything(page)
    _no_exception(page)
    _assert_inert(page, dialogs, external)

    # 4. uploaded file names: articles (one not UTF-8: its note names it) and a file that
    # is no text (its message names it)
    files = [
        {
            "name": _file_name(p.text, ".txt"),
            "mimeType": "text/plain",
            "buffer": f"Floods in {PLACES[i % len(PLACES)]} and Mosul on Monday {i}.".encode(
                "utf-8" if i else "latin-1"
            )
            + (b" caf\xe9" if i == 0 else b""),
        }
        for i, p in enumerate(FILE_PAYLOADS)
    ]
    files.append(
        {
            "name": _file_name(FILE_PAYLOADS[0].text, " binary.txt"),
            "mimeType": "text/plain",
            "buffer": b"\0" * 64,
        }
    )
    act(page, lambda: uploader.set_input_files(files=files))
    _open_everything(page)
    alerts = " ".join(page.locator('[data-testid="stAlert"]').all_inner_texts())
    shown = re.sub(r"\s+", " ", _file_name(FILE_PAYLOADS[0].text, ""))
    assert shown.strip() in re.sub(r"\s+", " ", alerts)  # the names are shown as text
    _no_exception(page)
    _assert_inert(page, dialogs, external)
    assert browser_page.external == [] and browser_page.page_errors == []
