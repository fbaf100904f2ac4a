"""The app on a phone-sized screen (390 x 844), in Chromium.

What a person needs there: the inputs behind a button that says what it opens,
the map on the first screen with no overview map and a folded legend, and the
details of a tapped feature in a panel on the screen, not below the map.
"""

from __future__ import annotations

import pytest

from .browser import (
    BrowserPage,
    features_heading,
    map_frame,
    open_dashboard,
    selected_feature_label,
    wait_for,
    wait_for_drawn,
    wait_idle,
)

PHONE = {"width": 390, "height": 844}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("browser_page", [PHONE], indirect=True, ids=["phone"]),
]
TEHRAN = (35.69439, 51.42151)


def _box(page, selector: str) -> dict:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box


def test_on_a_phone_the_map_comes_first_and_the_details_need_no_scrolling(
    browser_page: BrowserPage,
) -> None:
    phone = browser_page
    page = phone.page
    open_dashboard(phone)
    frame = map_frame(page)
    assert frame is not None

    # The map is on the first screen, whole, and leaves room for the details panel.
    iframe = _box(page, 'iframe[title*="streamlit_folium"]')
    assert iframe["y"] < 300 and iframe["y"] + iframe["height"] <= PHONE["height"]
    assert iframe["height"] <= 0.5 * PHONE["height"]
    inner = frame.evaluate("[window.map.getSize().x, window.map.getSize().y]")
    assert abs(inner[1] - iframe["height"]) <= 2, (inner, iframe)
    # No overview map; the legend is folded and opens on a tap.
    assert not frame.locator(".nm-minimap").is_visible()
    assert frame.evaluate("document.querySelector('.nm-legend').open") is False
    frame.locator(".nm-legend summary").click()
    assert frame.evaluate("document.querySelector('.nm-legend').open") is True
    assert frame.locator(".nm-legend").get_by_text("Cities and towns").is_visible()

    # Tap Tehran: its details show in the panel at the bottom of the screen.
    frame.wait_for_function("!window.map._animatingZoom")
    x, y = frame.evaluate(
        f"() => {{ const p = window.map.latLngToContainerPoint([{TEHRAN[0]}, {TEHRAN[1]}]);"
        " return [p.x, p.y]; }"
    )
    frame.locator(".leaflet-container").first.click(position={"x": x, "y": y})
    wait_for(page, lambda: selected_feature_label(page) == "Tehran", "Tehran selected")
    wait_idle(page)
    panel = _box(page, ".st-key-details")
    assert panel["y"] + panel["height"] <= PHONE["height"] + 1
    assert panel["y"] >= 0.55 * PHONE["height"], panel
    assert page.locator(".st-key-details").evaluate("e => getComputedStyle(e).position") == (
        "fixed"
    )
    summary = page.locator(".st-key-details").get_by_text("Tehran", exact=True).first
    summary_box = summary.bounding_box()
    assert summary_box is not None and summary_box["y"] + summary_box["height"] <= PHONE["height"]
    # ... without the page having scrolled.
    assert page.evaluate("document.querySelector('[data-testid=stMain]').scrollTop") == 0
    assert phone.page_errors == []
    phone.assert_offline()


def test_on_a_phone_the_inputs_are_one_labelled_tap_away(browser_page: BrowserPage) -> None:
    phone = browser_page
    page = phone.page
    open_dashboard(phone)
    button = page.get_by_test_id("stExpandSidebarButton")
    assert button.is_visible()
    label = button.evaluate("e => getComputedStyle(e, '::after').content")
    assert "Article" in label
    text = page.get_by_label("Article text")

    def on_screen() -> bool:
        box = text.bounding_box()
        return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]

    assert not on_screen()  # the sidebar starts closed on a phone
    button.click()
    wait_for(page, on_screen, "the article text box on the screen")
    text.fill("Floods closed the main road between Nairobi and Mombasa in Kenya.")
    text.press("Control+Enter")
    wait_for(page, lambda: features_heading(page)[1] < 10, "the new article to be mapped")
    wait_idle(page)
    shown, _ = features_heading(page)
    assert shown >= 3  # Nairobi, Mombasa, Kenya
    wait_for_drawn(page, expected=shown)
    phone.assert_offline()
