"""The app's state model and actions, without Streamlit (a dict stands for session state)."""

from __future__ import annotations

import json
from datetime import date
from types import SimpleNamespace

import pytest

from geodata.schema import LAYER_KEYS
from layers.app import actions
from layers.app.state import (
    ALL_ARTICLES,
    CorrectionStore,
    Source,
    View,
    default_state,
    same_article,
    source_of,
    view_of,
    visible_layers,
)

SAMPLE = "Blast near Baghdad airport."


@pytest.fixture
def state() -> dict:
    out = default_state("000_sample.txt", SAMPLE)
    out["corrections"].activate(Source((("000_sample", SAMPLE),)).key)
    return out


def test_default_state_sets_every_key_once():
    out = default_state("s.txt", "text")
    assert out["text"] == "text" and out["seed"] == "s.txt"
    assert {f"layer_{k}" for k in LAYER_KEYS} <= set(out)
    assert isinstance(out["corrections"], CorrectionStore)
    # a fresh store each time: two sessions never share corrections
    assert default_state("s.txt", "t")["corrections"] is not out["corrections"]


def test_source_key_is_a_digest_of_names_texts_and_the_saved_map():
    one = Source((("a", "Basra"),))
    assert one.key == Source((("a", "Basra"),)).key
    assert len(one.key) == 16
    assert one.key != Source((("b", "Basra"),)).key
    assert one.key != Source((("a", "Basra "),)).key
    assert one.key != Source((("a", "Basra"),), imported="{}").key
    # name and text are separated: ("ab", "c") is not ("a", "bc")
    assert Source((("ab", "c"),)).key != Source((("a", "bc"),)).key


def test_source_and_view_from_the_state(state):
    source = source_of(state, SAMPLE)
    assert source.articles == (("000_sample", SAMPLE),)
    state["text"] = "Floods in Dhaka."
    assert source_of(state, SAMPLE).articles == (("pasted article", "Floods in Dhaka."),)
    state["articles"] = [{"name": "x", "text": "A"}, {"name": "y", "text": "B"}]
    state["article_filter"], state["kinds"], state["min_confidence"] = "y", ["airport"], 0.5
    state["use_date"], state["article_date"] = True, date(2024, 9, 11)
    source = source_of(state, SAMPLE)
    view = view_of(state, source)
    assert view == View(
        source.key, date(2024, 9, 11), view.corrections_json, "y", ("airport",), 0.5, ""
    )
    assert view.visible == LAYER_KEYS
    # Unfiltered: every kind, any confidence, the uncertain places included.
    assert view.unfiltered() == view._replace(kinds=(), min_confidence=0.0, show_uncertain=True)
    state["articles"] = [{"name": "x", "text": "A"}]
    assert view_of(state, source_of(state, SAMPLE)).article_filter == ALL_ARTICLES


def test_visible_layers_follow_the_switches(state):
    state["layer_airports"] = False
    assert "airports" not in visible_layers(state)
    assert len(visible_layers(state)) == len(LAYER_KEYS) - 1


def test_corrections_carry_over_an_edit_once():
    store = CorrectionStore()
    store.activate("first")["rejected"].append("geonames:1")
    store.edited()
    carried = store.activate("second")
    assert carried == {"rejected": ["geonames:1"], "repicked": {}, "added": [], "edited": {}}
    assert store.carried == 1
    carried["rejected"].append("geonames:2")  # a deep copy: the first text keeps its own
    assert store.by_key["first"]["rejected"] == ["geonames:1"]
    # no edit: switching sources carries nothing
    assert store.activate("third")["rejected"] == []
    # a text that has corrections of its own keeps them
    store.activate("second")
    store.edited()
    store.activate("first")
    assert store.by_key["first"]["rejected"] == ["geonames:1"]
    store.clear()
    assert store.current()["rejected"] == [] and store.carried == 0
    assert json.loads(store.as_json()) == store.current()


def test_actions_reject_repick_edit_add(state):
    actions.select(state, "geonames:98182")
    actions.reject(state, "geonames:98182")
    assert state["selected"] == ""
    corrections = state["corrections"].current()
    assert corrections["rejected"] == ["geonames:98182"]
    candidate = {"feature_id": "geonames:2", "name": "B", "lon": 1.0, "lat": 2.0}
    actions.repick(state, "geonames:1", candidate)
    assert corrections["repicked"] == {"geonames:1": candidate}
    assert state["selected"] == "geonames:2"
    actions.edit_feature(state, "geonames:2", "  ", "airport")
    assert corrections["edited"] == {"geonames:2": {"kind": "airport"}}
    assert state["message"].startswith("A name cannot be empty")
    actions.edit_feature(state, "geonames:2", " Bee ", None)
    assert corrections["edited"] == {"geonames:2": {"kind": "airport", "name": "Bee"}}
    place = SimpleNamespace(
        feature_id="geonames:3",
        name="C",
        kind="populated_place",
        country_code="IQ",
        lon=44.123456789,
        lat=33.1,
        source="GeoNames",
    )
    actions.add_place(state, place)
    assert corrections["added"][-1]["lon"] == 44.123457 and state["selected"] == "geonames:3"
    state["message"] = ""
    actions.add_at_click(state, {"lat": 33.3, "lng": 44.4}, "", None)
    assert state["message"] == "Give the place a name to add it."
    actions.add_at_click(state, {"lat": 33.3, "lng": 44.4}, " Checkpoint ", "facility")
    assert corrections["added"][-1]["feature_id"] == "user:33.3000,44.4000"
    assert corrections["added"][-1]["kind"] == "facility"


def test_uploads_then_removing_them_restores_the_text(state):
    state["text"] = "my own notes"
    actions.uploads_changed(state, [("a.txt", b"Blast in Basra."), ("bad.bin", b"\x00\x01")])
    assert [a["name"] for a in state["articles"]] == ["a.txt"]
    assert state["text"] == "Blast in Basra."
    assert len(state["upload_messages"]) == 1 and "bad.bin" in state["upload_messages"][0]
    actions.uploads_changed(state, [])
    assert state["text"] == "my own notes" and state["articles"] == []
    assert state["upload_messages"] == []


def test_an_html_page_dates_the_article_and_an_encoding_is_named(state):
    page = (
        "<html><head><title>Floods close Nairobi road</title>"
        '<meta property="article:published_time" content="2024-05-02T08:00:00Z"></head>'
        "<body><nav>Home Africa Sydney</nav><article><p>Heavy rain closed the main road "
        "between Nairobi and Mombasa on Wednesday, police said, as rivers rose.</p>"
        "</article></body></html>"
    )
    word = "Rain in Dhaka \u2013 \u201cthe worst in years\u201d.".encode("cp1252")
    actions.uploads_changed(state, [("story.html", page.encode()), ("w.txt", word)])
    assert [a["name"] for a in state["articles"]] == ["Floods close Nairobi road", "w.txt"]
    assert state["use_date"] is True and state["article_date"] == date(2024, 5, 2)
    assert state["upload_notes"] == ["w.txt was not plain UTF-8: read as cp1252."]
    actions.uploads_changed(state, [])
    assert state["upload_notes"] == []


def test_a_saved_map_and_a_text_edit(state):
    collection = {"type": "FeatureCollection", "features": []}
    actions.uploads_changed(state, [("m.geojson", json.dumps(collection).encode())])
    assert json.loads(state["imported"]) == collection
    actions.text_edited(state)
    assert state["imported"] is None and state["articles"] == []
    assert state["corrections"].carry_from == state["corrections"].active
    actions.use_sample(state, SAMPLE)
    assert state["text"] == SAMPLE and state["text_before_upload"] is None


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        ("Floods hit Basra on Monday.", "Floods hit Basra on Monday and Tuesday.", True),
        ("Floods hit Basra on Monday.", "Protests in Cairo drew thousands.", False),
        ("", "Anything.", False),
        ("One two three four.", "one two", True),  # half the longer text's words remain
        ("One two three four.", "one", False),
    ],
)
def test_same_article(before, after, expected):
    assert same_article(before, after) is expected


def test_corrections_do_not_follow_into_another_article():
    store = CorrectionStore()
    store.activate("first", "Floods hit Basra on Monday, officials said.")
    store.current()["rejected"].append("geonames:1")
    store.edited()
    assert store.activate("second", "Protests in Cairo drew thousands on Friday.") == {
        "rejected": [],
        "repicked": {},
        "added": [],
        "edited": {},
    }
    assert store.carried == 0 and not store.to_prune


def test_prune_keeps_corrections_whose_features_remain():
    store = CorrectionStore()
    store.activate("first", "Floods hit Basra and Erbil on Monday.")
    store.current()["rejected"] += ["geonames:1", "geonames:2"]
    store.current()["repicked"]["geonames:3"] = {"feature_id": "geonames:9"}
    store.current()["added"].append({"feature_id": "user:1"})
    store.edited()
    store.activate("second", "Floods hit Basra on Monday.")
    assert store.to_prune and store.carried == 4
    store.prune({"geonames:1", "geonames:5"})
    assert store.current() == {
        "rejected": ["geonames:1"],
        "repicked": {},
        "added": [{"feature_id": "user:1"}],
        "edited": {},
    }
    assert store.carried == 2 and not store.to_prune


def test_undo_redo_per_article():
    store = CorrectionStore()
    store.activate("a", "Floods hit Basra.")
    store.checkpoint()
    store.current()["rejected"].append("geonames:1")
    store.clear()
    assert store.current()["rejected"] == []
    store.undo()
    assert store.current()["rejected"] == ["geonames:1"]
    store.undo()
    assert store.current()["rejected"] == [] and not store.can_undo()
    store.undo()  # nothing left: no change, no error
    store.redo()
    assert store.current()["rejected"] == ["geonames:1"] and store.can_redo()
    store.activate("b", "Protests in Cairo.")  # another article has its own history
    assert not store.can_undo() and not store.can_redo()


def test_a_place_added_at_a_click_takes_the_country_there(state):
    state["corrections"].activate("k", "text")
    actions.add_at_click(state, {"lat": 33.3, "lng": 44.4}, "Checkpoint 49", None)
    actions.add_at_click(state, {"lat": 30.0, "lng": -30.0}, "Buoy", None)
    added = state["corrections"].current()["added"]
    assert [(a["name"], a["country_code"]) for a in added] == [
        ("Checkpoint 49", "IQ"),
        ("Buoy", None),  # mid-Atlantic: no country, shown as "—"
    ]
