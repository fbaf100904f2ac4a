"""AppTest: every control of the Corpus page, on a 14-article batch dataset.

The app runs from ``dashboard.py`` (both pages, Streamlit's navigation); the
Corpus page is reached the way its "Back to the corpus" button reaches it.
Counts follow from ``tests/corpus_data.py``: which article names which place.
"""

from __future__ import annotations

import html
import io
import json
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from .corpus_data import build_dataset
from .test_app import _download, _KeepingManager, _KeepingStorage

APP = str(Path(__file__).resolve().parents[1] / "dashboard.py")
DHAKA = "geonames:1185241"
MATCH_LINE = re.compile(r"\*\*([\d,]+) articles\*\* and \*\*([\d,]+) places\*\* match\.")
KHERSON = {"Russia", "Kherson", "Attack in Kherson", "Attack: Russia to Kherson"}


@pytest.fixture(scope="module")
def datasets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("datasets")
    build_dataset(root, incidents=True)
    (root / "notes").mkdir()  # a folder that is no dataset
    return root


@pytest.fixture
def corpus_app(datasets, monkeypatch) -> AppTest:
    """The app on the Corpus page, with the ``news`` dataset open."""
    monkeypatch.setenv("NEWSMAP_DATASETS", str(datasets))
    monkeypatch.setattr("streamlit.testing.v1.app_test.MemoryMediaFileStorage", _KeepingStorage)
    monkeypatch.setattr("streamlit.testing.v1.app_test.MediaFileManager", _KeepingManager)
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["switch_to_corpus"] = True
    at.run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["newsmap: corpus"]
    assert at.selectbox(key="corpus_choice").options == ["— choose —", "news"]
    at.selectbox(key="corpus_choice").set_value("news").run()
    assert not at.exception, at.exception
    return at


def _matches(at: AppTest) -> tuple[int, int]:
    """(articles, places) of the line "**N articles** and **M places** match."."""
    for element in at.markdown:
        found = re.fullmatch(
            r"\*\*([\d,]+) articles\*\* and \*\*([\d,]+) places\*\* match\.", element.value
        )
        if found:
            return int(found[1].replace(",", "")), int(found[2].replace(",", ""))
    raise AssertionError("no match line")


def _unescaped(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown)


def _table(at: AppTest) -> dict[str, int]:
    frame = at.dataframe[-1].value
    return dict(zip(frame["name"], frame["articles"], strict=True))


def _named_by(at: AppTest) -> str:
    """The place panel's count line ("N articles name it.")."""
    return next(c.value for c in at.caption if "name it" in c.value)


def _slider(at: AppTest):
    return at.select_slider(key=f"corpus_range_{at.session_state['corpus_range_gen']}")


def test_a_dataset_opens_on_all_of_its_time(corpus_app):
    at = corpus_app
    assert at.caption[0].value == "news: 14 articles naming 15 places"
    # 13 of 14 articles name a place (a8 names none)
    assert _matches(at) == (13, 15)
    assert _table(at)["Dhaka"] == 4 and _table(at)["Attack in Kherson"] == 1
    slider = _slider(at)
    assert slider.value == (date(2024, 1, 1), date(2024, 3, 18))  # weeks, Mondays
    assert len(slider.options) == 12


def test_opening_by_path_and_its_refusals(corpus_app):
    at = corpus_app
    at.text_input(key="corpus_path").set_value("../").run()
    assert [_unescaped(e.value) for e in at.error] == [
        "Only datasets in this server's dataset folder can be opened "
        "(NEWSMAP_DATASETS, set when the server starts)."
    ]
    at.text_input(key="corpus_path").set_value("notes").run()
    assert "notes is not a newsmap batch dataset" in at.error[0].value
    at.text_input(key="corpus_path").set_value("news").run()
    assert not at.error and _matches(at) == (13, 15)


def test_filters_compose_and_the_table_follows(corpus_app):
    at = corpus_app
    at.multiselect(key="corpus_countries").set_value(["NG"]).run()
    assert _table(at) == {"Abuja": 3, "Lagos": 2, "Nigeria": 1}
    assert _matches(at) == (4, 3)
    at.multiselect(key="corpus_kinds").set_value(["populated_place"]).run()
    assert _table(at) == {"Abuja": 3, "Lagos": 2}
    at.text_input(key="corpus_query").set_value("RAIN").run()
    assert _table(at) == {"Abuja": 2, "Lagos": 1}
    at.multiselect(key="corpus_countries").set_value([]).run()
    at.multiselect(key="corpus_kinds").set_value([]).run()
    at.text_input(key="corpus_query").set_value("").run()
    at.multiselect(key="corpus_events").set_value(["attack"]).run()
    assert _table(at) == {"Attack in Kherson": 1, "Attack: Russia to Kherson": 1}
    at.multiselect(key="corpus_events").set_value([]).run()
    at.multiselect(key="corpus_actors").set_value(["Russian"]).run()
    assert set(_table(at)) == {"Attack in Kherson", "Attack: Russia to Kherson"}
    at.multiselect(key="corpus_actors").set_value([]).run()
    at.slider(key="corpus_min_confidence").set_value(0.9).run()
    assert _table(at) == {"Nigeria": 1, "Najaf": 1, "Bangladesh": 1, "Russia": 1}
    assert not at.exception


def test_the_time_slider_the_steps_and_the_axis(corpus_app):
    at = corpus_app
    _slider(at).set_range(date(2024, 2, 5), date(2024, 2, 26)).run()
    # articles dated 5 Feb - 3 Mar: b2, a5, a6, a7 (a8 names no place)
    assert _matches(at) == (4, 6)
    assert _table(at) == {
        "Nairobi": 1,
        "Protest in Nairobi": 1,
        "Lagos": 1,
        "Najaf": 1,
        "Imam Ali Shrine": 1,
        "Dhaka": 1,
    }
    at.radio(key="corpus_granularity").set_value("month").run()
    slider = _slider(at)
    assert slider.options == ["2024-01", "2024-02", "2024-03"]
    assert slider.value == (date(2024, 1, 1), date(2024, 3, 1))  # all of time again
    _slider(at).set_range(date(2024, 3, 1), date(2024, 3, 1)).run()
    assert _table(at) == {
        "Cairo": 1,
        "Geneva": 1,
        "Dhaka": 1,
        "Abuja": 1,
        "Russia": 1,
        "Kherson": 1,
        "Attack in Kherson": 1,
        "Attack: Russia to Kherson": 1,
    }
    # the attack on Kherson is dated 4 March by its text, its article 10 March
    at.radio(key="corpus_granularity").set_value("day").run()
    at.radio(key="corpus_time_by").set_value("incident").run()
    _slider(at).set_range(date(2024, 3, 4), date(2024, 3, 4)).run()
    assert _table(at) == {"Attack in Kherson": 1, "Attack: Russia to Kherson": 1}
    at.radio(key="corpus_time_by").set_value("article").run()
    _slider(at).set_range(date(2024, 3, 4), date(2024, 3, 4)).run()
    assert _matches(at) == (0, 0)
    _slider(at).set_range(date(2024, 3, 10), date(2024, 3, 10)).run()
    assert set(_table(at)) == {
        "Russia",
        "Kherson",
        "Attack in Kherson",
        "Attack: Russia to Kherson",
    }
    # the histogram: bars per period, those in the chosen range marked
    chart = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert chart["mark"]["type"] == "bar" and "in_range" in json.dumps(chart["encoding"])


def test_play_steps_through_time_and_pause_stops(corpus_app):
    at = corpus_app
    at.radio(key="corpus_granularity").set_value("month").run()
    at.button(key="corpus_play").click().run()
    assert at.session_state["corpus_playing"] is True
    assert at.session_state["corpus_range"] == (date(2024, 1, 1), date(2024, 1, 1))
    assert at.button(key="corpus_play").label == "■ Pause"
    at.session_state["corpus_last_step"] = 0.0  # as if a step's time had passed
    at.run()
    assert at.session_state["corpus_range"] == (date(2024, 2, 1), date(2024, 2, 1))
    assert _slider(at).value == (date(2024, 2, 1), date(2024, 2, 1))
    at.button(key="corpus_play").click().run()
    assert at.session_state["corpus_playing"] is False
    at.session_state["corpus_last_step"] = 0.0
    at.run()
    assert at.session_state["corpus_range"] == (date(2024, 2, 1), date(2024, 2, 1))


def test_colour_by_incident_type_changes_the_legend(corpus_app):
    at = corpus_app

    def legend() -> str:
        return next(h.proto.body for h in at.get("html") if "places drawn" in h.proto.body)

    assert "Cities and towns" in legend()
    at.radio(key="corpus_colour").set_value("event_type").run()
    assert "attack (2)" in legend() and "protest (1)" in legend()
    assert "no incident (12)" in legend()


def test_a_place_lists_its_articles_and_one_opens_and_is_corrected(corpus_app):
    at = corpus_app
    at.selectbox(key="corpus_place_box_").set_value(DHAKA).run()
    assert _named_by(at) == "4 articles name it."
    assert [b.key for b in at.button if b.key.startswith("corpus_open_")] == [
        "corpus_open_0_a10",
        "corpus_open_1_a7",
        "corpus_open_2_a4",
        "corpus_open_3_a1",
    ]
    assert any(":orange-background[Dhaka]" in m.value for m in at.markdown)
    at.button(key="corpus_open_0_a10").click().run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["newsmap"]
    assert at.text_area(key="text").value == "Voters in Dhaka queued from dawn."
    assert DHAKA in set(at.dataframe[-1].value["feature_id"])
    # the Article page's correction flows back into the corpus view
    at.selectbox(key="selected_box").set_value(DHAKA).run()
    at.button(key="reject_" + DHAKA).click().run()
    at.button(key="back_to_corpus").click().run()
    assert [t.value for t in at.title] == ["newsmap: corpus"]
    assert at.session_state["corpus_choice"] == "news"
    assert _table(at)["Dhaka"] == 3 and _matches(at) == (12, 15)
    assert _named_by(at) == "3 articles name it."


def test_the_views_downloads(corpus_app):
    at = corpus_app
    at.multiselect(key="corpus_countries").set_value(["BD"]).run()
    names = {b.proto.id.rsplit("-", 1)[-1]: b for b in at.get("download_button")}
    assert len(names) == 3
    collection = json.loads(_download(at, "corpus_dl_geojson"))
    assert {
        f["properties"]["name"]: f["properties"]["articles"] for f in collection["features"]
    } == {
        "Dhaka": 4,
        "Bangladesh": 1,
    }
    csv = _download(at, "corpus_dl_csv").decode("utf-8-sig")
    rows = pd.read_csv(io.StringIO(csv))
    assert sorted(rows["article_id"]) == ["a1", "a1", "a10", "a4", "a7"]
    parquet = _download(at, "corpus_dl_parquet")
    assert parquet[:4] == b"PAR1"


def test_the_address_names_the_open_dataset_and_opens_it(datasets, monkeypatch):
    monkeypatch.setenv("NEWSMAP_DATASETS", str(datasets))
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["switch_to_corpus"] = True
    at.query_params["dataset"] = "news"
    at.run()
    assert not at.exception, at.exception
    assert _matches(at) == (13, 15)
    assert at.selectbox(key="corpus_choice").value == "news"
    assert at.query_params["dataset"] in ("news", ["news"])
    at.query_params["dataset"] = "../etc"
    at.run()
    assert "Only datasets in this server's dataset folder" in _unescaped(at.error[0].value)


def test_incident_types_from_a_dataset_stay_text_in_the_legend(datasets, tmp_path, monkeypatch):
    import shutil

    import pyarrow as pa
    import pyarrow.parquet as pq

    payload = '<img src=x onerror="window.__nm_pwned_legend=1">'
    root = tmp_path / "root"
    shutil.copytree(datasets / "news", root / "evil")
    for path in (root / "evil" / "sites").glob("*.parquet"):
        table = pq.read_table(path)
        kinds = table["event_type"].to_pylist()
        column = table.schema.get_field_index("event_type")
        changed = [payload if k else k for k in kinds]
        table = table.set_column(
            column, table.schema.field(column), pa.array(changed, type=table["event_type"].type)
        )
        pq.write_table(table, path)
    monkeypatch.setenv("NEWSMAP_DATASETS", str(root))
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["switch_to_corpus"] = True
    at.query_params["dataset"] = "evil"
    at.run()
    at.radio(key="corpus_colour").set_value("event_type").run()
    assert not at.exception, at.exception
    body = next(h.proto.body for h in at.get("html") if "places drawn" in h.proto.body)
    assert html.escape(payload) in body and "<img" not in body
    assert at.multiselect(key="corpus_events").options == [payload]
