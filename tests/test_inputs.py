"""Upload decoding and table helpers (pure functions behind the app)."""

from __future__ import annotations

import pytest

from layers.inputs import InputError, decode_upload, feature_table, html_to_text

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
    from geodata.sites import extract_sites

    table = feature_table(extract_sites(TEXTS[name], geoparser=geoparser))
    assert list(table.columns) == [
        "name",
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
