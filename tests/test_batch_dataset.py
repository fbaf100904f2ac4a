"""`newsmap batch` as a pipeline: streamed inputs, a GeoParquet dataset, bad records, resume, Dask.

Most runs use ``--pipeline none`` (gazetteer matching only: no spaCy) and one
worker in this process, so that they take a second; one test kills a run in a
subprocess and resumes it, one runs on a real ``dask scheduler`` with two
``dask worker`` processes.
"""

from __future__ import annotations

import gzip
import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyarrow.parquet as pq
import pytest

from geodata import batch
from geodata.batch import BatchError, read_manifest, run_batch
from geodata.partitions import plan_partitions
from layers.cli import main

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable

TEXTS = [
    "Floods hit Dhaka, the capital of Bangladesh.",
    "Pilgrims crowded the Imam Ali shrine in Najaf.",
    "Rain fell on Lagos and Abuja in Nigeria.",
    "No place is named in this sentence.",
    "Talks in Geneva ended; the envoy flew to Cairo.",
]


def _docs(n: int, prefix: str = "d") -> list[dict]:
    return [
        {"id": f"{prefix}{i}", "text": TEXTS[i % len(TEXTS)], "date": "2024-09-11"}
        for i in range(n)
    ]


def _write_jsonl(path: Path, docs: list) -> Path:
    path.write_text(
        "".join((d if isinstance(d, str) else json.dumps(d)) + "\n" for d in docs),
        encoding="utf-8",
    )
    return path


def _table(out: Path, name: str) -> pd.DataFrame:
    return pq.read_table(out / name).to_pandas()


def test_every_bad_record_kind_is_an_error_row_and_the_run_goes_on(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(batch, "MAX_BATCH_CHARS", 60)
    corpus = tmp_path / "c.jsonl"
    lines = [
        json.dumps({"id": "ok", "text": "Floods hit Dhaka, the capital of Bangladesh."}),
        "{not json",
        json.dumps({"id": "notext", "title": "x"}),
        json.dumps({"id": "number", "text": 42}),
        json.dumps(["a", "list"]),
        json.dumps({"id": "long", "text": "Rain in Lagos. " + "word " * 40 + "Cairo."}),
    ]
    data = "\n".join(lines).encode("utf-8") + b'\n{"id": "bytes", "text": "caf\xe9"}\n'
    corpus.write_bytes(data)
    damaged = tmp_path / "damaged.jsonl.gz"
    damaged.write_bytes(gzip.compress(json.dumps({"id": "gz", "text": "Cairo."}).encode())[:-12])
    out = tmp_path / "out"
    argv = ["--pipeline", "none", "batch", str(corpus), str(damaged), "-o", str(out)]
    assert main([*argv, "--workers", "1"]) == 0
    errors = _table(out, "errors").sort_values(["input", "line"])
    reasons = dict(zip(errors["line"].astype("Int64").astype(str), errors["reason"], strict=True))
    assert reasons["2"].startswith("invalid JSON")
    assert reasons["3"] == 'no "text"'
    assert reasons["4"] == '"text" is not a string (got int)'
    assert reasons["5"] == "expected a JSON object, got list"
    assert reasons["7"] == "invalid UTF-8 (byte 28)"
    gz = errors[errors["input"] == str(damaged)]
    assert len(gz) == 1 and gz["reason"].iloc[0].startswith("cannot read")
    assert list(errors.loc[errors["line"] == 3, "id"]) == ["notext"]
    articles = _table(out, "articles").set_index("id")
    assert sorted(articles.index) == ["long", "ok"]
    assert bool(articles.loc["long", "cut"]) and articles.loc["long", "chars"] == 221
    assert articles.loc["long", "note"] == "cut at 60 characters of 221"
    # Cairo is past the cut: not geoparsed; Lagos is before it
    mentions = _table(out, "mentions")
    assert set(mentions.loc[mentions["article_id"] == "long", "surface"]) == {"Lagos"}
    err = capsys.readouterr().err
    assert "2 articles" in err and "6 failed" in err and "Traceback" not in err


def test_the_dataset_schema_and_its_readers(tmp_path):
    corpus = _write_jsonl(tmp_path / "c.jsonl", _docs(10))
    out = tmp_path / "out"
    summary = run_batch(str(corpus), out, pipeline="none", partition_size=4)
    assert (summary.partitions, summary.documents, summary.articles) == (3, 10, 10)
    assert summary.worker_peak_rss_mb > 100  # the gazetteer alone is more
    assert {p.name for p in (out / "mentions").iterdir()} == {
        "part-00000.parquet",
        "part-00001.parquet",
        "part-00002.parquet",
    }
    # geopandas: the folder and one file
    mentions = gpd.read_parquet(out / "mentions")
    assert mentions.crs.to_epsg() == 4326 and len(mentions) == summary.mentions
    assert list(mentions.columns[:6]) == [
        "article_id",
        "start",
        "end",
        "surface",
        "feature_id",
        "name",
    ]
    dhaka = mentions[(mentions["article_id"] == "d0") & (mentions["surface"] == "Dhaka")].iloc[0]
    assert (dhaka["start"], dhaka["end"], dhaka["sentence_start"], dhaka["sentence_end"]) == (
        11,
        16,
        0,
        44,
    )
    assert dhaka["feature_id"] == "geonames:1185241" and dhaka["country_code"] == "BD"
    assert (dhaka.geometry.x, dhaka.geometry.y) == pytest.approx((dhaka["lon"], dhaka["lat"]))
    articles = gpd.read_parquet(out / "articles" / "part-00000.parquet")
    first = articles.set_index("id").loc["d0"]
    assert (first["focus_country"], first["focus_place"]) == ("BD", "Dhaka")
    assert str(first["date"]) == "2024-09-11" and first["mentions"] == 2
    assert articles.set_index("id").loc["d3"].geometry is None  # no place named
    articles_all = gpd.read_parquet(out / "articles")
    assert set(articles_all["focus_country"].dropna()) >= {"BD", "IQ", "NG"}
    sites = gpd.read_parquet(out / "sites")
    evidence = json.loads(sites[sites["article_id"] == "d1"]["evidence"].iloc[0])
    assert evidence[0]["sentence"] == TEXTS[1]
    # GeoParquet 1.1 metadata with a bbox covering column
    geo = json.loads(pq.read_schema(out / "mentions" / "part-00001.parquet").metadata[b"geo"])
    column = geo["columns"]["geometry"]
    assert geo["version"] == "1.1.0" and column["geometry_types"] == ["Point"]
    assert column["covering"]["bbox"]["xmin"] == ["bbox", "xmin"]
    # one schema for every file, even a partition with no error and no site
    schemas = {str(pq.read_schema(p)) for p in (out / "errors").glob("*.parquet")}
    assert len(schemas) == 1 and "line: int64" in schemas.pop()
    # DuckDB reads the folder as one table
    duckdb = pytest.importorskip("duckdb")
    ((count, countries),) = duckdb.sql(
        f"select count(*), count(distinct focus_country) from '{out}/articles/*.parquet'"
    ).fetchall()
    assert (count, countries) == (10, len(set(articles_all["focus_country"].dropna())))
    ((got,),) = duckdb.sql(
        f"select sum(case when bbox.xmin > 80 then 1 else 0 end) from '{out}/mentions/*.parquet'"
    ).fetchall()
    assert got == (mentions.geometry.x > 80).sum()


def test_gdal_reads_the_dataset_where_it_has_a_parquet_driver(tmp_path):
    """Debian's GDAL and pyogrio's wheel have no (Geo)Parquet driver on this machine."""
    import pyogrio

    corpus = _write_jsonl(tmp_path / "c.jsonl", _docs(3))
    out = tmp_path / "out"
    run_batch(str(corpus), out, pipeline="none")
    if "Parquet" in pyogrio.list_drivers():
        frame = pyogrio.read_dataframe(out / "mentions" / "part-00000.parquet")
        assert len(frame) == 6
        return
    ogrinfo = shutil.which("ogrinfo")
    formats = (
        subprocess.run([ogrinfo, "--formats"], capture_output=True, text=True).stdout
        if ogrinfo
        else ""
    )
    if "Parquet" not in formats:
        pytest.skip("no GDAL with a Parquet driver here (Debian's and pyogrio's lack it)")
    info = subprocess.run(
        [ogrinfo, "-ro", "-so", "-al", str(out / "mentions" / "part-00000.parquet")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Feature Count: 6" in info.stdout


def test_inputs_compressed_utf16_files_parquet_and_globs(tmp_path):
    import pyarrow as pa
    import zstandard

    (tmp_path / "a.jsonl.gz").write_bytes(
        gzip.compress("".join(json.dumps(d) + "\n" for d in _docs(3, "gz")).encode())
    )
    (tmp_path / "b.jsonl.zst").write_bytes(
        zstandard.ZstdCompressor().compress(
            "".join(json.dumps(d) + "\n" for d in _docs(2, "zst")).encode()
        )
    )
    (tmp_path / "c.jsonl").write_bytes(
        "".join(json.dumps(d) + "\n" for d in _docs(2, "u16")).encode("utf-16")
    )
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "one.txt").write_bytes("Floods hit Dhaka – again.".encode("cp1252"))
    (pages / "two.md").write_text("# Najaf\n\nPilgrims crowded **Najaf**.", encoding="utf-8")
    (pages / "three.html").write_text(
        "<html><head><title>Cairo talks</title><meta property='og:title' content='Cairo talks'>"
        "</head><body><article><h1>Cairo talks</h1><p>The envoy flew to Cairo for talks with "
        "Egypt's president. It was his third visit this year.</p></article></body></html>",
        encoding="utf-8",
    )
    (pages / "binary.txt").write_bytes(b"\x00\x01\x02\x03" * 100)
    table = pa.table(
        {"id": [f"pq{i}" for i in range(5)], "text": [TEXTS[i] for i in range(5)], "url": ["u"] * 5}
    )
    pq.write_table(table, tmp_path / "d.parquet", row_group_size=2)
    parts = plan_partitions(
        [str(tmp_path / "*.j*"), str(pages), str(tmp_path / "d.parquet")], partition_size=2
    )
    assert [p.kind for p in parts] == [
        "stream",
        "stream",
        "stream",
        "files",
        "files",
        "parquet",
        "parquet",
        "parquet",
    ]
    assert [p.row_groups for p in parts[-3:]] == [(0,), (1,), (2,)]
    from layers.files.inputs import read_article

    out = tmp_path / "out"
    summary = run_batch(
        [str(tmp_path / "*.j*"), str(pages), str(tmp_path / "d.parquet")],
        out,
        pipeline="none",
        partition_size=2,
        read_file=read_article,
    )
    articles = _table(out, "articles").set_index("id")
    assert summary.articles == len(articles) == 3 + 2 + 2 + 3 + 5
    assert articles.loc[str(pages / "three.html"), "title"] == "Cairo talks"
    assert articles.loc[str(pages / "one.txt"), "focus_place"] == "Dhaka"
    assert articles.loc["pq4", "url"] == "u" and articles.loc["pq4", "line"] == 5
    errors = _table(out, "errors")
    assert list(errors["input"]) == [str(pages / "binary.txt")]
    assert "looks binary" in errors["reason"].iloc[0]


def test_byte_ranges_split_on_lines_and_number_them(tmp_path):
    docs: list = _docs(40)
    docs[33] = "{broken"
    corpus = _write_jsonl(tmp_path / "c.jsonl", docs)
    parts = plan_partitions([str(corpus)], blocksize=700)
    assert len(parts) > 3 and parts[-1].end == corpus.stat().st_size
    assert all(a.end == b.start for a, b in itertools.pairwise(parts))
    out = tmp_path / "out"
    summary = run_batch(str(corpus), out, pipeline="none", blocksize=700)
    assert summary.articles == 39 and summary.failures == 1
    assert list(_table(out, "errors")["line"]) == [34]
    assert sorted(_table(out, "articles")["line"]) == [n for n in range(1, 41) if n != 34]


def test_rerun_skips_done_partitions_refuses_other_input_and_overwrite_starts_afresh(tmp_path):
    corpus = _write_jsonl(tmp_path / "c.jsonl", _docs(8))
    out = tmp_path / "out"
    first = run_batch(str(corpus), out, pipeline="none", partition_size=3)
    again = run_batch(str(corpus), out, pipeline="none", partition_size=3)
    assert (first.partitions, first.articles, again.skipped, again.articles) == (3, 8, 3, 0)
    assert len(_table(out, "articles")) == 8
    other = _write_jsonl(tmp_path / "other.jsonl", _docs(2, "o"))
    with pytest.raises(BatchError, match="holds a batch of other inputs"):
        run_batch(str(other), out, pipeline="none")
    assert main(["--pipeline", "none", "batch", str(other), "-o", str(out), "--workers", "1"]) == 2
    fresh = run_batch(str(other), out, pipeline="none", overwrite=True)
    assert fresh.articles == 2 and sorted(_table(out, "articles")["id"]) == ["o0", "o1"]
    manifest = read_manifest(out)
    assert [v["status"] for v in manifest["partitions"].values()] == ["done"]


def _batch_until_written(corpus: Path, out: Path, workers: int, **popen: Any) -> Any:
    """Start `newsmap batch` in its own process group; return it once 10 partitions are
    written and the manifest (rewritten at most once a second) records one as done."""
    argv = [PYTHON, "-m", "layers.cli", "--pipeline", "none", "batch", str(corpus), "-o", str(out)]
    argv += ["--workers", str(workers), "--partition-size", "5", "--quiet"]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    run = subprocess.Popen(argv, cwd=ROOT, env=env, start_new_session=True, **popen)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and run.poll() is None:
        folder = out / "sites"
        if folder.is_dir() and len(list(folder.glob("part-*.parquet"))) >= 10:
            try:
                partitions = read_manifest(out)["partitions"].values()
            except (OSError, ValueError):
                partitions = []
            if any(p["status"] == "done" for p in partitions):
                break
        time.sleep(0.01)
    return run


def test_a_killed_run_resumes_with_no_duplicates(tmp_path):
    corpus = _write_jsonl(tmp_path / "c.jsonl", _docs(300))
    whole = tmp_path / "whole"
    expected = run_batch(str(corpus), whole, pipeline="none", partition_size=5)
    out = tmp_path / "out"
    run = _batch_until_written(corpus, out, workers=1)
    os.killpg(run.pid, signal.SIGKILL)  # the whole process group, mid-run
    run.wait()
    assert run.returncode == -signal.SIGKILL
    statuses = [v["status"] for v in read_manifest(out)["partitions"].values()]
    assert 0 < len(list((out / "sites").glob("part-*.parquet"))) < 60
    assert statuses.count("done") < 60
    resumed = run_batch(str(corpus), out, pipeline="none", partition_size=5)
    assert resumed.skipped == statuses.count("done") and resumed.articles < 300
    for table in ("articles", "mentions", "sites"):
        assert len(_table(out, table)) == len(_table(whole, table)), table
    ids = _table(out, "articles")["id"]
    assert ids.is_unique and len(ids) == expected.articles == 300
    assert not list(out.rglob("*.tmp"))


def test_ctrl_c_on_two_workers_stops_in_one_line_and_the_rerun_finishes(tmp_path):
    """Ctrl-C in a terminal signals the whole process group: the workers leave the stop
    to the client, which says so in one line (no worker tracebacks, no Dask warnings)."""
    corpus = _write_jsonl(tmp_path / "c.jsonl", _docs(2000))
    out = tmp_path / "out"
    run = _batch_until_written(corpus, out, workers=2, stderr=subprocess.PIPE, text=True)
    try:
        os.killpg(run.pid, signal.SIGINT)  # what Ctrl-C does: the whole group
        _, stderr = run.communicate(timeout=60)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
    assert run.returncode == 130, stderr
    assert "Traceback" not in stderr and "CancelledError" not in stderr, stderr
    assert stderr.strip().splitlines()[-1].startswith("newsmap: stopped; the partitions done")
    done = [v for v in read_manifest(out)["partitions"].values() if v["status"] == "done"]
    assert 0 < len(done) < 400  # the manifest lags the files by up to a second
    resumed = run_batch(str(corpus), out, pipeline="none", partition_size=5)
    assert resumed.skipped == len(done)
    ids = _table(out, "articles")["id"]
    assert ids.is_unique and len(ids) == 2000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_real_scheduler_and_two_workers(tmp_path, capsys):
    from dask.distributed import Client

    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    dask = [PYTHON, "-m", "dask"]
    started = [
        subprocess.Popen(
            [*dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    try:
        for _ in range(2):
            started.append(
                subprocess.Popen(
                    [
                        *dask,
                        "worker",
                        address,
                        "--nworkers",
                        "1",
                        "--nthreads",
                        "1",
                        "--no-dashboard",
                        "--no-nanny",
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=60)
        corpus = _write_jsonl(tmp_path / "c.jsonl", _docs(24))
        out = tmp_path / "out"
        argv = ["--pipeline", "none", "batch", str(corpus), "-o", str(out)]
        assert main([*argv, "--scheduler", address, "--partition-size", "2"]) == 0
        assert "24 documents" in capsys.readouterr().err
        articles = _table(out, "articles")
        assert sorted(articles["id"]) == sorted(f"d{i}" for i in range(24))
        with Client(address, timeout=30) as client:
            loads = client.run(lambda: __import__("geodata.batch").batch._LOADS)
            done = client.run(lambda: len(__import__("geodata.batch").batch._PARSERS))
        # 12 partitions on two worker processes: the geoparser loaded once in each
        assert sorted(loads.values()) == [1, 1] and sorted(done.values()) == [1, 1]
    finally:
        for process in reversed(started):
            process.terminate()
        for process in started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def test_parse_and_evaluate_on_two_workers_keep_the_input_order(tmp_path, capsys):
    docs = [{"id": f"d{i}", "text": TEXTS[i % 5], "toponyms": []} for i in range(30)]
    corpus = _write_jsonl(tmp_path / "c.jsonl", docs)
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert main(["--pipeline", "none", "parse", str(corpus), "-o", str(one)]) == 0
    argv = ["--pipeline", "none", "parse", str(corpus), "-o", str(two), "--workers", "2"]
    assert main(argv) == 0
    assert one.read_text(encoding="utf-8") == two.read_text(encoding="utf-8")
    assert [json.loads(line)["id"] for line in two.read_text().splitlines()] == [
        f"d{i}" for i in range(30)
    ]
    capsys.readouterr()
    assert main(["--pipeline", "none", "evaluate", str(corpus), "--workers", "2"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["method"] == "gazetteer" and result["documents_per_second"] > 0
