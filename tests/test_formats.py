"""Every output format, opened by the readers analysts use (format x reader matrix).

Readers: the GDAL inside pyogrio's wheel (always), the system's ``ogrinfo`` and
``ogr2ogr`` (Debian's GDAL, where installed: CI installs gdal-bin), pyarrow and
geopandas for GeoParquet (neither GDAL has a Parquet driver), sqlite3 for the
GeoPackage's own tables, ElementTree for KML, ``json`` for GeoJSON, ``csv`` for
the tables. Each asserts what survives: the feature count, one feature's
coordinates and words, styles, dates, the article's focus.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import sqlite3
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import pyarrow.parquet as pq
import pyogrio
import pytest
import shapely

from geodata.schema import decode_list_columns
from layers.cli import main
from layers.files.formats import FORMATS, FormatError, format_for, write_sites
from layers.files.tables import RECOGITO_COLUMNS, mention_rows, to_mentions_csv, to_mentions_jsonl

OGRINFO = shutil.which("ogrinfo")
OGR2OGR = shutil.which("ogr2ogr")
KML = "{http://www.opengis.net/kml/2.2}"
BAGHDAD = (44.40088, 33.34058)
#: Formats GDAL reads (HTML is a page; GeoParquet has no driver in either GDAL here).
GDAL_FORMATS = [f for f in FORMATS if f.driver not in (None, "Parquet")]


@pytest.fixture(scope="module")
def written(seed_sites, tmp_path_factory) -> dict[str, Path]:
    """The seed written once in every format: format name -> path."""
    folder = tmp_path_factory.mktemp("formats")
    return {
        fmt.name: write_sites(seed_sites, folder / f"seed{fmt.extensions[0]}") for fmt in FORMATS
    }


def _ogrinfo_count(path: Path) -> int:
    """Total features over all layers, as the system's ogrinfo reports them."""
    out = subprocess.run(
        [OGRINFO, "-ro", "-so", "-al", str(path)], capture_output=True, text=True, check=True
    )
    assert "ERROR" not in out.stderr, out.stderr
    assert "may only be partially supported" not in out.stderr  # GeoPackage 1.4 on GDAL 3.6
    return sum(
        int(line.split(":")[1]) for line in out.stdout.splitlines() if "Feature Count" in line
    )


@pytest.mark.parametrize("fmt", GDAL_FORMATS, ids=lambda f: f.name)
def test_pyogrio_gdal_reads_every_feature(written, seed_sites, fmt):
    path = written[fmt.name]
    layers = [name for name, _ in pyogrio.list_layers(path)]
    total = sum(pyogrio.read_info(path, layer=layer)["features"] for layer in layers)
    assert total == len(seed_sites) == 39
    assert pyogrio.read_info(path, layer=layers[0])["driver"].upper() in (
        fmt.driver.upper(),
        "LIBKML",
    )


@pytest.mark.skipif(OGRINFO is None, reason="no system GDAL (apt-get install gdal-bin)")
@pytest.mark.parametrize("fmt", GDAL_FORMATS, ids=lambda f: f.name)
def test_system_ogrinfo_reads_every_feature(written, fmt):
    assert _ogrinfo_count(written[fmt.name]) == 39


def test_geojson_keeps_colours_and_focus(written):
    collection = json.loads(written["GeoJSON"].read_text(encoding="utf-8"))
    meta = collection["newsmap"]
    assert meta["content"] == "all layers" and meta["features"] == 39
    assert meta["focus"]["country_code"] == "IQ" and meta["focus"]["place"] == "Baghdad"
    by_id = {f["id"]: f["properties"] for f in collection["features"]}
    assert by_id["geonames:98182"]["marker-color"] == "#1f77b4"  # the places layer's blue
    assert by_id["country:IQ"]["fill"] == "#8c6bb1" and by_id["country:IQ"]["fill-opacity"] == 0.15
    paths = [p for p in by_id.values() if p["kind"] == "strike_path"]
    assert paths and all(p["stroke"] == "#d62728" and p["stroke-width"] == 3 for p in paths)
    seq = written["GeoJSONSeq"].read_text(encoding="utf-8").splitlines()
    assert len(seq) == 39 and json.loads(seq[0])["type"] == "Feature"


def test_geopackage_is_version_1_2_with_typed_dates_and_focus(written):
    path = written["GeoPackage"]
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47  # "GPKG"
        assert db.execute("PRAGMA user_version").fetchone()[0] == 10200
        columns = {row[1]: row[2] for row in db.execute('PRAGMA table_info("incidents")')}
        assert columns["date"] == "DATE" and columns["mentions"] == "INTEGER"
        dates = dict(db.execute('SELECT name, date FROM "incidents"').fetchall())
        assert dates["Attack in Israel"] == "2024-04-01"
        types = dict(db.execute("SELECT table_name, geometry_type_name FROM gpkg_geometry_columns"))
    assert types["countries"] == "MULTIPOLYGON" and types["strike_paths"] == "LINESTRING"
    assert types["incidents"] == "POINT"
    info = pyogrio.read_info(path, layer="incidents")
    assert json.loads(info["dataset_metadata"]["NEWSMAP_FOCUS"])["country_code"] == "IQ"
    # the API's reader gives back the ISO text at its precision
    from layers.files.export import read_gpkg

    back = read_gpkg(path)
    assert back.set_index("name").loc["Attack in Israel", "date"] == "2024-04"
    assert len(back) == 39


@pytest.mark.filterwarnings("ignore:.*truncated:RuntimeWarning", "ignore:Column names:UserWarning")
def test_shapefile_round_trip_keeps_every_feature(written, tmp_path):
    """Each table is one geometry type, so GDAL's Shapefile writer takes them all."""
    path = written["GeoPackage"]
    total = 0
    for layer, _ in pyogrio.list_layers(path):
        frame = gpd.read_file(path, layer=layer)
        target = tmp_path / f"{layer}.shp"
        frame.to_file(target)  # field names over 10 characters are cut by GDAL
        total += len(gpd.read_file(target))
    assert total == 39
    if OGR2OGR:
        folder = tmp_path / "ogr2ogr"
        subprocess.run(
            [OGR2OGR, "-f", "ESRI Shapefile", "-lco", "ENCODING=UTF-8", str(folder), str(path)],
            capture_output=True,
            check=True,
        )
        assert sum(_ogrinfo_count(shp) for shp in folder.glob("*.shp")) == 39
        assert (folder / "places.cpg").read_text().strip() == "UTF-8"


def test_flatgeobuf_holds_everything_in_one_layer(written):
    path = written["FlatGeobuf"]
    frame = gpd.read_file(path)
    assert len(frame) == 39
    assert set(frame[frame["kind"] == "country"].geom_type) == {"MultiPolygon"}
    baghdad = frame[frame["feature_id"] == "geonames:98182"].geometry.iloc[0]
    assert (baghdad.x, baghdad.y) == pytest.approx(BAGHDAD, abs=1e-6)
    described = json.loads(pyogrio.read_info(path)["layer_metadata"]["DESCRIPTION"])
    assert described["focus"]["place"] == "Baghdad"


def test_geoparquet_is_1_1_with_bbox_covering_and_dates(written):
    path = written["GeoParquet"]
    schema = pq.read_schema(path)
    geo = json.loads(schema.metadata[b"geo"])
    assert geo["version"] == "1.1.0"
    assert "bbox" in geo["columns"]["geometry"]["covering"]
    assert str(schema.field("date").type) == "date32[day]"
    assert json.loads(schema.metadata[b"newsmap"])["focus"]["country_code"] == "IQ"
    frame = decode_list_columns(gpd.read_parquet(path))
    assert len(frame) == 39 and frame.crs.to_epsg() == 4326
    baghdad = frame[frame["feature_id"] == "geonames:98182"].iloc[0]
    assert baghdad["evidence"][0]["text"] == "Baghdad"


def test_kml_keeps_folders_styles_descriptions_and_dates(written, seed_sites):
    root = ET.parse(written["KML"]).getroot()
    document = root.find(f"{KML}Document")
    folders = [f.findtext(f"{KML}name") for f in document.findall(f"{KML}Folder")]
    assert folders == [
        "Countries",
        "Cities and towns",
        "Airports",
        "Military sites",
        "Religious sites",
        "Rail and pipelines",
        "Incidents",
    ]
    # one style per layer, in its folder, after the folder's name (ogckml22.xsd order)
    styles = {s.get("id"): s for s in document.iter(f"{KML}Style")}
    assert len(styles) == 7
    for folder in document.findall(f"{KML}Folder"):
        tags = [child.tag.removeprefix(KML) for child in folder]
        assert tags[0] == "name" and tags[1] == "Style" and set(tags[2:]) == {"Placemark"}
    tags = [child.tag.removeprefix(KML) for child in document]
    assert tags.index("name") < tags.index("Schema") < tags.index("Folder")
    placemarks = list(document.iter(f"{KML}Placemark"))
    used = [p.findtext(f"{KML}styleUrl") for p in placemarks]
    assert all(url and url[1:] in styles for url in used)  # every placemark is styled
    airports = document.findall(f"{KML}Folder")[2]
    style = styles[airports.find(f"{KML}Placemark").findtext(f"{KML}styleUrl")[1:]]
    assert style.findtext(f"{KML}IconStyle/{KML}color") == "ffcfbe17"  # #17becf as aabbggrr
    assert style.findtext(f"{KML}IconStyle/{KML}Icon/{KML}href").endswith("/airports.png")
    marks = {p.findtext(f"{KML}name"): p for p in placemarks}
    assert len(marks) == len(set(seed_sites["name"]))
    attack = marks["Attack in Israel"]
    assert attack.findtext(f"{KML}TimeStamp/{KML}when") == "2024-04"
    assert "Kind: attack" in attack.findtext(f"{KML}description")
    assert "Iran's direct attack on Israel" in attack.findtext(f"{KML}description")
    info = pyogrio.read_info(written["KML"], layer="Incidents")
    types = dict(zip(info["fields"], info["ogr_types"], strict=True))
    assert types["mentions"] == "OFTInteger" and types["confidence"] == "OFTReal"
    assert types["timestamp"] == "OFTDateTime" and types["inferred"] == "OFTInteger"


def test_csv_opens_in_gdal_with_a_point_per_row(written):
    raw = written["CSV"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 39
    frame = pyogrio.read_dataframe(written["CSV"], X_POSSIBLE_NAMES="lon", Y_POSSIBLE_NAMES="lat")
    # with lon/lat named, every row is a point, areas at their representative point
    assert len(frame) == 39 and frame.geometry.notna().all()
    points = dict(zip(frame["feature_id"], frame.geometry, strict=True))
    assert (points["geonames:98182"].x, points["geonames:98182"].y) == BAGHDAD
    assert points["country:IQ"].within(shapely.box(38.8, 29.1, 48.6, 37.4))  # inside Iraq


def test_html_map_opens_offline(written):
    page = written["HTML map"].read_text(encoding="utf-8")
    assert "<title>seed</title>" in page
    # scripts and styles inlined: nothing is fetched from elsewhere
    assert not re.search(r"<(?:script|link)[^>]+(?:src|href)=[\"']?(?:https?:)?//", page)


def test_mentions_in_recogito_and_mordecai_layouts(seed_sites, seed_text, geoparser):
    rows = mention_rows(seed_sites, geoparser.gazetteer, article="seed.txt")
    assert [r["start"] for r in rows] == sorted(r["start"] for r in rows)
    for row in rows:  # every offset points at the words in the article
        assert seed_text[row["start"] : row["end"]] == row["text"]
    baghdad = next(r for r in rows if r["feature_id"] == "geonames:98182")
    assert baghdad["feature_code"] == "PPLC" and baghdad["country_code3"] == "IRQ"
    assert baghdad["admin1_name"] == "Baghdad" and (baghdad["lon"], baghdad["lat"]) == BAGHDAD
    assert not any(r["kind"] in ("incident", "strike_path") for r in rows)
    text = to_mentions_csv(rows)
    table = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert tuple(table[0]) == RECOGITO_COLUMNS and len(table) == len(rows)
    first = next(r for r in table if r["QUOTE_TRANSCRIPTION"] == "Baghdad")
    assert first["ANCHOR"] == f"char-offset:{seed_text.index('Baghdad')}"
    assert first["URI"] == "https://sws.geonames.org/98182/" and first["TYPE"] == "PLACE"
    assert (float(first["LNG"]), float(first["LAT"])) == BAGHDAD
    lines = [json.loads(line) for line in to_mentions_jsonl(rows).splitlines()]
    assert len(lines) == len(rows)
    record = next(r for r in lines if r["geonameid"] == 98182)
    assert record["search_name"] == "Baghdad" and record["feature_code"] == "PPLC"
    assert record["admin1_name"] == "Baghdad" and record["country_code3"] == "IRQ"


def test_api_frame_writes_json_not_python_repr(seed_sites, tmp_path):
    """geopandas' own to_file stores the list columns as JSON text."""
    path = tmp_path / "api.gpkg"
    seed_sites.to_file(path, layer="sites")
    raw = gpd.read_file(path, layer="sites")
    evidence = json.loads(raw["evidence"].iloc[0])
    assert evidence[0]["text"] == seed_sites["evidence"].iloc[0][0]["text"]
    assert decode_list_columns(raw)["evidence"].iloc[0] == seed_sites["evidence"].iloc[0]


@pytest.mark.parametrize("name", ["sites.shp", "sites.xlsx", "sites"])
def test_other_extensions_are_refused_in_one_line(name, tmp_path, capsys):
    with pytest.raises(FormatError, match=r"newsmap writes \.geojson"):
        format_for(name)
    article = tmp_path / "a.txt"
    article.write_text("Floods hit Dhaka.", encoding="utf-8")
    assert main(["extract", str(article), "-o", str(tmp_path / name)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and ".gpkg (GeoPackage)" in err
    assert not (tmp_path / name).exists()


def test_cli_extract_writes_by_extension(tmp_path, capsys):
    article = tmp_path / "a.txt"
    article.write_text("Floods hit Dhaka on Monday, officials said.", encoding="utf-8")
    out = tmp_path / "dhaka.fgb"
    assert main(["extract", str(article), "-o", str(out), "--date", "2024-09-11"]) == 0
    assert "(FlatGeobuf)" in capsys.readouterr().err
    frame = gpd.read_file(out)
    dhaka = frame[frame["name"] == "Dhaka"].geometry.iloc[0]
    assert shapely.distance(dhaka, shapely.Point(90.41, 23.71)) < 0.1


def test_csv_cells_that_a_spreadsheet_would_run_are_made_text():
    import csv
    import io

    from shapely.geometry import Point

    from geodata.schema import as_sites
    from layers.files.tables import to_csv

    sites = as_sites(
        gpd.GeoDataFrame(
            {
                "feature_id": ["a", "b"],
                "name": ['=HYPERLINK("http://x.example","Basra")', "-12 Street"],
                "kind": ["city", "city"],
                "note": ["@SUM(1)", "+1 555"],
            },
            geometry=[Point(-47.5, -15.8), Point(44.4, 30.5)],
            crs="EPSG:4326",
        )
    )
    rows = list(csv.DictReader(io.StringIO(to_csv(sites).lstrip("\ufeff"))))
    assert [r["name"] for r in rows] == ['\'=HYPERLINK("http://x.example","Basra")', "'-12 Street"]
    assert [r["note"] for r in rows] == ["'@SUM(1)", "'+1 555"]
    assert [r["lon"] for r in rows] == ["-47.5", "44.4"]  # numbers stay numbers
