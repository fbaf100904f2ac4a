"""Saved maps: the SQLite store and the app's reload, share and read-only paths."""

from __future__ import annotations

import sqlite3

import pytest
from streamlit.testing.v1 import AppTest

from layers.app.saved import MIGRATIONS, MapStore, open_store

from .test_app import APP


@pytest.fixture
def maps(tmp_path) -> MapStore:
    return MapStore(tmp_path / "sub" / "maps.sqlite3")


def test_save_load_update_list_delete(maps: MapStore) -> None:
    first = maps.save(None, "Floods in Basra", {"text": "Floods in Basra.", "corrections": {}})
    assert len(first.map_id) == 12 and len(first.view_id) == 12
    assert first.map_id != first.view_id
    again = maps.save(first.map_id, "Floods in Basra", {"text": "Floods in Basra again."})
    assert (again.map_id, again.view_id) == (first.map_id, first.view_id)
    edit = maps.load(first.map_id)
    view = maps.load(first.view_id)
    assert edit is not None and view is not None
    assert edit.data == {"text": "Floods in Basra again."} and not edit.read_only
    assert view.read_only and view.map_id == first.map_id
    assert maps.load("nope") is None
    other = maps.save(None, "Protests in Cairo", {"text": "x"})
    assert [m.title for m in maps.list([first.map_id, other.map_id, "unknown"])] != []
    assert {m.map_id for m in maps.list([first.map_id])} == {first.map_id}
    assert maps.list([]) == []
    assert maps.delete(first.map_id) and not maps.delete(first.map_id)
    assert maps.load(first.view_id) is None


def test_schema_is_versioned_and_a_newer_one_is_refused(tmp_path) -> None:
    path = tmp_path / "maps.sqlite3"
    MapStore(path)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(sqlite3.DatabaseError, match="schema"):
        MapStore(path)


def test_a_newer_schema_is_refused_by_open_store_and_left_in_place(tmp_path) -> None:
    path = tmp_path / "maps.sqlite3"
    MapStore(path)
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    db.close()
    before = path.read_bytes()
    store, message = open_store(path)
    assert store is None
    assert message is not None and "newer newsmap" in message and str(path) in message
    assert path.read_bytes() == before
    assert not [p.name for p in tmp_path.iterdir() if "corrupt" in p.name]


def _open(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def test_a_corrected_map_comes_back_from_its_link_and_a_shared_link_is_read_only() -> None:
    at = _open()
    assert at.session_state["map_id"] is None  # the untouched sample is not saved
    at.text_area(key="text").set_value(
        "Floods hit Basra and Nasiriyah on Monday; the United Kingdom sent aid."
    ).run()
    at.selectbox(key="selected_box").set_value("country:GB").run()
    at.button(key="reject_country:GB").click().run()
    map_id, view_id = at.session_state["map_id"], at.session_state["view_id"]
    assert map_id and view_id and at.query_params["map"] == map_id

    reloaded = _open(map=map_id)
    assert reloaded.text_area(key="text").value.startswith("Floods hit Basra")
    ids = set(reloaded.dataframe[-1].value["feature_id"])
    assert "country:GB" not in ids and len(ids) == 2  # Basra and Nasiriyah

    shared = _open(view=view_id)
    assert shared.session_state["read_only"] and shared.text_area(key="text").disabled
    assert set(shared.dataframe[-1].value["feature_id"]) == ids
    basra = next(
        i
        for i, n in zip(
            shared.dataframe[-1].value["feature_id"],
            shared.dataframe[-1].value["name"],
            strict=True,
        )
        if n.startswith("Basr")
    )
    shared.selectbox(key="selected_box").set_value(basra).run()
    shared.button(key=f"reject_{basra}").click().run()
    assert set(shared.dataframe[-1].value["feature_id"]) == ids  # nothing changes
    assert shared.session_state["map_id"] is None
    # ... and the saved map is untouched
    assert set(_open(map=map_id).dataframe[-1].value["feature_id"]) == ids


def test_an_unknown_link_says_so() -> None:
    at = _open(map="no-such-map")
    assert any("not known" in w.value for w in at.warning)
    assert at.session_state["map_id"] is None
