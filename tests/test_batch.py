"""`newsmap batch`: the pipeline on a Dask LocalCluster, written as GeoParquet."""

from __future__ import annotations

import json

import geopandas as gpd
import pytest

from layers.cli import main


def test_batch_writes_geoparquet_per_article(tmp_path, seed_text):
    corpus = tmp_path / "corpus.jsonl"
    docs = [
        {"id": "seed", "text": seed_text, "date": "2024-09-11"},
        {"id": "najaf", "text": "Pilgrims crowded the Imam Ali shrine in Najaf."},
        {"id": "none", "text": "No place is named in this sentence."},
    ]
    corpus.write_text("\n".join(json.dumps(d) for d in docs), encoding="utf-8")
    out = tmp_path / "sites.parquet"
    assert main(["batch", str(corpus), "-o", str(out), "--workers", "1", "--chunk-size", "2"]) == 0
    frame = gpd.read_parquet(out)
    assert frame.crs.to_epsg() == 4326
    assert set(frame["article_id"]) == {"seed", "najaf"}
    seed = frame[frame["article_id"] == "seed"]
    assert "geonames:95446" in set(seed["feature_id"])
    najaf = frame[frame["article_id"] == "najaf"]
    assert {"geonames:98860", "site:imam-ali-shrine"} <= set(najaf["feature_id"])
    evidence = json.loads(najaf[najaf["feature_id"] == "geonames:98860"]["evidence"].iloc[0])
    assert evidence[0]["text"] == "Najaf"


def test_batch_writes_a_geopackage_debian_gdal_opens(tmp_path):
    """`-o x.gpkg`: one table per layer and geometry type, GeoPackage 1.2."""
    import shutil
    import subprocess

    import pyogrio

    corpus = tmp_path / "corpus.jsonl"
    docs = [{"id": "najaf", "text": "Pilgrims crowded the Imam Ali shrine in Najaf."}]
    corpus.write_text("\n".join(json.dumps(d) for d in docs), encoding="utf-8")
    out = tmp_path / "sites.gpkg"
    assert main(["batch", str(corpus), "-o", str(out), "--workers", "1"]) == 0
    tables = dict(pyogrio.list_layers(out).tolist())
    assert tables == {"places": "Point", "religious": "Point"}
    places = gpd.read_file(out, layer="places")
    assert list(places["article_id"]) == ["najaf"]
    najaf = places.geometry.iloc[0]
    assert (najaf.x, najaf.y) == pytest.approx((44.346, 32.026), abs=0.01)  # GeoNames 98860
    if shutil.which("ogrinfo"):
        info = subprocess.run(
            ["ogrinfo", "-ro", "-so", str(out)], capture_output=True, text=True, check=True
        )
        assert "places (Point)" in info.stdout and "partially supported" not in info.stderr
