"""The README screenshots: ``make screenshots`` writes them to ``docs/``.

Marked ``screenshot`` and left out of ``make test`` (``addopts`` in
``pyproject.toml``): a test run must never change the working tree. Each picture
is made at a desktop size and at a phone size:

- ``docs/dashboard.png`` / ``docs/dashboard-phone.png``: the seed article's map;
- ``docs/details.png`` / ``docs/details-phone.png``: Karbala selected, with its
  details and the article's highlighted mentions;
- ``docs/brazil.png`` / ``docs/brazil-phone.png``: an article from another
  continent (``tests/data/articles/brazil-floods.txt``, written for the tests about
  the 2024 floods in Rio Grande do Sul) pasted in, with Porto Alegre selected;
- ``docs/corpus.png`` / ``docs/corpus-phone.png``: the Corpus page on the tests'
  batch dataset (``tests/corpus_data.py``), Dhaka's articles listed.
"""

from __future__ import annotations

import pytest

from .browser import (
    ROOT,
    BrowserPage,
    browser_page,
    click_at,
    features_heading,
    map_frame,
    open_dashboard,
    selected_feature_label,
    wait_for,
    wait_for_drawn,
    wait_idle,
)

pytestmark = [pytest.mark.browser, pytest.mark.screenshot]

DOCS = ROOT / "docs"
SIZES = {"": {"width": 1400, "height": 1000}, "-phone": {"width": 390, "height": 844}}


def _sized(request: pytest.FixtureRequest, browser, url: str):
    """A page on ``url`` at the size of ``request.param``; yields (page state, file suffix)."""
    failed_before = request.session.testsfailed
    with browser_page(
        browser,
        url,
        request.node.name,
        lambda: request.session.testsfailed > failed_before,
        viewport=SIZES[request.param],
    ) as state:
        yield state, request.param


@pytest.fixture(params=sorted(SIZES), ids=lambda suffix: suffix.strip("-") or "desktop")
def sized_page(request: pytest.FixtureRequest, browser, app_url: str):
    """A page on the app at one of :data:`SIZES`."""
    yield from _sized(request, browser, app_url)


def _settle(state: BrowserPage) -> None:
    """Wait for the app, the map's animated fit and the web fonts before the picture."""
    page = state.page
    wait_idle(page)
    frame = map_frame(page)
    assert frame is not None
    frame.wait_for_function("window.map && window.map._loaded && !window.map._animatingZoom")
    frame.locator(".nm-legend").wait_for(state="visible")
    page.evaluate("document.fonts.ready.then(() => true)")
    page.wait_for_timeout(500)  # the last panning frames of Leaflet's fit


def test_screenshot_dashboard(sized_page) -> None:
    state, suffix = sized_page
    open_dashboard(state)
    _settle(state)
    target = DOCS / f"dashboard{suffix}.png"
    state.page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 20_000
    state.assert_offline()


def test_screenshot_details_view(sized_page) -> None:
    state, suffix = sized_page
    page = state.page
    open_dashboard(state)
    frame = map_frame(page)
    assert frame is not None
    # on a phone the map is below the sidebar and the fold: bring it into view first
    frame.locator(".leaflet-container").first.scroll_into_view_if_needed()
    click_at(frame, lat=32.61603, lon=44.02488)
    wait_for(page, lambda: "Karbala" in selected_feature_label(page), "Karbala selected")
    page.get_by_text("Article text with highlighted mentions").click()
    page.locator("mark[data-feature-id]").first.wait_for()
    _settle(state)
    target = DOCS / f"details{suffix}.png"
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 20_000
    state.assert_offline()


ARTICLE = ROOT / "tests" / "data" / "articles" / "brazil-floods.txt"
PORTO_ALEGRE = (-30.0328, -51.2302)


def test_screenshot_an_article_from_another_continent(sized_page) -> None:
    state, suffix = sized_page
    page = state.page
    open_dashboard(state)
    opener = page.get_by_test_id("stExpandSidebarButton")
    if opener.is_visible():  # a phone: the inputs are in the closed sidebar
        opener.click()
    text = page.get_by_label("Article text")
    text.fill(ARTICLE.read_text(encoding="utf-8"))
    text.press("Control+Enter")
    wait_for(page, lambda: features_heading(page)[1] < 20, "the article to be mapped")
    wait_idle(page)
    shown, _ = features_heading(page)
    wait_for_drawn(page, expected=shown)
    closer = page.get_by_test_id("stSidebarCollapseButton")
    if suffix and closer.count():
        closer.first.click()
        page.wait_for_timeout(400)
    frame = map_frame(page)
    assert frame is not None
    frame.wait_for_function("!window.map._animatingZoom")
    click_at(frame, *PORTO_ALEGRE)
    wait_for(page, lambda: selected_feature_label(page) == "Porto Alegre", "Porto Alegre")
    _settle(state)
    target = DOCS / f"brazil{suffix}.png"
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 20_000
    state.assert_offline()


@pytest.fixture(params=sorted(SIZES), ids=lambda suffix: suffix.strip("-") or "desktop")
def sized_corpus_page(request: pytest.FixtureRequest, browser, corpus_url: str):
    """A page on the Corpus page's server at one of :data:`SIZES`."""
    yield from _sized(request, browser, corpus_url)


def test_screenshot_corpus(sized_corpus_page) -> None:
    state, suffix = sized_corpus_page
    page = state.page
    page.goto(f"{state.url}/corpus?dataset=news", wait_until="domcontentloaded")
    page.get_by_text("places match").wait_for()
    wait_idle(page)
    page.get_by_label("Place", exact=True).click()
    page.keyboard.type("Dhaka")
    page.get_by_role("option", name="Dhaka (4 articles)").click()
    page.get_by_text("4 articles name it.").wait_for()
    wait_idle(page)
    frame = map_frame(page)
    assert frame is not None
    frame.wait_for_function("window.map && window.map._loaded && !window.map._animatingZoom")
    page.evaluate("document.fonts.ready.then(() => true)")
    page.wait_for_timeout(500)
    target = DOCS / f"corpus{suffix}.png"
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 20_000
    state.assert_offline()
