"""Upload decoding and table helpers (pure functions behind the app)."""

from __future__ import annotations

import pytest

from layers.app.display import TABLE_HEADERS, escape_markdown, feature_table
from layers.files.inputs import InputError, decode_upload, html_to_text, parse_uploads

from .cases import TEXTS


def test_utf8_bom_and_utf16():
    assert decode_upload("\ufeffBlast in Basra".encode()) == "Blast in Basra"
    assert decode_upload("Blast in Basra".encode("utf-16")) == "Blast in Basra"


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("Caf\u00e9 in Basra".encode("latin-1"), "not UTF-8"),
        (bytes(range(1, 32)) * 50, "does not look like text"),
    ],
)
def test_bad_uploads_say_why(data, message):
    with pytest.raises(InputError, match=message):
        decode_upload(data, "article.txt")


def test_html_upload_keeps_text_drops_scripts():
    page = b"<html><script>alert(1)</script><p>Strikes hit <b>Erbil</b>.</p></html>"
    assert decode_upload(page, "story.html") == "Strikes hit Erbil."
    assert html_to_text("<style>p{}</style>a &amp; b") == "a & b"


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_feature_table_for_every_canonical_text(name, geoparser):
    from geodata.pipeline import extract_sites

    table = feature_table(extract_sites(TEXTS[name], geoparser=geoparser))
    assert list(table.columns) == [
        "name",
        "surface",
        "kind",
        "layer",
        "country_code",
        "lon",
        "lat",
        "confidence",
        "mentions",
        "sentence",
        "source",
        "feature_id",
    ]
    assert table["lon"].between(-180, 180).all() and table["lat"].between(-90, 90).all()
    # people read titles, not keys: "Cities and towns", not "places"
    assert not set(table["layer"]) & {"places", "countries", "military", "incidents"}
    assert set(table.columns) <= set(TABLE_HEADERS)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("![x](http://e.com/t.png)", r"\!\[x\]\(http\:\/\/e\.com\/t\.png\)"),
        (":red[alert] $x$", r"\:red\[alert\] \$x\$"),
        ("Erbil\n**bold**", r"Erbil \*\*bold\*\*"),
        ("Baghdad", "Baghdad"),
    ],
)
def test_escape_markdown(text, expected):
    assert escape_markdown(text) == expected


def test_repeated_jsonl_ids_keep_every_article():
    data = b'{"id": "a", "text": "Fighting in Basra."}\n{"id": "a", "text": "Near Kirkuk."}\n'
    articles, saved, problems = parse_uploads([("x.jsonl", data)])
    assert [a["name"] for a in articles] == ["a", "a (2)"]
    assert [a["text"] for a in articles] == ["Fighting in Basra.", "Near Kirkuk."]
    assert saved is None and problems == []


def test_blank_jsonl_says_no_article_was_found():
    articles, _saved, problems = parse_uploads([("blank.jsonl", b"\n  \n\n")])
    assert articles == []
    assert problems == ["blank.jsonl: no article found (every line is blank or unusable)."]


def test_a_geojson_from_elsewhere_gets_the_sites_columns():
    import json

    from geodata.schema import COLUMNS, as_sites
    from layers.files.export import read_geojson

    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [44.36, 33.31]},
                "properties": {"name": "Somewhere", "kind": "volcano", "confidence": "high"},
            },
            {"type": "Feature", "geometry": None, "properties": {"feature_id": "x"}},
            {"type": "Feature", "geometry": None, "properties": {"feature_id": "x"}},
        ],
    }
    sites = as_sites(read_geojson(json.dumps(collection)))
    assert list(sites.columns) == COLUMNS
    assert list(sites["feature_id"]) == ["imported:0", "x", "x#2"]
    assert list(sites["name"]) == ["Somewhere", "x", "x#2"]
    assert list(sites["kind"]) == ["facility"] * 3
    assert list(sites["layer"]) == ["infrastructure"] * 3
    assert list(sites["confidence"]) == [1.0, 1.0, 1.0]
    assert list(sites["mentions"]) == [0, 0, 0]
    assert list(sites["inferred"]) == [False, False, False]
    assert sites.crs.to_epsg() == 4326
