"""AppTest: the Streamlit app runs, toggles layers, and exports what is visible."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from layers.catalog import LAYERS

from .cases import HOSTILE_HTML

APP = str(Path(__file__).resolve().parents[1] / "dashboard.py")


class _KeepingStorage(MemoryMediaFileStorage):
    """AppTest's in-memory media storage, kept reachable after the run ends."""

    latest: _KeepingStorage | None = None

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _KeepingStorage.latest = self


class _KeepingManager(MediaFileManager):
    """AppTest's media file manager, kept reachable to run deferred downloads."""

    latest: _KeepingManager | None = None

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _KeepingManager.latest = self


@pytest.fixture
def app(monkeypatch) -> AppTest:
    monkeypatch.setattr("streamlit.testing.v1.app_test.MemoryMediaFileStorage", _KeepingStorage)
    monkeypatch.setattr("streamlit.testing.v1.app_test.MediaFileManager", _KeepingManager)
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    assert not at.exception, at.exception
    return at


def _download(at: AppTest, key: str) -> bytes:
    """The bytes a download button would deliver, as a click would build them."""
    button = at.get("download_button")
    for element in button:
        if element.proto.id.endswith(key):
            storage, manager = _KeepingStorage.latest, _KeepingManager.latest
            assert storage is not None and manager is not None
            url = element.proto.url
            if element.proto.HasField("deferred_file_id"):  # built on click
                url = manager.execute_deferred(element.proto.deferred_file_id)
            return storage.get_file(url.rsplit("/", 1)[-1].split("?")[0]).content
    raise AssertionError(f"no download button with key {key!r}")


def test_smoke_seed_is_mapped(app):
    labels = [c.label for c in app.checkbox]
    assert any(
        label.endswith("Cities and towns (9)") or "Cities and towns (" in label for label in labels
    )
    assert app.text_area(key="text").value.startswith("Iran's President Masoud Pezeshkian")
    table = app.dataframe[0].value
    assert "Erbil" in set(table["name"])
    assert app.title[0].value == "newsmap"


@pytest.mark.parametrize("layer_key", [layer.key for layer in LAYERS])
def test_unticking_a_layer_removes_it(app, layer_key):
    title = next(layer.title for layer in LAYERS if layer.key == layer_key)
    before = app.dataframe[0].value
    count = int((before["layer"] == title).sum())
    app.checkbox(key=f"layer_{layer_key}").uncheck().run()
    assert not app.exception
    after = app.dataframe[0].value
    assert title not in set(after["layer"])
    assert len(after) == len(before) - count
    # The toggle survives an unrelated rerun.
    app.radio(key="basemap").set_value("osm").run()
    assert app.checkbox(key=f"layer_{layer_key}").value is False
    assert title not in set(app.dataframe[0].value["layer"])


def test_visible_download_is_a_feature_collection_of_visible_layers(app):
    app.checkbox(key="layer_places").uncheck().run()
    data = json.loads(_download(app, "dl_visible"))
    assert data["type"] == "FeatureCollection"
    layers = {f["properties"]["layer"] for f in data["features"]}
    assert "places" not in layers
    assert {"countries", "airports", "religious"} <= layers
    everything = json.loads(_download(app, "dl_all"))
    assert len(everything["features"]) == len(data["features"]) + sum(
        1 for f in everything["features"] if f["properties"]["layer"] == "places"
    )


def test_empty_text_shows_a_hint(app):
    app.text_area(key="text").set_value("").run()
    assert not app.exception
    assert any("Paste an article" in i.value for i in app.info)
    assert len(app.dataframe[0].value) == 0


def test_hostile_html_is_plain_text_in_the_table(app):
    app.text_area(key="text").set_value(HOSTILE_HTML).run()
    assert not app.exception
    table = app.dataframe[0].value
    assert "Baghdad" in set(table["name"])
    # st.dataframe renders cells as text; the markup survives only as characters.
    assert any("<img src=x onerror=alert(1)>" in s for s in table["sentence"])


def test_very_long_text_is_capped_with_a_message(app):
    app.text_area(key="text").set_value("Flooding hit Basra again. " * 9000).run()
    assert not app.exception
    assert any("only the first" in w.value for w in app.warning)
    assert len(app.text_area(key="text").value) > 200_000


def test_seed_picker_restores_the_seed(app):
    sample = app.text_area(key="text").value
    mapped = set(app.dataframe[0].value["name"])
    app.text_area(key="text").set_value("Protests in Najaf.").run()
    assert set(app.dataframe[0].value["name"]) >= {"Najaf"}
    seed = app.selectbox(key="seed")
    # The box says the text is the reader's own, not the sample it showed before.
    assert seed.value == "" and seed.format_func("") == "— your own text —"
    seed.set_value(seed.options[1]).run()
    assert app.text_area(key="text").value == sample
    assert set(app.dataframe[0].value["name"]) == mapped


def test_filters_follow_into_table_and_export(app):
    app.slider(key="min_confidence").set_value(0.9).run()
    table = app.dataframe[-1].value
    assert len(table) > 0 and (table["confidence"] >= 0.9).all()
    visible = json.loads(_download(app, "dl_visible"))
    assert all(f["properties"]["confidence"] >= 0.9 for f in visible["features"])
    app.slider(key="min_confidence").set_value(0.0).run()
    app.text_input(key="name_query").set_value("erbil").run()
    assert set(app.dataframe[-1].value["name"]) >= {"Erbil"}
    assert all("erbil" in n.lower() for n in app.dataframe[-1].value["name"])
    app.text_input(key="name_query").set_value("").run()
    app.multiselect(key="kinds").set_value(["religious_site"]).run()
    assert set(app.dataframe[-1].value["kind"]) == {"religious site"}


def test_selecting_a_feature_shows_details_and_distances(app):
    app.selectbox(key="selected_box").set_value("geonames:95446").run()
    assert not app.exception
    texts = " ".join(t.value for t in app.text)
    # The kind and the country in words, not codes.
    assert " · Iraq · lat 36.1912, lon 44.0094" in texts
    assert "· IQ ·" not in texts
    assert "Irbil" in texts  # the evidence sentence
    assert any("Erbil" in m.value for m in app.markdown)
    app.checkbox(key="rings").check().run()
    assert not app.exception
    selected = json.loads(_download(app, "dl_selected"))
    assert [f["id"] for f in selected["features"]] == ["geonames:95446"]


def test_reject_and_repick_flow_into_exports(app):
    app.selectbox(key="selected_box").set_value("country:GB").run()
    app.button(key="reject_country:GB").click().run()
    assert not app.exception
    everything = json.loads(_download(app, "dl_all"))
    assert "country:GB" not in {f["id"] for f in everything["features"]}
    app.selectbox(key="selected_box").set_value("geonames:170654").run()
    app.button(key="pick_geonames:170654_0").click().run()
    assert not app.exception
    ids = {f["id"] for f in json.loads(_download(app, "dl_all"))["features"]}
    assert "geonames:170654" not in ids
    assert app.selectbox(key="selected_box").value not in ("", "geonames:170654")
    # The correction survives an unrelated rerun (a layer toggle).
    app.checkbox(key="layer_incidents").uncheck().run()
    assert "country:GB" not in set(app.dataframe[-1].value["feature_id"])


def _lines(at: AppTest) -> list[str]:
    """The Markdown shown, as a reader sees it (escapes removed)."""
    return [re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", m.value) for m in at.markdown]


DAMASCUS_STRIKE = "incident:c7ec0efabb"  # "a strike in Damascus" in the seed article


def test_alternatives_are_described_in_words_and_stay_after_a_repick(app):
    app.selectbox(key="selected_box").set_value("geonames:170654").run()
    lines = _lines(app)
    # Damascus, Maryland: area and country in words, population, distance, one reason.
    maryland = next(line for line in lines if "Maryland" in line)
    assert maryland.startswith("Damascus, Maryland, United States · town of 15,000 · ")
    far = " km from the article's other places · lost: smaller than Damascus, Syria"
    assert maryland.endswith(far)
    assert not any("populated_place" in line or "score" in line for line in lines)
    app.button(key="pick_geonames:170654_0").click().run()
    assert not app.exception
    picked = app.session_state["selected"]
    assert picked == "geonames:4352728"
    after = _lines(app)
    # The list is still there, with the geoparser's first choice in it, and picking
    # again replaces the pick (no stacking of corrections).
    first = next(line for line in after if "first choice" in line)
    assert first.startswith("Damascus, Dimashq, Syria · city of 1.6 million · ")
    assert not any("Maryland" in line for line in after if "· lost:" in line)
    assert app.button(key=f"pick_{picked}_0").label == "Pick"
    app.button(key=f"pick_{picked}_1").click().run()
    assert not app.exception
    corrections = app.session_state["corrections"].current()["repicked"]
    assert list(corrections) == ["geonames:170654"]
    assert corrections["geonames:170654"]["feature_id"] == app.session_state["selected"]


def test_a_lone_candidate_offers_a_gazetteer_search_with_the_articles_words(app):
    app.selectbox(key="selected_box").set_value("geonames:95446").run()  # Erbil: no homonym
    search = app.text_input(key="find_geonames:95446")
    assert search.value == "Irbil"  # the article's spelling, not the gazetteer's name
    assert any(line.startswith("Arbil, ") or "Erbil" in line for line in _lines(app))
    search.set_value("Kirkuk").run()
    kirkuk = next(line for line in _lines(app) if line.startswith("Kirkuk, "))
    assert "Iraq" in kirkuk and "km from the article's other places" in kirkuk
    app.button(key="find_geonames:95446_0").click().run()
    assert not app.exception
    table = app.dataframe[-1].value
    row = table[table["feature_id"] == app.session_state["selected"]].iloc[0]
    assert row["name"] == "Kirkuk" and row["surface"] == "Irbil"


def test_the_articles_words_stand_beside_the_chosen_place(app):
    table = app.dataframe[-1].value
    erbil = table[table["feature_id"] == "geonames:95446"].iloc[0]
    assert (erbil["name"], erbil["surface"]) == ("Erbil", "Irbil")
    app.selectbox(key="selected_box").set_value("geonames:95446").run()
    assert "In the article: “Irbil” → Erbil, Iraq" in _lines(app)
    # An incident's country is in words too, not its code.
    app.selectbox(key="selected_box").set_value("incident:5f039041d8").run()
    assert "In the article: “visit / Karbala” → Visit in Karbala, Iraq" in _lines(app)
    assert " · Iraq · lat 32.6160, lon 44.0249" in " ".join(t.value for t in app.text)
    everything = json.loads(_download(app, "dl_all"))
    surfaces = {f["id"]: f["properties"]["surface"] for f in everything["features"]}
    assert surfaces["geonames:95446"] == "Irbil"


def test_rejecting_a_place_takes_its_incidents_off_the_map_and_exports(app):
    assert DAMASCUS_STRIKE in set(app.dataframe[-1].value["feature_id"])
    app.selectbox(key="selected_box").set_value("geonames:170654").run()
    app.button(key="reject_geonames:170654").click().run()
    assert not app.exception
    ids = set(app.dataframe[-1].value["feature_id"])
    assert DAMASCUS_STRIKE not in ids and "strike:27e95cd950" not in ids
    exported = {f["id"] for f in json.loads(_download(app, "dl_all"))["features"]}
    assert DAMASCUS_STRIKE not in exported and "strike:27e95cd950" not in exported
    assert "incident:7e4f311b5b" in exported  # the explosion near Baghdad airport stays


def test_repicking_a_place_moves_its_incidents_to_the_new_point(app):
    app.selectbox(key="selected_box").set_value("geonames:170654").run()
    app.button(key="pick_geonames:170654_0").click().run()  # Damascus, Maryland
    assert not app.exception
    features = {f["id"]: f for f in json.loads(_download(app, "dl_all"))["features"]}
    place = features["geonames:4352728"]["geometry"]["coordinates"]
    incident = features[DAMASCUS_STRIKE]
    assert incident["geometry"]["coordinates"] == pytest.approx(place, abs=1e-6)
    assert incident["properties"]["place_ids"] == ["geonames:4352728"]
    assert incident["properties"]["country_code"] == "US"
    path = features["strike:27e95cd950"]["geometry"]["coordinates"]
    assert path[-1] == pytest.approx(place, abs=1e-6)


def test_add_a_place_from_the_gazetteer(app):
    app.text_input(key="add_query").set_value("Kirkuk").run()
    matches = app.selectbox(key="add_choice")
    assert any("Kirkuk" in label for label in matches.options)
    app.button(key="add_place").click().run()
    assert not app.exception
    assert "Kirkuk" in set(app.dataframe[-1].value["name"])


def test_several_articles_merge_and_filter(app):
    app.session_state["articles"] = [
        {"name": "one.txt", "text": "Protesters gathered in Najaf and Basra."},
        {"name": "two.txt", "text": "A drone strike hit a convoy near Najaf."},
    ]
    app.run()
    assert not app.exception
    table = app.dataframe[-1].value
    najaf = table[table["name"] == "Najaf"]
    assert len(najaf) == 1 and int(najaf["mentions"].iloc[0]) == 2
    app.selectbox(key="article_filter").set_value("one.txt").run()
    names = set(app.dataframe[-1].value["name"])
    assert "Basra" in names or "Basrah" in names
    assert not any(n.startswith("Strike") or "strike" in n.lower() for n in names)


def test_saved_map_reopens_the_same_features(app):
    saved = _download(app, "dl_all")
    app.session_state["imported"] = saved.decode("utf-8")
    app.run()
    assert not app.exception
    reopened = json.loads(_download(app, "dl_all"))
    assert reopened == json.loads(saved)


def test_selection_survives_a_name_edit_and_later_reruns(app):
    app.selectbox(key="selected_box").set_value("geonames:95446").run()
    form_inputs = [t for t in app.text_input if t.value == "Erbil"]
    form_inputs[0].set_value("Erbil (KRG capital)")
    app.button[[b.label for b in app.button].index("Apply edit")].click().run()
    assert not app.exception
    for _ in range(2):  # reruns that change nothing else, then a layer toggle
        app.checkbox(key="rings").check().run()
    app.checkbox(key="layer_incidents").uncheck().run()
    assert app.session_state["selected"] == "geonames:95446"
    assert app.selectbox(key="selected_box").value == "geonames:95446"
    assert "Erbil (KRG capital)" in set(app.dataframe[-1].value["name"])


def test_corrections_carry_over_a_text_edit(app):
    app.selectbox(key="selected_box").set_value("country:GB").run()
    app.button(key="reject_country:GB").click().run()
    text = app.text_area(key="text").value
    app.text_area(key="text").set_value(text + " ").run()
    assert not app.exception
    assert "country:GB" not in set(app.dataframe[-1].value["feature_id"])
    assert any("still apply" in i.value for i in app.info)
    app.button(key="clear_corrections").click().run()
    assert "country:GB" in set(app.dataframe[-1].value["feature_id"])


def test_markdown_in_names_and_sources_is_shown_as_text(app):
    app.selectbox(key="selected_box").set_value("geonames:95446").run()
    hostile = "Erbil ![x](http://example.com/t.png) [link](http://example.com) :red[x]"
    next(t for t in app.text_input if t.value == "Erbil").set_value(hostile)
    app.button[[b.label for b in app.button].index("Apply edit")].click().run()
    assert not app.exception
    bold = [m.value for m in app.markdown if "example" in m.value]  # name, words line
    assert bold and all("](" not in m and "\\!\\[x\\]" in m for m in bold)


def test_features_without_an_event_show_no_event_line(app):
    app.selectbox(key="selected_box").set_value("geonames:95446").run()
    texts = " ".join(t.value for t in app.text)
    assert "event:" not in texts and "nan" not in texts


def test_a_table_row_does_not_overrule_a_later_choice(app):
    table = app.dataframe[-1]
    ids = list(table.value["feature_id"])
    # The frontend reports the ticked row on every rerun after a click.
    app.session_state["table"] = {"selection": {"rows": [1], "columns": []}}
    app.run()
    assert app.session_state["selected"] == ids[1]
    app.selectbox(key="selected_box").set_value(ids[2]).run()
    app.checkbox(key="rings").check().run()
    assert app.session_state["selected"] == ids[2]


def test_a_geojson_made_elsewhere_opens_without_a_traceback(app):
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [44.36, 33.31]},
                "properties": {
                    "feature_id": "ext:1",
                    "name": "Checkpoint {{ 7*7 }}",
                    "kind": "facility",
                    "source": "a partner's file",
                    "confidence": 0.8,
                    "mentions": 1,
                    "evidence": [],
                },
            }
        ],
    }
    app.session_state["imported"] = json.dumps(collection)
    app.run()
    assert not app.exception
    assert list(app.dataframe[-1].value["name"]) == ["Checkpoint {{ 7*7 }}"]
    page = _download(app, "dl_html").decode("utf-8")
    assert "Checkpoint 49" not in page


def test_another_article_inherits_no_corrections(app):
    # Fix the seed (reject a place, add one), then paste an unrelated article.
    app.selectbox(key="selected_box").set_value("country:GB").run()
    app.button(key="reject_country:GB").click().run()
    app.text_area(key="text").set_value(
        "Floods hit Basra and Nasiriyah on Monday; the United Kingdom sent aid."
    ).run()
    assert not app.exception
    assert not any("still apply" in i.value for i in app.info)
    assert "country:GB" in set(app.dataframe[-1].value["feature_id"])


def test_an_edit_keeps_only_corrections_whose_features_remain(app):
    app.selectbox(key="selected_box").set_value("country:IL").run()
    app.button(key="reject_country:IL").click().run()
    app.selectbox(key="selected_box").set_value("country:RU").run()
    app.button(key="reject_country:RU").click().run()
    text = app.text_area(key="text").value
    # the edit drops the only sentence naming Russia and keeps the rest (Israel too)
    edited = ". ".join(s for s in text.split(". ") if "Russia" not in s)
    app.text_area(key="text").set_value(edited).run()
    assert not app.exception
    ids = set(app.dataframe[-1].value["feature_id"])
    assert "country:IL" not in ids and "country:RU" not in ids
    assert [i.value for i in app.info if "still apply" in i.value] == [
        "1 correction(s) from the text before your edit still apply."
    ]


def test_undo_and_redo_every_correction(app):
    app.selectbox(key="selected_box").set_value("country:GB").run()
    app.button(key="reject_country:GB").click().run()
    app.selectbox(key="selected_box").set_value("country:RU").run()
    app.button(key="reject_country:RU").click().run()

    def ids():
        return set(app.dataframe[-1].value["feature_id"])

    assert not {"country:GB", "country:RU"} & ids()
    assert app.button(key="redo").disabled
    app.button(key="undo").click().run()
    assert "country:RU" in ids() and "country:GB" not in ids()
    app.button(key="undo").click().run()
    assert {"country:GB", "country:RU"} <= ids()
    assert app.button(key="undo").disabled
    app.button(key="redo").click().run()
    assert "country:GB" not in ids() and "country:RU" in ids()
    # clearing asks first, and can be undone too
    app.button(key="clear_corrections").click().run()
    assert "country:GB" in ids()
    app.button(key="undo").click().run()
    assert "country:GB" not in ids()
    assert not app.exception


def test_a_map_saved_without_candidate_facts_still_describes_them(app):
    saved = json.loads(_download(app, "dl_all"))
    for feature in saved["features"]:
        feature["properties"]["alternatives"] = [
            {k: v for k, v in a.items() if k not in ("area", "country", "population", "reason")}
            for a in feature["properties"]["alternatives"]
        ]
    app.session_state["imported"] = json.dumps(saved)
    app.run()
    app.selectbox(key="selected_box").set_value("geonames:170654").run()
    assert not app.exception
    maryland = next(line for line in _lines(app) if "Maryland" in line)
    assert maryland.startswith("Damascus, Maryland, United States · town of 15,000 · ")
    assert "lost:" not in maryland  # the reason is not in such a file


def test_a_lone_far_place_is_named_and_can_be_shown(app):
    # "sanctions on Moscow": one mention, 2,000 km from the article's other places
    notes = [c.value.replace("\\", "") for c in app.caption if "outside the opening" in c.value]
    assert notes == ["1 place(s) outside the opening view: Moscow, RU."]  # (Markdown-escaped)
    app.button(key="fit_all").click().run()
    assert not any("outside the opening view" in c.value for c in app.caption)
    assert app.session_state["fit_all_for"]


def test_uncertain_places_are_hidden_until_asked_for(app):
    text = (
        "Floods cut the road between Basra and Amarah, Iraq, on Monday. "
        "The mayor of Springfield said the new bridge will open next spring."
    )
    app.text_area(key="text").set_value(text).run()
    assert not app.exception
    names = set(app.dataframe[0].value["name"])
    assert "Iraq" in names and "Springfield" not in names
    note = [c.value for c in app.caption if "uncertain" in c.value]
    assert note and note[0].startswith("1 uncertain place(s) hidden"), note
    app.button(key="toggle_uncertain").click().run()
    table = app.dataframe[0].value
    assert "Springfield" in set(table["name"])
    assert float(table.loc[table["name"] == "Springfield", "confidence"].iloc[0]) < 0.5
    assert any(c.value.startswith("Showing 1 uncertain") for c in app.caption)
    app.button(key="toggle_uncertain").click().run()
    assert "Springfield" not in set(app.dataframe[0].value["name"])


def _by_id(collection: dict) -> dict[str, dict]:
    return {f["id"]: f for f in collection["features"]}


@pytest.mark.parametrize(
    "key, name", [("dl_visible", "map.geojson"), ("dl_gpkg", "map.gpkg"), ("dl_fgb", "map.fgb")]
)
def test_a_corrected_map_reopens_the_same_from_each_saved_format(app, key, name):
    from layers.files.inputs import parse_uploads

    app.selectbox(key="selected_box").set_value("country:GB").run()
    app.button(key="reject_country:GB").click().run()
    app.selectbox(key="selected_box").set_value("geonames:170654").run()
    app.button(key="pick_geonames:170654_0").click().run()
    assert not app.exception
    before = _by_id(json.loads(_download(app, "dl_visible")))
    articles, saved_map, problems = parse_uploads([(name, _download(app, key))])
    assert (articles, problems) == ([], []) and saved_map is not None
    app.session_state["imported"] = json.dumps(saved_map)
    app.run()
    assert not app.exception
    after = _by_id(json.loads(_download(app, "dl_all")))
    assert set(after) == set(before) and len(after) >= 30
    assert sum(bool(f["properties"].get("evidence")) for f in before.values()) >= 25
    assert "country:GB" not in after and "geonames:170654" not in after
    for fid, feature in before.items():
        mine, theirs = feature["properties"], after[fid]["properties"]
        for field in ("name", "kind", "layer", "country_code", "evidence", "note", "date"):
            assert theirs.get(field) == mine.get(field), (fid, field)
        assert after[fid]["geometry"]["type"].removeprefix("Multi") == feature["geometry"][
            "type"
        ].removeprefix("Multi")
        ours = np.array(_coordinates(feature["geometry"]))
        back = np.array(_coordinates(after[fid]["geometry"]))
        assert ours.shape == back.shape and np.allclose(ours, back, atol=1e-6), fid


def _coordinates(geometry: dict) -> list:
    import shapely
    from shapely.geometry import shape

    return shapely.get_coordinates(shape(geometry)).tolist()
