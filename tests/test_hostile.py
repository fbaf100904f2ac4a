"""Every hostile payload (tests/data/hostile) in every surface, without a browser.

Surfaces: article text (geoparsed, mapped, highlighted), a saved map's property
values and keys (uploaded as GeoJSON), names typed by hand (added at a click,
edited), uploaded file names (article names, download names); then every export
written and read back. The checks are structural (an HTML parser finds no
element, attribute or URL that newsmap did not write: :mod:`tests.hostile`) and
exact (the payload's text comes back unchanged, except where a format cannot
hold it, said at each place). ``tests/test_hostile_browser.py`` checks the same
in Chromium.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import sqlite3
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from geodata.pipeline import extract_sites
from geodata.recognize import MAX_NER_RUN, MAX_SENTENCE_CHARS, _blank_markup
from geodata.schema import as_sites
from layers.app import actions
from layers.app.corrections import apply_corrections
from layers.app.display import escape_markdown, highlight_html
from layers.app.state import Source, default_state
from layers.app.views import downloads, export_title, imported_sites
from layers.catalog import build_layers
from layers.files.export import read_geojson, read_gpkg, to_html
from layers.files.formats import write_sites
from layers.files.inputs import file_stem, headline, parse_uploads
from layers.files.tables import EXCEL_CELL_LIMIT
from layers.map.render import render_map, selection_group

from .hostile import (
    PAYLOADS,
    TEXTS,
    batches,
    map_features,
    markup_problems,
    page_problems,
    saved_map,
    spot,
    text_of,
)

#: Long payloads are geoparsed one by one; the rest in articles of this many.
ARTICLE_BATCH = 40
LONG = 1000
#: Payloads quoted whole in some feature's evidence: 409 of 435 when written (the
#: rest hold a sentence end or a line break, and are split across sentences).
QUOTED_WHOLE = 400


def _popup_texts(page: str) -> dict[str, tuple[str, str]]:
    """Feature id (as drawn) -> (popup, tooltip) of every feature in a map page."""
    return {
        f["properties"]["feature_id"]: (f["properties"]["popup"], f["properties"]["tooltip"])
        for f in map_features(page)
        if "popup" in f["properties"]
    }


def _inert_map(sites: gpd.GeoDataFrame, twin: gpd.GeoDataFrame) -> dict[str, tuple[str, str]]:
    """Render both as standalone pages; assert the hostile one is its twin's shape."""
    page = to_html(render_map(build_layers(sites)))
    benign = to_html(render_map(build_layers(twin)))
    assert page_problems(page, benign) == []
    drawn = _popup_texts(page)
    assert len(drawn) == len(sites)
    for popup, tooltip in drawn.values():
        assert markup_problems(popup) == [], popup[:200]
        assert markup_problems(tooltip) == [], tooltip[:200]
    return drawn


def _benign(sites: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The same rows with every text replaced by plain words (evidence kept as one item)."""
    twin = sites.copy()
    for column in ("feature_id", "name", "source", "note", "surface"):
        twin[column] = [f"plain {column} {i}" for i in range(len(twin))]
    twin["evidence"] = [
        [{"sentence": "plain words", "start": 0, "end": 1}] * len(ev) for ev in twin["evidence"]
    ]
    for column in ("event_type", "date_text", "date", "country_code"):
        twin[column] = [None if v is None else "plain" for v in twin[column]]
    return twin


# --------------------------------------------------------------------------- the corpus


def test_the_corpus_has_every_class_and_a_marker_per_payload():
    kinds = pd.Series([p.kind for p in PAYLOADS]).value_counts()
    assert len(PAYLOADS) >= 300
    assert set(kinds.index) == {
        *("script", "event", "url", "svg", "entity", "unicode", "js", "backslash", "css"),
        *("template", "markdown", "latex", "bidi", "control", "case", "place", "csv"),
        *("xml", "path", "json", "long"),
    }
    readme = (Path(__file__).parent / "data" / "hostile" / "README.md").read_text("utf-8")
    for kind, count in kinds.items():  # the README's table says how many of each
        assert re.search(rf"^\| {kind} \| {count} \|", readme, re.M), kind
    # Whatever could run names its payload: alert(<id>), __nm_pwned_<id>, evil.example/<id>.
    live = re.compile(r"alert|confirm|prompt|__nm_pwned_|evil\.example|javascript:")
    for p in PAYLOADS:
        if live.search(p.text):
            assert re.search(rf"(?<!\d){p.id}(?!\d)", p.text), p
    assert "\u202e" in TEXTS[PAYLOADS[-1].id - 1] or any("\u202e" in t for t in TEXTS)
    assert any("\x00" in t for t in TEXTS) and max(map(len, TEXTS)) > 30_000


# --------------------------------------------------------------------------- article text


@pytest.fixture(scope="module")
def article_sites(geoparser) -> list[tuple[str, gpd.GeoDataFrame]]:
    """Every payload geoparsed: alone, and in a sentence naming two places.

    Short payloads share an article (one paragraph each); long ones are mapped
    alone. Returns (article, sites) pairs.
    """
    articles = []
    short = [p for p in PAYLOADS if len(p.text) <= LONG]
    for batch in batches(short, ARTICLE_BATCH):
        articles.append("\n\n".join(p.text for p in batch))
        articles.append(
            "\n\n".join(f"Rockets hit Baghdad near {p.text} on Monday, Basra said." for p in batch)
        )
    for p in PAYLOADS:
        if len(p.text) > LONG:
            articles.append(p.text)
            articles.append(f"Rockets hit Baghdad near {p.text} on Monday, Basra said.")
    return [(text, extract_sites(text, geoparser=geoparser)) for text in articles]


def test_article_text_is_highlighted_as_text(article_sites):
    for text, sites in article_sites:
        selected = str(sites["feature_id"].iloc[0]) if len(sites) else None
        page = highlight_html(text, sites, selected=selected)
        assert markup_problems(page) == []
        # the panel shows the article exactly (line breaks as <br>)
        assert text_of(page.replace("<br>", "\n")) == text


def test_article_text_reaches_popups_as_text(article_sites):
    merged = pd.concat([sites for _, sites in article_sites], ignore_index=True)
    merged["feature_id"] = [f"{fid}@{i}" for i, fid in enumerate(merged["feature_id"])]
    merged = gpd.GeoDataFrame(merged, geometry="geometry", crs=4326)
    drawn = _inert_map(merged, _benign(merged))
    quoted: set[int] = set()
    for row in merged.to_dict("records"):
        popup, _ = drawn[row["feature_id"].replace("{", "&#123;").replace("}", "&#125;")]
        shown = text_of(popup)
        for item in row["evidence"][:5]:
            assert item["sentence"] in shown
        sentences = [item["sentence"] for item in row["evidence"]]
        quoted |= {p.id for p in PAYLOADS if any(p.text in s for s in sentences)}
    # the sentences around the payloads are the evidence: most are quoted whole
    assert len(quoted) >= QUOTED_WHOLE, len(quoted)


def test_a_long_run_of_markup_characters_is_cut_for_the_ner():
    # spaCy splits a run of "<" one affix at a time (quadratic): 20,000 took 37 s.
    # A run of symbols is read as spaces; any other run is cut every MAX_NER_RUN.
    text = "Rockets hit Baghdad " + "<" * 250 + " and Basra."
    seen = _blank_markup(text)
    assert seen == "Rockets hit Baghdad " + " " * 250 + " and Basra."
    text = "Rockets hit Baghdad " + "x<" * 125 + " and Basra."
    seen = _blank_markup(text)
    assert len(seen) == len(text) and max(map(len, seen.split())) == MAX_NER_RUN
    assert seen.startswith("Rockets hit Baghdad ") and seen.endswith(" and Basra.")


@pytest.mark.timeout(120)
def test_a_long_article_of_markup_characters_is_mapped_in_linear_time(geoparser):
    # 50,000 "<" then a place: about 4 minutes before the cut (quadratic), seconds after.
    sites = extract_sites("<" * 50_000 + " Blast in Baghdad.", geoparser=geoparser)
    assert "Baghdad" in set(sites["name"])


@pytest.mark.timeout(120)
def test_a_long_run_of_capitalised_words_is_mapped_in_linear_time(geoparser):
    # The disease-name pattern backtracked over every run of capitalised words:
    # "Baghdad " 4,000 times took 14 s of regex alone, 25,000 (the app's limit) many minutes.
    sites = extract_sites("Baghdad " * 6_000, geoparser=geoparser)
    assert list(sites["name"]) == ["Baghdad"] and sites["mentions"][0] == 6_000
    # With no sentence end the whole text was one sentence, quoted by each mention's
    # evidence: 6,000 copies of 48 kB (1 MB of names: 125,000 copies of 1 MB).
    assert max(len(item["sentence"]) for item in sites["evidence"][0]) <= MAX_SENTENCE_CHARS


# --------------------------------------------------------------------------- saved maps


@pytest.fixture(scope="module")
def imported() -> gpd.GeoDataFrame:
    """A saved map whose every text property and key is a payload, uploaded."""
    data = json.dumps(saved_map(values=True, keys=True)).encode("utf-8")
    articles, saved, problems = parse_uploads([("map.geojson", data)])
    assert (articles, problems) == ([], [])
    return imported_sites(json.dumps(saved))


def test_saved_map_values_come_back_exactly(imported):
    assert len(imported) == len(PAYLOADS)
    assert list(imported["name"]) == TEXTS
    assert list(imported["feature_id"]) == [f"{i}:{t}" for i, t in enumerate(TEXTS)]
    for name in ("source", "note", "event_type", "date_text", "surface"):
        assert list(imported[name]) == TEXTS, name
    assert [ev[0]["sentence"] for ev in imported["evidence"]] == TEXTS
    assert set(imported["kind"]) == {"facility"}  # no payload is a kind


def test_saved_map_values_and_keys_are_inert_on_the_map(imported):
    drawn = _inert_map(imported, _benign(imported))
    for i, text in enumerate(TEXTS):
        fid = f"{i}:{text}".replace("{", "&#123;").replace("}", "&#125;")
        popup, tooltip = drawn[fid]
        assert f"“{text}”" in text_of(popup)  # the evidence sentence, quoted
        assert text_of(tooltip).endswith(text)


def test_the_selected_features_tooltip_is_inert():
    # folium writes a tooltip's text into a JavaScript template literal: a backtick
    # in a name ended it and ran what followed ("`+alert(1)+`").
    import folium

    for text in TEXTS:
        page_map = folium.Map(tiles=None)
        selection_group(0.0, 0.0, text).add_to(page_map)
        literal = re.search(r"bindTooltip\(\s*`(.*?)`,", page_map.get_root().render(), re.S)
        assert literal is not None
        assert markup_problems(literal[1]) == []
        shown = html.unescape(re.sub(r"</?div>", "", literal[1])).strip()
        # (the template's rendering turns CR LF and CR into LF)
        assert shown == re.sub(r"\r\n?", "\n", f"Selected: {text}").strip()


@pytest.mark.parametrize("values, keys", [(False, True), (True, False)])
def test_saved_map_keys_or_values_alone_are_read(values, keys):
    data = json.dumps(saved_map(values=values, keys=keys))
    sites = as_sites(read_geojson(data))
    assert len(sites) == len(PAYLOADS)
    if not values:  # the keys are nothing newsmap reads: features named by their ids
        assert list(sites["name"]) == [f"imported:{i}" for i in range(len(PAYLOADS))]


# --------------------------------------------------------------------------- names typed by hand


@pytest.fixture(scope="module")
def typed_by_hand(seed_sites) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Every payload added at a map click; every payload typed as a seed feature's new name.

    Returns the added features and one copy of the edited feature per payload.
    """

    def fresh_state() -> dict:
        state = default_state("000_sample.txt", "seed")
        state["corrections"].activate(Source((("000_sample", "seed"),)).key)
        return state

    adding = fresh_state()
    for i, text in enumerate(TEXTS):
        actions.add_at_click(adding, {"lat": spot(i).y, "lng": spot(i).x}, text, None)
    added = apply_corrections(seed_sites.iloc[0:0], adding["corrections"].current())
    editing, base, names = fresh_state(), seed_sites.head(1), []
    fid = str(base["feature_id"].iloc[0])
    for text in TEXTS:
        editing["message"] = ""
        actions.edit_feature(editing, fid, text, None)
        names.append(str(apply_corrections(base, editing["corrections"].current())["name"][0]))
        # a blank name is refused with a message, and the name before it is kept
        assert bool(editing["message"]) == (not text.strip())
        assert names[-1] == (text.strip() or (names[-2] if len(names) > 1 else base["name"][0]))
    edited = pd.concat([base] * len(TEXTS), ignore_index=True)
    edited["name"] = names
    edited["feature_id"] = [f"{fid}#{i}" for i in range(len(TEXTS))]
    return added, gpd.GeoDataFrame(edited, geometry="geometry", crs=4326)


def test_names_typed_by_hand_come_back_exactly_and_stay_inert(typed_by_hand):
    added, edited = typed_by_hand
    assert list(added["name"]) == [t.strip() for t in TEXTS if t.strip()]  # blank: not added
    for sites in (added, edited):
        drawn = _inert_map(sites, _benign(sites))
        for row in sites.to_dict("records"):
            popup, tooltip = drawn[row["feature_id"].replace("{", "&#123;").replace("}", "&#125;")]
            assert row["name"] in text_of(popup) and text_of(tooltip).endswith(row["name"])


# --------------------------------------------------------------------------- uploaded file names

_STEM = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*-\d{4}-\d\d-\d\d$")
_ALL_ESCAPED = re.compile(r"(?<!\\)[!-/:-@\[-`{-~]")


def _unescaped_markdown(text: str) -> list[str]:
    """ASCII punctuation neither backslash-escaped nor a character reference."""
    return _ALL_ESCAPED.findall(re.sub(r"\\[!-/:-@\[-`{-~]|&#\d+;", "", text))


def test_uploaded_file_names_stay_names():
    day = date(2024, 9, 11)
    article = b"Rockets hit Baghdad and Basra on Monday, officials in Najaf said today."
    for text in TEXTS:
        name = f"{text}.txt"
        articles, saved, problems = parse_uploads([(name, article), (f"{text}.bin", b"\x00" * 99)])
        assert saved is None and [a["name"] for a in articles] == [name]
        # the message about the unreadable file names it, escaped for Markdown
        assert len(problems) == 1 and problems[0].startswith(f"{text}.bin")
        assert _unescaped_markdown(escape_markdown(problems[0])) == []
        # download names: ASCII words and the date, nothing else
        stem = file_stem(export_title(Source(((name, article.decode()),))), day)
        assert _STEM.match(stem), stem
        assert _STEM.match(file_stem(headline(text), day))


def test_uploaded_file_names_are_article_names_in_every_export(geoparser, tmp_path):
    names = [f"{text}.txt" for text in TEXTS[:60]]
    files = [
        (name, f"Blast in Baghdad {i}. Floods in Basra.".encode()) for i, name in enumerate(names)
    ]
    articles, _, problems = parse_uploads(files)
    assert problems == [] and len(articles) == len(set(names))
    from geodata.sites import merge_sites

    merged = merge_sites(
        {a["name"]: extract_sites(a["text"], geoparser=geoparser) for a in articles[:30]}
    )
    article_names = {item["article"] for ev in merged["evidence"] for item in ev}
    assert article_names == {a["name"] for a in articles[:30]}
    _inert_map(merged, _benign(merged))
    path = write_sites(merged, tmp_path / "merged.geojson")
    back = read_geojson(path.read_text("utf-8"))
    assert {item["article"] for ev in back["evidence"] for item in ev} == article_names


# --------------------------------------------------------------------------- exports


def _kml_values(path: Path) -> dict[str, list[str]]:
    ns = "{http://www.opengis.net/kml/2.2}"
    root = ET.fromstring(path.read_bytes())
    out: dict[str, list[str]] = {"name": []}
    for placemark in root.iter(f"{ns}Placemark"):
        out["name"].append(placemark.findtext(f"{ns}name") or "")
        for data in placemark.iter(f"{ns}SimpleData"):
            out.setdefault(data.get("name"), []).append(data.text or "")
    return out


_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@pytest.fixture(scope="module")
def exported(imported, tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile-exports")
    return {
        ext: write_sites(imported, folder / f"sites.{ext}")
        for ext in ("geojson", "geojsonl", "gpkg", "fgb", "kml", "csv", "parquet", "html")
    }


def _order(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows in the payloads' order (files are written layer by layer)."""
    position = {f"{i}:{t}": i for i, t in enumerate(TEXTS)}
    return frame.assign(_at=frame["feature_id"].map(position)).sort_values("_at")


def test_geojson_and_geoparquet_keep_every_payload_exactly(exported):
    frames = {
        "geojson": read_geojson(exported["geojson"].read_text("utf-8")),
        "geojsonl": pd.DataFrame(
            [json.loads(line)["properties"] for line in exported["geojsonl"].open("r")]
        ),
        "parquet": gpd.read_parquet(exported["parquet"]),
    }
    for fmt, frame in frames.items():
        frame = _order(frame)
        for name in ("name", "source", "note", "event_type", "date_text", "surface"):
            assert list(frame[name]) == TEXTS, (fmt, name)
        evidence = [json.loads(v) if isinstance(v, str) else v for v in frame["evidence"]]
        assert [ev[0]["sentence"] for ev in evidence] == TEXTS, fmt


def test_geopackage_and_flatgeobuf_keep_every_payload_but_nul(exported):
    # GDAL's strings are C strings: a text stops at its first NUL (only there).
    cut = [t.split("\x00")[0] for t in TEXTS]
    frames = {"gpkg": read_gpkg(exported["gpkg"]), "fgb": gpd.read_file(exported["fgb"])}
    for fmt, frame in frames.items():
        position = {f"{i}:{t}".split("\x00")[0]: i for i, t in enumerate(TEXTS)}
        frame = frame.assign(_at=frame["feature_id"].map(position)).sort_values("_at")
        for name in ("name", "source", "note"):
            assert list(frame[name]) == cut, (fmt, name)
    with sqlite3.connect(exported["gpkg"]) as db:  # the payloads are data, not schema
        tables = {row[0] for row in db.execute("SELECT table_name FROM gpkg_contents")}
    assert not any(t in tables for t in TEXTS)


def _as_xml(text: str) -> str:
    """What XML 1.0 keeps of a text: NUL, other C0 controls, U+FFFE and U+FFFF become
    U+FFFD (newsmap's KML writer); CR LF and CR are read as LF (every XML reader)."""
    return _NOT_XML.sub("\ufffd", text).replace("\r\n", "\n").replace("\r", "\n")


def test_kml_keeps_every_payload_as_text(exported):
    values = _kml_values(exported["kml"])
    position = {_as_xml(f"{i}:{t}"): i for i, t in enumerate(TEXTS)}
    at = [position[fid] for fid in values["feature_id"]]
    assert sorted(at) == list(range(len(TEXTS)))
    for name in ("name", "source", "note"):
        got = [value for _, value in sorted(zip(at, values[name], strict=True))]
        assert got == [_as_xml(t) for t in TEXTS], name
    # The description is HTML for the client: newsmap's tags only.
    ns = "{http://www.opengis.net/kml/2.2}"
    root = ET.fromstring(exported["kml"].read_bytes())
    tags = {el.tag for el in root.iter()}
    assert f"{ns}NetworkLink" not in tags and f"{ns}script" not in tags
    for description in root.iter(f"{ns}description"):
        assert markup_problems(description.text or "") == []


def test_a_cdata_section_in_a_name_adds_no_kml_element():
    # simplekml writes a text holding "<![CDATA[" raw, and what follows it too: this
    # name closed <name> and added a NetworkLink that Google Earth would fetch.
    from layers.files.kml import to_kml

    name = (
        "<![CDATA[x]]></name><NetworkLink><Link><href>http://evil.example/k</href>"
        "</Link></NetworkLink><name>y"
    )
    sites = as_sites(gpd.GeoDataFrame({"name": [name]}, geometry=[spot(0)], crs=4326))
    root = ET.fromstring(to_kml(sites))
    ns = "{http://www.opengis.net/kml/2.2}"
    assert [el.text for el in root.iter(f"{ns}name")][-1] == name
    assert not list(root.iter(f"{ns}NetworkLink"))
    assert all("evil" not in (href.text or "") for href in root.iter(f"{ns}href"))


def test_csv_keeps_every_payload_up_to_the_cell_cap(exported):
    raw = exported["csv"].read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(raw, newline="")))
    assert len(rows) == len(TEXTS)
    guarded = 0
    for row, text in zip(rows, TEXTS, strict=True):
        # the two changes: a text a spreadsheet would run as a formula gets a
        # leading apostrophe, and a cell over Excel's cap is cut (with an ellipsis)
        want = "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text
        want = want if len(want) <= EXCEL_CELL_LIMIT else want[: EXCEL_CELL_LIMIT - 1] + "…"
        assert row["name"] == want and row["note"] == want
        guarded += want.startswith("'") and not text.startswith("'")
    assert guarded >= 10  # the corpus's csv class and others start with = + - @


def test_the_html_export_is_inert(exported, imported):
    page = exported["html"].read_text("utf-8")
    assert page_problems(page, to_html(render_map(build_layers(_benign(imported))))) == []


def test_every_download_of_a_hostile_saved_map_builds(imported):
    files = downloads(
        imported,
        lambda: imported,
        str(imported["feature_id"].iloc[0]),
        tuple(build_layers(imported)),
        "hostile",
    )
    for file in files:
        data = file.build()
        assert len(data) > 100, file.label


def test_generated_texts_neither_crash_nor_go_live(geoparser):
    # The first 200 texts of benchmarks/fuzz.py's generator (its run of 10,000 is
    # reported in the hostile-input notes): any exception fails the test.
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "fuzz", Path(__file__).resolve().parents[1] / "benchmarks" / "fuzz.py"
    )
    assert spec is not None and spec.loader is not None
    fuzz = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fuzz)
    for text in fuzz.texts(200, seed=13):
        assert fuzz.check_text(text, geoparser) == [], repr(text[:300])
