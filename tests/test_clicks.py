"""Reading a click from what streamlit-folium reports (layers.app.clicks)."""

from __future__ import annotations

from layers.app.clicks import REF_CLOSE, REF_OPEN, Click, ClickMemory, read_click, referenced_id
from layers.map.render import drawn_id


def _tip(name: str, fid: str) -> str:
    return f"{name}\n{REF_OPEN}{fid}{REF_CLOSE}"


def _state(count: int, tooltip: str | None, lat: float = 33.5, lng: float = 36.3) -> dict:
    return {
        "last_object_clicked": {"lat": lat, "lng": lng},
        "last_object_clicked_count": count,
        "last_object_clicked_tooltip": tooltip,
        "last_clicked": {"lat": lat, "lng": lng},
    }


def test_the_reference_is_read_from_the_end_of_the_tooltip() -> None:
    assert referenced_id(_tip("Strike in Damascus", "incident:c7ec0efabb")) == (
        "incident:c7ec0efabb"
    )
    # A name that carries brackets of its own cannot stand in for the reference.
    forged = f"{REF_OPEN}geonames:1{REF_CLOSE} Springfield"
    assert referenced_id(_tip(forged, "geonames:4951788")) == "geonames:4951788"
    assert referenced_id(forged) is None
    assert referenced_id("Selected: Erbil") is None
    assert referenced_id(None) is None
    assert referenced_id(7) is None


def test_a_feature_id_with_braces_is_referenced_as_drawn() -> None:
    assert drawn_id("upload:{{7*7}}") == "upload:&#123;&#123;7*7&#125;&#125;"
    assert referenced_id(_tip("x", drawn_id("upload:{a}"))) == "upload:&#123;a&#125;"


def test_a_new_object_click_names_its_feature_and_a_rerun_is_no_click() -> None:
    state = _state(1, _tip("Strike in Damascus", "incident:c7ec0efabb"))
    click, memory = read_click(state, None, "map-a")
    assert click == Click(33.5, 36.3, "incident:c7ec0efabb")
    assert memory == ClickMemory("map-a", 1, (33.5, 36.3))
    # The same report again (a rerun for another reason) is not a click.
    again, memory = read_click(state, memory, "map-a")
    assert again is None
    assert memory.count == 1


def test_clicking_the_same_feature_again_is_a_new_click() -> None:
    tip = _tip("Damascus", "geonames:170654")
    first, memory = read_click(_state(1, tip), None, "map-a")
    second, memory = read_click(_state(2, tip), memory, "map-a")
    assert first == second == Click(33.5, 36.3, "geonames:170654")
    assert memory.count == 2


def test_a_map_drawn_under_a_new_key_counts_from_zero() -> None:
    _, memory = read_click(_state(5, _tip("a", "x:1")), None, "map-a")
    click, memory = read_click(_state(1, _tip("b", "x:2")), memory, "map-b")
    assert click is not None and click.feature_id == "x:2"
    assert memory == ClickMemory("map-b", 1, (33.5, 36.3))


def test_a_click_on_the_bare_map_has_no_feature() -> None:
    _, memory = read_click(_state(1, _tip("a", "x:1")), None, "map-a")
    state = _state(1, _tip("a", "x:1")) | {"last_clicked": {"lat": 10.0, "lng": 20.0}}
    click, memory = read_click(state, memory, "map-a")
    assert click == Click(10.0, 20.0, None)
    assert read_click(state, memory, "map-a")[0] is None
    # Nothing reported yet, or malformed values: no click, no error.
    assert read_click({}, None, "map-a")[0] is None
    assert read_click(None, None, "map-a")[0] is None
    junk = {"last_object_clicked_count": "3", "last_clicked": {"lat": "x"}}
    assert read_click(junk, None, "map-a")[0] is None


def test_a_click_east_of_180_degrees_is_read_back_into_minus_180_to_180() -> None:
    # On a view across the antimeridian (Fiji, Samoa) Leaflet reports Apia's side
    # at lng 188.23; one world copy to the west, Suva at -181.56.
    click, _ = read_click({"last_clicked": {"lat": -13.83, "lng": 188.23}}, None, "map-a")
    assert click is not None
    assert (click.lat, round(click.lon, 6)) == (-13.83, -171.77)
    click, _ = read_click({"last_clicked": {"lat": -18.14, "lng": -181.56}}, None, "map-a")
    assert click is not None and round(click.lon, 6) == 178.44
    # The antimeridian itself stays as reported.
    click, _ = read_click({"last_clicked": {"lat": 0.0, "lng": 180.0}}, None, "map-a")
    assert click == Click(0.0, 180.0, None)
