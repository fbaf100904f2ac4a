"""The Corpus page's model (``layers.app.corpus``) on a small batch dataset.

The dataset is ``tests/corpus_data.py``'s twelve articles, geoparsed by
``newsmap batch --pipeline none``; every count below follows from which article
names which place there.
"""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geodata.corpus import iter_jsonl
from layers.app.corpus import (
    Corpus,
    CorpusError,
    CorpusFilter,
    aggregate_places,
    corpus_from_records,
    export_name,
    filter_mask,
    histogram,
    mentions_csv,
    open_dataset,
    open_dataset_zip,
    period_end,
    period_starts,
    place_articles,
    places_geojson,
    selection_parquet,
    with_article_sites,
)
from layers.catalog import LAYER_BY_KEY

from .corpus_data import ARTICLES, build_dataset, write_corpus

DHAKA = "geonames:1185241"
ABUJA = "geonames:2352778"
LAGOS = "geonames:2332459"


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_dataset(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def corpus(dataset: Path) -> Corpus:
    return open_dataset(dataset)


def _counts(corpus: Corpus, spec: CorpusFilter | None = None) -> dict[str, int]:
    spec = spec or CorpusFilter()
    places = aggregate_places(corpus, filter_mask(corpus, spec))
    return dict(zip(places["name"], places["articles"], strict=True))


def test_the_dataset_opens_with_one_item_per_article_and_place(corpus):
    assert corpus.name == "news"
    assert list(corpus.articles["id"]) == [a[0] for a in ARTICLES]
    assert corpus.articles["title"].iloc[0] == "Floods in Dhaka"
    assert corpus.articles["url"].isna().all()  # no url column: None, not "<NA>"
    assert corpus.articles["date"].iloc[11] is pd.NaT
    assert corpus.articles["text"].iloc[5] == ARTICLES[5][3]
    assert len(corpus.items) == 17 and corpus.errors == 0
    assert corpus.date_range() == (date(2024, 1, 3), date(2024, 3, 20))
    assert corpus.options("country")[:2] == ["BD", "NG"] or corpus.options("country")[:2] == [
        "NG",
        "BD",
    ]


def test_places_are_counted_by_the_articles_that_name_them(corpus):
    places = aggregate_places(corpus, filter_mask(corpus, CorpusFilter()))
    assert list(places["name"][:2]) == ["Dhaka", "Abuja"]
    dhaka = places.iloc[0]
    assert (dhaka["feature_id"], dhaka["articles"], dhaka["mentions"]) == (DHAKA, 4, 4)
    assert (dhaka["lon"], dhaka["lat"]) == pytest.approx((90.4074, 23.7104), abs=1e-3)
    assert _counts(corpus) == {
        "Dhaka": 4,
        "Abuja": 3,
        "Lagos": 2,
        "Geneva": 2,
        "Cairo": 2,
        "Bangladesh": 1,
        "Nigeria": 1,
        "Najaf": 1,
        "Imam Ali Shrine": 1,
    }
    assert len(aggregate_places(corpus, filter_mask(corpus, CorpusFilter()), limit=3)) == 3


def test_filters_compose(corpus):
    february = CorpusFilter(start=date(2024, 2, 1), end=date(2024, 2, 29))
    assert _counts(corpus, february) == {"Lagos": 1, "Najaf": 1, "Imam Ali Shrine": 1, "Dhaka": 1}
    nigeria = CorpusFilter(countries=("NG",))
    assert _counts(corpus, nigeria) == {"Abuja": 3, "Lagos": 2, "Nigeria": 1}
    # a time range leaves out the undated article (a12 names Abuja)
    assert _counts(corpus, nigeria._replace(start=date(2024, 1, 1), end=date(2024, 3, 31))) == {
        "Abuja": 2,
        "Lagos": 2,
        "Nigeria": 1,
    }
    towns = CorpusFilter(countries=("NG",), kinds=("populated_place",))
    assert _counts(corpus, towns) == {"Abuja": 3, "Lagos": 2}
    assert _counts(corpus, CorpusFilter(query="rain")) == {
        "Abuja": 2,
        "Lagos": 1,
        "Nigeria": 1,
        "Dhaka": 1,
    }
    assert _counts(corpus, CorpusFilter(query="RAIN", countries=("BD",))) == {"Dhaka": 1}
    assert _counts(corpus, CorpusFilter(min_confidence=0.9)) == {
        "Nigeria": 1,
        "Najaf": 1,
        "Bangladesh": 1,
    }
    assert _counts(corpus, CorpusFilter(countries=("ZZ",))) == {}


def test_periods_and_the_histogram(corpus):
    mask = filter_mask(corpus, CorpusFilter())
    assert period_starts(corpus, "month") == [date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)]
    weeks = period_starts(corpus, "week")
    assert weeks[0] == date(2024, 1, 1) and weeks[-1] == date(2024, 3, 18) and len(weeks) == 12
    assert all(d.weekday() == 0 for d in weeks)
    assert period_end(date(2024, 2, 1), "month") == date(2024, 2, 29)
    assert period_end(date(2024, 1, 1), "week") == date(2024, 1, 7)
    months = histogram(corpus, mask, "month", (date(2024, 2, 1), date(2024, 2, 29)))
    # a8 names no place: 4 articles in February, 3 with a place
    assert months.to_dict("list") == {
        "period": [date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)],
        "articles": [4, 3, 3],
        "in_range": [False, True, False],
    }
    weekly = histogram(corpus, mask, "week")
    assert weekly["articles"].sum() == 10 and weekly["articles"].iloc[:2].tolist() == [2, 0]
    dhaka_only = histogram(corpus, filter_mask(corpus, CorpusFilter(countries=("BD",))), "month")
    assert dhaka_only["articles"].tolist() == [2, 1, 1]
    with pytest.raises(KeyError):
        period_starts(corpus, "year")


def test_the_incident_time_axis_uses_the_item_dates(corpus):
    assert np.array_equal(
        corpus.item_dates("incident"), corpus.items["date"].to_numpy(), equal_nan=True
    )
    # no incident here: the same dates as the articles', on both axes
    assert corpus.date_range("incident") == corpus.date_range("article")
    spec = CorpusFilter(start=date(2024, 3, 1), end=date(2024, 3, 31), time_by="incident")
    assert _counts(corpus, spec) == {"Cairo": 1, "Geneva": 1, "Dhaka": 1, "Abuja": 1}
    with pytest.raises(KeyError):
        corpus.item_dates("published")


def test_a_place_lists_its_articles_newest_first_with_the_sentence(corpus):
    total, listed = place_articles(corpus, filter_mask(corpus, CorpusFilter()), DHAKA)
    assert total == 4
    assert [a["article_id"] for a in listed] == ["a10", "a7", "a4", "a1"]
    first = listed[0]
    assert (first["title"], first["date"], first["surface"]) == (
        "Dhaka vote",
        date(2024, 3, 13),
        "Dhaka",
    )
    assert (first["before"], first["words"], first["after"]) == (
        "Voters in ",
        "Dhaka",
        " queued from dawn.",
    )
    assert first["text"] == "Voters in Dhaka queued from dawn."
    total, listed = place_articles(
        corpus, filter_mask(corpus, CorpusFilter(end=date(2024, 1, 31))), DHAKA, limit=1
    )
    assert total == 2 and [a["article_id"] for a in listed] == ["a4"]
    assert place_articles(corpus, filter_mask(corpus, CorpusFilter()), "nowhere") == (0, [])


def test_exports_are_named_after_the_dataset_and_the_range(corpus, tmp_path):
    spec = CorpusFilter(start=date(2024, 2, 1), end=date(2024, 2, 29))
    assert export_name(corpus, spec, ".csv") == "news_2024-02-01_2024-02-29.csv"
    assert export_name(corpus, CorpusFilter(), ".geojson") == "news_2024-01-03_2024-03-20.geojson"
    mask = filter_mask(corpus, spec)
    places = aggregate_places(corpus, mask)
    collection = json.loads(places_geojson(corpus, places, spec))
    assert collection["type"] == "FeatureCollection" and len(collection["features"]) == 4
    assert collection["newsmap"]["filter"]["start"] == "2024-02-01"
    dhaka = next(f for f in collection["features"] if f["id"] == DHAKA)
    assert dhaka["geometry"]["coordinates"] == pytest.approx([90.40744, 23.7104])
    assert dhaka["properties"] == {
        "feature_id": DHAKA,
        "name": "Dhaka",
        "kind": "populated_place",
        "country_code": "BD",
        "event_type": None,
        "articles": 1,
        "mentions": 1,
    }
    text = mentions_csv(corpus, mask)
    assert text.startswith("\ufeffarticle_id,title,article_date,date,surface,feature_id")
    rows = pd.read_csv(io.StringIO(text.lstrip("\ufeff")))
    assert len(rows) == 4 and set(rows["article_id"]) == {"a5", "a6", "a7"}
    shrine = rows[rows["name"] == "Imam Ali Shrine"].iloc[0]
    assert shrine["sentence"] == "Pilgrims crowded the Imam Ali shrine in Najaf."
    path = tmp_path / "view.parquet"
    path.write_bytes(selection_parquet(corpus, mask))
    frame = gpd.read_parquet(path)
    assert frame.crs.to_epsg() == 4326 and len(frame) == 4
    najaf = frame[frame["name"] == "Najaf"].iloc[0]
    assert (najaf.geometry.x, najaf.geometry.y) == pytest.approx((44.34625, 32.02594))


def test_exported_cells_cannot_run_as_formulas(tmp_path, small_geoparser):
    line = json.dumps({"id": "=HYPERLINK(1)", "title": "=1+1", "text": "Rain in Paris."})
    records = list(iter_jsonl([line], source="evil.jsonl"))
    corpus = corpus_from_records("evil.jsonl", records, small_geoparser)
    text = mentions_csv(corpus, filter_mask(corpus, CorpusFilter()))
    assert "'=HYPERLINK(1)" in text and "'=1+1" in text
    assert ",=" not in text


def test_a_jsonl_corpus_is_geoparsed_with_progress_and_bad_lines_counted(tmp_path, geoparser):
    path = write_corpus(tmp_path / "news.jsonl")
    lines = [*path.read_text("utf-8").splitlines(), "{not json", '{"id": "x"}']
    seen: list[int] = []
    corpus = corpus_from_records(
        "news.jsonl", iter_jsonl(lines, source="n"), geoparser, seen.append
    )
    assert corpus.name == "news" and len(corpus.articles) == 12 and corpus.errors == 2
    assert seen and seen[-1] == 14
    assert _counts(corpus)["Dhaka"] == 4


def _zip(folder: Path, prefix: str = "news/", extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, prefix + str(path.relative_to(folder)))
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_zipped_dataset_opens_like_its_folder(dataset):
    for prefix in ("news/", ""):
        zipped = open_dataset_zip(_zip(dataset, prefix), "upload.zip")
        assert zipped.name == "upload"
        assert _counts(zipped) == _counts(open_dataset(dataset))


def test_unsafe_or_wrong_zips_are_refused_in_one_line(dataset, monkeypatch):
    from layers.app import corpus as module

    cases = {
        b"not a zip": "is not a zip file",
        _zip(dataset, extra={"../evil.parquet": b"x"}): "outside its folder",
        _zip(dataset, extra={"/etc/evil.json": b"x"}): "outside its folder",
    }
    empty = io.BytesIO()
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("readme.txt", "no dataset")
    cases[empty.getvalue()] = "no"
    for data, words in cases.items():
        with pytest.raises(CorpusError, match=words) as error:
            open_dataset_zip(data, "up.zip")
        assert "\n" not in str(error.value)
    monkeypatch.setattr(module, "MAX_ZIP_BYTES", 1000)
    with pytest.raises(CorpusError, match="would unpack to"):
        open_dataset_zip(_zip(dataset), "big.zip")
    monkeypatch.setattr(module, "MAX_ZIP_MEMBERS", 3)
    with pytest.raises(CorpusError, match="files; at most 3"):
        open_dataset_zip(_zip(dataset), "many.zip")


def test_a_folder_that_is_no_dataset_is_refused_in_one_line(tmp_path, dataset):
    folder = tmp_path / "run"
    with pytest.raises(CorpusError, match=r"^run is not a folder"):
        open_dataset(folder)
    folder.mkdir()
    with pytest.raises(CorpusError, match=r"^run is not a newsmap batch dataset"):
        open_dataset(folder)
    (folder / "articles").mkdir()
    with pytest.raises(CorpusError, match=r"^run holds no articles yet"):
        open_dataset(folder)
    broken = tmp_path / "broken"
    shutil.copytree(dataset, broken)
    (broken / "mentions" / "part-00000.parquet").write_bytes(b"PAR1 not parquet")
    with pytest.raises(CorpusError, match=r"^broken cannot be read as a dataset: ") as error:
        open_dataset(broken)
    assert str(tmp_path) not in str(error.value) and "\n" not in str(error.value)


def test_an_article_corrected_on_the_article_page_replaces_its_items(corpus, geoparser):
    from geodata.pipeline import extract_sites

    # a1 ("Floods hit Dhaka...") corrected: Dhaka and Bangladesh removed, Chittagong added
    sites = extract_sites("Floods hit Chittagong.", geoparser=geoparser)
    assert set(sites["name"]) == {"Chattogram"}  # the gazetteer's name of Chittagong
    changed = with_article_sites(corpus, "a1", sites)
    counts = _counts(changed)
    assert counts["Dhaka"] == 3 and counts["Chattogram"] == 1 and "Bangladesh" not in counts
    assert _counts(corpus)["Dhaka"] == 4  # the original is untouched
    chittagong = changed.items[changed.items["name"] == "Chattogram"].iloc[0]
    assert changed.articles["id"].iloc[int(chittagong["art"])] == "a1"
    assert chittagong["date"] == pd.Timestamp("2024-01-03")
    assert (chittagong["lon"], chittagong["lat"]) == pytest.approx((91.8, 22.3), abs=0.2)
    assert with_article_sites(corpus, "nope", sites) is corpus


def test_a_copied_dataset_keeps_its_name(dataset, tmp_path):
    copy = tmp_path / "gdelt-2024"
    shutil.copytree(dataset, copy)
    assert open_dataset(copy).name == "gdelt-2024"


def test_the_corpus_map_draws_every_place_on_one_canvas_layer(corpus):
    from layers.map.corpus import corpus_group, corpus_legend, render_corpus_map

    places = aggregate_places(corpus, filter_mask(corpus, CorpusFilter()))
    group = corpus_group(places, "kind", selected=DHAKA)
    (element,) = group._children.values()
    data = element.data
    assert len(data["lat"]) == len(places) == 9
    # most articles first (drawn first, under the small circles), ringed when selected
    assert data["name"][0] == "Dhaka" and data["selected"] == 0
    assert (data["lat"][0], data["lon"][0]) == pytest.approx((23.7104, 90.40744))
    assert data["radius"][0] == max(data["radius"]) and min(data["radius"]) >= 3
    assert data["id"][0].endswith(DHAKA) and "4 articles" in data["detail"][0]
    assert (
        corpus_group(places, "kind", selected="nowhere")._children.popitem()[1].data["selected"]
        == -1
    )
    assert [(label, n) for label, _, n in corpus_legend(places, "kind")] == [
        ("Countries", 2),
        ("Cities and towns", 6),
        ("Religious sites", 1),
    ]
    # the colours are the Article page's layer colours
    assert corpus_legend(places, "kind")[1][1] == LAYER_BY_KEY["places"].color
    assert corpus_legend(places, "event_type") == [("no incident", "#9e9e9e", 9)]
    html = render_corpus_map(places, "kind").get_root().render()
    assert html.count("newsmap.corpusPlaces(") == 1
    assert "circleMarker" not in html  # not one Folium object per place
    assert "https://" not in html.replace("https://www.naturalearthdata.com", "")


def test_hostile_place_names_stay_data_in_the_corpus_map():
    """Names from a dataset (an uploaded zip's are anyone's) never run as Jinja or HTML."""
    from streamlit_folium import _get_feature_group_string

    from layers.map.corpus import corpus_group, render_corpus_map

    from .hostile import TEXTS

    names = [*TEXTS, "Camp {% if %}", "Camp {{ 7*7 }}", "</script><script>alert(1)</script>"]
    places = pd.DataFrame(
        {
            "feature_id": [f"x:{i}" for i in range(len(names))],
            "name": names,
            "kind": "populated_place",
            "layer": "places",
            "country": "FR",
            "event_type": names[::-1],
            "lon": np.linspace(-170, 170, len(names)),
            "lat": 10.0,
            "articles": 1,
            "mentions": 1,
        }
    )
    group = corpus_group(places, "event_type")
    (element,) = group._children.values()
    # the page's path (streamlit-folium renders the group as a template again) and
    # the full page's both keep every name as it is, and parse back to the data
    script = _get_feature_group_string(group, render_corpus_map(places, with_places=False), 0)
    page = render_corpus_map(places).get_root().render()
    for text in (script, page):
        start = text.index("newsmap.corpusPlaces(")
        call = text[start : text.index(");\n", start)]
        data = json.loads(call[call.index("{") :])
        assert data["name"] == element.data["name"]
        assert sorted(data["name"]) == sorted(names)
        assert "Camp 49" not in text and "</script><script>alert" not in text
