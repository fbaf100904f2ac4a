"""The `newsmap` command line, run in-process through layers.cli.main."""

from __future__ import annotations

import json

import pytest

from layers.cli import main


@pytest.fixture
def seed_file(tmp_path, seed_text):
    path = tmp_path / "seed.txt"
    path.write_text(seed_text, encoding="utf-8")
    return path


def test_extract_writes_a_feature_collection(seed_file, tmp_path, capsys):
    out = tmp_path / "sites.geojson"
    assert main(["extract", str(seed_file), "-o", str(out), "--date", "2024-09-11"]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection" and "crs" not in data
    ids = {f["properties"]["feature_id"] for f in data["features"]}
    assert {"geonames:95446", "country:IQ", "site:imam-ali-shrine"} <= ids
    erbil = next(f for f in data["features"] if f["id"] == "geonames:95446")
    assert erbil["geometry"]["coordinates"] == [44.00943, 36.19117]
    assert isinstance(erbil["properties"]["evidence"], list)
    assert "wrote" in capsys.readouterr().err


def test_parse_writes_one_line_per_input_in_order(tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    docs = [
        {"id": "a", "text": "Officials in Irbil met envoys from Basra."},
        {"id": "b", "text": "Nothing here names a place."},
        {"id": "c", "text": "Flooding closed roads near Karbala, Iraq."},
    ]
    corpus.write_text("\n".join(json.dumps(d) for d in docs) + "\n", encoding="utf-8")
    out = tmp_path / "mentions.jsonl"
    assert main(["parse", str(corpus), "-o", str(out)]) == 0
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == ["a", "b", "c"]
    assert lines[1]["toponyms"] == []
    irbil = lines[0]["toponyms"][0]
    assert docs[0]["text"][irbil["start"] : irbil["end"]] == irbil["name"] == "Irbil"
    assert irbil["geonameid"] == 95446 and irbil["country_code"] == "IQ"
    assert abs(irbil["lat"] - 36.19117) < 0.02 and abs(irbil["lon"] - 44.00943) < 0.02
    for key in (
        "start",
        "end",
        "name",
        "lat",
        "lon",
        "geonameid",
        "feature_id",
        "kind",
        "country_code",
        "score",
    ):
        assert key in irbil


def test_evaluate_with_predictions(tmp_path, capsys):
    gold = tmp_path / "gold.jsonl"
    text = "Rain fell on Najaf."
    gold.write_text(
        json.dumps(
            {
                "id": "x",
                "text": text,
                "toponyms": [
                    {"start": 13, "end": 18, "name": "Najaf", "lat": 32.02594, "lon": 44.34625}
                ],
            }
        )
        + "\n",
        encoding="utf-8",
    )
    pred = tmp_path / "pred.jsonl"
    assert main(["parse", str(gold), "-o", str(pred)]) == 0
    capsys.readouterr()
    assert main(["evaluate", str(gold), "--pred", str(pred)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["overlap_f1"] == 1.0
    assert result["acc_at_161"] == 1.0
    assert main(["evaluate", str(gold)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["end_to_end_acc_at_161"] == 1.0
    assert result["documents_per_second"] > 0


@pytest.mark.parametrize(
    "content, message",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "looks binary"),
        (b"", "empty"),
        (b" \n\n ", "empty"),
    ],
)
def test_extract_bad_file_is_a_clear_error(tmp_path, capsys, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    assert main(["extract", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_parse_bad_jsonl_is_a_clear_error(tmp_path, capsys):
    corpus = tmp_path / "bad.jsonl"
    corpus.write_text('{"id": 1, "text": "ok"}\n{oops\n', encoding="utf-8")
    assert main(["parse", str(corpus), "-o", str(tmp_path / "o.jsonl")]) == 2
    assert "bad.jsonl:2: invalid JSON" in capsys.readouterr().err
    assert main(["extract", str(tmp_path / "missing.txt")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_gazetteer_fallback_without_ner(seed_file, tmp_path, capsys):
    out = tmp_path / "sites.geojson"
    assert main(["--pipeline", "none", "extract", str(seed_file), "-o", str(out)]) == 0
    assert "gazetteer matching only" in capsys.readouterr().err
    ids = {f["id"] for f in json.loads(out.read_text(encoding="utf-8"))["features"]}
    assert {"geonames:95446", "country:IR", "geonames:98860"} <= ids


def test_extract_reads_a_windows_text_and_says_so(tmp_path, capsys):
    path = tmp_path / "word.txt"
    path.write_bytes(
        "Floods hit Dhaka \u2013 the capital of Bangladesh \u2019s delta.".encode("cp1252")
    )
    assert main(["extract", str(path)]) == 0
    captured = capsys.readouterr()
    assert "is not plain UTF-8: read as cp1252" in captured.err
    names = {f["properties"]["name"] for f in json.loads(captured.out)["features"]}
    assert {"Dhaka", "Bangladesh"} <= names


class _Stdin:
    """Standard input made of bytes (``sys.stdin.buffer``)."""

    def __init__(self, data: bytes) -> None:
        import io

        self.buffer = io.BytesIO(data)


def test_version(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == "newsmap 0.1.0"


def test_dash_reads_stdin_and_writes_stdout(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", _Stdin(b"Floods hit Dhaka, the capital of Bangladesh."))
    assert main(["extract", "-", "-o", "-"]) == 0
    names = {f["properties"]["name"] for f in json.loads(capsys.readouterr().out)["features"]}
    assert {"Dhaka", "Bangladesh"} <= names
    corpus = b'{"id": "a", "text": "Floods hit Dhaka."}\n{"id": "b", "text": "Rain in Lagos."}\n'
    monkeypatch.setattr("sys.stdin", _Stdin(corpus))
    assert main(["parse", "-", "-o", "-"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["id"] for line in lines] == ["a", "b"]
    assert [t["name"] for t in lines[1]["toponyms"]] == ["Lagos"]


def test_options_work_after_the_subcommand(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", _Stdin(b"Floods hit Dhaka."))
    assert main(["extract", "--pipeline", "none", "-"]) == 0
    err = capsys.readouterr().err
    # Said as what was asked for, not as a missing pipeline.
    assert "--pipeline none: toponyms found by gazetteer matching only" in err
    assert "no spaCy pipeline available" not in err


@pytest.mark.parametrize("where", ["no/such/folder/out.geojson", "."])
def test_an_unwritable_output_fails_before_the_work(tmp_path, monkeypatch, capsys, where):
    def no_work(_args):
        raise AssertionError("the geoparser was loaded before the output was checked")

    monkeypatch.setattr("layers.cli._geoparser", no_work)
    monkeypatch.chdir(tmp_path)
    article = tmp_path / "a.txt"
    article.write_text("Floods hit Dhaka.", encoding="utf-8")
    for argv in (
        ["extract", str(article), "-o", where],
        ["parse", str(article), "-o", where],
        ["batch", str(article), "-o", where],
    ):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"newsmap: error: cannot write {where}") and err.count("\n") == 1


def test_extract_refuses_an_article_over_the_size_cap_before_reading_it(tmp_path, capsys):
    from layers.files.inputs import MAX_UPLOAD_MB

    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:  # sparse: the size is there, the bytes are not read
        handle.truncate(200 * 1_000_000)
    assert main(["extract", str(path), "-o", str(tmp_path / "out.geojson")]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        f"newsmap: error: {path} is 200 MB; one article can be up to {MAX_UPLOAD_MB} MB. "
        "For many articles, write them one per line to a .jsonl file and run `newsmap batch`."
    )
    assert not (tmp_path / "out.geojson").exists()


def test_parse_reads_a_utf16_corpus(tmp_path):
    corpus = tmp_path / "c.jsonl"
    corpus.write_bytes('{"id": "a", "text": "Floods hit Lahore, Pakistan."}\n'.encode("utf-16-le"))
    out = tmp_path / "out.jsonl"
    assert main(["parse", str(corpus), "-o", str(out)]) == 0
    (line,) = out.read_text(encoding="utf-8").splitlines()
    names = {t["name"] for t in json.loads(line)["toponyms"]}
    assert {"Lahore", "Pakistan"} <= names
