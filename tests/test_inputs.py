"""Upload decoding and table helpers (pure functions behind the app)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from layers.app.display import TABLE_HEADERS, escape_markdown, feature_table
from layers.files.inputs import (
    InputError,
    decode_text,
    decode_upload,
    html_article,
    html_to_text,
    markdown_to_text,
    parse_uploads,
)

from .cases import TEXTS


def test_utf8_bom_and_utf16():
    assert decode_upload("\ufeffBlast in Basra".encode()) == "Blast in Basra"
    assert decode_upload("Blast in Basra".encode("utf-16")) == "Blast in Basra"


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"  \n\t\r\n ", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (bytes(range(1, 32)) * 50, "looks binary"),
        (("Lahore " * 600).encode() + bytes(range(1, 32)) * 80, "does not look like text"),
    ],
)
def test_bad_uploads_say_why(data, message):
    with pytest.raises(InputError, match=message):
        decode_upload(data, "article.txt")


def test_a_windows_text_is_read_and_the_encoding_named():
    text = "Caf\u00e9 in Basra \u2013 \u201cthe old port\u201d"
    assert decode_text(text.encode("cp1252"), "a.txt") == (text, "cp1252")
    assert decode_text(text.encode("utf-8"), "a.txt") == (text, None)
    articles, _, problems = parse_uploads([("a.txt", text.encode("cp1252"))])
    assert problems == [] and articles == [{"name": "a.txt", "text": text, "encoding": "cp1252"}]


NEWS_PAGE = """<html><head><title>Floods close Nairobi road | Daily News</title>
<meta property="article:published_time" content="2024-05-02T08:00:00Z"></head>
<body><nav><a href="/">Home</a> <a href="/africa">Africa</a> <a href="/sydney">Sydney</a>
<a href="/us">Washington</a></nav>
<article><h1>Floods close Nairobi road</h1>
<p>Heavy rain closed the main road between Nairobi and Mombasa on Wednesday, police said.</p>
<p>In Garissa, the Tana River burst its banks and hundreds of families moved to higher
ground.</p></article>
<footer>Offices in London and Paris. Copyright 2024.</footer></body></html>"""


def test_an_html_page_gives_its_article_headline_and_date():
    page = html_article(NEWS_PAGE)
    assert "Nairobi and Mombasa" in page["text"] and "Garissa" in page["text"]
    for menu_or_footer in ("Sydney", "Washington", "London", "Copyright"):
        assert menu_or_footer not in page["text"]
    assert page["title"] == "Floods close Nairobi road"
    assert page["date"] == "2024-05-02"
    articles, _, problems = parse_uploads([("story.html", NEWS_PAGE.encode())])
    assert problems == []
    assert articles[0]["name"] == "Floods close Nairobi road"
    assert articles[0]["date"] == "2024-05-02"
    assert articles[0]["text"] == page["text"]


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
        ("![x](http://e.com/t.png)", "\\!\\[x\\]\\(http\u2060\\:\\/\\/e\\.com\\/t\\.png\\)"),
        ("www.evil.example", "www\u2060\\.evil\\.example"),
        ("write to a@b.co", "write to a\u2060\\@b\\.co"),
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


MARKDOWN = """# Strikes near **Erbil**

*Rockets* hit a base outside [Erbil](https://en.wikipedia.org/wiki/Erbil), officials said.

> A resident of __Mosul__ said the blasts were heard ~~far~~ away.

- Kirkuk: schools closed
- In Najaf there was no damage
"""


def test_markdown_syntax_is_blanked_and_offsets_kept():
    text = markdown_to_text(MARKDOWN)
    assert len(text) == len(MARKDOWN)
    for name in ("Erbil", "Mosul", "Kirkuk", "Najaf", "Rockets"):
        for start in [i for i in range(len(MARKDOWN)) if MARKDOWN.startswith(name, i)]:
            assert text[start : start + len(name)] in (name, " " * len(name))
    assert not any(mark in text for mark in ("**", "__", "~~", "](", "# ", "> ", "- "))
    assert "wikipedia" not in text  # the link's address is not article text
    assert " Strikes near   Erbil  " in text
    articles, _, _ = parse_uploads([("story.md", MARKDOWN.encode())])
    assert articles[0]["text"] == text


def test_markdown_mentions_keep_their_file_offsets(geoparser):
    from geodata.pipeline import extract_sites

    sites = extract_sites(markdown_to_text(MARKDOWN), geoparser=geoparser)
    names = set(sites["name"])
    assert {"Erbil", "Mosul", "Kirkuk", "Najaf"} <= names
    for evidence in sites.loc[sites["name"] == "Mosul", "evidence"].iloc[0]:
        assert "__" not in evidence["sentence"]


@given(st.text(alphabet=st.sampled_from(list("ab *_~`#>[]()-1.\n")), max_size=80))
def test_markdown_reduction_keeps_length_and_letters(markup):
    text = markdown_to_text(markup)
    assert len(text) == len(markup)
    for before, after in zip(markup, text, strict=True):
        assert after in (before, " ")


ARTICLE = "A blast in Basra, Iraq, and floods in Lahore. Café owners in São Paulo fled."


@pytest.mark.parametrize(
    "codec, said",
    [
        ("utf-16", "UTF-16"),  # with a byte-order mark
        ("utf-16-le", "UTF-16"),  # without one (Windows' "Unicode" without BOM)
        ("utf-16-be", "UTF-16"),
        ("utf-32", "UTF-32"),  # UTF-32-LE's mark starts with UTF-16-LE's
        ("utf-32-le", "UTF-32"),
        ("utf-32-be", "UTF-32"),
    ],
)
def test_utf16_and_utf32_with_or_without_a_mark_are_read(codec, said):
    assert decode_text(ARTICLE.encode(codec), "a.txt") == (ARTICLE, said)
    articles, _, problems = parse_uploads([("a.txt", ARTICLE.encode(codec))])
    assert problems == [] and articles[0]["text"] == ARTICLE


def test_a_utf8_text_with_a_few_windows_bytes_keeps_its_utf8():
    data = "Zoë’s team left São Paulo. ".encode() + b"Caf\xe9 in Basra \x93shut\x94."
    text, how = decode_text(data, "mixed.txt")
    assert text == "Zoë’s team left São Paulo. Café in Basra “shut”."
    assert how == "UTF-8, with 3 bytes in Windows-1252"


def test_stray_control_characters_become_spaces_and_are_counted():
    data = ("Floods hit Lahore. " * 400).encode() + b"\x00\x00\x07" + b"A blast in Basra."
    articles, _, problems = parse_uploads([("a.txt", data)])
    assert problems == []
    (article,) = articles
    assert article["controls"] == 3 and len(article["text"]) == len(data)
    assert "\x00" not in article["text"] and article["text"].endswith("   A blast in Basra.")


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(256)) * 40,  # every byte value
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(4000),  # a zip archive's header
        b"SQLite format 3\x00" + bytes(4000),  # a database
    ],
)
def test_binary_files_are_refused_in_one_line(data):
    articles, saved, problems = parse_uploads([("a.txt", data), ("b.txt", b"Floods in Lahore.")])
    assert [a["name"] for a in articles] == ["b.txt"] and saved is None
    assert (
        len(problems) == 1
        and problems[0].startswith("a.txt looks binary")
        and "\n" not in problems[0]
    )


def test_a_million_line_corpus_is_capped_with_a_message():
    from layers.files.inputs import MAX_APP_ARTICLES

    line = b'{"id": "n%d", "text": "Floods hit Lahore, Pakistan."}\n'
    data = b"".join(line % i for i in range(1_000_000))
    articles, _, problems = parse_uploads([("corpus.jsonl", data)])
    assert len(articles) == MAX_APP_ARTICLES
    assert articles[-1] == {
        "name": f"n{MAX_APP_ARTICLES - 1}",
        "text": "Floods hit Lahore, Pakistan.",
    }
    assert problems == [
        f"corpus.jsonl: {MAX_APP_ARTICLES} of 1,000,000 articles mapped; the app maps at most "
        f"{MAX_APP_ARTICLES} articles and 1,000,000 characters at once. Map a whole corpus "
        "with `newsmap batch`."
    ]


def test_a_corpus_of_bad_lines_gives_a_few_messages_and_a_count():
    data = b"not json\n" * 10_000 + b'{"text": "Floods hit Lahore."}\n'
    articles, _, problems = parse_uploads([("c.jsonl", data)])
    assert [a["text"] for a in articles] == ["Floods hit Lahore."]
    assert len(problems) == 6 and problems[-1] == "c.jsonl: 9,995 more unusable lines skipped."


def test_a_damaged_geopackage_is_refused_in_one_line():
    articles, saved, problems = parse_uploads([("map.gpkg", b"SQLite format 3\x00" + bytes(3000))])
    assert (articles, saved) == ([], None)
    assert len(problems) == 1 and problems[0].startswith("map.gpkg: not a readable GPKG file")


def test_a_jsonl_in_utf16_is_read_by_the_cli_reader(tmp_path):
    from geodata.corpus import read_jsonl

    path = tmp_path / "c.jsonl"
    path.write_bytes(
        '{"id": "a", "text": "Café in Basra"}\n{"id": "b", "text": "x"}\n'.encode("utf-16")
    )
    assert read_jsonl(path, require_text=True) == [
        {"id": "a", "text": "Café in Basra"},
        {"id": "b", "text": "x"},
    ]
